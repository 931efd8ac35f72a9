"""Issuing and changing licences: validation, the one-source rule per type, signing, state actions."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from hub.records import context
from hub.records.sources import SourceRuleViolation
from licences import services, signing
from licences.lookup import valid_licences
from licences.models import Licence
from population.demo import make_id_number
from tests.factories import make_person

from .helpers import business_values, id_card_values, identifier_for, issue_id_card, marriage_values

pytestmark = pytest.mark.django_db


def test_issue_signs_the_licence_and_records_history_as_the_issuer():
    licence = issue_id_card()
    assert licence.identifier.startswith("1.2.156.3005.2.11100000000010014P001.1132000001400001XX.")
    assert licence.signing_key_id == signing.key_id()
    assert licence.signature_holds()
    assert licence.holder_key not in licence.identifier  # the public identifier hides the holder
    (row,) = licence.history.all()
    assert row.history_type == "+" and row.source_department == "gat"


def test_market_regulation_cannot_write_a_marriage_certificate():
    husband, wife = make_person(), make_person()
    with pytest.raises(SourceRuleViolation) as exc:
        services.issue("scjgj", **marriage_values(husband, wife))
    assert "licences.licence.identifier" in exc.value.message and "mzt" in exc.value.message
    assert not Licence.objects.exists()
    certificate = services.issue("mzt", **marriage_values(husband, wife))
    with pytest.raises(SourceRuleViolation):
        services.change(certificate, "scjgj", holder_name="改名")
    with pytest.raises(SourceRuleViolation):
        services.suspend(certificate, "scjgj", reason="not ours")
    fresh = Licence.objects.get(pk=certificate.pk)
    assert fresh.holder_name == husband.name and fresh.status == "valid"
    assert fresh.history.count() == 1


def test_changing_the_type_needs_both_issuers():
    licence = issue_id_card()
    with pytest.raises(SourceRuleViolation), context.writing("gat"):
        licence.licence_type = "11100000000010030D001"
        licence.save()


@pytest.mark.parametrize(
    "overrides, field, fragment",
    [
        (
            {"identifier": "1.2.156.3005.2.11100000000010014P001.1132000001400001XX.1234.001.Z"},
            "identifier",
            "check",
        ),
        (
            {"identifier": "1.2.156.3005.2.11100000000010014P001.1132000001400001XX.1234"},
            "identifier",
            "five parts",
        ),
        ({"holder_key": "320102199001011235"}, "holder_key", "check character"),
        ({"valid_to": datetime.date(2019, 1, 1)}, "valid_to", "before valid_from"),
        ({"holder_kind": "entity"}, "holder_kind", "person"),
        ({"surface_data": {"name": "x"}}, "surface_data", "required"),
        ({"surface_data": {"colour": "red"}}, "surface_data", "not a surface item"),
        ({"division_code": "329999"}, "division_code", "GB/T 2260"),
        ({"file_digest": "abc"}, "file_digest", "SHA-256"),
        ({"issuer_code": "11320000014000028X"}, "identifier", "issuer code"),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_nothing_is_written(overrides, field, fragment):
    person = make_person()
    values = id_card_values(person)
    if "identifier" not in overrides and "issuer_code" in overrides:
        values["identifier"] = identifier_for("resident_id_card", "A1")
    values.update(overrides)
    with pytest.raises(ValidationError) as exc:
        services.issue("gat", **values)
    messages = " ".join(exc.value.message_dict.get(field, []))
    assert fragment in messages, exc.value.message_dict
    assert not Licence.objects.exists()


def test_holder_must_exist_in_the_population_library():
    person = make_person()
    stranger = make_id_number("320102", datetime.date(1980, 1, 2), 11, True)
    values = id_card_values(person, holder_key=stranger)
    with pytest.raises(ValidationError) as exc:
        services.issue("gat", **values)
    assert "population library" in " ".join(exc.value.message_dict["holder_key"])
    assert not Licence.objects.exists()


def test_holder_entity_must_exist_in_the_credit_library(monkeypatch):
    uscc = "91320102MA1XXXXXX"  # malformed: 17 characters
    with pytest.raises(ValidationError):
        services.issue("scjgj", **business_values(uscc))
    from credit.validators import org_code_check_char, uscc_check_char

    first17 = "91320102MA1N0000" + org_code_check_char("MA1N0000")
    uscc = first17 + uscc_check_char(first17)
    monkeypatch.setattr("credit.lookup.entity_exists", lambda key: False)
    with pytest.raises(ValidationError) as exc:
        services.issue("scjgj", **business_values(uscc))
    assert "credit library" in " ".join(exc.value.message_dict["holder_key"])
    monkeypatch.setattr("credit.lookup.entity_exists", lambda key: key == uscc)
    licence = services.issue("scjgj", **business_values(uscc))
    assert licence.holder_kind == "entity" and licence.signature_holds()


def test_validity_policy_of_the_type():
    husband, wife = make_person(), make_person()
    with pytest.raises(ValidationError) as exc:
        services.issue("mzt", **marriage_values(husband, wife, valid_to=datetime.date(2030, 1, 1)))
    assert "long-term" in " ".join(exc.value.message_dict["valid_to"])


def test_state_actions_each_write_a_history_entry_with_the_reason():
    licence = issue_id_card()
    services.suspend(licence, "gat", reason="reported lost")
    services.restore(licence, "gat", reason="found again")
    services.revoke(licence, "gat", reason="replaced by a new card")
    fresh = Licence.objects.get(pk=licence.pk)
    assert fresh.status == "revoked" and fresh.status_reason == "replaced by a new card"
    rows = list(fresh.history.order_by("history_date", "history_id"))
    assert [r.status for r in rows] == ["valid", "suspended", "valid", "revoked"]
    assert [r.history_change_reason for r in rows[1:]] == [
        "suspend: reported lost",
        "restore: found again",
        "revoke: replaced by a new card",
    ]
    assert all(r.source_department == "gat" for r in rows)
    # The state is not content: the signature taken at issue still holds.
    assert fresh.signature == licence.signature and fresh.signature_holds()


def test_state_actions_refuse_wrong_states_and_missing_reasons():
    licence = issue_id_card()
    with pytest.raises(ValidationError):
        services.restore(licence, "gat", reason="nothing to restore")
    with pytest.raises(ValidationError) as exc:
        services.suspend(licence, "gat", reason="  ")
    assert "reason" in exc.value.message_dict
    services.revoke(licence, "gat", reason="fraud")
    for action in ("suspend", "restore", "revoke"):
        with pytest.raises(ValidationError):
            services.transition(licence, action, "gat", reason="again")
    assert Licence.objects.get(pk=licence.pk).history.count() == 2


def test_expired_is_derived_from_the_dates_not_stored():
    licence = issue_id_card(issue_date=datetime.date(2000, 1, 1))  # 20-year term ended 2020
    assert licence.status == "valid" and licence.current_status == "expired"
    annotated = Licence.objects.with_current_status().get(pk=licence.pk)
    assert annotated.current_status == "expired"
    assert not Licence.objects.currently_valid().exists()
    services.change(licence, "gat", valid_to=datetime.date(2099, 1, 1), reason="renewed")
    assert Licence.objects.with_current_status().get(pk=licence.pk).current_status == "valid"


def test_a_content_change_re_signs_and_tampering_breaks_the_signature():
    licence = issue_id_card()
    old = licence.signature
    changed = services.change(licence, "gat", holder_name="李四", reason="name corrected")
    assert changed.signature != old and changed.signature_holds()
    Licence.objects.filter(pk=licence.pk).update(holder_name="王五")  # behind the hub's back
    assert not Licence.objects.get(pk=licence.pk).signature_holds()


def test_valid_licences_lists_only_currently_valid_ones():
    person = make_person()
    card = issue_id_card(person)
    old = issue_id_card(person, number="OLD1", issue_date=datetime.date(1999, 1, 1))
    revoked = issue_id_card(person, number="REV1")
    services.revoke(revoked, "gat", reason="replaced")
    rows = valid_licences(person.id_number)
    assert [r["identifier"] for r in rows] == [card.identifier]
    assert rows[0]["licence_type_name"] == "中华人民共和国居民身份证" and rows[0]["status"] == "valid"
    assert old.current_status == "expired"
    assert valid_licences("nobody") == []


def test_licences_written_around_save_are_signed_after_the_batch():
    from hub.records.events import records_written

    licence = issue_id_card()
    Licence.objects.filter(pk=licence.pk).update(holder_name="赵六", signature="")
    records_written.send(sender=Licence, dataset="licences.licence", keys=[licence.identifier])
    assert Licence.objects.get(pk=licence.pk).signature_holds()


def test_resign_command_after_a_key_change(settings):
    import io

    from django.core.management import call_command

    licence = issue_id_card()
    settings.HUB_SIGNING_KEY = "22" * 32
    settings.HUB_SIGNING_KEY_ID = "prod-3"
    assert not Licence.objects.get(pk=licence.pk).signature_holds()
    out = io.StringIO()
    call_command("resign_licences", stdout=out)
    assert "Re-signed 1" in out.getvalue()
    fresh = Licence.objects.get(pk=licence.pk)
    assert fresh.signing_key_id == "prod-3" and fresh.signature_holds()


def test_deploy_check_requires_a_configured_signing_key(settings):
    from licences.checks import signing_key_configured

    settings.HUB_SIGNING_KEY = ""
    assert [e.id for e in signing_key_configured(None)] == ["licences.E001"]
    settings.HUB_SIGNING_KEY = "not a key"
    assert [e.id for e in signing_key_configured(None)] == ["licences.E002"]
    settings.HUB_SIGNING_KEY = "33" * 32
    assert signing_key_configured(None) == []


def test_change_cannot_move_a_licence_around_the_state_machine():
    licence = services.revoke(issue_id_card(), "gat", reason="obtained by fraud")
    with pytest.raises(ValidationError) as refused:
        services.change(licence, "gat", status="valid", reason="changed my mind")
    assert "licences.transitions" in " ".join(refused.value.message_dict["status"])
    fresh = Licence.objects.get(pk=licence.pk)
    assert fresh.status == "revoked" and fresh.history.count() == 2


def test_change_re_signs_on_the_one_write_path():
    licence = issue_id_card()
    changed = services.change(licence, "gat", holder_name="改名后", reason="name changed")
    assert changed.holder_name == "改名后" and changed.signature_holds()
    assert changed.signature != licence.signature
    latest = changed.history.order_by("-history_id").first()
    assert latest.batch and latest.history_change_reason == "name changed"
