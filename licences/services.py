"""Issuing and changing licences, and the state actions: suspend, revoke, restore.

Each runs inside a write context of the acting department, so the
one-source rule (per licence type) and history apply; each writes one
history row whose reason says what was done and why. Bad input raises
``ValidationError`` (nothing written), a department that does not issue the
type raises ``SourceRuleViolation`` (nothing written).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hub.records import services

from . import identifiers, reference
from .choices import TRANSITIONS
from .models import Licence, LicenceType


class TransitionRefused(ValidationError):
    """The action does not apply to the licence's current state."""


def new_identifier(type_code, issuer_code, version="001"):
    """A new GB/T 36904 identifier with an opaque random serial."""
    return identifiers.build(type_code, issuer_code, identifiers.new_serial(), version)


@transaction.atomic
def issue(department, *, user=None, system="", reason="", **values):
    """Issue a new licence as ``department``; returns it, signed.

    ``issuing_authority`` and ``issuer_code`` default to the department's own
    (from the reference file); ``identifier`` defaults to a new one for the
    type and issuer code, with an opaque serial.
    """
    if isinstance(values.get("licence_type"), LicenceType):
        values["licence_type"] = values["licence_type"].code
    if department in reference.data()["issuers"]:
        own = reference.issuer(department)
        values.setdefault("issuing_authority", own["name"])
        values.setdefault("issuer_code", own["credit_code"])
    if not values.get("identifier"):
        type_code = values.get("licence_type")
        if type_code and values.get("issuer_code"):
            values["identifier"] = new_identifier(type_code, values["issuer_code"])
    identifier = values.get("identifier")
    if identifier and Licence.objects.filter(identifier=Licence.normalize_key(identifier)).exists():
        raise ValidationError({"identifier": [_("A licence with this identifier already exists.")]})
    values.setdefault("status", Licence._meta.get_field("status").default)
    return _write(department, values, user=user, system=system, reason=reason or _("Issued"))


@transaction.atomic
def change(licence, department, *, user=None, system="", reason="", **values):
    """Change a licence's content as ``department``; the hub re-signs it."""
    licence = Licence.objects.select_for_update().get(pk=licence.pk)
    values = {"identifier": licence.identifier, **values}
    return _write(department, values, user=user, system=system, reason=reason or _("Changed"))


def _write(department, values, *, user, system, reason):
    """One licence through the hub's one write path (validation, signature, state rules, history)."""
    if isinstance(values.get("licence_type"), LicenceType):
        values["licence_type"] = values["licence_type"].code
    if "holder_key" in values:
        values["holder_key"] = str(values["holder_key"] or "").strip().upper()
    return services.write_one(Licence, values, department=department, user=user, system=system, reason=reason)


def _reason_required(action):
    """One whole sentence per action, so that each language words the verb its own way."""
    return {
        "suspend": _("A reason is required to suspend a licence."),
        "revoke": _("A reason is required to revoke a licence."),
        "restore": _("A reason is required to restore a licence."),
    }[action]


def _refused(action):
    """The action does not fit the state; ``%(state)s`` is the state's display label."""
    return {
        "suspend": _("A %(state)s licence cannot be suspended."),
        "revoke": _("A %(state)s licence cannot be revoked."),
        "restore": _("A %(state)s licence cannot be restored."),
    }[action]


@transaction.atomic
def transition(licence, action, department, *, reason, user=None, system=""):
    """Apply ``action`` (suspend, revoke, restore) with a reason; refused from states it does not fit."""
    if action not in TRANSITIONS:
        raise ValidationError({"action": [_("Unknown action '%(action)s'.") % {"action": action}]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_reason_required(action)]})
    sources, target = TRANSITIONS[action]
    licence = Licence.objects.select_for_update().get(pk=licence.pk)
    if licence.status not in sources:
        raise TransitionRefused({"status": [_refused(action) % {"state": licence.get_status_display()}]})
    values = {"identifier": licence.identifier, "status": target, "status_reason": reason[:200]}
    return _write(department, values, user=user, system=system, reason=f"{action}: {reason}")


def suspend(licence, department, *, reason, **kwargs):
    return transition(licence, "suspend", department, reason=reason, **kwargs)


def revoke(licence, department, *, reason, **kwargs):
    return transition(licence, "revoke", department, reason=reason, **kwargs)


def restore(licence, department, *, reason, **kwargs):
    return transition(licence, "restore", department, reason=reason, **kwargs)
