"""Self-service limits are declared per item, loaded with the catalogue and kept in the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from hub.catalogue import loader, registry
from hub.catalogue import spec as catalogue
from hub.catalogue.choices import SELF_SERVICE_DEFAULTS, SelfServiceMode, Sensitivity
from hub.catalogue.declarations import Item
from hub.catalogue.models import DataItem

pytestmark = pytest.mark.django_db


def test_every_loaded_item_carries_the_defaults_of_its_sensitivity():
    for item in DataItem.objects.all():
        mode, unmasked, days = SELF_SERVICE_DEFAULTS[Sensitivity(item.sensitivity)]
        assert (item.self_service_mode, item.unmasked_needs_approval, item.max_grant_days) == (
            mode,
            unmasked,
            days,
        ), item.code
    name = catalogue.item("population.person.name")
    assert (name.self_service_mode, name.unmasked_needs_approval) == (SelfServiceMode.LOOKUP, True)


def test_a_declaration_overrides_the_defaults_and_loading_writes_it(monkeypatch):
    declared = registry.declarations()
    person = next(d for d in declared if d.code == "population.person")
    gender = next(i for i in person.items if i.field == "gender")
    assert gender.self_service() == SELF_SERVICE_DEFAULTS[Sensitivity.INTERNAL]
    tuned = Item(
        "gender",
        gender.name,
        gender.source,
        gender.sharing,
        gender.sensitivity,
        self_service_mode=SelfServiceMode.VERIFY,
        unmasked_needs_approval=True,
        max_grant_days=90,
    )
    items = [tuned if i.field == "gender" else i for i in person.items]
    patched = [
        d if d is not person else type(person)(**{**person.__dict__, "items": items}) for d in declared
    ]
    monkeypatch.setattr(registry, "declarations", lambda: patched)
    loader.load()
    row = DataItem.objects.get(code="population.person.gender")
    assert (row.self_service_mode, row.unmasked_needs_approval, row.max_grant_days) == (1, True, 90)


def test_an_operator_edits_the_limits_in_the_admin():
    admin = get_user_model().objects.create_superuser("root", "root@example.invalid", "pw")
    browser = Client()
    browser.force_login(admin)
    item = DataItem.objects.get(code="population.person.gender")
    page = browser.get(f"/admin/catalogue/dataitem/{item.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="self_service_mode"' in body and 'name="max_grant_days"' in body
    assert 'name="unmasked_needs_approval"' in body


def test_the_catalogue_api_says_what_an_application_gets_at_once():
    from tests.factories import make_system

    _s, client = make_system()
    items = {
        item["code"]: item["self_service"]
        for item in client.get("/api/v1/catalogue/datasets/population.person/").json()["items"]
    }
    assert items["population.person.gender"] == {
        "mode": "lookup",
        "unmasked_needs_approval": False,
        "max_grant_days": 365,
    }
    # Sensitivity 3: never search, never unmasked at once, whatever is declared.
    DataItem.objects.filter(code="population.person.name").update(
        self_service_mode=SelfServiceMode.SEARCH, unmasked_needs_approval=False
    )
    catalogue.clear()
    items = {
        item["code"]: item["self_service"]
        for item in client.get("/api/v1/catalogue/datasets/population.person/").json()["items"]
    }
    assert items["population.person.name"]["mode"] == "lookup"
    assert items["population.person.name"]["unmasked_needs_approval"] is True
    assert items["population.person.marital_status"]["mode"] is None  # conditional
