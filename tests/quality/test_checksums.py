"""The SQL checksums agree with python-stdnum, value by value, on both databases."""

import datetime
import random

import pytest
from django.db import connection
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from hub.quality.sql import USCC_ALPHABET, Dialect, ric_fails, uscc_fails
from population.demo import make_id_number

N = 6000  # per scheme and value family mix; each test checks more than 10,000 values


def _evaluate(values, build):
    """``{value: fails}`` as the database computes it for a column holding ``values``."""
    dialect = Dialect(connection)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE quality_checksum_values (v VARCHAR(40))")
        try:
            cursor.executemany("INSERT INTO quality_checksum_values (v) VALUES (%s)", [[v] for v in values])
            expr = build(dialect, "q.v")
            cursor.execute(
                f"SELECT q.v, CASE WHEN {expr} THEN 1 ELSE 0 END FROM quality_checksum_values q", []
            )
            return {v: bool(f) for v, f in cursor.fetchall()}
        finally:
            cursor.execute("DROP TABLE quality_checksum_values")


def _ric_values(rng):
    counties = ["320102", "320506", "110101", "440305", "320981"]
    values = set()
    while len(values) < 2 * N:
        birth = f"{rng.randint(1900, 2024)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        birth_date = datetime.date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
        valid = make_id_number(rng.choice(counties), birth_date, rng.randrange(500), rng.random() < 0.5)
        family = rng.randrange(6)
        if family == 0:
            values.add(valid)
        elif family == 1:  # wrong check character
            values.add(valid[:17] + rng.choice("0123456789X"))
        elif family == 2:  # one digit changed
            i = rng.randrange(17)
            values.add(valid[:i] + str((int(valid[i]) + rng.randint(1, 9)) % 10) + valid[i + 1 :])
        elif family == 3:  # random digits
            values.add("".join(rng.choice("0123456789") for _ in range(17)) + rng.choice("0123456789X"))
        elif family == 4:  # wrong length
            values.add(valid[: rng.choice([15, 16, 17])] if rng.random() < 0.5 else valid + "1")
        else:  # a letter where a digit belongs
            i = rng.randrange(18)
            values.add(valid[:i] + rng.choice("ABXYZ") + valid[i + 1 :])
    return sorted(values)


def _stdnum_ric_checksum_ok(value):
    """stdnum's verdict on length, format and check digit (its birth and place checks are separate rules)."""
    try:
        ric.validate(value)
    except (stdnum_errors.InvalidComponent, KeyError):
        # Raised only after length, format and checksum passed (KeyError: stdnum's place lookup
        # on some codes); birth date and place are judged by other rules.
        return True
    except stdnum_errors.ValidationError:
        return False
    return True


def _uscc_values(rng):
    values = set()
    alphabet = USCC_ALPHABET
    while len(values) < 2 * N:
        body = "".join(rng.choice("0123456789") for _ in range(8)) + "".join(
            rng.choice(alphabet) for _ in range(9)
        )
        valid = body + uscc.calc_check_digit(body)
        family = rng.randrange(6)
        if family == 0:
            values.add(valid)
        elif family == 1:
            values.add(valid[:17] + rng.choice(alphabet))
        elif family == 2:
            i = rng.randrange(17)
            values.add(valid[:i] + rng.choice(alphabet) + valid[i + 1 :])
        elif family == 3:  # letters outside the code's alphabet, or a letter in the first 8
            i = rng.randrange(18)
            values.add(valid[:i] + rng.choice("IOZSV") + valid[i + 1 :])
        elif family == 4:
            values.add(valid[: rng.randint(10, 17)] if rng.random() < 0.5 else valid + "0")
        else:
            values.add("".join(rng.choice(alphabet) for _ in range(18)))
    return sorted(values)


@pytest.mark.django_db
def test_id_number_checksum_agrees_with_stdnum():
    values = _ric_values(random.Random(11643))
    assert len(values) >= 10_000
    verdicts = _evaluate(values, ric_fails)
    disagreements = [v for v in values if verdicts[v] == _stdnum_ric_checksum_ok(v)]
    assert disagreements == []
    # The mix really exercises both outcomes.
    assert 2000 < sum(not f for f in verdicts.values()) < len(values) - 2000


@pytest.mark.django_db
def test_credit_code_checksum_agrees_with_stdnum():
    values = _uscc_values(random.Random(32100))
    assert len(values) >= 10_000
    verdicts = _evaluate(values, uscc_fails)
    disagreements = [v for v in values if verdicts[v] == uscc.is_valid(v)]
    assert disagreements == []
    assert 2000 < sum(not f for f in verdicts.values()) < len(values) - 2000
