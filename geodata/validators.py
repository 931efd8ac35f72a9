"""Identifier checks: division codes, real-estate unit numbers, land use codes."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hub.records.codes import coded, validate_ascii

from .choices import FIXTURE_LETTERS, LAND_USE_FIRST, LAND_USE_SECOND, OWNERSHIP_LETTERS, RIGHT_LETTERS

DIVISION_CODE = re.compile(r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?\Z")  # ASCII digits: \d takes any script's


@coded
def validate_division_code_format(value):
    """GB/T 2260 six digits, or a 9- or 12-digit township / village code extending one."""
    validate_ascii(value, _("Division code"))
    if not DIVISION_CODE.match(str(value)):
        raise ValidationError(
            _("Division code must be 6, 9 or 12 digits, got '%(value)s'."),
            code="division_code",
            params={"value": str(value)[:20]},
        )


def unit_number_parts(value):
    """The fields of a 28-character real-estate unit number (GB/T 37346-2019)."""
    return {
        "county": value[0:6],
        "zone": value[6:9],
        "subzone": value[9:12],
        "ownership_letter": value[12],
        "right_letter": value[13],
        "sequence": value[14:19],
        "fixture_letter": value[19],
        "fixture_number": value[20:28],
    }


@coded
def validate_unit_number(value):
    """Structure of a real-estate unit number, naming the part that is wrong.

    County code (6 digits, a county-level GB/T 2260 code), cadastral zone (3
    digits) and subzone (3 digits), the two parcel feature letters (ownership
    G/J/Z, right type), parcel sequence (5 digits, not 00000), fixture letter
    (F/L/Q/W) and fixture number (8 digits; 00000000 when there is no fixture).
    """
    from .divisions import known_division

    number = str(value)
    validate_ascii(number, _("Real-estate unit number"))
    if len(number) != 28:
        raise ValidationError(
            _("Real-estate unit number must have 28 characters, got %(n)d."),
            code="unit_length",
            params={"n": len(number)},
        )
    parts = unit_number_parts(number)
    problems = []
    county = parts["county"]
    if not county.isdigit() or county.endswith("00"):
        problems.append(
            _("characters 1-6 must be a county-level division code, got '%(v)s'.") % {"v": county}
        )
    elif not known_division(county):
        problems.append(_("characters 1-6: '%(v)s' is not a GB/T 2260 division code.") % {"v": county})
    if not (parts["zone"] + parts["subzone"]).isdigit():
        problems.append(_("characters 7-12 must be the cadastral zone and subzone digits."))
    if parts["ownership_letter"] not in OWNERSHIP_LETTERS:
        problems.append(
            _("character 13 must be a land ownership letter G, J or Z, got '%(v)s'.")
            % {"v": parts["ownership_letter"]}
        )
    if parts["right_letter"] not in RIGHT_LETTERS:
        problems.append(
            _("character 14 must be a parcel right-type letter, got '%(v)s'.") % {"v": parts["right_letter"]}
        )
    if not parts["sequence"].isdigit() or parts["sequence"] == "00000":
        problems.append(_("characters 15-19 must be a parcel sequence 00001-99999."))
    if parts["fixture_letter"] not in FIXTURE_LETTERS:
        problems.append(
            _("character 20 must be a fixture letter F, L, Q or W, got '%(v)s'.")
            % {"v": parts["fixture_letter"]}
        )
    if not parts["fixture_number"].isdigit():
        problems.append(_("characters 21-28 must be the 8-digit fixture number."))
    elif parts["fixture_letter"] == "W" and parts["fixture_number"] != "00000000":
        problems.append(_("a unit with no fixture (W) must have fixture number 00000000."))
    if problems:
        raise ValidationError(problems, code="unit_structure")


def validate_land_use(value):
    """A GB/T 21010-2017 second-level land use code."""
    if str(value) not in LAND_USE_SECOND:
        first = str(value)[:2]
        hint = (
            _(" (first-level class %(first)s exists; give a second-level code)") % {"first": first}
            if first in LAND_USE_FIRST
            else ""
        )
        raise ValidationError(
            _("'%(value)s' is not a GB/T 21010-2017 land use code%(hint)s."),
            code="land_use",
            params={"value": str(value)[:10], "hint": hint},
        )
