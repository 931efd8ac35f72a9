"""GB 32100 checks against stdnum.cn.uscc (the reference) and published codes."""

import random

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc as reference

from credit.demo import make_uscc, random_uscc
from credit.validators import (
    ALPHABET,
    REGISTRATION_AUTHORITIES,
    is_valid_uscc,
    org_code_check_char,
    uscc_check_char,
    uscc_checksum_ok,
    validate_uscc,
)

# Published codes (collected by python-stdnum's test suite from public registers).
REAL_CODES = """
121200004013590816
91110000600037341L
91110000710926094P
91120224064012553U
911522010783710635
91152201078371135X
911522010783762860
91152201078376307G
91152201078377449P
9115220107837757XE
9115220107837941X1
91152201078382010M
911522010783887624
911522010783897302
911522010783898533
91152201078389925U
9115220107839138X8
911522010783917502
91152201078391769Y
91152201078394644D
91152201078395081D
91152201078395188Q
91152201078397730B
91152201082151522J
91310000631696382C
91310000797046224D
91310112087994932F
913101127033980359
913101145852519045
913101153325803473
91310115MA1K3BTP2B
91310116052958608G
91310116076409427L
913101203509708598
9131012056010553X5
91320214745555318W
913205056082348768
913304007429141869
91340600MA2PBM9HXD
91340600MA2PBMA74B
91340600MA2PBMBL5H
91340600MA2PBMDH5R
91340600MA2PBMQB9E
91340600MA2PBN188W
91340600MA2PBN831R
91340600MA2PBNE723
91340600MA2PBNR24J
91340600MA2PBP2120
91340600MA2PBP6A1W
91340600MA2PBP6D6F
91340600MA2PBPAG69
91340600MA2PENCC7K
91340600MA2PENWF9P
91340600MA2PEP3Y54
91340600MA2PEP518T
91340600MA2PEP7F5B
91340600MA2PEPM918
91340600MA2PERLJ2D
91340600MA2UJY987H
91340600MA2UJYG49B
91340602MA2UJY0D0T
91340602MA2UJY3J9W
91340602MA2UJYD90G
91340603MA2UJXXCXF
91340603MA2UJY1D7L
91340603MA2UJYBQ7Q
91340603MA2UJYN78Q
91340603MA2UJYNU67
91340603MA2UJYUN35
91340604MA2PBQBH3P
91340604MA2PEL1X3M
91340621MA2PBNXR7P
91340621MA2PBPDT1J
91340621MA2PBPLU08
91340621MA2PBPM015
91340621MA2PBPM36P
91340621MA2PBPM608
91340621MA2PBPM870
91340621MA2PELDF2U
91340621MA2PEM704P
91340621MA2PEMUHX8
91340621MA2PEMWN1C
91340621MA2PEN6Q3Y
91340621MA2PEN8W5L
91340621MA2PEP2U6U
91340621MA2PEPJB9F
913505007821784439
91371082775260043P
914112810713741814
91420684MA4927PJ7B
91440300568520498A
9144030071526726XG
9144060573144633XL
91442000696462712R
91620100719023721L
91620105224521729E
91620105325333735M
91620105551270533Y
91620105556273987U
9162010555628132X1
91620105556284969Y
91620105556287545F
91620105566408785F
91620105571627966C
91620105571630591E
9162010558590643X0
91620105585923360D
91620105660017457X
91620105665404165K
91620105670820315R
9162010567592034XQ
91620105686055670F
91620105686057422K
9162010569564942X9
91620105710219971E
91620105719099574H
91620105720233128P
91620105750906995R
91620105750935948X
91620105756558274W
91620105756580826D
91620105767707650L
91620105767728304H
91620105773422168Y
91620105784023285J
91620105789620900B
91620105789634843P
91620105794891756D
91620105L015101280
91620105MA71T4YW8Q
91620105MA73NBBLXE
92340602MA2PBMEM24
92340602MA2PBMG99Q
92340603MA2PBMCG0U
92340621MA2UK3PJXE
92340604MA2PBME53K
92340621MA2UK338XJ
""".split()

# A failing code is looked up in the legacy allow-list, which lives in the database.
pytestmark = pytest.mark.django_db

DIGIT_AUTHORITIES = [
    (a, t) for a, (_name, types) in REGISTRATION_AUTHORITIES.items() if a.isdigit() for t in types
]


def test_weights_are_powers_of_three_mod_31():
    from credit.validators import WEIGHTS

    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_check_character_agrees_with_stdnum_on_random_bodies():
    rng = random.Random(32100)
    for _ in range(10_000):
        body = "".join(rng.choice("0123456789") for _ in range(8)) + "".join(
            rng.choice(ALPHABET) for _ in range(9)
        )
        assert uscc_check_char(body) == reference.calc_check_digit(body)


