"""The one-source rule per partition: licences, partitioned by type, each type's issuer its source."""

import io
import json

import pytest

from hub.records.ingest import ingest
from hub.records.sources import SourceRuleViolation
from licences import identifiers, reference
from licences.models import Licence
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def id_card_row(person, serial):
    kind = reference.type_by_slug("resident_id_card")
    issuer = reference.issuer(kind["issuing_department"])
    return {
        "identifier": identifiers.build(kind["code"], issuer["credit_code"], serial),
        "licence_type": kind["code"],
        "number": person.id_number,
        "holder_kind": "person",
        "holder_key": person.id_number,
        "holder_name": person.name,
        "issuing_authority": issuer["name"],
        "issuer_code": issuer["credit_code"],
        "issue_date": "2020-05-06",
        "valid_from": "2020-05-06",
        "valid_to": "2040-05-06",
        "status": "valid",
        "surface_data": {
            "name": person.name,
            "gender": person.gender,
            "ethnicity": person.ethnicity,
            "birth_date": person.birth_date.isoformat(),
            "address": person.household_address,
            "id_number": person.id_number,
        },
    }


def load(rows, department):
    body = io.BytesIO(json.dumps(rows, ensure_ascii=False).encode())
    return ingest("licences.licence", body, fmt="json", department=department).report


def test_the_partitions_source_creates_and_changes_its_licences():
    source = reference.type_by_slug("resident_id_card")["issuing_department"]
    row = id_card_row(make_person(), "000001")
    report = load([row], source)
    assert report["created"] == 1, report["rejected"]
    assert load([{"identifier": row["identifier"], "status_reason": "补领"}], source)["updated"] == 1
    assert Licence.objects.get().status_reason == "补领"


def test_another_department_is_refused_per_partition():
    source = reference.type_by_slug("resident_id_card")["issuing_department"]
    other = "mzt" if source != "mzt" else "gat"
    row = id_card_row(make_person(), "000002")
    with pytest.raises(SourceRuleViolation) as refused:
        load([row], other)
    assert refused.value.violations[0]["source"] == source
    assert Licence.objects.count() == 0
    load([row], source)
    # an existing licence of the type: its other items are not the other department's either
    with pytest.raises(SourceRuleViolation):
        load([{"identifier": row["identifier"], "status_reason": "x"}], other)
    assert Licence.objects.get().status_reason == ""


def test_a_plain_csv_naming_another_sources_partition_is_refused_whole_even_if_its_rows_are_invalid(
    monkeypatch,
):
    """The partition as sent counts, valid or not — also when the body goes straight to COPY."""
    from django.db import connection

    from hub.records.ingest import postgres

    taken = []
    original = postgres.CopyLoader.stage_csv
    monkeypatch.setattr(
        postgres.CopyLoader, "stage_csv", lambda self, *args: taken.append(original(self, *args)) or taken[-1]
    )
    kind = reference.type_by_slug("resident_id_card")
    other = "mzt" if kind["issuing_department"] != "mzt" else "gat"
    body = f"identifier,licence_type,status_reason\nNOT-AN-IDENTIFIER,{kind['code']},x\n".encode()
    with pytest.raises(SourceRuleViolation) as refused:
        ingest("licences.licence", io.BytesIO(body), fmt="csv", department=other)
    assert refused.value.violations[0]["source"] == kind["issuing_department"]
    assert Licence.objects.count() == 0
    assert taken == ([True] if connection.vendor == "postgresql" else [])
