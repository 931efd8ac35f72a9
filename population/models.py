"""Records of the population library."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.records.codes import ascii_upper
from hub.records.models import BaseRecord

from .choices import ETHNICITY_CHOICES, EducationLevel, Gender, MaritalStatus, SocialInsuranceStatus
from .validators import id_birth_date, id_gender, is_ascii_digits, validate_division_code, validate_id_number


class Person(BaseRecord):
    """A natural person registered in Jiangsu, keyed by citizen ID number (GB 11643)."""

    dataset_code = "population.person"

    id_number = models.CharField(
        _("citizen ID number"), max_length=18, unique=True, validators=[validate_id_number]
    )
    name = models.CharField(_("name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=ETHNICITY_CHOICES, blank=True)
    birth_date = models.DateField(_("birth date"))
    birthplace_division = models.CharField(
        _("birthplace division"), max_length=6, blank=True, validators=[validate_division_code]
    )
    household_division = models.CharField(
        _("household registration division"),
        max_length=6,
        blank=True,
        validators=[validate_division_code],
    )
    household_address = models.CharField(_("household registration address"), max_length=200, blank=True)
    residence_address = models.CharField(_("residence address"), max_length=200, blank=True)
    photo_digest = models.CharField(_("portrait photo digest"), max_length=64, blank=True)
    marital_status = models.CharField(
        _("marital status"), max_length=2, choices=MaritalStatus.choices, blank=True
    )
    education_level = models.CharField(
        _("education level"), max_length=2, choices=EducationLevel.choices, blank=True
    )
    death_date = models.DateField(_("date of death"), null=True, blank=True)
    social_insurance_status = models.CharField(
        _("social insurance status"), max_length=16, choices=SocialInsuranceStatus.choices, blank=True
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [models.Index(fields=["name"]), models.Index(fields=["household_division"])]

    def __str__(self):
        return f"{self.name} ({self.id_number})"

    @classmethod
    def normalize_key(cls, value):
        return ascii_upper(value)

    @classmethod
    def cross_field_errors(cls, values):
        """Birth date and gender must agree with the ID number; death follows birth."""
        errors = {}
        number = str(values.get("id_number") or "")
        birth = values.get("birth_date")
        if len(number) == 18 and is_ascii_digits(number[:17]):
            implied = id_birth_date(number)
            if birth and implied and birth != implied:
                errors["birth_date"] = [
                    _("Birth date %(birth)s disagrees with the ID number (%(implied)s).")
                    % {"birth": birth, "implied": implied}
                ]
            gender = values.get("gender")
            if gender in (Gender.MALE, Gender.FEMALE) and gender != id_gender(number):
                errors["gender"] = [_("Gender disagrees with the ID number's sequence digit.")]
        death = values.get("death_date")
        if death and birth and death < birth:
            errors["death_date"] = [_("Date of death is before the birth date.")]
        return errors

    @classmethod
    def normalized_key_sql(cls, column):
        # the key column is accepted only if the SQL form of validate_id_number holds too, which
        # admits 17 ASCII digits and a digit or capital X: strip().upper() leaves such a key as it is
        return "true"

    @classmethod
    def cross_field_sql(cls, columns):
        """SQL twin of :meth:`cross_field_errors` for rows whose ID number is already accepted."""
        number = columns["id_number"]
        checks = []
        birth = columns.get("birth_date")
        if birth:
            checks.append(f"replace({birth}, '-', '') = substr({number}, 7, 8)")
        gender = columns.get("gender")
        if gender:
            implied = f"(CASE WHEN ascii(substr({number}, 17, 1)) %% 2 = 1 THEN '1' ELSE '2' END)"
            checks.append(f"({gender} NOT IN ('1', '2') OR {gender} = {implied})")
        death = columns.get("death_date")
        if death and birth:  # both accepted as YYYY-MM-DD: as text they sort as dates
            checks.append(f'({death} = \'\' OR {death} COLLATE "C" >= {birth} COLLATE "C")')
        return " AND ".join(checks) or "true"
