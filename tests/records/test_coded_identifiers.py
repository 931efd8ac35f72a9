"""Coded identifiers are ASCII, on every path.

``str.isdigit()``, ``int()`` and ``\\d`` accept the decimal digits of every
script (and ``isdigit()`` superscripts too), so a full-width spelling of an
existing ID number was a second person and a superscript a 500. Here each
code's validator, its normalisation, and every path a key travels (lookup,
verify, filter, ingest as JSON and CSV, the dossier) meet digits from every
script Unicode has.
"""

import sys
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from credit.validators import normalize_uscc, validate_uscc
from geodata.validators import validate_division_code_format, validate_unit_number
from hub.records.codes import ascii_upper, first_non_ascii, is_coded
from licences import identifiers
from licences.models import Licence
from population.models import Person
from population.validators import validate_division_code, validate_id_number
from tests.credit.factories import new_uscc
from tests.factories import make_person, make_system
from tests.records.ingest_helpers import as_csv, as_json, gat_rows, post

# The zero of every script's decimal digits (Nd), ASCII's excepted: about seventy scripts.
ZEROS = [
    chr(code)
    for code in range(sys.maxunicode + 1)
    if unicodedata.category(chr(code)) == "Nd" and unicodedata.digit(chr(code)) == 0 and code > 0x7F
]
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"
# Not digits, but as invisible in a key: marks a reader cannot see
MARKS = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202e", "\u2066", "\ufeff", "\u00ad"]


def in_script(text, zero=None, table=None, positions=None):
    """``text`` with its ASCII digits (at ``positions``, default all) written in another script."""
    out = []
    for n, char in enumerate(text):
        if char.isascii() and char.isdigit() and (positions is None or n in positions):
            char = table[int(char)] if table else chr(ord(zero) + int(char))
        out.append(char)
    return "".join(out)


def spellings(code, positions):
    """The same code with the digits at ``positions`` in each other script, super- and subscript."""
    variants = [in_script(code, zero, positions=positions) for zero in ZEROS]
    variants += [in_script(code, table=SUPERSCRIPTS, positions=positions)]
    variants += [in_script(code, table=SUBSCRIPTS, positions=positions)]
    variants += [code[:5] + mark + code[5:] for mark in MARKS]
    return [v for v in variants if v != code]


def test_the_digit_scripts_are_many():
    assert len(ZEROS) > 50 and "０" in ZEROS and "٠" in ZEROS and "०" in ZEROS


def refused_as_non_ascii(validator, value):
    with pytest.raises(ValidationError) as caught:
        validator(value)
    codes = [e.code for e in caught.value.error_list]
    return codes == ["non_ascii"]


@pytest.mark.django_db
def test_an_id_number_in_any_other_digits_is_refused_naming_the_character():
    number = make_person().id_number
    validate_id_number(number)
    for variant in spellings(number, positions={14, 15, 16}):
        assert refused_as_non_ascii(validate_id_number, variant), ascii(variant)
    with pytest.raises(ValidationError) as caught:
        validate_id_number(number[:16] + "²" + number[17])
    assert "U+00B2 SUPERSCRIPT TWO" in caught.value.messages[0]
    assert "17" in caught.value.messages[0]


def test_the_other_codes_in_any_other_digits_are_refused():
    uscc = new_uscc()
    validate_uscc(uscc)
    validate_division_code_format("320102")
    unit = "320102001001GB00001W00000000"
    for variant in spellings(uscc, positions={3, 4, 10}):
        assert refused_as_non_ascii(validate_uscc, variant), ascii(variant)
    for variant in spellings("320102", positions={4, 5}):
        assert refused_as_non_ascii(validate_division_code_format, variant), ascii(variant)
    for variant in spellings(unit, positions={1, 10, 18, 27}):
        assert refused_as_non_ascii(validate_unit_number, variant), ascii(variant)


