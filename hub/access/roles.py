"""The hub's five roles, and what each may see of requests, grants and the audit log.

A person is a **hub operator** (superuser, or the ``catalogue.operate_hub``
permission), a **department steward** (a :class:`~hub.catalogue.models.Steward`
row) or a **joint-meeting member** (the dashboard permission); a system is a
**consumer** and/or a **provider** (its two flags). ``is_staff`` only opens
the admin's door: it grants nothing here, and every view and admin page that
shows requests, grants or audit rows asks this module instead.

A steward's reach is its department's items: the items whose source it is,
and, for partitioned datasets (whose items have no single source), the items
of a dataset one of whose partitions it is the source of or whose library it
leads (the lead department decides on their requests, see
:func:`hub.access.services.deciding_department`).
"""

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from hub.catalogue.models import DataItem

from .authentication import SystemPrincipal
from .choices import Mode

OPERATOR_PERMISSION = "catalogue.operate_hub"
DASHBOARD_PERMISSION = "progress.view_dashboard"


class Role:
    OPERATOR = "operator"
    STEWARD = "steward"
    JOINT_MEETING = "joint_meeting"
    CONSUMER = "consumer"
    PROVIDER = "provider"


def is_system(user):
    return isinstance(user, SystemPrincipal)


def _person(user):
    return bool(user and user.is_authenticated and user.is_active and not is_system(user))


def is_operator(user):
    """A hub operator: a superuser or a holder of ``catalogue.operate_hub`` (never ``is_staff`` alone)."""
    return _person(user) and (user.is_superuser or user.has_perm(OPERATOR_PERMISSION))


def steward_department(user):
    """The department a person stewards, or ``None``."""
    if not _person(user):
        return None
    steward = getattr(user, "steward", None)
    return steward.department if steward else None


def is_joint_meeting_member(user):
    return _person(user) and user.has_perm(DASHBOARD_PERMISSION)


def roles_of(user):
    """The set of :class:`Role` names ``user`` (a person or a system principal) holds."""
    if is_system(user):
        system = user.system
        return {
            role
            for role, held in ((Role.CONSUMER, system.is_consumer), (Role.PROVIDER, system.is_provider))
            if held
        }
    held = set()
    if is_operator(user):
        held.add(Role.OPERATOR)
    if steward_department(user) is not None:
        held.add(Role.STEWARD)
    if is_joint_meeting_member(user):
        held.add(Role.JOINT_MEETING)
    return held


def person_grants(user, dataset):
    """``{field: [(mode, masked)]}`` a person sees of ``dataset`` (a ``DatasetSpec``) in the governed API.

    What the admin shows that role, and no more: an operator with the model's
    view permission every item; a steward with it the items its department is
    the source of, with the natural key that names the record; anyone else
    (the joint meeting, a bare ``is_staff`` account) nothing. A partitioned
    dataset's records belong to many sources and the governed views cannot
    yet narrow a person's rows to its partitions, so a steward sees none of
    them here (the admin still shows them).
    """
    if not _person(user):
        return {}
    opts = dataset.model._meta
    if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
        return {}
    if is_operator(user):
        fields = [item.field for item in dataset.items]
    else:
        department = steward_department(user)
        if department is None or dataset.partition_field:
            return {}
        own = [item.field for item in dataset.items if item.source == department.code]
        if not own:
            return {}
        fields = list(dict.fromkeys([dataset.natural_key, *own]))
    return {field: [(Mode.SEARCH, False)] for field in fields}


def department_items_q(department, prefix=""):
    """A ``Q`` over :class:`DataItem` (or a relation to it, through ``prefix``) for a department's items."""
    p = prefix
    partitioned = {f"{p}source_department__isnull": True}
    return (
        Q(**{f"{p}source_department": department})
        | Q(**partitioned, **{f"{p}dataset__partitions__source_department": department})
        | Q(**partitioned, **{f"{p}dataset__library__lead_department": department})
    )


def department_item_codes(department):
    """The codes of the items ``department`` stewards (see the module docstring)."""
    return set(DataItem.objects.filter(department_items_q(department)).values_list("code", flat=True))


def audit_rows_of(department, queryset):
    """The audit rows that concern ``department``'s items.

    A row concerns it when it returned one of its items, or when it returned
    no item at all (a refusal, an error, a verify) on a dataset holding one
    of its items: an attempt on its data is its business, what other
    departments' items were returned is not.
    """
    codes = department_item_codes(department)
    if not codes:
        return queryset.none()
    datasets = {code.rsplit(".", 1)[0] for code in codes}
    if connection.vendor == "postgresql":
        returned = Q(items__has_any_keys=sorted(codes))  # jsonb ?| : any element of the array
    else:
        returned = Q()
        for code in sorted(codes):
            returned |= Q(items__icontains=f'"{code}"')
    return queryset.filter(returned | (Q(items=[]) & Q(dataset__in=datasets)))


def requests_of(department, queryset):
    """Access requests with at least one item of ``department``'s."""
    items = DataItem.objects.filter(department_items_q(department))
    return queryset.filter(entries__item__in=items).distinct()


class SeesAuditRows(BasePermission):
    """Operators (every row) and stewards (their department's rows); not systems, not the joint meeting."""

    message = _("Only hub operators and department stewards see audit rows.")

    def has_permission(self, request, view):
        return is_operator(request.user) or steward_department(request.user) is not None
