"""Stewards in the admin: division boundaries belong to natural resources, names to civil affairs."""

import json

import pytest
from django.test import Client

from geodata.models import Division, Parcel
from tests.factories import make_steward

from .helpers import make_parcel, square

pytestmark = pytest.mark.django_db


def admin_client(department):
    client = Client()
    client.force_login(make_steward(department))
    return client


@pytest.mark.parametrize("model", ["division", "address", "placename", "parcel", "resourceunit"])
def test_changelists_render(loaded_divisions, model):
    assert admin_client("zrzyt").get(f"/admin/geodata/{model}/").status_code == 200


def test_civil_affairs_cannot_edit_a_boundary_but_natural_resources_can(loaded_divisions):
    division = Division.objects.get(code="320102")
    url = f"/admin/geodata/division/{division.pk}/change/"
    civil = admin_client("mzt").get(url).content.decode()
    assert 'name="name"' in civil and 'name="geometry"' not in civil
    natural = admin_client("zrzyt").get(url).content.decode()
    assert 'name="geometry"' in natural and 'name="name"' not in natural


def test_a_steward_saving_an_invalid_parcel_geometry_gets_the_reason():
    parcel = make_parcel()
    url = f"/admin/geodata/parcel/{parcel.pk}/change/"
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[118.80, 32.05], [118.81, 32.06], [118.81, 32.05], [118.80, 32.06], [118.80, 32.05]]
        ],
    }
    data = {
        "unit_number": parcel.unit_number,
        "land_use_class": parcel.land_use_class,
        "land_use": parcel.land_use,
        "ownership": parcel.ownership,
        "right_type": parcel.right_type,
        "area": str(parcel.area),
        "geometry": json.dumps(bowtie),
    }
    response = admin_client("zrzyt").post(url, data)
    assert response.status_code == 200 and "Self-intersection" in response.content.decode()
    assert Parcel.objects.get(pk=parcel.pk).geometry == square(118.80, 32.05)
