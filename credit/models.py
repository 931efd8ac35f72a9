"""Records of the social credit library: legal entities, credit records, repairs, legacy codes."""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from hub.records.models import BaseRecord
from population.validators import validate_division_code, validate_id_number

from .choices import (
    INDUSTRY_SECTIONS,
    PUBLICITY_MONTHS,
    REGISTRATION_PARTITIONS,
    EntityStatus,
    PerformanceStatus,
    RecordKind,
    RepairStatus,
    Severity,
    SubjectType,
    WithdrawalReason,
    add_months,
)
from .validators import ENTITY_TYPES, REGISTRATION_AUTHORITIES, normalize_uscc, validate_uscc


def history_user(request=None, **kwargs):
    """Only a person is a history user; a system calling with an API key is recorded in the row's context."""
    from django.contrib.auth.base_user import AbstractBaseUser

    user = getattr(request, "user", None)
    return user if isinstance(user, AbstractBaseUser) else None


ENTITY_TYPE_CHOICES = [
    (code, name) for code, name in ENTITY_TYPES.items() if code[0] in REGISTRATION_PARTITIONS
]


class LegacyCode(models.Model):
    """A legacy USCC that fails its checksum but identifies a real entity (operator-kept allow-list)."""

    code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("legacy credit code")
        verbose_name_plural = _("legacy credit codes")

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalize_uscc(self.code)
        super().save(*args, **kwargs)


