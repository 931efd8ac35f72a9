"""Stewards in the admin: records of their own authority only."""

import pytest
from django.test import Client

from credit.models import CreditRecord, new_record_id
from tests.credit.factories import make_entity, make_record, record_values
from tests.factories import make_steward

pytestmark = pytest.mark.django_db


def admin_client(department):
    client = Client()
    client.force_login(make_steward(department))
    return client


def post_data(values):
    return {k: ("" if v is None else str(v)) for k, v in values.items()}


def test_steward_adds_a_penalty_of_their_own_authority_with_history():
    entity = make_entity()
    values = record_values("penalty", entity.uscc, "scjgj", record_id=new_record_id())  # the form's default
    response = admin_client("scjgj").post("/admin/credit/creditrecord/add/", post_data(values))
    assert response.status_code == 302, response.content.decode()[:3000]
    record = CreditRecord.objects.get(decision_number=values["decision_number"])
    assert record.history.get().source_department == "scjgj"


def test_steward_cannot_add_a_record_for_another_authority():
    entity = make_entity()
    values = record_values("penalty", entity.uscc, "swj", record_id=new_record_id())
    response = admin_client("scjgj").post("/admin/credit/creditrecord/add/", post_data(values))
    assert response.status_code in (200, 403)
    assert not CreditRecord.objects.filter(decision_number=values["decision_number"]).exists()


def test_steward_of_another_authority_sees_the_record_read_only():
    record = make_record("penalty", make_entity().uscc, "swj")
    client = admin_client("scjgj")
    url = f"/admin/credit/creditrecord/{record.pk}/change/"
    page = client.get(url)
    assert page.status_code in (200, 403)
    if page.status_code == 200:
        assert 'name="content"' not in page.content.decode()
    client.post(url, {"content": "改写"})
    assert CreditRecord.objects.get(pk=record.pk).content == record.content
    own = admin_client("swj")
    data = post_data({f.name: getattr(record, f.name) for f in CreditRecord.item_fields()})
    data.update(content="警告并罚款", _change_reason="更正")
    response = own.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert CreditRecord.objects.get(pk=record.pk).content == "警告并罚款"


def test_penalty_without_decision_number_is_refused_in_the_admin():
    entity = make_entity()
    values = record_values("penalty", entity.uscc, "scjgj", decision_number="", record_id=new_record_id())
    response = admin_client("scjgj").post("/admin/credit/creditrecord/add/", post_data(values))
    assert response.status_code == 200
    assert "decision number" in response.content.decode() or "决定文书号" in response.content.decode()
    assert not CreditRecord.objects.exists()
