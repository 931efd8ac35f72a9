"""Applying for items, deciding on them and turning approvals into grants."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.catalogue.choices import SharingType
from hub.catalogue.models import DataItem

from .choices import DecisionStatus, Mode
from .models import AccessRequest, AccessRequestItem, Grant


class AccessError(Exception):
    """A request or decision that cannot be made; ``status`` is the HTTP status to answer."""

    def __init__(self, message, *, status=400, code="invalid"):
        super().__init__(message)
        self.status = status
        self.code = code


def deciding_department(item):
    """The department whose stewards decide on ``item``: its source, or for a
    partitioned dataset (many sources) the library's lead department."""
    if item.source_department_id:
        return item.source_department
    return item.dataset.library.lead_department


@transaction.atomic
def submit(system, *, purpose, items, legal_basis="", expires_at=None, require_purpose_header=False):
    """Create an access request; unconditional items are granted at once.

    ``items`` is a list of ``{"item": code, "mode": name, "masked": bool}``.
    Unknown item codes or modes refuse the whole request (nothing written).
    """
    if not items:
        raise AccessError(_("A request needs at least one item."), code="no_items")
    codes = [entry.get("item") for entry in items]
    known = {
        item.code: item
        for item in DataItem.objects.select_related("dataset__library", "source_department").filter(
            code__in=codes
        )
    }
    seen = set()
    for entry in items:
        code = entry.get("item")
        if code not in known:
            raise AccessError(
                _("Unknown data item '%(code)s'.") % {"code": str(code)[:128]}, code="unknown_item"
            )
        if code in seen:
            raise AccessError(_("Item '%(code)s' is listed twice.") % {"code": code}, code="duplicate_item")
        seen.add(code)
        try:
            Mode.from_name(entry.get("mode", ""))
        except ValueError:
            raise AccessError(
                _("Item '%(code)s': mode must be verify, lookup or search.") % {"code": code},
                code="invalid_mode",
            ) from None
    request = AccessRequest.objects.create(
        system=system,
        purpose=purpose,
        legal_basis=legal_basis,
        expires_at=expires_at,
        require_purpose_header=require_purpose_header,
    )
    now = timezone.now()
    for entry in items:
        item = known[entry["item"]]
        decided = AccessRequestItem(
            request=request,
            item=item,
            mode=Mode.from_name(entry["mode"]),
            masked=bool(entry.get("masked", False)),
        )
        if item.sharing_type == SharingType.UNCONDITIONAL:
            decided.status = DecisionStatus.APPROVED
            decided.reason = _("Unconditional item: granted on application.")
            decided.decided_at = now
        elif item.sharing_type == SharingType.NOT_SHARED:
            decided.status = DecisionStatus.REJECTED
            decided.reason = _("Not shared (不予共享) under the catalogue.")
            decided.decided_at = now
        decided.save()
        if decided.status == DecisionStatus.APPROVED:
            _grant(decided)
    return request


def _grant(entry):
    request = entry.request
    return Grant.objects.create(
        system=request.system,
        item=entry.item,
        mode=entry.mode,
        masked=entry.masked,
        purpose=request.purpose,
        legal_basis=request.legal_basis,
        require_purpose_header=request.require_purpose_header,
        expires_at=request.expires_at,
        request_item=entry,
    )


def steward_department(user):
    steward = getattr(user, "steward", None) if user and user.is_authenticated else None
    return steward.department if steward else None


@transaction.atomic
def decide(entry, user, *, approve, reason=""):
    """A steward of the deciding department approves or refuses one requested item."""
    # Lock the decision row alone (FOR UPDATE cannot reach the nullable source join).
    AccessRequestItem.objects.select_for_update().filter(pk=entry.pk).values_list("pk").get()
    entry = AccessRequestItem.objects.select_related(
        "item__dataset__library__lead_department", "item__source_department", "request__system"
    ).get(pk=entry.pk)
    department = steward_department(user)
    deciding = deciding_department(entry.item)
    if department is None or department.pk != deciding.pk:
        raise AccessError(
            _("Only stewards of %(dept)s decide on %(item)s.")
            % {"dept": deciding.code, "item": entry.item.code},
            status=403,
            code="not_source_steward",
        )
    if entry.status != DecisionStatus.PENDING:
        raise AccessError(
            _("Item %(item)s was already decided (%(status)s).")
            % {"item": entry.item.code, "status": entry.status},
            status=409,
            code="already_decided",
        )
    if not approve and not reason.strip():
        raise AccessError(_("A refusal needs a reason."), code="reason_required")
    entry.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
    entry.reason = reason
    entry.decided_by = user
    entry.decided_at = timezone.now()
    entry.save()
    if approve:
        _grant(entry)
    return entry


def revoke(grant, reason=""):
    grant.revoked_at = timezone.now()
    grant._change_reason = reason
    grant.save(update_fields=["revoked_at"])
    return grant
