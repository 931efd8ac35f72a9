"""Explicit builders for test data: departments' writes, systems, keys, grants."""

import itertools

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from hub.access.choices import Mode
from hub.access.models import ApiKey, ConsumerSystem, Grant
from hub.catalogue.models import DataItem, Department, Steward
from hub.records import context
from population.demo import generate_persons

_counter = itertools.count(1)


def person_rows(count=1, seed=None):
    """Valid synthetic person rows (dicts of field → value)."""
    return list(generate_persons(count, seed=seed if seed is not None else next(_counter)))


def make_person(**overrides):
    """A person created by public security (the key's source), other items left empty."""
    from population.models import Person

    row = person_rows(1)[0]
    identity = {
        k: row[k]
        for k in (
            "id_number",
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "household_division",
            "household_address",
            "residence_address",
            "birthplace_division",
        )
    }
    identity.update({k: v for k, v in overrides.items() if k in identity})
    with context.writing("gat", reason="test"):
        person = Person(**identity)
        person.save()
    others = {k: v for k, v in overrides.items() if k not in identity}
    for field, value in others.items():
        source = Person.catalogue_spec().source_of(field)
        with context.writing(source, reason="test"):
            setattr(person, field, value)
            person.save()
    return person


def make_system(name=None, department="dsj", grants=(), provider=False, **options):
    """A system with an API key; ``grants`` are (item code, mode name, masked) triples.

    Returns ``(system, client)`` where the client sends the key.
    """
    system = ConsumerSystem.objects.create(
        name=name or f"system-{next(_counter)}",
        department=Department.objects.get(code=department),
        is_provider=provider,
        **options,
    )
    for code, mode, masked in grants:
        Grant.objects.create(
            system=system, item=DataItem.objects.get(code=code), mode=Mode.from_name(mode), masked=masked
        )
    _key, raw = ApiKey.issue(system)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    client.raw_key = raw
    return system, client


def make_steward(department, username=None):
    """A staff user who stewards ``department``, with the Stewards' model permissions."""
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user(
        username or f"steward-{department}-{next(_counter)}", password="pw", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["population", "licences", "credit", "geodata", "access", "quality"],
            codename__regex=r"^(view|change|add)_",
        )
    )
    Steward.objects.create(user=user, department=Department.objects.get(code=department))
    return get_user_model().objects.get(pk=user.pk)