class LegalEntity(BaseRecord):
    """A legal entity or other organisation, keyed by its unified social credit code (GB 32100).

    Partitioned by registration authority: market regulation registers
    enterprises, individual businesses and cooperatives; civil affairs
    registers social organisations. Each partition has one source.
    """

    dataset_code = "credit.legal_entity"

    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    name = models.CharField(_("name"), max_length=200)
    entity_type = models.CharField(_("entity type"), max_length=2, choices=ENTITY_TYPE_CHOICES)
    registration_authority = models.CharField(
        _("registration authority"),
        max_length=16,
        choices=[(v, v) for v in REGISTRATION_PARTITIONS.values()],
    )
    legal_representative = models.CharField(_("legal representative"), max_length=64, blank=True)
    legal_representative_id_number = models.CharField(
        _("legal representative's ID number"), max_length=18, blank=True, validators=[validate_id_number]
    )
    registered_address = models.CharField(_("registered address"), max_length=200, blank=True)
    registered_division = models.CharField(
        _("registered division"), max_length=6, blank=True, validators=[validate_division_code]
    )
    registered_capital = models.DecimalField(
        _("registered capital (10k CNY)"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    established_date = models.DateField(_("established date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=EntityStatus.choices, default="active")
    industry = models.CharField(
        _("industry (GB/T 4754 section)"), max_length=1, choices=INDUSTRY_SECTIONS, blank=True
    )

    class Meta:
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["legal_representative_id_number"]),
            models.Index(fields=["registered_division"]),
        ]

    def __str__(self):
        return f"{self.name} ({self.uscc})"

    @classmethod
    def normalize_key(cls, value):
        return normalize_uscc(value)

    @classmethod
    def cross_field_errors(cls, values):
        """Type and registration authority follow from the code; the representative is a known person."""
        errors = {}
        code = normalize_uscc(values.get("uscc"))
        if len(code) == 18:
            authority = code[0]
            expected_partition = REGISTRATION_PARTITIONS.get(authority)
            if authority in REGISTRATION_AUTHORITIES and expected_partition is None:
                errors["uscc"] = [
                    _("Entity type %(t)s is registered by %(a)s, which is not a source of this library.")
                    % {"t": code[:2], "a": REGISTRATION_AUTHORITIES[authority][0]}
                ]
            entity_type = values.get("entity_type")
            if entity_type and entity_type != code[:2]:
                errors["entity_type"] = [
                    _(
                        "Entity type %(got)s disagrees with the code's authority and type characters "
                        "(%(exp)s)."
                    )
                    % {"got": entity_type, "exp": code[:2]}
                ]
            partition = values.get("registration_authority")
            if expected_partition and partition and partition != expected_partition:
                errors["registration_authority"] = [
                    _("Registration authority %(got)s disagrees with the code (registered by %(exp)s).")
                    % {"got": partition, "exp": expected_partition}
                ]
        representative = values.get("legal_representative_id_number")
        if representative:
            from population.lookup import person_exists

            if not person_exists(representative):
                errors["legal_representative_id_number"] = [
                    _("The legal representative's ID number is not in the population library.")
                ]
        return errors


def new_record_id():
    return str(uuid.uuid4())


def validate_record_id(value):
    """Record ids are UUIDs in their canonical text form (lower case, hyphenated)."""
    try:
        canonical = str(uuid.UUID(str(value)))
    except ValueError:
        canonical = None
    if canonical != str(value):
        raise ValidationError(
            _("A record id is a UUID such as %(example)s."),
            code="record_id",
            params={"example": new_record_id()},
        )


class CreditRecord(BaseRecord):
    """One credit record of a subject, from the authority that decided it (partition).

    One model for all kinds; kind-specific items stay empty for other kinds.
    Publicity: a penalty is shown for its statutory period and then taken
    down; a list membership is shown between its dates; a repair (or a
    court's removal) ends publicity early through ``withdrawn_on``. Records
    past their period stay in the table and in history.
    """

    dataset_code = "credit.record"

    record_id = models.CharField(
        _("record id"), max_length=36, unique=True, default=new_record_id, validators=[validate_record_id]
    )
    kind = models.CharField(pgettext_lazy("credit record", "kind"), max_length=24, choices=RecordKind.choices)
    subject_type = models.CharField(_("subject type"), max_length=8, choices=SubjectType.choices)
    subject_key = models.CharField(_("subject identifier (USCC or ID number)"), max_length=18)
    subject_name = models.CharField(_("subject name"), max_length=200)
    deciding_department = models.CharField(_("deciding department"), max_length=32)
    authority_name = models.CharField(_("deciding authority"), max_length=200)
    authority_code = models.CharField(
        _("deciding authority's credit code"), max_length=18, blank=True, validators=[validate_uscc]
    )
    # 双公示: licensing and penalty
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    legal_basis = models.TextField(pgettext_lazy("credit record", "legal basis"), blank=True)
    content = models.TextField(pgettext_lazy("credit record", "content"), blank=True)
    severity = models.CharField(
        pgettext_lazy("credit record", "severity"), max_length=12, choices=Severity.choices, blank=True
    )
    fine_amount = models.DecimalField(
        _("fine (10k CNY)"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    confiscated_amount = models.DecimalField(
        _("confiscated amount (10k CNY)"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    publicity_end_date = models.DateField(_("publicity end date"), null=True, blank=True)
    # 失信被执行人
    case_number = models.CharField(_("case number"), max_length=100, blank=True)
    obligation = models.TextField(_("obligation"), blank=True)
    performance_status = models.CharField(
        _("performance status"), max_length=12, choices=PerformanceStatus.choices, blank=True
    )
    # lists (dishonest debtors, serious dishonesty, red lists)
    list_name = models.CharField(_("list"), max_length=100, blank=True)
    list_year = models.PositiveSmallIntegerField(_("list year"), null=True, blank=True)
    listed_from = models.DateField(_("listed from"), null=True, blank=True)
    listed_until = models.DateField(_("listed until"), null=True, blank=True)
    # early end of publicity (repair, performance, revocation)
    withdrawn_on = models.DateField(_("withdrawn from publicity on"), null=True, blank=True)
    withdrawal_reason = models.CharField(
        _("withdrawal reason"), max_length=12, choices=WithdrawalReason.choices, blank=True
    )
    repair_decision_number = models.CharField(_("repair decision number"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        indexes = [models.Index(fields=["subject_key", "kind"])]
        constraints = [
            # A decision (or a court case) of one authority names a subject once per kind.
            models.UniqueConstraint(
                fields=["deciding_department", "kind", "decision_number", "subject_key"],
                condition=~models.Q(decision_number=""),
                name="credit_record_unique_decision",
                violation_error_message=_("This authority already recorded this decision for this subject."),
            ),
            models.UniqueConstraint(
                fields=["deciding_department", "kind", "case_number", "subject_key"],
                condition=~models.Q(case_number=""),
                name="credit_record_unique_case",
                violation_error_message=_("This court already listed this subject under this case."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.decision_number or self.case_number or self.list_name}"

    @classmethod
    def normalize_key(cls, value):
        return str(value).strip().lower()

    # -- publicity ------------------------------------------------------------

    @property
    def start_date(self):
        return (
            self.decision_date
            if self.kind in (RecordKind.LICENSING, RecordKind.PENALTY)
            else self.listed_from
        )

    @property
    def last_public_day(self):
        return last_public_day(self)

    def is_public_on(self, day):
        return is_public_on(self, day)

    # -- validation -------------------------------------------------------------

    @classmethod
    def cross_field_errors(cls, values):
        return record_errors(values)


def statutory_publicity_end(kind, severity, decision_date):
    """The last day of a licensing or penalty record's maximum publicity period."""
    if decision_date is None:
        return None
    if kind == RecordKind.PENALTY:
        months = PUBLICITY_MONTHS[(RecordKind.PENALTY, severity or Severity.ORDINARY)]
    elif kind == RecordKind.LICENSING:
        months = PUBLICITY_MONTHS[(RecordKind.LICENSING, "")]
    else:
        return None
    return add_months(decision_date, months[1]) - datetime.timedelta(days=1)


def minimum_publicity_end(record):
    """The earliest day a penalty may leave publicity by repair (end of its minimum period)."""
    months = PUBLICITY_MONTHS.get((record.kind, record.severity or Severity.ORDINARY))
    if months is None or record.decision_date is None:
        return None
    return add_months(record.decision_date, months[0])


def last_public_day(record):
    """The last day the record is public, or None for open-ended list memberships."""
    ends = []
    if record.kind in (RecordKind.LICENSING, RecordKind.PENALTY):
        ends.append(
            record.publicity_end_date
            or statutory_publicity_end(record.kind, record.severity, record.decision_date)
        )
    if record.listed_until:
        ends.append(record.listed_until)
    if record.withdrawn_on:
        ends.append(record.withdrawn_on - datetime.timedelta(days=1))
    ends = [e for e in ends if e is not None]
    return min(ends) if ends else None


def is_public_on(record, day):
    start = (
        record.decision_date
        if record.kind in (RecordKind.LICENSING, RecordKind.PENALTY)
        else record.listed_from
    )
    if start is None or start > day:
        return False
    last = last_public_day(record)
    return last is None or day <= last


def record_errors(values):
    """Kind-specific rules of a credit record; ``{field: [message]}``."""
    from population.validators import validate_id_number as check_id

    errors = {}

    def need(field, message):
        # Only rows that name their kind (creations, full rows) are checked for completeness;
        # a partial update (key plus a few items) keeps what the record already has.
        if "kind" in values and values.get(field) in (None, ""):
            errors.setdefault(field, []).append(message)

    kind = values.get("kind")
    subject_type = values.get("subject_type")
    key = values.get("subject_key") or ""
    if subject_type == SubjectType.ENTITY and key:
        try:
            validate_uscc(key)
        except Exception as exc:  # ValidationError; message reused
            errors["subject_key"] = list(getattr(exc, "messages", [str(exc)]))
    elif subject_type == SubjectType.PERSON and key:
        try:
            check_id(key)
        except Exception as exc:
            errors["subject_key"] = list(getattr(exc, "messages", [str(exc)]))
    if kind in (RecordKind.LICENSING, RecordKind.PENALTY):
        label = RecordKind(kind).label
        need("decision_number", _("A %(kind)s record needs its decision number.") % {"kind": label})
        need("decision_date", _("A %(kind)s record needs its decision date.") % {"kind": label})
        decided = values.get("decision_date")
        end = values.get("publicity_end_date")
        if decided and end:
            if end < decided:
                errors.setdefault("publicity_end_date", []).append(
                    _("Publicity end %(end)s is before the decision date %(decided)s.")
                    % {"end": end, "decided": decided}
                )
            else:
                limit = statutory_publicity_end(kind, values.get("severity"), decided)
                if limit and end > limit:
                    errors.setdefault("publicity_end_date", []).append(
                        _("Publicity end %(end)s is beyond the statutory period (until %(limit)s).")
                        % {"end": end, "limit": limit}
                    )
    if kind == RecordKind.PENALTY:
        need("legal_basis", _("A penalty needs its legal basis."))
        need("content", _("A penalty needs its content."))
    if kind == RecordKind.DISHONEST_DEBTOR:
        need("case_number", _("A dishonest judgment debtor record needs the case number."))
        need("obligation", _("A dishonest judgment debtor record needs the obligation."))
        need("performance_status", _("A dishonest judgment debtor record needs the performance status."))
        need("listed_from", _("A dishonest judgment debtor record needs the listing date."))
    if kind in (RecordKind.SERIOUS_DISHONESTY, RecordKind.RED_LIST):
        need("list_name", _("A list record needs the list's name."))
        need("listed_from", _("A list record needs the date listed from."))
        need("listed_until", _("A list record needs the date listed until."))
    if kind == RecordKind.SERIOUS_DISHONESTY:
        need("legal_basis", _("A serious dishonesty listing needs its basis."))
    start = values.get("listed_from")
    until = values.get("listed_until")
    if start and until and until < start:
        errors.setdefault("listed_until", []).append(
            _("Listed until %(until)s is before listed from %(start)s.") % {"until": until, "start": start}
        )
    withdrawn = values.get("withdrawn_on")
    begin = values.get("decision_date") or start
    if withdrawn and begin and withdrawn < begin:
        errors.setdefault("withdrawn_on", []).append(
            _("Withdrawal on %(w)s is before the record began (%(b)s).") % {"w": withdrawn, "b": begin}
        )
    if withdrawn and not values.get("withdrawal_reason"):
        errors.setdefault("withdrawal_reason", []).append(_("A withdrawal needs its reason."))
    return errors


class CreditSummary(CreditRecord):
    """The credit summary view of credit records (dataset ``credit.summary``).

    A proxy, so the summary has its own catalogue items and grants: an
    approval system may be allowed the summary (counts, list dates, red-list
    status) without any record's details.
    """

    dataset_code = "credit.summary"
    # What a summary is computed from: these items of the credit records (and nothing else) decide
    # what a summary grant reveals. The noninterference harness reads this declaration; the summary
    # (credit/summary.py) must read no other item.
    reads_from = (
        "credit.record",
        (
            "subject_key",
            "kind",
            "severity",
            "decision_date",
            "publicity_end_date",
            "listed_from",
            "listed_until",
            "withdrawn_on",
            "list_name",
            "list_year",
        ),
    )

    class Meta:
        proxy = True
        verbose_name = _("credit summary")
        verbose_name_plural = _("credit summaries")


class RepairApplication(models.Model):
    """A credit repair (信用修复) application against one record, decided by its source authority."""

    record = models.ForeignKey(
        CreditRecord, models.PROTECT, related_name="repairs", verbose_name=_("credit record")
    )
    department = models.CharField(_("deciding department"), max_length=32)
    applicant_name = models.CharField(_("applicant"), max_length=200)
    applicant_key = models.CharField(_("applicant identifier"), max_length=18)
    reason = models.TextField(_("grounds"))
    commitment = models.BooleanField(_("credit commitment signed"), default=True)
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    submitted_by = models.CharField(_("submitted by"), max_length=150, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RepairStatus.choices, default="pending")
    decided_at = models.DateTimeField(pgettext_lazy("credit repair", "decided at"), null=True, blank=True)
    decided_by = models.CharField(pgettext_lazy("credit repair", "decided by"), max_length=150, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["-applied_at"]
        verbose_name = _("credit repair application")
        verbose_name_plural = _("credit repair applications")

    def __str__(self):
        return f"{self.applicant_name}: {self.record}"
