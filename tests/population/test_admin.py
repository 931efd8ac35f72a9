"""Stewards in the admin: their own department's items only, with history and diffs."""

import pytest
from django.test import Client

from population.models import Person
from tests.factories import make_person, make_steward

pytestmark = pytest.mark.django_db


def admin_client(department):
    client = Client()
    client.force_login(make_steward(department))
    return client


def form_data(person, **changes):
    fields = [f.name for f in Person.item_fields()]
    data = {name: getattr(person, name) or "" for name in fields}
    data.update(changes)
    return {k: ("" if v is None else str(v)) for k, v in data.items()}


def test_civil_affairs_steward_sees_name_read_only_and_a_forged_post_is_refused():
    person = make_person()
    client = admin_client("mzt")
    url = f"/admin/population/person/{person.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="marital_status"' in page.content.decode()
    assert 'name="name"' not in page.content.decode()
    response = client.post(url, form_data(person, name="伪造", marital_status="20"))
    assert response.status_code == 200  # form redisplayed with the error
    assert "不是" in response.content.decode() or "not the source" in response.content.decode()
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.name == person.name and fresh.marital_status == ""


def test_civil_affairs_steward_changes_marital_status_with_history():
    person = make_person()
    client = admin_client("mzt")
    url = f"/admin/population/person/{person.pk}/change/"
    response = client.post(url, {"marital_status": "20"})
    assert response.status_code == 302, response.content.decode()[:2000]
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.marital_status == "20"
    latest = fresh.history.order_by("-history_id").first()
    assert latest.source_department == "mzt"
    assert latest.history_user.username.startswith("steward-mzt")
    history_page = client.get(f"/admin/population/person/{person.pk}/history/")
    assert history_page.status_code == 200
    page = history_page.content.decode()
    assert "&rarr;" in page  # the diff column
    assert "marital status" in page.lower() or "婚姻状况" in page


def test_public_security_steward_cannot_change_marital_status():
    person = make_person()
    client = admin_client("gat")
    url = f"/admin/population/person/{person.pk}/change/"
    response = client.post(url, form_data(person, marital_status="20"))
    assert response.status_code == 200
    assert Person.objects.get(pk=person.pk).marital_status == ""


def test_only_the_key_source_may_add_persons_and_nobody_deletes():
    assert admin_client("gat").get("/admin/population/person/add/").status_code == 200
    assert admin_client("mzt").get("/admin/population/person/add/").status_code == 403
    person = make_person()
    assert admin_client("gat").get(f"/admin/population/person/{person.pk}/delete/").status_code == 403
