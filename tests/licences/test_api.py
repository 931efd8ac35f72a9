"""Licences through the governed-API test base, plus verify with signature and status, the holder's
valid licences, status search, and the licence types."""

import datetime
import json

import pytest

from hub.records import context
from licences import services, signing
from licences.models import Licence
from tests.factories import make_person, make_system
from tests.governed import GovernedAPITests

from .helpers import identifier_for, issue_id_card

URL = "/api/v1/licences/licences/"


@pytest.mark.django_db
class TestLicenceAPI(GovernedAPITests):
    dataset = "licences.licence"
    url = URL
    shown_item = "issuing_authority"
    hidden_item = "holder_name"
    masked_item = "holder_name"
    search_text_item = "holder_name"

    def make_record(self):
        return issue_id_card()

    def missing_key(self, record):
        return identifier_for("resident_id_card", "NOSUCHSERIAL1")

    def partition(self, record):
        return record.licence_type

    def change(self, record):
        old = record.holder_name
        with context.writing("gat", reason="name corrected"):
            record.holder_name = "郑新名"
            record.save()
        return "holder_name", old, "郑新名"

    # The licence verify also reports the signature (and the status when granted): same
    # guarantees as the base, with the extended answer.

    def test_verify_answers_match_without_values(self):
        record = self.make_record()
        client = self.client(("identifier", "verify"), ("holder_name", "verify"))
        right = client.post(
            f"{URL}verify/",
            {"identifier": record.identifier, "holder_name": record.holder_name},
            format="json",
        )
        assert right.status_code == 200
        assert right.json() == {"match": True, "items": {"holder_name": True}, "signature_valid": True}
        wrong = client.post(
            f"{URL}verify/", {"identifier": record.identifier, "holder_name": "冒名"}, format="json"
        )
        assert wrong.json() == {"match": False, "items": {"holder_name": False}, "signature_valid": True}
        assert record.holder_name not in json.dumps(wrong.json(), ensure_ascii=False)

    def test_verify_of_the_key_alone_needs_a_grant_on_the_key(self):
        record = self.make_record()
        without = self.client(("holder_name", "verify"))
        refused = without.post(f"{URL}verify/", {"identifier": record.identifier}, format="json")
        assert refused.status_code == 403
        with_key = self.client(("identifier", "verify"))
        answered = with_key.post(f"{URL}verify/", {"identifier": record.identifier}, format="json")
        assert answered.json() == {"match": True, "items": {}, "signature_valid": True}


def verifier(*extra):
    grants = [("licences.licence.identifier", "verify", False)] + [
        (f"licences.licence.{f}", "verify", False) for f in extra
    ]
    return make_system(grants=grants)[1]


