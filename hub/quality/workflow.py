"""The issue workflow: who may move an issue from which status to which.

open → acknowledged → rectified → closed, or open/acknowledged → disputed,
which an operator decides (upheld: closed and waived, so scans stop
reporting it; rejected: open again). A steward acts only on the issues of
their own department; an operator (``quality.operate``) on any.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from .choices import IssueStatus
from .models import IssueEvent

S = IssueStatus


class TransitionError(ValueError):
    """The issue is not in a status the action starts from, or a reason is missing."""


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: tuple
    target: str
    operator_only: bool = False
    needs_note: bool = False


ACTIONS = {
    a.name: a
    for a in (
        Action("acknowledge", gettext_lazy("Acknowledge"), (S.OPEN,), S.ACKNOWLEDGED),
        Action("rectify", gettext_lazy("Mark rectified"), (S.OPEN, S.ACKNOWLEDGED), S.RECTIFIED),
        Action("close", gettext_lazy("Close"), (S.RECTIFIED,), S.CLOSED),
        Action("dispute", gettext_lazy("Dispute"), (S.OPEN, S.ACKNOWLEDGED), S.DISPUTED, needs_note=True),
        Action("uphold", gettext_lazy("Uphold dispute"), (S.DISPUTED,), S.CLOSED, True, True),
        Action("reject", gettext_lazy("Reject dispute"), (S.DISPUTED,), S.OPEN, True, True),
        Action("reopen", gettext_lazy("Reopen"), (S.RECTIFIED, S.CLOSED), S.OPEN, True),
        Action("force_close", gettext_lazy("Close (operator)"), (S.OPEN, S.ACKNOWLEDGED), S.CLOSED, True),
    )
}


def is_operator(user):
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_perm("quality.operate")))


def steward_department_id(user):
    steward = getattr(user, "steward", None) if user is not None else None
    return steward.department_id if steward else None


def may_act(user, issue, action):
    if is_operator(user):
        return True
    if action.operator_only:
        return False
    department = steward_department_id(user)
    return department is not None and department == issue.department_id


def transition(issue, action_name, *, user=None, note="", system=None):
    """Apply one action to one issue; raises PermissionDenied or TransitionError."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise TransitionError(_("Unknown action %(action)s.") % {"action": action_name})
    if user is not None and not may_act(user, issue, action):
        raise PermissionDenied(
            _("Only a steward of %(department)s or an operator may do this.")
            % {"department": issue.department}
            if not action.operator_only
            else _("Only an operator may do this.")
        )
    if issue.status not in action.sources:
        raise TransitionError(
            _("Issue #%(id)s is %(status)s; %(action)s needs %(sources)s.")
            % {
                "id": issue.pk,
                "status": issue.get_status_display(),
                "action": action.label,
                "sources": pgettext("list separator", ", ").join(str(S(s).label) for s in action.sources),
            }
        )
    if action.needs_note and not note.strip():
        raise TransitionError(_("%(action)s needs a reason.") % {"action": action.label})
    now = timezone.now()
    previous = issue.status
    issue.status = action.target
    issue.updated_at = now
    if action.name == "dispute":
        issue.dispute_reason = note
    if action.name in ("uphold", "reject"):
        issue.decision = note
    if action.name == "uphold":
        issue.waived = True
    if action.target == S.CLOSED:
        issue.closed_at = now
    elif action.name == "reopen":
        issue.closed_at = None
        issue.waived = False
    issue.save()
    IssueEvent.objects.create(
        issue=issue,
        at=now,
        from_status=previous,
        to_status=action.target,
        user=user if user is not None and user.is_authenticated and user.pk else None,
        system=system,
        note=note,
    )
    return issue


def bulk_transition(queryset, action_name, *, user, note=""):
    """Apply an action to every issue of ``queryset`` the user may act on; returns (done, skipped)."""
    done = skipped = 0
    for issue in queryset.select_related("department"):
        try:
            transition(issue, action_name, user=user, note=note)
            done += 1
        except (PermissionDenied, TransitionError):
            skipped += 1
    return done, skipped


def available_actions(user, issue):
    return [a for a in ACTIONS.values() if issue.status in a.sources and may_act(user, issue, a)]
