"""The subject dossier: exactly the granted sections, masked as granted, one audit row per call."""

import pytest

from hub.access.models import AuditEntry
from tests.credit.factories import make_entity, make_record, new_uscc
from tests.factories import make_person, make_system

pytestmark = pytest.mark.django_db
SUMMARY = "credit.summary.subject_key"


def dossier(client, key, **headers):
    return client.get(f"/api/v1/subjects/{key}/", **headers)


def last_audit():
    return AuditEntry.objects.order_by("-id").first()


def test_person_dossier_returns_only_the_person_items_granted():
    person = make_person()
    make_record("dishonest_debtor", person.id_number, "gy", subject_type="person")
    system, client = make_system(grants=[("population.person.name", "lookup", False)])
    response = dossier(client, person.id_number)
    assert response.status_code == 200
    body = response.json()
    assert body["sections"] == ["person"]
    assert body["person"] == {"name": person.name}
    assert "credit" not in body and "licences" not in body and "entity" not in body
    row = last_audit()
    assert row.system_id == system.pk and row.dataset == "subjects" and row.mode == "lookup"
    assert row.items == ["population.person.name"] and row.subject_keys == [person.id_number]


def test_person_dossier_with_credit_summary():
    person = make_person()
    make_record("dishonest_debtor", person.id_number, "gy", subject_type="person")
    _s, client = make_system(
        grants=[
            ("population.person.name", "lookup", True),
            ("population.person.gender", "search", False),
            (SUMMARY, "lookup", False),
        ]
    )
    before = AuditEntry.objects.count()
    body = dossier(client, person.id_number).json()
    assert body["sections"] == ["person", "credit"]
    assert body["person"] == {"name": person.name[0] + "**", "gender": person.gender}
    assert body["credit"]["negative"]["dishonest_debtor"] == 1
    assert AuditEntry.objects.count() == before + 1
    assert last_audit().items == ["population.person.name", "population.person.gender", SUMMARY]


def test_credit_only_dossier_shows_no_identity():
    person = make_person()
    _s, client = make_system(grants=[(SUMMARY, "lookup", False)])
    body = dossier(client, person.id_number).json()
    assert body["sections"] == ["credit"]
    assert body["credit"]["negative_total"] == 0
    assert person.name not in str(body)


def test_entity_dossier():
    entity = make_entity()
    make_record("penalty", entity.uscc, "scjgj")
    _s, client = make_system(
        grants=[
            ("credit.legal_entity.name", "lookup", False),
            ("credit.legal_entity.legal_representative", "lookup", True),
            (SUMMARY, "lookup", False),
            ("population.person.name", "lookup", False),  # a person grant does not apply to an entity
        ]
    )
    body = dossier(client, entity.uscc.lower()).json()
    assert body["subject"] == entity.uscc and body["subject_type"] == "entity"
    assert body["sections"] == ["entity", "credit"]
    assert body["entity"]["name"] == entity.name
    assert body["entity"]["legal_representative"] != entity.legal_representative
    assert body["credit"]["negative"]["penalty"] == 1
    assert last_audit().items == [
        "credit.legal_entity.name",
        "credit.legal_entity.legal_representative",
        SUMMARY,
    ]


def test_verify_grants_do_not_open_a_section():
    person = make_person()
    _s, client = make_system(grants=[("population.person.name", "verify", False), (SUMMARY, "verify", False)])
    response = dossier(client, person.id_number)
    assert response.status_code == 403
    assert response.json()["code"] == "no_grant" and person.name not in response.content.decode()
    row = last_audit()
    assert row.status == 403 and row.items == [] and row.dataset == "subjects"


def test_no_grant_looks_the_same_for_known_and_unknown_subjects():
    person = make_person()
    _s, client = make_system(grants=[("credit.record.kind", "search", False)])
    known = dossier(client, person.id_number)
    unknown = dossier(client, "11010519491231002X")
    assert known.status_code == unknown.status_code == 403
    assert known.json() == unknown.json()


def test_unknown_subject_is_404_and_bad_key_400():
    _s, client = make_system(grants=[("population.person.name", "lookup", False)])
    assert dossier(client, "11010519491231002X").status_code == 404
    _s, client = make_system(grants=[("credit.legal_entity.name", "lookup", False)])
    assert dossier(client, new_uscc()).status_code == 404
    bad = dossier(client, "12345")
    assert bad.status_code == 400
    assert "citizen ID number" in bad.json()["detail"] and "credit code" in bad.json()["detail"]


def test_revoked_grant_closes_its_section_on_the_next_call():
    from django.utils import timezone

    from hub.access.models import Grant

    person = make_person()
    system, client = make_system(
        grants=[("population.person.name", "lookup", False), (SUMMARY, "lookup", False)]
    )
    assert dossier(client, person.id_number).json()["sections"] == ["person", "credit"]
    Grant.objects.filter(system=system, item__code=SUMMARY).update(revoked_at=timezone.now())
    assert dossier(client, person.id_number).json()["sections"] == ["person"]