@pytest.mark.django_db
def test_division_codes_of_other_libraries_and_licence_identifiers_are_refused():
    for variant in spellings("320102", positions={5}):
        assert refused_as_non_ascii(validate_division_code, variant), ascii(variant)
    identifier = identifiers.build("1" * 18 + "001", new_uscc(), "ABC123")
    identifiers.parse(identifier)
    tail = len(identifier) - 6  # the version digits before the check character
    for variant in spellings(identifier, positions={tail, tail + 1, tail + 2}):
        assert refused_as_non_ascii(identifiers.validate_identifier, variant), ascii(variant)


NON_ASCII = [chr(c) for c in range(0x80, 0x30000) if not chr(c).isspace() and not 0xD800 <= c <= 0xDFFF]


@pytest.mark.parametrize(
    "normalize", [ascii_upper, Person.normalize_key, Licence.normalize_key, normalize_uscc], ids=repr
)
def test_normalisation_never_turns_a_non_ascii_character_into_ascii(normalize):
    """``"ﬁ".upper()`` is ``"FI"`` and ``"ı".upper()`` is ``"I"``: a ligature must not reach a real key."""
    assert normalize(" ab-c ").replace("-", "") in ("ABC", "AB-C")
    for char in NON_ASCII:
        assert first_non_ascii(normalize(f"a{char}b")) is not None, f"U+{ord(char):04X}"


@pytest.mark.django_db
def test_every_key_and_code_field_is_coded():
    from credit.models import CreditRecord, LegalEntity
    from geodata.models import Address, Division, Parcel

    assert is_coded(Person, "id_number") and is_coded(Person, "household_division")
    assert is_coded(LegalEntity, "uscc") and is_coded(LegalEntity, "legal_representative_id_number")
    assert is_coded(CreditRecord, "record_id") and is_coded(Licence, "identifier")
    assert is_coded(Licence, "issuer_code") and is_coded(Division, "code") and is_coded(Parcel, "unit_number")
    assert is_coded(Address, "address_code")  # a natural key, though it has no validator of its own
    assert not is_coded(Person, "name") and not is_coded(Person, "birth_date")


# -- every path a key travels ----------------------------------------------------------------------


@pytest.fixture
def twin(db):
    """An existing person and the full-width spelling of the last digits of their ID number."""
    person = make_person()
    number = person.id_number
    return person, in_script(number, "０", positions={14, 15, 16})


@pytest.fixture
def reader(db):
    _s, client = make_system(
        grants=[
            ("population.person.id_number", "search", False),
            ("population.person.name", "search", False),
            ("population.person.household_division", "search", False),
        ]
    )
    client.raise_request_exception = False
    return client


def names_the_field(response, field):
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert field in body["errors"], body
    assert "ASCII" in body["detail"]