@pytest.mark.django_db
class TestVerify:
    def paper(self, licence, **changes):
        values = {
            "identifier": licence.identifier,
            "holder_name": licence.holder_name,
            "number": licence.number,
            "valid_to": licence.valid_to.isoformat(),
            "surface_data": {"address": licence.surface_data["address"]},
        }
        values.update(changes)
        return values

    def test_authentic_paper_matches_with_signature_and_status(self):
        licence = issue_id_card()
        client = verifier("holder_name", "number", "valid_to", "surface_data", "status", "signature")
        response = client.post(
            f"{URL}verify/", self.paper(licence, signature=licence.signature), format="json"
        )
        assert response.status_code == 200
        assert response.json() == {
            "match": True,
            "items": {
                "holder_name": True,
                "number": True,
                "valid_to": True,
                "surface_data.address": True,
                "signature": True,
            },
            "signature_valid": True,
            "status": "valid",
        }

    def test_tampered_values_are_named_and_not_revealed(self):
        licence = issue_id_card()
        client = verifier("holder_name", "number", "valid_to", "surface_data", "status")
        forged = self.paper(licence, valid_to="2099-12-31", surface_data={"address": "伪造地址"})
        payload = client.post(f"{URL}verify/", forged, format="json").json()
        assert payload["match"] is False
        assert payload["items"] == {
            "holder_name": True,
            "number": True,
            "valid_to": False,
            "surface_data.address": False,
        }
        text = json.dumps(payload, ensure_ascii=False)
        assert licence.valid_to.isoformat() not in text and licence.surface_data["address"] not in text

    def test_a_wrong_signature_does_not_verify(self):
        licence = issue_id_card()
        other = issue_id_card()
        client = verifier("holder_name", "signature")
        for signature in (other.signature, "bm90IGEgc2lnbmF0dXJl", "%%%"):
            payload = client.post(
                f"{URL}verify/",
                {
                    "identifier": licence.identifier,
                    "holder_name": licence.holder_name,
                    "signature": signature,
                },
                format="json",
            ).json()
            assert payload["items"]["signature"] is False
            assert payload["signature_valid"] is False and payload["match"] is False

    def test_a_record_tampered_in_the_database_fails_the_signature_check(self):
        licence = issue_id_card()
        Licence.objects.filter(pk=licence.pk).update(holder_name="篡改者")
        client = verifier("holder_name")
        payload = client.post(
            f"{URL}verify/", {"identifier": licence.identifier, "holder_name": "篡改者"}, format="json"
        ).json()
        assert payload["items"] == {"holder_name": True}
        assert payload["signature_valid"] is False

    def test_a_signature_by_another_key_does_not_verify(self, settings):
        licence = issue_id_card()
        settings.HUB_SIGNING_KEY = "11" * 32
        settings.HUB_SIGNING_KEY_ID = "prod-2"
        client = verifier("holder_name")
        payload = client.post(
            f"{URL}verify/",
            {"identifier": licence.identifier, "holder_name": licence.holder_name},
            format="json",
        ).json()
        assert payload["signature_valid"] is False
        assert signing.key_id() == "prod-2"

    def test_status_is_reported_only_with_a_grant_on_it(self):
        licence = issue_id_card()
        services.suspend(licence, "gat", reason="lost")
        with_status = verifier("holder_name", "status")
        body = {"identifier": licence.identifier, "holder_name": licence.holder_name}
        answer = with_status.post(f"{URL}verify/", body, format="json").json()
        assert answer["status"] == "suspended" and answer["match"] is True
        without = verifier("holder_name")
        assert "status" not in without.post(f"{URL}verify/", body, format="json").json()

    def test_expired_status_is_derived(self):
        licence = issue_id_card(issue_date=datetime.date(1998, 3, 3))
        client = verifier("status", "valid_to")
        answer = client.post(
            f"{URL}verify/", {"identifier": licence.identifier, "status": "valid"}, format="json"
        )
        assert answer.json()["status"] == "expired" and answer.json()["items"] == {"status": False}
        # without the end of the term the caller gets the stored state: "expired" would tell it
        stored = verifier("status").post(
            f"{URL}verify/", {"identifier": licence.identifier, "status": "valid"}, format="json"
        )
        assert stored.json()["status"] == "valid" and stored.json()["items"] == {"status": True}

    def test_malformed_identifier_is_400_naming_the_rule(self):
        licence = issue_id_card()
        client = verifier("holder_name")
        bad = licence.identifier[:-1] + ("A" if licence.identifier[-1] != "A" else "B")
        response = client.post(f"{URL}verify/", {"identifier": bad, "holder_name": "x"}, format="json")
        assert response.status_code == 400
        assert "check character" in response.json()["detail"]
        assert client.get(f"{URL}{bad}/").status_code in (400, 403)

    def test_unknown_identifier_matches_nothing(self):
        issue_id_card()
        client = verifier("holder_name", "status")
        answer = client.post(
            f"{URL}verify/",
            {"identifier": identifier_for("resident_id_card", "NOPE"), "holder_name": "x"},
            format="json",
        ).json()
        assert answer == {
            "match": False,
            "items": {"holder_name": False},
            "signature_valid": False,
            "status": None,
        }

    def test_surface_data_must_be_an_object(self):
        licence = issue_id_card()
        client = verifier("surface_data")
        response = client.post(
            f"{URL}verify/", {"identifier": licence.identifier, "surface_data": "x"}, format="json"
        )
        assert response.status_code == 400