def test_a_credit_summary_answers_for_any_key_so_the_dossier_does_not_reveal_unseen_records():
    """Whether a person exists is not the summary holder's to learn: 200 with zero counts either way."""
    person = make_person()
    _s, client = make_system(grants=[("population.person.name", "lookup", False), (SUMMARY, "lookup", False)])
    unknown = dossier(client, "11010519491231002X").json()
    assert unknown["person"] is None and unknown["credit"]["negative_total"] == 0
    _s, summary_only = make_system(grants=[(SUMMARY, "lookup", False)])
    known, missing = dossier(summary_only, person.id_number), dossier(summary_only, "11010519491231002X")
    assert known.status_code == missing.status_code == 200

    def same_shape(response, key):
        body = response.json()
        del body["credit"]["as_of"]  # the time of the call
        return str(body).replace(key, "KEY")

    assert same_shape(known, person.id_number) == same_shape(missing, "11010519491231002X")


# -- licences section (licences library) --------------------------------------------------------

HOLDER_SEARCH = [
    ("licences.licence.holder_key", "search", False),
    ("licences.licence.status", "search", False),
    ("licences.licence.valid_from", "search", False),
    ("licences.licence.valid_to", "search", False),
]


def test_licence_section_needs_what_a_holder_search_needs():
    """A lookup grant on the licence type is not a search by holder: no section, and so no dossier."""
    from tests.licences.helpers import issue_id_card

    person = make_person()
    issue_id_card(person)
    _s, client = make_system(grants=[("licences.licence.licence_type", "lookup", False)])
    assert dossier(client, person.id_number).status_code == 403
    masked_holder = [("licences.licence.holder_key", "search", True), *HOLDER_SEARCH[1:]]
    _s, client = make_system(grants=[*masked_holder, ("population.person.name", "lookup", False)])
    assert dossier(client, person.id_number).json()["sections"] == ["person"]


def test_licence_section_shows_valid_licences_with_granted_items_only():
    from tests.licences.helpers import issue_id_card

    person = make_person()
    card = issue_id_card(person)
    system, client = make_system(
        grants=[
            ("licences.licence.licence_type", "search", False),
            ("licences.licence.number", "search", True),
            ("licences.licence.issue_date", "lookup", False),  # lookup is not enough for a listing
            *HOLDER_SEARCH,
        ]
    )
    body = dossier(client, person.id_number).json()
    assert body["sections"] == ["licences"]
    [licence] = body["licences"]
    assert set(licence) == {
        "licence_type",
        "licence_type_name",
        "number",
        "holder_key",
        "status",
        "valid_from",
        "valid_to",
    }
    assert licence["number"] != card.number and licence["number"][:6] == card.number[:6]
    assert licence["valid_to"] == card.valid_to.isoformat()
    assert "surface_data" not in str(body) and person.name not in str(body)
    assert last_audit().items == [
        "licences.licence.licence_type",
        "licences.licence.number",
        "licences.licence.holder_key",
        "licences.licence.valid_from",
        "licences.licence.valid_to",
        "licences.licence.status",
    ]


def test_full_dossier_of_an_entity_lists_every_section_in_one_audit_row():
    from licences import services as licence_services
    from tests.licences.helpers import business_values

    entity = make_entity()
    licence_services.issue("scjgj", reason="test", **business_values(entity.uscc, entity.name))
    make_record("red_list", entity.uscc, "swj")
    _s, client = make_system(
        grants=[
            ("credit.legal_entity.name", "lookup", False),
            ("licences.licence.identifier", "search", False),
            *HOLDER_SEARCH,
            (SUMMARY, "lookup", False),
        ]
    )
    before = AuditEntry.objects.count()
    body = dossier(client, entity.uscc).json()
    assert body["sections"] == ["entity", "licences", "credit"]
    assert len(body["licences"]) == 1
    assert set(body["licences"][0]) == {"identifier", "holder_key", "status", "valid_from", "valid_to"}
    assert body["credit"]["red_listed"] is True
    assert AuditEntry.objects.count() == before + 1
    assert last_audit().items[:2] == ["credit.legal_entity.name", "licences.licence.identifier"]
    assert last_audit().items[-1] == SUMMARY


def test_sections_whose_grants_need_a_purpose_need_the_header():
    from hub.access.models import Grant

    person = make_person()
    system, client = make_system(
        grants=[("population.person.name", "lookup", False), (SUMMARY, "lookup", False)]
    )
    Grant.objects.filter(system=system, item__code=SUMMARY).update(require_purpose_header=True)
    assert dossier(client, person.id_number).json()["sections"] == ["person"]
    with_purpose = dossier(client, person.id_number, HTTP_X_PURPOSE="苏审批〔2026〕12号")
    assert with_purpose.json()["sections"] == ["person", "credit"]
    assert last_audit().purpose == "苏审批〔2026〕12号"
    Grant.objects.filter(system=system).update(require_purpose_header=True)
    refused = dossier(client, person.id_number)
    assert refused.status_code == 403 and "X-Purpose" in refused.json()["detail"]
