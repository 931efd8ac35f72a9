"""Explicit builders for the progress tests: persons written per source, plans, members."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q

from hub.catalogue.models import Department, Library
from hub.progress.models import PlanBatch, PlanEntry
from hub.progress.signals import ensure_joint_meeting_group
from hub.records.services import write
from population.demo import SOURCE_ITEMS
from tests.factories import person_rows


def write_persons(count, seed=1, departments=("gat", "mzt", "jyt", "rst"), reason="test"):
    """Write ``count`` synthetic persons, each listed source department writing its own items."""
    rows = person_rows(count, seed=seed)
    for department in departments:
        part = [
            {
                "id_number": row["id_number"],
                **{f: row[f] for f in SOURCE_ITEMS[department] if row[f] not in ("", None)},
            }
            for row in rows
        ]
        write("population.person", part, department=department, reason=reason)
    return rows


def filled(model, field, queryset=None):
    """Records holding a value for ``field``, counted straight from the table."""
    query = Q(**{f"{field}__isnull": False})
    internal = model._meta.get_field(field).get_internal_type()
    if internal in ("CharField", "TextField"):
        query &= ~Q(**{field: ""})
    return (queryset if queryset is not None else model.objects).filter(query).count()


def department_units(department):
    """Records holding a value, per item (and partition) the department is the source of."""
    from hub.catalogue import spec as catalogue

    counts = []
    for dataset in catalogue.all_datasets():
        model = dataset.model
        for item in dataset.items:
            if dataset.partition_field:
                for value, source in dataset.partitions.items():
                    if source == department:
                        part = model.objects.filter(**{dataset.partition_field: value})
                        counts.append(filled(model, item.field, part))
            elif item.source == department:
                counts.append(filled(model, item.field))
    return counts


def make_plan(code="test-batch", share="0.900", entries=(), deadline=None):
    """A plan batch; ``entries`` are (library, dataset, item, department, target) tuples."""
    batch = PlanBatch.objects.create(code=code, name=f"计划 {code}", delivery_share=share)
    deadline = deadline or datetime.date(2099, 12, 31)
    for library, dataset, item, department, target in entries:
        PlanEntry.objects.create(
            batch=batch,
            library=Library.objects.get(code=library),
            dataset=dataset,
            item=item,
            department=Department.objects.get(code=department),
            target_records=target,
            deadline=deadline,
        )
    return batch


def make_member(username="member", password="pw-Joint-2026"):
    """A joint-meeting member: in the read-only group, not staff."""
    user = get_user_model().objects.create_user(username, password=password)
    user.groups.add(ensure_joint_meeting_group())
    return user
