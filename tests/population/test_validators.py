"""GB 11643 checks against python-stdnum, and the place rule stdnum deliberately differs on."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from geodata.divisions import all_codes, current_counties, known_division
from population.validators import id_birth_date, id_check_char, validate_id_number


def ours_valid(number):
    try:
        validate_id_number(number, today=datetime.date(2026, 12, 31))
    except ValidationError:
        return False
    return True


def generated(count, seed):
    """Random numbers over Jiangsu county codes and 1900–2025 dates, half with a random check char."""
    rng = random.Random(seed)
    counties = current_counties("32")
    base = datetime.date(1900, 1, 1)
    for _ in range(count):
        birth = base + datetime.timedelta(days=rng.randrange(46000))
        first17 = f"{rng.choice(counties)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        check = id_check_char(first17) if rng.random() < 0.5 else rng.choice("0123456789X")
        yield first17 + check


def test_checksum_agrees_with_stdnum_on_10000_generated_numbers():
    numbers = list(generated(10_000, seed=11643))
    accepted = 0
    for number in numbers:
        assert id_check_char(number[:17]) == ric.calc_check_digit(number), number
        checksum_ok = ric.calc_check_digit(number) == number[17]
        # Our verdict is stdnum's checksum and date rules, without its birth-year place rule.
        assert ours_valid(number) == checksum_ok, number
        if ric.is_valid(number):
            assert ours_valid(number), number
        accepted += ours_valid(number)
    assert 4000 < accepted < 6000  # both branches were exercised


def test_birth_date_parsing_agrees_with_stdnum():
    rng = random.Random(2261)
    for _ in range(2000):
        first17 = f"320102{rng.randint(1899, 2030)}{rng.randint(0, 13):02d}{rng.randint(0, 32):02d}123"
        number = first17 + id_check_char(first17)
        try:
            theirs = ric.get_birth_date(number)
        except Exception:
            theirs = None
        assert id_birth_date(number) == theirs, number


def with_check(first17):
    return first17 + id_check_char(first17)


@pytest.mark.parametrize(
    "number",
    [
        with_check("32010219500101123"),  # born 1950 under 玄武区 (code exists since 1983)
        with_check("32010319800505456"),  # 白下区, retired 2013
        with_check("32012119700101001"),  # 江宁县, retired 2000
        with_check("32058320080229002"),  # 2000s birth, leap day
        with_check("32010219000101001"),  # 1900 birth
    ],
)
def test_real_world_numbers_are_accepted(number):
    assert ours_valid(number)


def test_x_check_character():
    first17 = next(
        f"32010219900101{n:03d}" for n in range(1000) if id_check_char(f"32010219900101{n:03d}") == "X"
    )
    assert ours_valid(first17 + "X")
    assert ric.is_valid(first17 + "X")
    assert not ours_valid(first17 + "0")


def test_people_born_before_their_county_code_existed_are_accepted_unlike_stdnum():
    number = with_check("32010219500101123")
    assert not ric.is_valid(number)  # stdnum ties the code to the birth year
    assert ours_valid(number)


@pytest.mark.parametrize(
    "number, code",
    [
        ("3201021980010112", "id_length"),
        ("32010219800101123A", "id_format"),
        (with_check("32010219801301123"), "id_birth_date"),
        (with_check("32010220990101123"), "id_birth_date"),
        (with_check("99010219800101123"), "id_area"),
    ],
)
def test_each_rule_names_itself(number, code):
    with pytest.raises(ValidationError) as caught:
        validate_id_number(number, today=datetime.date(2026, 12, 31))
    assert caught.value.code == code


def test_division_table_holds_retired_codes():
    assert known_division("320103")  # 白下区, 1983–2013
    assert known_division("320121")  # 江宁县, until 2000
    assert not known_division("329999")
    assert "320102" in all_codes("3201")
