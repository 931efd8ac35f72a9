"""The stewards' import page: upload, preview (nothing written), confirm."""

import io

import pytest
from openpyxl import Workbook

from hub.records.models import IngestBatch
from population.models import Person
from tests.factories import make_steward

from .ingest_helpers import as_csv, gat_rows

pytestmark = pytest.mark.django_db
URL = "/admin/records/ingestbatch/import/"


def _upload(client, name, data, **fields):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(URL, {"dataset": "population.person", "file": upload, **fields})


def test_preview_then_confirm(client):
    client.force_login(make_steward("gat"))
    rows = gat_rows(3)
    rows[2]["gender"] = "7"
    response = _upload(client, "persons.csv", as_csv(rows))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview["created"], preview["rejected_count"]) == (2, 1)
    assert Person.objects.count() == 0 and IngestBatch.objects.count() == 0
    response = client.post(URL, {"token": response.context["token"]})
    assert response.status_code == 302
    assert Person.objects.count() == 2
    batch = IngestBatch.objects.get()
    assert batch.channel == "admin" and batch.user is not None
    assert set(Person.history.values_list("history_user_id", flat=True)) == {batch.user_id}
    assert client.get("/admin/records/ingestbatch/").status_code == 200


def test_xlsx_upload_and_source_rule(client):
    gat_person = gat_rows(1)[0]
    from hub.records.ingest import ingest

    ingest("population.person", [gat_person], department="gat")
    client.force_login(make_steward("mzt"))
    book = Workbook()
    sheet = book.active
    sheet.append(["population.person.id_number", "population.person.marital_status"])
    sheet.append([gat_person["id_number"], "20"])
    data = io.BytesIO()
    book.save(data)
    response = _upload(client, "marriages.xlsx", data.getvalue())
    assert response.context["preview"]["updated"] == 1
    client.post(URL, {"token": response.context["token"]})
    assert Person.objects.get().marital_status == "20"
    response = _upload(client, "names.csv", as_csv([{"id_number": gat_person["id_number"], "name": "冒名"}]))
    assert "population.person.name" in response.context["error"]
    assert Person.objects.get().name == gat_person["name"]


def test_only_stewards_import(client, django_user_model):
    user = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(URL).status_code == 403
