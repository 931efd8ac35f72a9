"""GB/T 36904 identifiers and their ISO 7064 MOD 37,36 check character."""

import pytest
from django.core.exceptions import ValidationError
from stdnum.iso7064 import mod_37_36

from licences import identifiers

# Identifiers published by licence systems (GB/T 36904 structure, check character as issued).
KNOWN_GOOD = [
    "1.2.156.3005.2.11100000000013338W087.11370800MB28559184.37080001202411010001.001.3",
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.S",
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
]


@pytest.mark.parametrize("value", KNOWN_GOOD)
def test_known_good_identifiers_parse_and_their_check_character_is_recomputed(value):
    parsed = identifiers.parse(value)
    assert str(parsed) == value
    assert (
        identifiers.check_char(parsed.type_code, parsed.issuer_code, parsed.serial, parsed.version)
        == value[-1]
    )


@pytest.mark.parametrize("value", KNOWN_GOOD)
def test_every_other_check_character_is_refused(value):
    for wrong in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if wrong == value[-1]:
            continue
        with pytest.raises(ValidationError) as exc:
            identifiers.parse(value[:-1] + wrong)
        assert exc.value.code == "identifier_checksum"


def test_check_character_agrees_with_stdnum_and_catches_a_changed_character():
    built = identifiers.build("11100000000010014P001", "1132000001400001XX", "320102199001011234")
    assert mod_37_36.is_valid(built[len(identifiers.PREFIX) :].replace(".", ""))
    tampered = built.replace("199001011234", "199001011235")
    with pytest.raises(ValidationError):
        identifiers.parse(tampered)


@pytest.mark.parametrize(
    "value, code",
    [
        ("2.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U", "identifier_prefix"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.U", "identifier_structure"),
        ("1.2.156.3005.2.11100000000013338W11.11430000006122244L.20230000403.001.U", "identifier_part"),
        ("1.2.156.3005.2.11100000000013338W011.1143000000612224.20230000403.001.U", "identifier_part"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.2023-403.001.U", "identifier_part"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.1.U", "identifier_part"),
    ],
)
def test_malformed_identifiers_name_the_rule(value, code):
    with pytest.raises(ValidationError) as exc:
        identifiers.parse(value)
    assert exc.value.code == code


def test_lower_case_is_normalised():
    assert str(identifiers.parse(KNOWN_GOOD[1].lower())) == KNOWN_GOOD[1]
