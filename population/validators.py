"""Identifier checks for the population library.

The GB 11643 checksum and date rules agree with ``stdnum.cn.ric``; the place
rule deliberately does not. Real ID numbers carry the county code under
which the number was issued (from 1984 on), not the one in force at birth,
so any GB/T 2260 code that has ever existed is accepted whatever the birth
year. stdnum ties the code to the birth year and would reject most people
born before 1983.
"""

import datetime
import functools

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from geodata.divisions import known_division, six_digit_codes
from hub.records.codes import ascii_sql, ascii_upper, coded, validate_ascii
from hub.records.ingest.sqlcheck import dates, sql_form, text_array

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH = datetime.date(1880, 1, 1)


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def id_birth_date(number: str) -> datetime.date | None:
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_gender(number: str) -> str:
    """GB/T 2261.1 gender implied by the sequence digit: odd male, even female."""
    return "1" if int(number[16]) % 2 else "2"


def is_ascii_digits(text) -> bool:
    """Only the digits 0-9 (``str.isdigit`` also takes ``３``, ``٣`` and ``²``)."""
    return text.isascii() and text.isdigit()


@coded
def validate_id_number(value, today=None):
    """GB 11643: ASCII, 18 characters, 17 digits, a real birth date, a known county code, checksum."""
    number = ascii_upper(value)
    validate_ascii(number, _("ID number"))
    if len(number) != 18:
        raise ValidationError(
            _("ID number must have 18 characters, got %(n)d."), code="id_length", params={"n": len(number)}
        )
    if not is_ascii_digits(number[:17]) or not (is_ascii_digits(number[17]) or number[17] == "X"):
        raise ValidationError(_("ID number must be 17 digits followed by a digit or X."), code="id_format")
    birth = id_birth_date(number)
    today = today or datetime.date.today()
    if birth is None or not (EARLIEST_BIRTH <= birth <= today):
        raise ValidationError(_("ID number holds no valid birth date."), code="id_birth_date")
    if not known_division(number[:6]):
        raise ValidationError(
            _("ID number's area code %(code)s is not a GB/T 2260 division code."),
            code="id_area",
            params={"code": number[:6]},
        )
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("ID number's check character is %(got)s, expected %(expected)s."),
            code="id_checksum",
            params={"got": number[17], "expected": expected},
        )


@sql_form(validate_id_number)
def id_number_sql(column):
    """SQL twin of :func:`validate_id_number` for ingestion: true only for numbers it accepts.

    Births up to the day before yesterday (a load that runs past midnight
    must not accept what Python would refuse); the rest go to Python.
    """
    from hub.quality.sql import Dialect, ric_fails

    latest = datetime.date.today() - datetime.timedelta(days=2)
    births = dates(EARLIEST_BIRTH, latest, "%Y%m%d")
    return (
        f"({ascii_sql(column)} AND NOT {ric_fails(Dialect(), column)} "
        f"AND substr({column}, 7, 8) = ANY({births}) "
        f"AND substr({column}, 1, 6) = ANY({division_codes_array()}))"
    )


@functools.cache
def division_codes_array():
    """Every six-digit GB/T 2260 code as a constant SQL array (built once)."""
    return text_array(six_digit_codes())


@coded
def validate_division_code(value):
    if value:
        validate_ascii(value, _("Division code"))
    if value and not known_division(str(value)):
        raise ValidationError(
            _("%(code)s is not a GB/T 2260 division code."), code="unknown_division", params={"code": value}
        )


@sql_form(validate_division_code)
def division_code_sql(column):
    """Six-digit codes only; township codes (checked against the loaded divisions) go to Python."""
    return f"({ascii_sql(column)} AND {column} = ANY({division_codes_array()}))"