def test_checksum_layer_agrees_with_stdnum_on_random_strings():
    """Any 18 characters: structure and check character accepted exactly when stdnum accepts."""
    rng = random.Random(11714)
    pool = ALPHABET + "IOSVZ-"
    for n in range(10_000):
        code = "".join(rng.choice(pool if n % 3 else ALPHABET) for _ in range(17))
        code += rng.choice([uscc_check_char(code) if all(c in ALPHABET for c in code) else "0", "1", "X"])
        assert uscc_checksum_ok(code) == reference.is_valid(code), code


def test_full_validator_agrees_with_stdnum_on_generated_codes_and_their_mutations():
    """10,000 codes built by the standard, each with a single-character mutation."""
    rng = random.Random(2015)
    agreed = 0
    for _ in range(10_000):
        authority, entity_type = rng.choice(DIGIT_AUTHORITIES)
        code = random_uscc(rng, authority, entity_type)
        assert reference.is_valid(code) and is_valid_uscc(code), code
        position = rng.randrange(18)
        replacement = rng.choice([c for c in ALPHABET if c != code[position]])
        mutated = code[:position] + replacement + code[position + 1 :]
        assert is_valid_uscc(mutated) == reference.is_valid(mutated), mutated
        agreed += 2
    assert agreed == 20_000


@pytest.mark.parametrize("code", REAL_CODES)
def test_published_codes_are_valid_in_both(code):
    assert reference.is_valid(code)
    validate_uscc(code, allow_legacy=False)


def test_transposition_of_adjacent_characters_is_caught():
    code = "91110000600037341L"
    swapped = code[:12] + code[13] + code[12] + code[14:]  # 37 -> 73
    assert not is_valid_uscc(swapped) and not reference.is_valid(swapped)


@pytest.mark.parametrize(
    "code, rule, fragment",
    [
        ("9111000060003734", "uscc_length", "18 characters"),
        ("9111000060003I341L", "uscc_charset", "I"),
        ("91110000600037341N", "uscc_checksum", "expected L"),
        ("B1110000600037341L", "uscc_entity_type", "B"),
        ("94110000600037341L", "uscc_entity_type", "94"),
        ("5A320000600037341L", "uscc_entity_type", "5A"),
        ("9132A100600037341L", "uscc_division", "division"),
    ],
)
def test_bad_codes_name_their_rule(code, rule, fragment):
    with pytest.raises(ValidationError) as caught:
        validate_uscc(code)
    error = caught.value
    assert rule in [e.code for e in error.error_list]
    assert fragment in " ".join(error.messages)


def test_embedded_organisation_code_is_checked():
    # A correct USCC check character over an organisation code whose own check is wrong.
    body = "60003734"
    wrong = "2" if org_code_check_char(body) != "2" else "3"
    first17 = f"91320100{body}{wrong}"
    code = first17 + uscc_check_char(first17)
    assert reference.is_valid(code)  # stdnum does not look inside
    with pytest.raises(ValidationError) as caught:
        validate_uscc(code)
    assert caught.value.code == "uscc_org_checksum"
    assert "GB 11714" in caught.value.messages[0]


def test_organisation_code_check_follows_gb_11714():
    assert org_code_check_char("60003734") == "1"  # 600037341 in 91110000600037341L
    assert org_code_check_char("MA1K3BTP") == "2"  # 91310115MA1K3BTP2B
    assert org_code_check_char("07837941") == "X"  # 9115220107837941X1
    assert make_uscc("9", "1", "110000", "60003734") == "91110000600037341L"


def test_lower_case_and_spaces_are_normalised():
    validate_uscc(" 91310115ma1k3btp2b ")
    assert is_valid_uscc("9 1 110000 600037341L")


def test_legacy_allow_list_admits_only_listed_checksum_failures():
    from credit.models import LegacyCode

    legacy = "91110000600037341N"
    assert not is_valid_uscc(legacy)
    LegacyCode.objects.create(code=legacy.lower(), note="issued 2016 with a wrong check character")
    validate_uscc(legacy)
    with pytest.raises(ValidationError):
        validate_uscc(legacy, allow_legacy=False)
    assert not is_valid_uscc("91110000600037341M")
    # the list never admits a malformed code
    LegacyCode.objects.create(code="B1110000600037341L")
    with pytest.raises(ValidationError):
        validate_uscc("B1110000600037341L")
