"""Consumer feedback: a system doubts a value; the item's source department gets an issue."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.access.choices import Mode
from hub.access.scope import resolve
from hub.catalogue import spec as catalogue
from hub.catalogue.models import DataItem, Department

from . import receivers
from .choices import DEADLINE_DAYS, Dimension, IssueOrigin, IssueStatus, Severity
from .models import IssueEvent, QualityIssue


class FeedbackError(ValueError):
    """Bad feedback: ``errors`` maps the offending field to messages; ``status`` is 400, 403 or 404."""

    def __init__(self, field, message, status=400, code="invalid"):
        super().__init__(message)
        self.field, self.message, self.status, self.code = field, message, status, code


def resolve_item(dataset_spec, item):
    """The item spec named by its code (``population.person.name``) or its field (``name``)."""
    found = dataset_spec.by_code.get(item) or dataset_spec.by_field.get(item)
    if found is None:
        raise FeedbackError(
            "item",
            _("%(item)s is not an item of dataset %(dataset)s.")
            % {"item": item, "dataset": dataset_spec.code},
        )
    return found


def report(request, *, dataset, key, item, message):
    """Open (or join) the feedback issue on one value; returns ``(issue, created)``.

    Reporting on a record says whether a record exists under the key (404
    otherwise), so it needs what a lookup of that record needs: the item
    granted in lookup mode or above, X-Purpose included when the grant asks
    for it. Without it the answer is the same 403 whether or not the record
    exists.
    """
    system = request.user.system
    try:
        spec = catalogue.get(dataset)
    except catalogue.UnknownDataset:
        raise FeedbackError("dataset", _("Unknown dataset %(dataset)s.") % {"dataset": dataset}) from None
    item_spec = resolve_item(spec, item)
    scope = resolve(request, spec)
    if scope.mode_of(item_spec.field) < Mode.LOOKUP:
        detail = scope.missing_detail(Mode.LOOKUP) or _(
            "Reporting on %(item)s needs it granted in lookup or search mode."
        ) % {"item": item_spec.code}
        raise FeedbackError("item", detail, status=403, code="no_grant")
    model = spec.model
    key_field = model._meta.get_field(spec.natural_key)
    normalized = model.normalize_key(key)
    if len(normalized) > key_field.max_length:
        raise FeedbackError(
            "key", _("The key is longer than %(n)d characters.") % {"n": key_field.max_length}
        )
    record = model.objects.filter(**{spec.natural_key: normalized}).first()
    if record is None:
        raise FeedbackError("key", _("No record with this key."), status=404, code="not_found")
    partition = getattr(record, spec.partition_field) if spec.partition_field else None
    source = spec.source_of(item_spec.field, partition)
    data_item = DataItem.objects.select_related("dataset__library").get(code=item_spec.code)
    department = Department.objects.filter(code=source).first() if source else None
    # A partition missing from the catalogue has no source to name: the library's lead takes it.
    department = department or data_item.dataset.library.lead_department
    now = timezone.now()
    note = f"{system.name}: {message}"
    lookup = {
        "dataset": data_item.dataset,
        "item": data_item,
        "record_key": normalized,
        "origin": IssueOrigin.FEEDBACK,
    }
    with transaction.atomic():
        issue = (
            QualityIssue.objects.select_for_update()
            .filter(**lookup)
            .exclude(status=IssueStatus.CLOSED)
            .first()
        )
        created = issue is None
        if created:
            try:
                with transaction.atomic():
                    issue = QualityIssue.objects.create(
                        **lookup,
                        department=department,
                        dimension=Dimension.ACCURACY,
                        severity=Severity.MEDIUM,
                        status=IssueStatus.OPEN,
                        detail=message,
                        reporter=system,
                        opened_at=now,
                        updated_at=now,
                        due_at=QualityIssue.due_from(DEADLINE_DAYS.get(item_spec.update_cycle, 15), now),
                    )
            except IntegrityError:  # another report on the same value won the race
                issue = QualityIssue.objects.filter(**lookup).exclude(status=IssueStatus.CLOSED).get()
                created = False
        if not created:
            QualityIssue.objects.filter(pk=issue.pk).update(updated_at=now)
        IssueEvent.objects.create(
            issue=issue,
            at=now,
            from_status="" if created else issue.status,
            to_status=issue.status,
            system=system,
            note=note,
        )
    receivers._reset_review_cache()
    return issue, created
