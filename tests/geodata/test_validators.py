"""Real-estate unit numbers (GB/T 37346) and land use codes (GB/T 21010-2017)."""

import pytest
from django.core.exceptions import ValidationError

from geodata.demo import generate_parcels
from geodata.validators import (
    unit_number_parts,
    validate_division_code_format,
    validate_land_use,
    validate_unit_number,
)

GOOD = "320102001001GB00001F00010002"


def problems(number):
    with pytest.raises(ValidationError) as caught:
        validate_unit_number(number)
    return " ".join(caught.value.messages)


def test_a_well_formed_unit_number_passes_and_splits_into_its_parts():
    validate_unit_number(GOOD)
    assert unit_number_parts(GOOD) == {
        "county": "320102",
        "zone": "001",
        "subzone": "001",
        "ownership_letter": "G",
        "right_letter": "B",
        "sequence": "00001",
        "fixture_letter": "F",
        "fixture_number": "00010002",
    }


@pytest.mark.parametrize(
    "number, fragment",
    [
        (GOOD[:-1], "28 characters"),
        ("320100" + GOOD[6:], "county-level"),
        ("329999" + GOOD[6:], "not a GB/T 2260"),
        (GOOD[:6] + "0A1001" + GOOD[12:], "cadastral zone"),
        (GOOD[:12] + "X" + GOOD[13:], "ownership letter"),
        (GOOD[:13] + "9" + GOOD[14:], "right-type letter"),
        (GOOD[:14] + "00000" + GOOD[19:], "sequence"),
        (GOOD[:19] + "K" + GOOD[20:], "fixture letter"),
        (GOOD[:20] + "0001000A", "fixture number"),
        (GOOD[:19] + "W00010002", "00000000"),
    ],
)
def test_each_bad_part_is_named(number, fragment):
    assert fragment in problems(number)


def test_retired_county_codes_remain_valid_in_unit_numbers():
    validate_unit_number("320103" + GOOD[6:])  # 白下区, merged into 秦淮区 in 2013


def test_every_generated_demo_parcel_number_is_valid():
    for row in generate_parcels(300):
        validate_unit_number(row["unit_number"])
        validate_land_use(row["land_use"])


def test_land_use_codes_are_second_level_gb_t_21010():
    validate_land_use("0702")
    with pytest.raises(ValidationError, match="second-level"):
        validate_land_use("07")
    with pytest.raises(ValidationError, match="not a GB/T 21010-2017"):
        validate_land_use("0708")
    with pytest.raises(ValidationError, match="not a GB/T 21010-2017"):
        validate_land_use("1301")


@pytest.mark.parametrize("code", ["320102", "320102001", "320102001001"])
def test_division_codes_may_be_6_9_or_12_digits(code):
    validate_division_code_format(code)


@pytest.mark.parametrize("code", ["32010", "3201020", "32010A", ""])
def test_other_division_code_shapes_are_refused(code):
    with pytest.raises(ValidationError):
        validate_division_code_format(code)