def searcher(*fields, mode="search"):
    return make_system(grants=[(f"licences.licence.{f}", mode, False) for f in fields])[1]


@pytest.mark.django_db
class TestSearchAndHolder:
    def test_lookup_shows_the_derived_status(self):
        licence = issue_id_card(issue_date=datetime.date(1998, 3, 3))
        client = searcher("status", "valid_to", mode="lookup")
        assert client.get(f"{URL}{licence.identifier}/").json() == {
            "valid_to": "2018-03-03",
            "status": "expired",
        }

    def test_search_by_status_uses_the_derived_status(self):
        person = make_person()
        valid = issue_id_card(person)
        expired = issue_id_card(person, number="OLD", issue_date=datetime.date(1998, 3, 3))
        suspended = issue_id_card(person, number="SUSP")
        services.suspend(suspended, "gat", reason="lost")
        client = searcher("identifier", "holder_key", "status", "valid_to")
        # "expired" is judged from the end of the term: the status filter reads valid_to as well
        without_term = searcher("identifier", "holder_key", "status").get(URL, {"status": "valid"})
        assert without_term.status_code == 400 and "valid_to" in without_term.json()["detail"]

        def found(**params):
            rows = client.get(URL, {"holder_key": person.id_number, **params}).json()["results"]
            return {r["identifier"] for r in rows}

        assert found(status="valid") == {valid.identifier}
        assert found(status="expired") == {expired.identifier}
        assert found(status="suspended") == {suspended.identifier}
        assert found() == {valid.identifier, expired.identifier, suspended.identifier}
        assert client.get(URL, {"status": "lost"}).status_code == 400

    def test_search_by_type_issuer_and_validity_window(self):
        person = make_person()
        old = issue_id_card(person, number="OLD", issue_date=datetime.date(1998, 3, 3))
        new = issue_id_card(person)
        client = searcher("identifier", "licence_type", "issuer_code", "valid_from", "valid_to")
        # valid_on reads both ends of the term (a 15-call bisection once recovered an ungranted valid_from)
        one_end = searcher("identifier", "valid_to").get(URL, {"valid_on": "2010-01-01"})
        assert one_end.status_code == 400 and "valid_from" in one_end.json()["detail"]
        rows = client.get(
            URL,
            {
                "licence_type": "11100000000010014P001",
                "issuer_code": new.issuer_code,
                "valid_on": "2010-01-01",
            },
        ).json()["results"]
        assert [r["identifier"] for r in rows] == [old.identifier]
        rows = client.get(URL, {"valid_to_after": "2030-01-01"}).json()["results"]
        assert [r["identifier"] for r in rows] == [new.identifier]
        refused = searcher("identifier").get(URL, {"valid_on": "2010-01-01"})
        assert refused.status_code == 400 and "valid_on" in refused.json()["detail"]

    def test_holder_endpoint_lists_valid_licences_with_a_search_grant_on_the_holder(self):
        person = make_person()
        valid = issue_id_card(person)
        issue_id_card(person, number="OLD", issue_date=datetime.date(1998, 3, 3))
        revoked = issue_id_card(person, number="REV")
        services.revoke(revoked, "gat", reason="replaced")
        issue_id_card()  # someone else's
        url = f"{URL}holders/{person.id_number}/"
        client = searcher("holder_key", "identifier", "status", "valid_from", "valid_to")
        response = client.get(url)
        assert response.status_code == 200
        assert response.json()["results"] == [
            {
                "identifier": valid.identifier,
                "holder_key": person.id_number,
                "valid_from": valid.valid_from.isoformat(),
                "valid_to": valid.valid_to.isoformat(),
                "status": "valid",
            }
        ]
        # listing only valid licences reads the status and the term: each needs its grant
        without_term = searcher("holder_key", "identifier", "status").get(url)
        assert without_term.status_code == 400 and "valid_from" in without_term.json()["detail"]
        lookup_only = searcher("holder_key", "identifier", mode="lookup")
        refused = lookup_only.get(url)
        assert refused.status_code == 403 and refused.json()["code"] == "no_grant"
        other_search = searcher("identifier").get(url)
        assert other_search.status_code == 400 and other_search.json()["code"] == "parameter_not_granted"

    def test_history_and_as_of_follow_the_state_actions(self):
        licence = issue_id_card()
        from django.utils import timezone

        before = timezone.now()
        services.suspend(licence, "gat", reason="reported lost")
        client = searcher("status", "status_reason", "licence_type", mode="lookup")
        versions = client.get(f"{URL}{licence.identifier}/history/").json()["results"]
        assert versions[0]["changes"]["status"] == {"old": "valid", "new": "suspended"}
        assert versions[0]["reason"] == "suspend: reported lost" and versions[0]["source"] == "gat"
        assert (
            client.get(f"{URL}{licence.identifier}/", {"as_of": before.isoformat()}).json()["status"]
            == "valid"
        )
        assert client.get(f"{URL}{licence.identifier}/").json()["status"] == "suspended"

    def test_as_of_reads_expiry_on_that_day(self):
        licence = issue_id_card(issue_date=datetime.date(1998, 3, 3))  # term ended 2018-03-03
        client = searcher("status", "valid_to", mode="lookup")
        assert client.get(f"{URL}{licence.identifier}/").json()["status"] == "expired"
        assert searcher("status", mode="lookup").get(f"{URL}{licence.identifier}/").json() == {
            "status": "valid"
        }
        Licence.history.filter(identifier=licence.identifier).update(
            history_date=datetime.datetime(2010, 1, 1, tzinfo=datetime.UTC)
        )
        then = client.get(f"{URL}{licence.identifier}/", {"as_of": "2015-06-01"}).json()
        assert then == {"status": "valid", "valid_to": "2018-03-03"}

    def test_verify_holder_key_ignores_case_of_the_check_x(self):
        from population.demo import make_id_number

        number = make_id_number("320102", datetime.date(1990, 1, 1), 3, True)
        while not number.endswith("X"):
            number = make_id_number("320102", datetime.date(1990, 1, 1), int(number[14:17]) // 2 + 1, True)
        licence = issue_id_card(make_person(id_number=number))
        client = verifier("holder_key")
        answer = client.post(
            f"{URL}verify/", {"identifier": licence.identifier, "holder_key": number.lower()}, format="json"
        )
        assert answer.json()["items"] == {"holder_key": True}

    def test_masked_holder_key(self):
        licence = issue_id_card()
        client = make_system(grants=[("licences.licence.holder_key", "lookup", True)])[1]
        shown = client.get(f"{URL}{licence.identifier}/").json()["holder_key"]
        assert shown == licence.holder_key[:4] + "*" * 10 + licence.holder_key[-4:]

    def test_signature_is_never_in_a_response_without_its_grant(self):
        licence = issue_id_card()
        client = searcher("holder_name", mode="lookup")
        assert licence.signature not in client.get(f"{URL}{licence.identifier}/").content.decode()


@pytest.mark.django_db
class TestReferenceEndpoints:
    def test_types_with_issuers_and_delta_recognition(self):
        client = make_system()[1]
        types = client.get("/api/v1/licences/types/").json()
        by_slug = {t["slug"]: t for t in types}
        assert len(by_slug) == 9
        assert by_slug["marriage_certificate"]["issuing_department"] == "mzt"
        assert by_slug["business_licence"]["issuing_department"] == "scjgj"
        assert by_slug["resident_id_card"]["yrd_recognized"] is True
        assert {r["region"] for r in by_slug["resident_id_card"]["recognized_in"]} == {
            "310000",
            "330000",
            "340000",
        }
        assert by_slug["real_estate_title"]["yrd_recognized"] is False
        shanghai = client.get("/api/v1/licences/types/", {"recognized_in": "310000"}).json()
        assert "real_estate_title" not in {t["slug"] for t in shanghai} and len(shanghai) == 7
        one = client.get("/api/v1/licences/types/11100000000010030D001/").json()
        assert one["name"] == "结婚证" and one["validity_policy"] == "long_term"

    def test_signing_key_endpoint_gives_the_public_key_that_verifies(self):
        from cryptography.hazmat.primitives.serialization import load_pem_public_key

        licence = issue_id_card()
        client = make_system()[1]
        payload = client.get("/api/v1/licences/signing-key/").json()
        assert payload["key_id"] == licence.signing_key_id and payload["algorithm"] == "Ed25519"
        import base64

        key = load_pem_public_key(payload["public_key"].encode())
        key.verify(base64.b64decode(licence.signature), signing.canonical_content(licence.content()))


@pytest.mark.django_db
def test_masked_surface_data_masks_each_item_by_its_own_rule():
    licence = issue_id_card()
    surface = licence.surface_data
    masked = make_system(grants=[("licences.licence.surface_data", "lookup", True)])[1]
    shown = masked.get(f"{URL}{licence.identifier}/").json()["surface_data"]
    assert shown["name"] == surface["name"][0] + "**"  # the length of a name is hidden too
    assert shown["id_number"] == surface["id_number"][:4] + "*" * 10 + surface["id_number"][-4:]
    assert shown["birth_date"] == surface["birth_date"][:4] + "-**-**"
    assert shown["gender"] == surface["gender"]
    assert surface["address"] not in json.dumps(shown, ensure_ascii=False)
    with_provenance = masked.get(f"{URL}{licence.identifier}/", {"provenance": "true"}).json()
    assert with_provenance["surface_data"]["value"] == shown
    clear = make_system(grants=[("licences.licence.surface_data", "lookup", False)])[1]
    assert clear.get(f"{URL}{licence.identifier}/").json()["surface_data"] == surface


@pytest.mark.django_db
def test_verify_batch_errors_name_the_row_from_one():
    licence = issue_id_card()
    client = verifier("holder_name")
    response = client.post(
        f"{URL}verify/",
        [{"identifier": licence.identifier, "holder_name": "x"}, {"identifier": "1.2.156.3005.2.bad"}],
        format="json",
    )
    assert response.status_code == 400 and "row 2" in response.json()["detail"]


@pytest.mark.django_db
def test_verify_without_the_identifier_grant_says_nothing_of_existence():
    """A holder-name verify grant compares names; it does not learn whether an identifier exists."""
    licence = issue_id_card()
    other = issue_id_card()
    client = searcher("holder_name", mode="verify")
    unknown = other.identifier
    with context.writing("gat", reason="test"):
        other.delete()
    answers = [
        client.post(f"{URL}verify/", {"identifier": key, "holder_name": "不是这个名字"}, format="json")
        for key in (licence.identifier, unknown)
    ]
    assert [a.status_code for a in answers] == [200, 200]
    assert (
        answers[0].json()
        == answers[1].json()
        == {
            "match": False,
            "items": {"holder_name": False},
            "signature_valid": None,
        }
    )
    empty = client.post(
        f"{URL}verify/", {"identifier": licence.identifier, "surface_data": {}}, format="json"
    )
    assert empty.status_code in (400, 403)
    surface = searcher("surface_data", mode="verify")
    empty = surface.post(
        f"{URL}verify/", {"identifier": licence.identifier, "surface_data": {}}, format="json"
    )
    assert empty.status_code == 400 and "surface_data" in str(empty.json())


@pytest.mark.django_db
def test_the_signature_is_shown_only_with_every_signed_item_in_the_clear():
    """With the public key, a shown signature would test guesses of a masked holder name offline."""
    from licences import signing

    licence = issue_id_card()
    partial = make_system(
        grants=[
            ("licences.licence.signature", "lookup", False),
            ("licences.licence.holder_name", "lookup", True),
        ]
    )[1]
    body = partial.get(f"{URL}{licence.identifier}/").json()
    assert "signature" not in body and body["holder_name"] != licence.holder_name
    history = partial.get(f"{URL}{licence.identifier}/history/").json()["results"]
    assert all("signature" not in version["changes"] for version in history)
    everything = make_system(
        grants=[(f"licences.licence.{f}", "lookup", False) for f in (*signing.SIGNED_FIELDS, "signature")]
    )[1]
    assert everything.get(f"{URL}{licence.identifier}/").json()["signature"] == licence.signature