@pytest.mark.parametrize("kind", ["full-width", "superscript", "arabic-indic", "zero-width"])
def test_lookup_verify_and_filters_refuse_a_non_ascii_key_with_a_400(twin, reader, kind):
    person, full_width = twin
    number = {
        "full-width": full_width,
        "superscript": person.id_number[:16] + "²" + person.id_number[17],
        "arabic-indic": in_script(person.id_number, "٠", positions={3}),
        "zero-width": person.id_number[:9] + "\u200b" + person.id_number[9:],
    }[kind]
    names_the_field(reader.get(f"/api/v1/population/persons/{number}/"), "id_number")
    names_the_field(reader.get(f"/api/v1/population/persons/{number}/history/"), "id_number")
    names_the_field(reader.get("/api/v1/population/persons/", {"id_number": number}), "id_number")
    division = in_script(person.household_division, "０")
    names_the_field(
        reader.get("/api/v1/population/persons/", {"household_division": division}), "household_division"
    )
    names_the_field(
        reader.get("/api/v1/population/persons/", {"household_division_prefix": division[:4]}),
        "household_division_prefix",
    )
    _s, verifier = make_system(grants=[("population.person.name", "verify", False)])
    verify = verifier.post(
        "/api/v1/population/persons/verify/", {"id_number": number, "name": person.name}, format="json"
    )
    names_the_field(verify, "id_number")
    batch = [{"id_number": person.id_number, "name": person.name}, {"id_number": number, "name": person.name}]
    verify = verifier.post("/api/v1/population/persons/verify/", batch, format="json")
    names_the_field(verify, "id_number")
    assert "row 2" in verify.json()["detail"]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_ingest_refuses_a_second_person_spelled_in_full_width_digits(twin, fmt):
    person, full_width = twin
    _s, gat = make_system(department="gat", provider=True)
    row = {**gat_rows(1)[0], "id_number": full_width}
    body, content_type = (
        (as_json([row]), "application/json") if fmt == "json" else (as_csv([row]), "text/csv")
    )
    report = post(gat, body, content_type=content_type).json()
    assert report["created"] == 0 and report["rejected"][0]["row"] == 1
    assert "ASCII" in report["rejected"][0]["errors"]["id_number"][0]
    strict = post(gat, body, content_type=content_type, QUERY_STRING="all_or_nothing=true")
    assert strict.status_code == 400
    superscript = {**row, "id_number": person.id_number[:16] + "²" + person.id_number[17]}
    body = as_json([superscript]) if fmt == "json" else as_csv([superscript])
    response = post(gat, body, content_type=content_type)
    assert response.status_code == 200 and response.json()["rejected"][0]["errors"]["id_number"]
    assert list(Person.objects.values_list("id_number", flat=True)) == [person.id_number]


def test_the_dossier_refuses_a_non_ascii_key(twin):
    _person, full_width = twin
    _s, client = make_system(grants=[("population.person.name", "lookup", False)])
    client.raise_request_exception = False
    response = client.get(f"/api/v1/subjects/{full_width}/")
    assert response.status_code == 400, response.content[:300]
    assert "ASCII" in response.json()["detail"]


def test_an_admin_or_service_write_with_a_non_ascii_key_is_refused(twin):
    """``full_clean`` runs the model's cross-field rules even after a field failed: no 500 there either."""
    person, _full_width = twin
    superscript = person.id_number[:16] + "²" + person.id_number[17]
    candidate = Person(id_number=superscript, name="x", gender="1", birth_date=person.birth_date)
    with pytest.raises(ValidationError) as caught:
        candidate.full_clean()
    assert "id_number" in caught.value.message_dict


# -- a natural key without a validator of its own is a code too ----------------------------------


@pytest.fixture
def addresses(db):
    from geodata.demo import load_divisions
    from tests.geodata.helpers import make_address

    load_divisions()
    return make_address()


def test_an_address_code_in_other_digits_is_refused_on_lookup_and_ingest(addresses):
    from geodata.models import Address

    twin = in_script(addresses.address_code, "０", positions={15})
    _s, client = make_system(grants=[("geodata.address.full_address", "lookup", False)])
    names_the_field(client.get(f"/api/v1/geodata/addresses/{twin}/"), "address_code")
    assert client.get(f"/api/v1/geodata/addresses/{addresses.address_code}/").status_code == 200
    _s, gat = make_system(department="gat", provider=True)
    row = {"address_code": twin, "full_address": "江苏省南京市玄武区中山路101号", "division_code": "320102"}
    report = post(gat, as_json([row]), url="/api/v1/ingest/geodata.address/").json()
    assert report["created"] == 0, report
    assert "ASCII" in report["rejected"][0]["errors"]["address_code"][0]
    assert list(Address.objects.values_list("address_code", flat=True)) == [addresses.address_code]


def test_the_refusal_speaks_chinese_on_request(twin, reader):
    _person, full_width = twin
    response = reader.get(f"/api/v1/population/persons/{full_width}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "只能使用 ASCII 数字和字母" in response.json()["detail"]
    assert "U+FF15" in response.json()["detail"] or "U+FF1" in response.json()["detail"]
