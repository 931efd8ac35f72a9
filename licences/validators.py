"""Checks on licence values: holder keys, holder existence, divisions, digests.

Holders are checked through the other libraries' public lookup functions
(by standard key), never their models.
"""

import logging
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from geodata.divisions import known_division
from hub.records.codes import ascii_upper, coded, validate_ascii

from .choices import HolderKind

log = logging.getLogger(__name__)

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@coded
def validate_division_code(value):
    if value:
        validate_ascii(value, _("Division code"))
    if value and not known_division(str(value)):
        raise ValidationError(
            _("%(code)s is not a GB/T 2260 division code."), code="unknown_division", params={"code": value}
        )


def validate_file_digest(value):
    if value and not SHA256_HEX.match(value):
        raise ValidationError(_("File digest must be a SHA-256 digest in 64 lower-case hex digits."))


@coded
def validate_credit_code(value):
    from credit.validators import validate_uscc

    validate_uscc(value)


def holder_key_errors(kind, key) -> list:
    """Messages for a holder key that fails its checksum or names no one in its library."""
    key = ascii_upper(key or "")
    if not key:
        return [_("The holder key is required.")]
    try:
        if kind == HolderKind.PERSON:
            from population.validators import validate_id_number

            validate_id_number(key)
        elif kind == HolderKind.ENTITY:
            validate_credit_code(key)
        else:
            return [_("Unknown holder kind '%(kind)s'.") % {"kind": kind}]
    except ValidationError as exc:
        return exc.messages
    if not holder_exists(kind, key):
        if kind == HolderKind.PERSON:
            return [_("No person with ID number %(key)s in the population library.") % {"key": key}]
        return [_("No legal entity with credit code %(key)s in the credit library.") % {"key": key}]
    return []


def holder_exists(kind, key) -> bool:
    if kind == HolderKind.PERSON:
        from population.lookup import person_exists

        return person_exists(key)
    from credit.lookup import entity_exists

    try:
        return entity_exists(key)
    except ImportError:
        # The credit library's records are not installed yet: the code's checksum is all we can check.
        log.warning("credit library unavailable; legal entity %s accepted on its checksum", key)
        return True
