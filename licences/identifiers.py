"""Electronic licence identifiers after GB/T 36904-2018.

``1.2.156.3005.2.<type code>.<issuer USCC>.<serial>.<version>.<check>``: the
fixed OID arc of electronic licences, the licence type code (the defining
authority's unified social credit code and a 3-digit number), the issuing
authority's unified social credit code, the issuer's serial, a 3-digit
version, and one check character computed with ISO/IEC 7064 MOD 37,36
(GB/T 17710) over type code, issuer code, serial and version concatenated
without the dots. The check is python-stdnum's ``iso7064.mod_37_36``.
"""

import re
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.iso7064 import mod_37_36

from hub.records.codes import ascii_upper, coded, validate_ascii

PREFIX = "1.2.156.3005.2."
# ASCII only: ``\d`` would match any Unicode digit, and ``$`` a trailing newline (hence ``\Z``)
TYPE_CODE = re.compile(r"^[0-9A-Z]{18}[0-9]{3}\Z")
ISSUER_CODE = re.compile(r"^[0-9A-Z]{18}\Z")
SERIAL = re.compile(r"^[0-9A-Z]{1,40}\Z")
VERSION = re.compile(r"^[0-9]{3}\Z")


@dataclass(frozen=True)
class LicenceIdentifier:
    type_code: str
    issuer_code: str
    serial: str
    version: str
    check: str

    def __str__(self):
        return f"{PREFIX}{self.type_code}.{self.issuer_code}.{self.serial}.{self.version}.{self.check}"


def check_char(type_code, issuer_code, serial, version) -> str:
    """The ISO 7064 MOD 37,36 check character of an identifier's four parts."""
    return mod_37_36.calc_check_digit(f"{type_code}{issuer_code}{serial}{version}")


def new_serial() -> str:
    """A random 20-character serial.

    Opaque on purpose: the identifier is shared unconditionally, so it must not
    carry the licence number (for an ID card, the holder's ID number).
    """
    return uuid.uuid4().hex[:20].upper()


def build(type_code, issuer_code, serial, version="001") -> str:
    """A complete identifier with its check character."""
    serial = str(serial).upper()
    return str(
        LicenceIdentifier(
            type_code, issuer_code, serial, version, check_char(type_code, issuer_code, serial, version)
        )
    )


def parse(value) -> LicenceIdentifier:
    """Split and check an identifier; ValidationError names the part that is wrong."""
    text = ascii_upper(value)
    validate_ascii(text, _("Licence identifier"))
    if not text.startswith(PREFIX):
        raise ValidationError(
            _("A licence identifier starts with %(prefix)s (GB/T 36904)."),
            code="identifier_prefix",
            params={"prefix": PREFIX},
        )
    parts = text[len(PREFIX) :].split(".")
    if len(parts) != 5:
        raise ValidationError(
            _(
                "A licence identifier has five parts after %(prefix)s: type code, issuer code, serial, "
                "version and check character; got %(n)d."
            ),
            code="identifier_structure",
            params={"prefix": PREFIX, "n": len(parts)},
        )
    type_code, issuer_code, serial, version, check = parts
    for part, pattern, label in (
        (type_code, TYPE_CODE, _("type code (18-character code of the defining authority and 3 digits)")),
        (issuer_code, ISSUER_CODE, _("issuer code (18-character unified social credit code)")),
        (serial, SERIAL, _("serial (1 to 40 digits or capital letters)")),
        (version, VERSION, _("version (3 digits)")),
    ):
        if not pattern.match(part):
            raise ValidationError(
                _("Licence identifier: malformed %(part)s: '%(value)s'."),
                code="identifier_part",
                params={"part": label, "value": part[:40]},
            )
    expected = check_char(type_code, issuer_code, serial, version)
    if check != expected:
        raise ValidationError(
            _("Licence identifier's check character is '%(got)s', expected '%(expected)s' (MOD 37,36)."),
            code="identifier_checksum",
            params={"got": check[:4], "expected": expected},
        )
    return LicenceIdentifier(type_code, issuer_code, serial, version, check)


@coded
def validate_identifier(value):
    parse(value)
