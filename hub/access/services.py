"""Applying for items, deciding on them and turning approvals into grants.

What an unconditional item grants on application alone is set per item in
the catalogue (its self-service limits, see :func:`beyond_self_service`);
anything beyond waits for the source department. Every grant ends by its
item's longest duration: a requested expiry further away (or none) is capped.
"""

import datetime

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from hub.catalogue.choices import SOURCE_APPROVAL_SENSITIVITY, Masking, SelfServiceMode, SharingType
from hub.catalogue.models import DataItem

from . import roles
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


def beyond_self_service(item, mode, masked):
    """Why a grant of ``item`` (a ``DataItem``) in ``mode`` may not be issued on application
    alone: a list of reasons, empty when it may.

    Only unconditional items are granted on application, and only up to the
    item's highest self-service mode and, if it says so, masked. From
    sensitivity 3 (敏感) on, search mode and unmasked grants always wait for
    the source department, whatever the item declares. A masked grant of an
    item without a masking rule shows the clear value, so it counts as unmasked.
    """
    if item.sharing_type == SharingType.NOT_SHARED:
        return [_("Not shared (不予共享) under the catalogue.")]
    if item.sharing_type != SharingType.UNCONDITIONAL:
        return [_("Conditional item: the source department decides.")]
    reasons = []
    sensitive = item.sensitivity >= SOURCE_APPROVAL_SENSITIVITY
    if mode > item.self_service_mode:
        reasons.append(
            _("Mode %(mode)s is beyond what this item grants on application (%(ceiling)s).")
            % {"mode": Mode(mode).label, "ceiling": SelfServiceMode(item.self_service_mode).label}
        )
    elif sensitive and mode >= Mode.SEARCH:
        reasons.append(_("Search mode on a sensitive item waits for the source department."))
    clear = not masked or item.masking == Masking.NONE
    if clear and (item.unmasked_needs_approval or sensitive):
        reasons.append(_("An unmasked grant of this item needs the source department's approval."))
    return reasons


def grant_expiry(item, requested, start):
    """``(expiry, capped)``: ``requested`` (or none), capped at ``start`` + the item's longest grant."""
    longest = start + datetime.timedelta(days=item.max_grant_days)
    if requested is not None and requested <= longest:
        return requested, False
    return longest, True


def _with_cap_note(reason, item, expiry):
    note = _("Expiry capped at %(date)s: the longest grant of this item is %(days)d days.") % {
        "date": formats.date_format(timezone.localtime(expiry), "Y-m-d"),
        "days": item.max_grant_days,
    }
    return f"{reason} {note}".strip()[:500]


@transaction.atomic
def submit(system, *, purpose, items, legal_basis="", expires_at=None, require_purpose_header=False):
    """Create an access request; what self-service allows is granted at once.

    ``items`` is a list of ``{"item": code, "mode": name, "masked": bool}``.
    Unknown item codes or modes refuse the whole request (nothing written).
    Only consumer systems apply (403 otherwise).
    """
    if not system.is_consumer:
        raise AccessError(
            _("This system is not registered as a consumer: it cannot apply for or use read grants."),
            status=403,
            code="not_consumer",
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise AccessError(_("The requested expiry must be in the future."), code="expiry_in_past")
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
        reasons = beyond_self_service(item, decided.mode, decided.masked)
        if item.sharing_type == SharingType.NOT_SHARED:
            decided.status = DecisionStatus.REJECTED
            decided.reason = reasons[0]
            decided.decided_at = now
        elif not reasons:
            decided.status = DecisionStatus.APPROVED
            decided.reason = _("Unconditional item: granted on application.")
            decided.decided_at = now
            expiry, capped = grant_expiry(item, expires_at, now)
            if capped:
                decided.reason = _with_cap_note(decided.reason, item, expiry)
        else:
            decided.reason = " ".join(str(reason) for reason in reasons)[:500]
        decided.save()
        if decided.status == DecisionStatus.APPROVED:
            _grant(decided)
    return request


def _grant(entry):
    """The grant of an approved entry, ending by its item's longest duration from the decision."""
    request = entry.request
    expires_at, _capped = grant_expiry(entry.item, request.expires_at, entry.decided_at)
    return Grant.objects.create(
        system=request.system,
        item=entry.item,
        mode=entry.mode,
        masked=entry.masked,
        purpose=request.purpose,
        legal_basis=request.legal_basis,
        require_purpose_header=request.require_purpose_header,
        expires_at=expires_at,
        request_item=entry,
    )


@transaction.atomic
def decide(entry, user, *, approve, reason=""):
    """A steward of the deciding department approves or refuses one requested item."""
    # Lock the decision row alone (FOR UPDATE cannot reach the nullable source join).
    AccessRequestItem.objects.select_for_update().filter(pk=entry.pk).values_list("pk").get()
    entry = AccessRequestItem.objects.select_related(
        "item__dataset__library__lead_department", "item__source_department", "request__system"
    ).get(pk=entry.pk)
    department = roles.steward_department(user)
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
    if approve:
        # The source's approval lifts the self-service limits, not the longest duration.
        expiry, capped = grant_expiry(entry.item, entry.request.expires_at, entry.decided_at)
        if capped:
            entry.reason = _with_cap_note(entry.reason, entry.item, expiry)
    entry.save()
    if approve:
        _grant(entry)
    return entry


def revoke(grant, reason=""):
    grant.revoked_at = timezone.now()
    grant._change_reason = reason
    grant.save(update_fields=["revoked_at"])
    return grant


def grants_beyond_limits(at=None):
    """Grants in force that today's self-service limits would not issue: ``[(grant, reasons)]``.

    A grant the source department approved (a decision by one of its
    stewards) is within the mode and masking limits whatever they are; one
    issued on application alone, or made outside a request, is checked
    against them as a new request would be. Every grant is checked against
    its item's longest duration, counted from its creation.
    """
    at = at or timezone.now()
    found = []
    grants = (
        Grant.objects.filter(revoked_at__isnull=True)
        .exclude(expires_at__lte=at)
        .select_related("system", "item__dataset", "request_item")
        .order_by("system__name", "item__code", "id")
    )
    for grant in grants:
        approved_by_source = grant.request_item is not None and grant.request_item.decided_by_id is not None
        reasons = [] if approved_by_source else beyond_self_service(grant.item, grant.mode, grant.masked)
        longest, capped = grant_expiry(grant.item, grant.expires_at, grant.created_at)
        if capped:
            reasons.append(
                _("Runs past the longest grant of this item (%(days)d days, until %(date)s).")
                % {
                    "days": grant.item.max_grant_days,
                    "date": formats.date_format(timezone.localtime(longest), "Y-m-d"),
                }
            )
        if reasons:
            found.append((grant, [str(reason) for reason in reasons]))
    return found


@transaction.atomic
def bring_within_limits(grant, reasons, *, by=""):
    """Revoke a grant beyond the mode or masking limits; cap one that only runs too long.

    Both leave a history row whose reason says why.
    """
    longest, capped = grant_expiry(grant.item, grant.expires_at, grant.created_at)
    only_too_long = capped and len(reasons) == 1
    # History keeps 100 characters of reason: the command's listing has the full reasons.
    why = _("Beyond the catalogue's self-service limits (%(by)s)") % {"by": by}
    if only_too_long:
        grant.expires_at = max(longest, timezone.now())
        grant._change_reason = why[:100]
        grant.save(update_fields=["expires_at"])
        return "capped"
    revoke(grant, reason=why[:100])
    return "revoked"
