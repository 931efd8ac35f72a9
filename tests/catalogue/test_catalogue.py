import pytest
from django.core.exceptions import ValidationError

from hub.catalogue import loader
from hub.catalogue import spec as catalogue
from hub.catalogue.models import DataItem, Dataset, Department
from tests.factories import make_system

pytestmark = pytest.mark.django_db


def test_reference_data_has_departments_cities_and_libraries():
    assert Department.objects.filter(level="city").count() == 13
    assert Department.objects.get(division_code="321300").name.startswith("宿迁")
    sources = dict(
        DataItem.objects.filter(dataset__code="population.person").values_list(
            "field", "source_department__code"
        )
    )
    assert sources["name"] == sources["id_number"] == "gat"
    assert (sources["marital_status"], sources["education_level"], sources["death_date"]) == (
        "mzt",
        "jyt",
        "wjw",
    )
    assert sources["social_insurance_status"] == "rst"


def test_loading_twice_changes_nothing():
    before = list(
        DataItem.objects.order_by("code").values_list("code", "source_department_id", "sharing_type")
    )
    loader.load()
    after = list(
        DataItem.objects.order_by("code").values_list("code", "source_department_id", "sharing_type")
    )
    assert before == after


def test_every_item_has_exactly_one_source():
    item = DataItem.objects.get(code="population.person.name")
    item.source_department = None
    with pytest.raises(ValidationError):
        item.full_clean()
    for spec in catalogue.all_datasets():
        for entry in spec.items:
            assert (entry.source is None) == bool(spec.partition_field), entry.code


def test_catalogue_changes_reach_the_cached_spec():
    assert catalogue.item("population.person.name").masking == "name"
    DataItem.objects.filter(code="population.person.name").update(masking="full")
    item = DataItem.objects.get(code="population.person.name")
    item.save()  # the signal drops the cache
    assert catalogue.item("population.person.name").masking == "full"


def test_catalogue_endpoints():
    _system, client = make_system()
    departments = client.get("/api/v1/catalogue/departments/")
    assert departments.status_code == 200
    assert "gat" in {d["code"] for d in departments.json()["results"]}
    dataset = client.get("/api/v1/catalogue/datasets/population.person/").json()
    item = next(i for i in dataset["items"] if i["code"] == "population.person.marital_status")
    assert item["source_department"] == "mzt" and item["sharing_type"] == "conditional"
    assert {"sensitivity", "masking", "update_cycle"} <= set(item)
    assert client.get("/api/v1/catalogue/datasets/").status_code == 200
    assert client.get("/api/v1/catalogue/datasets/no.such/").status_code == 404
    assert Dataset.objects.filter(code="population.person").exists()
