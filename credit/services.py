"""Writing credit data outside ingestion: single records, and credit repair.

Every write runs inside :func:`hub.records.context.writing` as the acting
department, so the one-source rule of the partition (the deciding authority)
is checked by ``BaseRecord.save``; validation runs first so a refused write
leaves nothing behind.
"""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.records import services
from hub.records.codes import ascii_upper
from hub.records.sources import check_write

from .choices import REPAIRABLE_KINDS, RecordKind, RepairStatus, WithdrawalReason
from .models import CreditRecord, LegalEntity, RepairApplication, minimum_publicity_end


class RepairRefused(Exception):
    """A repair application or decision that the rules do not allow; ``code`` names the rule."""

    def __init__(self, message, code="repair_refused", status=400):
        self.message = str(message)
        self.code = code
        self.status = status
        super().__init__(self.message)


def _check_source(record, department):
    """The one-source rule first, so a department writing another's partition learns that, not data errors."""
    dataset = record.catalogue_spec()
    creating = record._state.adding
    changed = record.changed_fields()
    for partition in record.partition_values():
        check_write(dataset, department, changed, partition_value=partition, creating=creating)


@transaction.atomic
def write_record(model, department, values, *, user=None, system="", reason="", instance=None):
    """Create (or, with ``instance``, change) one record of ``model`` as ``department``.

    Raises SourceRuleViolation (checked first) or ValidationError naming
    field and rule (uniqueness included); nothing is written in either case.
    """
    record = instance or model()
    for name, value in values.items():
        setattr(record, name, value)
    _check_source(record, department)
    record.full_clean()  # the whole record, uniqueness included, before the write
    key = record.catalogue_spec().natural_key
    row = {key: getattr(record, key), **values}
    if instance is None:  # a new record: every item it has, defaults included
        row = {f.name: getattr(record, f.attname) for f in model.item_fields() if f.name in _items(model)}
    # simple-history would take request.user, which is not a user when a system calls with an API key
    return services.write_one(
        model,
        row,
        department=department,
        user=user if isinstance(user, AbstractBaseUser) else None,
        system=system,
        reason=reason,
    )


def _items(model):
    return model.catalogue_spec().by_field


def create_entity(department, values, **kwargs):
    return write_record(LegalEntity, department, values, **kwargs)


def create_record(department, values, **kwargs):
    return write_record(CreditRecord, department, values, **kwargs)


@transaction.atomic
def apply_for_repair(
    record, department, *, applicant_name, applicant_key, reason, submitted_by="", today=None
):
    """Lodge a repair application with the record's source authority (``department``).

    Refused when the department is not the authority that decided the record,
    when the kind is not repairable, when the record is already out of
    publicity, before a penalty's minimum publicity period has run, or while
    another application is pending.
    """
    today = today or timezone.localdate()
    if record.deciding_department != department:
        raise RepairRefused(
            _(
                "Record %(id)s was decided by %(source)s; a repair must be applied for with, and decided by, "
                "that authority, not %(dept)s."
            )
            % {"id": record.record_id, "source": record.deciding_department, "dept": department},
            code="not_source_authority",
            status=403,
        )
    if record.kind not in REPAIRABLE_KINDS:
        raise RepairRefused(
            _("%(kind)s records are not repaired by application.") % {"kind": RecordKind(record.kind).label},
            code="not_repairable",
        )
    if not record.is_public_on(today):
        raise RepairRefused(
            _("The record is no longer in publicity; there is nothing to repair."), "not_public"
        )
    earliest = minimum_publicity_end(record)
    if record.kind == RecordKind.PENALTY and earliest and today < earliest:
        raise RepairRefused(
            _("A repair can be applied for from %(day)s, when the minimum publicity period has run.")
            % {"day": earliest},
            code="minimum_period",
        )
    if not str(applicant_key).strip() or ascii_upper(applicant_key) != ascii_upper(record.subject_key):
        raise RepairRefused(_("Only the record's subject can apply for its repair."), code="not_subject")
    if not str(reason).strip():
        raise RepairRefused(_("A repair application needs its grounds."), code="no_grounds")
    if record.repairs.filter(status=RepairStatus.PENDING).exists():
        raise RepairRefused(_("A repair application for this record is already pending."), "pending", 409)
    return RepairApplication.objects.create(
        record=record,
        department=department,
        applicant_name=applicant_name or record.subject_name,
        applicant_key=record.subject_key,
        reason=reason,
        submitted_by=submitted_by,
    )


@transaction.atomic
def decide_repair(
    application,
    department,
    *,
    approve,
    decision_number="",
    reason="",
    effective_on=None,
    user=None,
    system="",
):
    """Decide a repair as the record's source authority; approval ends the record's publicity.

    The record keeps its content; ``withdrawn_on``, ``withdrawal_reason`` and
    ``repair_decision_number`` change, written by the deciding department
    itself (the partition's source), so history shows who repaired it and when.
    """
    application = RepairApplication.objects.select_for_update().get(pk=application.pk)
    record = application.record
    if record.deciding_department != department:
        raise RepairRefused(
            _("Only %(source)s, which decided the record, may decide its repair; not %(dept)s.")
            % {"source": record.deciding_department, "dept": department},
            code="not_source_authority",
            status=403,
        )
    if application.status != RepairStatus.PENDING:
        raise RepairRefused(_("The application was already decided."), code="already_decided", status=409)
    effective_on = effective_on or timezone.localdate()
    if isinstance(effective_on, str):
        effective_on = datetime.date.fromisoformat(effective_on)
    if approve:
        if not str(decision_number).strip():
            raise RepairRefused(_("An approved repair needs its decision number."), code="no_decision_number")
        begin = record.start_date
        if begin and effective_on < begin:
            raise RepairRefused(_("A repair cannot take effect before the record began."), "invalid_date")
        values = {
            "withdrawn_on": effective_on,
            "withdrawal_reason": WithdrawalReason.REPAIR,
            "repair_decision_number": decision_number.strip(),
        }
        write_record(
            CreditRecord,
            department,
            values,
            user=user,
            system=system,
            reason=_("Credit repair %(number)s") % {"number": decision_number},
            instance=record,
        )
    application.status = RepairStatus.APPROVED if approve else RepairStatus.REJECTED
    application.decided_at = timezone.now()
    application.decided_by = getattr(user, "username", "") or system or department
    application.decision_number = decision_number.strip()
    application.decision_reason = reason
    application.effective_on = effective_on if approve else None
    application.save()
    return application
