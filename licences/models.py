"""Licence types and the licences of the electronic licence library (电子证照库)."""

import datetime
import time

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hub.catalogue import spec as catalogue
from hub.catalogue.choices import Masking
from hub.records import context
from hub.records.codes import ascii_upper
from hub.records.masking import mask
from hub.records.models import BaseRecord
from hub.records.sources import check_write

from . import identifiers, signing
from .choices import TRANSITIONS, HolderKind, LicenceState, LicenceStatus, ValidityPolicy
from .validators import (
    holder_key_errors,
    validate_credit_code,
    validate_division_code,
    validate_file_digest,
)

DATASET = "licences.licence"
TYPE_CACHE_SECONDS = 30
_type_cache = {"at": -TYPE_CACHE_SECONDS - 1.0, "types": {}}


class LicenceType(models.Model):
    """A kind of licence (证照类型): who defines it, who holds it, how long it lasts, what it shows.

    Reference data loaded from ``licences/reference/licence_types.json``. The
    issuing department is not stored here: it is the catalogue's partition
    source of the type, so it is kept in one place.
    """

    code = models.CharField(_("type code"), max_length=21, unique=True)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    defining_department = models.CharField(_("defining department"), max_length=100)
    holder_kind = models.CharField(_("holder kind"), max_length=8, choices=HolderKind.choices)
    validity_policy = models.CharField(_("validity policy"), max_length=24, choices=ValidityPolicy.choices)
    term_years = models.PositiveSmallIntegerField(_("usual term (years)"), null=True, blank=True)
    # [{"field", "name", "standard"?, "kind"?: "date", "required"?, "masking"?}]: surface items (照面信息)
    surface_items = models.JSONField(_("surface items"), default=list, blank=True)
    # GB/T 2260 codes of the Yangtze River Delta provinces whose same-named type is accepted as equivalent
    recognized_in = models.JSONField(_("recognised in regions"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("licence type")
        verbose_name_plural = _("licence types")

    def __str__(self):
        return self.name

    @property
    def issuing_department(self) -> str | None:
        """Code of the one department that issues (and alone writes) licences of this type."""
        return catalogue.get(DATASET).partitions.get(self.code)

    def mask_surface(self, surface) -> dict:
        """Surface data with each item masked by its own rule (fully hidden when it declares none)."""
        rules = {item["field"]: item.get("masking", Masking.FULL) for item in self.surface_items}
        return {name: mask(rules.get(name, Masking.FULL), value) for name, value in (surface or {}).items()}

    def surface_errors(self, surface) -> list:
        """Messages for surface data that lacks required items, adds unknown ones or has bad dates."""
        if not isinstance(surface, dict):
            return [_("Surface data must be an object of surface item → value.")]
        declared = {item["field"]: item for item in self.surface_items}
        errors = []
        for name in surface:
            if name not in declared:
                errors.append(
                    _("'%(item)s' is not a surface item of %(type)s.") % {"item": name, "type": self.name}
                )
        for name, item in declared.items():
            value = surface.get(name)
            if value in (None, ""):
                if item.get("required"):
                    errors.append(
                        _("Surface item '%(item)s' (%(name)s) is required.")
                        % {"item": name, "name": item["name"]}
                    )
                continue
            if item.get("kind") == "date":
                try:
                    datetime.date.fromisoformat(str(value))
                except ValueError:
                    errors.append(_("Surface item '%(item)s' must be a date YYYY-MM-DD.") % {"item": name})
        return errors


def _state_label(value):
    try:
        return LicenceState(value).label
    except ValueError:
        return str(value)


def licence_type(code) -> "LicenceType | None":
    """The LicenceType of a code, cached briefly in-process (types change rarely, licences are many)."""
    now = time.monotonic()
    if now - _type_cache["at"] > TYPE_CACHE_SECONDS:
        _type_cache["types"] = {t.code: t for t in LicenceType.objects.all()}
        _type_cache["at"] = now
    return _type_cache["types"].get(str(code))


def clear_type_cache(**kwargs):
    _type_cache["at"] = -TYPE_CACHE_SECONDS - 1.0


def validate_licence_type(value):
    if licence_type(value) is None:
        clear_type_cache()
        if licence_type(value) is None:
            raise ValidationError(
                _("Unknown licence type %(code)s."), code="unknown_type", params={"code": value}
            )


class LicenceQuerySet(models.QuerySet):
    def with_current_status(self, today=None):
        """Annotate ``current_status``: the stored state, or ``expired`` once a valid licence's term ended."""
        today = today or timezone.localdate()
        return self.annotate(
            current_status=Case(
                When(Q(status=LicenceState.VALID) & Q(valid_to__lt=today), then=Value(LicenceStatus.EXPIRED)),
                default=F("status"),
                output_field=models.CharField(),
            )
        )

    def currently_valid(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status=LicenceState.VALID, valid_from__lte=today).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        )


class Licence(BaseRecord):
    """An electronic licence (电子证照) issued to a person or a legal entity, signed by the hub.

    Partitioned by type: only the type's issuing department writes a
    licence of that type. Every save of changed content re-signs it.
    """

    dataset_code = DATASET

    identifier = models.CharField(
        _("licence identifier"), max_length=128, unique=True, validators=[identifiers.validate_identifier]
    )
    # The type code, a plain value like every item (ingestion, history and filters treat it as such);
    # the validator keeps it to known types.
    licence_type = models.CharField(
        _("licence type"), max_length=21, db_index=True, validators=[validate_licence_type]
    )
    number = models.CharField(_("licence number"), max_length=64)
    holder_kind = models.CharField(_("holder kind"), max_length=8, choices=HolderKind.choices)
    holder_key = models.CharField(_("holder key"), max_length=18, db_index=True)
    holder_name = models.CharField(_("holder name"), max_length=200)
    issuing_authority = models.CharField(_("issuing authority"), max_length=100)
    issuer_code = models.CharField(
        _("issuing authority's credit code"), max_length=18, validators=[validate_credit_code]
    )
    issue_date = models.DateField(_("issue date"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty for long-term."))
    status = models.CharField(
        _("state"), max_length=16, choices=LicenceState.choices, default=LicenceState.VALID
    )
    status_reason = models.CharField(_("reason for the state"), max_length=200, blank=True)
    division_code = models.CharField(
        _("jurisdiction division"), max_length=6, blank=True, validators=[validate_division_code]
    )
    surface_data = models.JSONField(_("surface data"), default=dict, blank=True)
    file_digest = models.CharField(
        _("licence file SHA-256"), max_length=64, blank=True, validators=[validate_file_digest]
    )
    signature = models.CharField(_("hub signature"), max_length=128, blank=True, editable=False)
    signing_key_id = models.CharField(_("signing key id"), max_length=32, blank=True, editable=False)

    objects = LicenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        indexes = [
            models.Index(fields=["holder_key", "licence_type"]),
            models.Index(fields=["licence_type", "status"]),
            models.Index(fields=["valid_to"]),
        ]

    def __str__(self):
        return f"{self.holder_name} · {self.licence_type} · {self.number}"

    @property
    def type(self) -> LicenceType | None:
        return licence_type(self.licence_type)

    @classmethod
    def normalize_key(cls, value):
        return ascii_upper(value)

    @property
    def current_status(self):
        """Stored state, or ``expired`` when a valid licence's term has ended (never stored, never stale)."""
        annotated = self.__dict__.get("_current_status")
        return annotated or self.status_on(timezone.localdate())

    def status_on(self, day):
        """The status as it reads on ``day`` given the stored state (for ``as_of`` reads)."""
        if self.status == LicenceState.VALID and self.valid_to and self.valid_to < day:
            return LicenceStatus.EXPIRED
        return self.status

    @current_status.setter
    def current_status(self, value):
        # Set by LicenceQuerySet.with_current_status().
        self.__dict__["_current_status"] = value

    @classmethod
    def cross_field_errors(cls, values):
        """Identifier parts agree with type and issuer; holder fits the type and exists; dates and surface."""
        errors = {}
        valid_from, valid_to = values.get("valid_from"), values.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            errors["valid_to"] = [
                _("valid_to %(to)s is before valid_from %(from)s.") % {"to": valid_to, "from": valid_from}
            ]
        type_code = values.get("licence_type")
        type_code = getattr(type_code, "code", type_code)  # an object or its code
        licence_type_ = licence_type(type_code) if type_code else None
        try:
            parsed = identifiers.parse(values.get("identifier") or "")
        except ValidationError:
            parsed = None  # the field validator reports it
        if parsed and type_code and parsed.type_code != type_code:
            errors.setdefault("identifier", []).append(
                _("The identifier's type code %(got)s is not the licence type %(type)s.")
                % {"got": parsed.type_code, "type": type_code}
            )
        issuer_code = values.get("issuer_code")
        if parsed and issuer_code and parsed.issuer_code != issuer_code:
            errors.setdefault("identifier", []).append(
                _("The identifier's issuer code %(got)s is not the issuing authority's code %(code)s.")
                % {"got": parsed.issuer_code, "code": issuer_code}
            )
        if licence_type_ is None:
            if type_code:
                errors["licence_type"] = [_("Unknown licence type %(code)s.") % {"code": type_code}]
            return errors
        kind = values.get("holder_kind")
        if kind != licence_type_.holder_kind:
            errors["holder_kind"] = [
                _("%(type)s is held by a %(kind)s.")
                % {"type": licence_type_.name, "kind": HolderKind(licence_type_.holder_kind).label}
            ]
        else:
            messages = holder_key_errors(kind, values.get("holder_key"))
            if messages:
                errors["holder_key"] = messages
        policy = licence_type_.validity_policy
        if policy == ValidityPolicy.FIXED and not valid_to:
            errors.setdefault("valid_to", []).append(
                _("%(type)s has a fixed term: valid_to is required.") % {"type": licence_type_.name}
            )
        if policy == ValidityPolicy.LONG_TERM and valid_to:
            errors.setdefault("valid_to", []).append(
                _("%(type)s is long-term: valid_to must be empty.") % {"type": licence_type_.name}
            )
        surface = licence_type_.surface_errors(values.get("surface_data"))
        if surface:
            errors["surface_data"] = surface
        return errors

    # -- write hooks (hub.records calls them on every write path) -------------------------

    @classmethod
    def derived_fields(cls, columns):
        """The hub's signature, whenever a write carries any signed content."""
        if set(columns) & set(signing.SIGNED_FIELDS):
            return ("signature", "signing_key_id")
        return ()

    @classmethod
    def prepare_row(cls, row):
        """Sign the content of the row (Ed25519 is deterministic: unchanged content, unchanged signature)."""
        if any(name in row for name in signing.SIGNED_FIELDS):
            row = dict(row)
            row["signature"], row["signing_key_id"] = signing.sign(row)
        return row

    @classmethod
    def transition_errors(cls, stored, row, reason):
        """The state machine (``choices.TRANSITIONS``): only its moves, and each with its reason."""
        if stored is None or "status" not in row:
            return {}
        before, after = stored.get("status"), row.get("status")
        if before == after:
            return {}
        allowed = {(start, target) for starts, target in TRANSITIONS.values() for start in starts}
        if (before, after) not in allowed:
            return {
                "status": [
                    _("A licence in state %(before)s cannot move to %(after)s (rule: licences.transitions).")
                    % {"before": _state_label(before), "after": _state_label(after)}
                ]
            }
        new_reason = row.get("status_reason") != stored.get("status_reason") and row.get("status_reason")
        if not (str(reason or "").strip() or new_reason):
            return {
                "status": [
                    _(
                        "Moving a licence from %(before)s to %(after)s needs its reason "
                        "(rule: licences.transitions)."
                    )
                    % {"before": _state_label(before), "after": _state_label(after)}
                ]
            }
        return {}

    def content(self) -> dict:
        return signing.content_of(self)

    def signature_holds(self) -> bool:
        """Whether the stored signature still holds over the stored content (no tampering since signing)."""
        return signing.verify(self.content(), self.signature, self.signing_key_id)

    def save(self, *args, **kwargs):
        """Validate fully, (re)sign changed content, then save under the one-source rule."""
        changed = self.changed_fields()
        ctx = context.current()
        if ctx is not None and (changed or self._state.adding):
            # The one-source rule first, so a department writing another's type hears that, not data errors.
            dataset = self.catalogue_spec()
            for partition in self.partition_values():
                check_write(
                    dataset, ctx.department, changed, partition_value=partition, creating=self._state.adding
                )
        if changed or self._state.adding:
            self.identifier = self.normalize_key(self.identifier)
            self.holder_key = ascii_upper(self.holder_key or "")
            self.full_clean(validate_unique=False, validate_constraints=False)
            if set(changed) & set(signing.SIGNED_FIELDS) or not self.signature_holds():
                self.signature, self.signing_key_id = signing.sign(self.content())
        self.__dict__.pop("_current_status", None)  # an annotation read before this change
        super().save(*args, **kwargs)
