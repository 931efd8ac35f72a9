"""The maintained aggregates and the figures match what the base tables and audit log say."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Max
from django.utils import timezone

from hub.access.models import AuditEntry
from hub.catalogue import spec as catalogue
from hub.catalogue.choices import CYCLE_DAYS
from hub.progress import aggregates, metrics
from hub.progress.models import DatasetStat, ItemStat, UsageStat
from hub.records import context
from population.models import Person
from tests.factories import make_person, make_system

from .helpers import department_units, filled, make_plan, write_persons

pytestmark = pytest.mark.django_db


def person_items():
    return catalogue.get("population.person").items


def catalogue_fill():
    """``{item spec: records holding a value}`` over every catalogued dataset, straight from the tables."""
    datasets = catalogue.all_datasets()
    return {item: filled(dataset.model, item.field) for dataset in datasets for item in dataset.items}


def assert_stats_match_table():
    stats = {s.item: s.filled for s in ItemStat.objects.filter(dataset="population.person")}
    assert stats == {item.code: filled(Person, item.field) for item in person_items()}
    assert DatasetStat.objects.get(dataset="population.person").records == Person.objects.count()


def test_ingest_batches_keep_item_and_dataset_counts(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        write_persons(30, seed=11, departments=("gat",))
    assert_stats_match_table()
    assert ItemStat.objects.get(item="population.person.marital_status").filled == 0

    with django_capture_on_commit_callbacks(execute=True):
        write_persons(30, seed=11, departments=("mzt",))
    assert_stats_match_table()
    assert (
        ItemStat.objects.get(item="population.person.marital_status").filled
        == filled(Person, "marital_status")
        > 0
    )


def test_a_single_save_recounts_its_dataset_once_committed(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        write_persons(5, seed=12, departments=("gat",))
        person = make_person()
    assert_stats_match_table()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with context.writing("wjw", reason="death registered"):
            person.death_date = datetime.date(2026, 1, 2)
            person.save()
    assert len(callbacks) == 1
    assert ItemStat.objects.get(item="population.person.death_date").filled == 1
    assert_stats_match_table()


def test_last_update_is_the_source_departments_last_write(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        write_persons(10, seed=13, departments=("gat",))
    before_mzt = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        write_persons(10, seed=13, departments=("mzt",))
    marital = ItemStat.objects.get(item="population.person.marital_status")
    name = ItemStat.objects.get(item="population.person.name")
    assert marital.last_updated >= before_mzt
    assert name.last_updated < before_mzt  # gat did not write again
    assert ItemStat.objects.get(item="population.person.death_date").last_updated is None


def test_figures_match_direct_computation(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        write_persons(40, seed=14, departments=("gat", "mzt", "rst"))
    records = Person.objects.count()
    make_plan(
        share="0.900",
        entries=[
            ("population", "population.person", "", "gat", 40),  # delivered: 40 ≥ 36
            ("population", "population.person", "", "dsj", 1000),  # not: 40 < 900
            ("population", "population.person", "population.person.marital_status", "mzt", 0),
            ("population", "population.person", "population.person.education_level", "jyt", 0),
            ("population", "population.person", "population.person.death_date", "wjw", 0),
        ],
    )
    data = metrics.load(batch="test-batch")
    province = metrics.figures(data)

    fill = catalogue_fill()  # other libraries' datasets are catalogued too, empty here
    assert province["catalogue_items"] == len(fill)
    assert province["items_attached"] == sum(1 for n in fill.values() if n > 0)
    assert province["mount_rate"] == round(province["items_attached"] / len(fill), 4)
    assert province["records"] == sum(d.model.objects.count() for d in catalogue.all_datasets()) == records
    assert province["items_planned"] == 5
    items = person_items()
    population = metrics.figures(data, "library", "population")
    attached = [i for i in items if filled(Person, i.field) > 0]
    assert population["catalogue_items"] == len(items)
    assert population["mount_rate"] == round(len(attached) / len(items), 4)
    # dataset entry 1 is delivered; marital status holds a value for ≥ 90% of persons
    marital_share = filled(Person, "marital_status") / records
    assert province["items_delivered"] == 1 + (marital_share >= 0.9)
    # items without a target aim at every record of the dataset
    assert province["target_records"] == 40 + 1000 + records * 3
    assert province["timeliness"] == 1.0
    assert province["deadlines_missed"] == 0

    mzt = metrics.figures(data, "department", "mzt")
    mzt_units = department_units("mzt")  # marital status, divisions, social organisations' partition
    assert mzt["catalogue_items"] == len(mzt_units)
    assert mzt["items_attached"] == sum(1 for n in mzt_units if n > 0) == 1
    assert mzt["records"] == filled(Person, "marital_status")
    jyt = metrics.figures(data, "department", "jyt")
    assert (jyt["items_attached"], jyt["items_delivered"], jyt["records"]) == (0, 0, 0)
    gat = metrics.figures(data, "department", "gat")
    gat_units = department_units("gat")
    assert gat["catalogue_items"] == len(gat_units)
    assert gat["items_attached"] == sum(1 for n in gat_units if n > 0)
    assert gat["records"] == records

    library = metrics.figures(data, "library", "population")
    assert library["items_planned"] == 5 and library["records"] == records
    empty = metrics.figures(data, "library", "licences")
    licence_items = len(catalogue.get("licences.licence").items)
    assert (empty["catalogue_items"], empty["mount_rate"], empty["records"]) == (licence_items, 0.0, 0)


def test_timeliness_follows_update_cycles(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        write_persons(10, seed=15, departments=("gat", "mzt"))
    later = timezone.now() + datetime.timedelta(days=5)
    data = metrics.load(now=later)
    with_data = [i for i in person_items() if filled(Person, i.field) > 0]
    last = {i.code: ItemStat.objects.get(item=i.code).last_updated for i in with_data}
    timely = [
        i
        for i in with_data
        if CYCLE_DAYS[i.update_cycle] is None
        or last[i.code] >= later - datetime.timedelta(days=CYCLE_DAYS[i.update_cycle])
    ]
    # daily items (household division, address) are stale after five days; on-change ones are not
    assert 0 < len(timely) < len(with_data)
    assert metrics.figures(data)["timeliness"] == round(len(timely) / len(with_data), 4)
    assert metrics.figures(metrics.load())["timeliness"] == 1.0


def test_deadlines_missed_and_assessment(django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        write_persons(10, seed=16, departments=("gat",))
    make_plan(
        entries=[("population", "population.person", "population.person.education_level", "jyt", 0)],
        deadline=timezone.localdate() - datetime.timedelta(days=1),
    )
    data = metrics.load()
    jyt = metrics.figures(data, "department", "jyt")
    assert jyt["deadlines_missed"] == 1
    settings.HUB_PROGRESS_ASSESSMENT = {
        "weights": {
            "delivery": 1,
            "mount_rate": 1,
            "records": 0,
            "timeliness": 0,
            "quality": 0,
            "sharing": 0,
        },
        "penalties": {"deadline_missed": 5, "overdue_issue": 0},
    }
    gat = metrics.figures(data, "department", "gat")
    # gat has no plan entry (delivery left out): its score is its mount rate
    gat_units = department_units("gat")
    mount = sum(1 for n in gat_units if n > 0) / len(gat_units)
    assert gat["assessment"] == round(100 * mount, 1)
    assert metrics.figures(data, "department", "jyt")["assessment"] == 0.0  # (0 + 0) / 2 − 5, floored


def test_governed_calls_count_as_sharing():
    person = make_person()
    system_a, client_a = make_system(grants=[("population.person.name", "lookup", False)])
    system_b, client_b = make_system(grants=[("population.person.name", "lookup", False)])
    _none, client_c = make_system()
    for _ in range(3):
        assert client_a.get(f"/api/v1/population/persons/{person.id_number}/").status_code == 200
    assert client_b.get(f"/api/v1/population/persons/{person.id_number}/").status_code == 200
    assert client_c.get(f"/api/v1/population/persons/{person.id_number}/").status_code == 403

    successful = AuditEntry.objects.filter(system__isnull=False, status__lt=400, dataset="population.person")
    assert UsageStat.objects.filter(system_id=system_a.pk).get().calls == 3
    assert sum(UsageStat.objects.values_list("calls", flat=True)) == successful.count() == 4
    figures = metrics.figures(metrics.load())
    assert (figures["calls"], figures["systems"]) == (4, 2)
    assert metrics.figures(metrics.load(), "department", "mzt")["calls"] == 4  # mzt sources a person item
    assert metrics.figures(metrics.load(), "library", "licences")["calls"] == 0
    # a period before the calls has none
    old = metrics.Period(datetime.date(2020, 1, 1), datetime.date(2020, 1, 31))
    assert metrics.figures(metrics.load(period=old))["calls"] == 0


def test_refresh_progress_rebuilds_what_events_maintained(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = make_person()
        write_persons(20, seed=17)
    _system, client = make_system(grants=[("population.person.name", "lookup", False)])
    client.get(f"/api/v1/population/persons/{person.id_number}/")
    population = ItemStat.objects.filter(dataset="population.person")
    maintained = sorted(population.values_list("item", "partition", "filled"))
    usage = sorted(UsageStat.objects.values_list("day", "system_id", "dataset", "calls"))
    ItemStat.objects.all().delete()
    UsageStat.objects.all().delete()
    call_command("refresh_progress", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sorted(population.values_list("item", "partition", "filled")) == maintained
    # every other catalogued dataset is counted too (empty here)
    counted = {s.dataset for s in DatasetStat.objects.all()}
    assert counted >= {d.code for d in catalogue.all_datasets() if not d.partition_field}
    assert sorted(UsageStat.objects.values_list("day", "system_id", "dataset", "calls")) == usage
    assert_stats_match_table()


def test_weekly_snapshots_follow_writes(django_capture_on_commit_callbacks):
    make_plan(entries=[("population", "population.person", "", "gat", 5)])
    with django_capture_on_commit_callbacks(execute=True):
        write_persons(8, seed=18, departments=("gat",))
    trend = metrics.trends(metrics.load())
    assert trend["items_delivered"][-1] == 1
    assert trend["records"][-1] == Person.objects.count()
    assert trend["weeks"][-1] == metrics.week_start(timezone.localdate()).isoformat()
    assert len(trend["weeks"]) == 12


def test_quality_figures_after_a_scan(django_capture_on_commit_callbacks):
    from hub.quality import metrics as quality_metrics
    from hub.quality.loader import load_quality_rules
    from hub.quality.models import QualityIssue, RuleResult
    from hub.quality.scans import scan

    load_quality_rules()
    with django_capture_on_commit_callbacks(execute=True):
        write_persons(20, seed=19)
        make_person(name="X1")  # a name-format defect for gat
        make_person(marital_status="99")  # a code-table defect for mzt
    full_scan = scan("population.person")

    data = metrics.load()
    province = metrics.figures(data)
    assert data.quality is not None
    results = RuleResult.objects.filter(scan=full_scan)  # the score is over the latest full scan
    checked = sum(r.checked * r.weight for r in results)
    passed = sum((r.checked - r.failed) * r.weight for r in results)
    assert province["quality_score"] == round(100 * passed / checked, 2) < 100
    for code in ("gat", "mzt"):
        figures = metrics.figures(data, "department", code)
        issues = QualityIssue.objects.filter(department__code=code)
        assert figures["issues_open"] == issues.active().count() > 0
        assert figures["issues_overdue"] == 0
        mine = results.filter(department__code=code)
        passed = sum((r.checked - r.failed) * r.weight for r in mine)
        assert figures["quality_score"] == round(100 * passed / sum(r.checked * r.weight for r in mine), 2)
        # and the same as the quality app's own functions
        assert figures["quality_score"] == quality_metrics.score(department=code)
        assert (figures["issues_open"], figures["issues_overdue"]) == tuple(
            quality_metrics.issue_counts(department=code).values()
        )
    assert province["quality_score"] == quality_metrics.score()
    assert metrics.trends(data)["quality_score"][-1] == province["quality_score"]
    assert province["issues_open"] == QualityIssue.objects.active().count()
    library = metrics.figures(data, "library", "population")
    assert library["quality_score"] == province["quality_score"]  # one dataset scanned


def test_recount_ignores_datasets_without_a_model():
    aggregates.recount_dataset("nowhere.nothing")
    assert not DatasetStat.objects.filter(dataset="nowhere.nothing").exists()
    assert Person.objects.aggregate(m=Max("pk"))["m"] is None


def test_partitioned_datasets_count_per_partition_and_source(django_capture_on_commit_callbacks, monkeypatch):
    """Licences and credit records are partitioned; population stands in for one here."""
    import dataclasses

    with django_capture_on_commit_callbacks(execute=True):
        rows = write_persons(30, seed=20, departments=("gat",))
    counties = sorted({row["household_division"] for row in rows})
    owners = {county: ("nanjing" if i % 2 == 0 else "suzhou") for i, county in enumerate(counties)}
    real = catalogue.get("population.person")
    items = tuple(dataclasses.replace(item, source=None) for item in real.items)
    partitioned = dataclasses.replace(
        real, partition_field="household_division", items=items, partitions=owners
    )
    datasets = {**{d.code: d for d in catalogue.all_datasets()}, real.code: partitioned}

    def get(code):
        if code not in datasets:
            raise catalogue.UnknownDataset(code)
        return datasets[code]

    monkeypatch.setattr(catalogue, "get", get)
    monkeypatch.setattr(catalogue, "all_datasets", lambda: list(datasets.values()))

    aggregates.recount_dataset("population.person")
    for county in counties:
        in_county = Person.objects.filter(household_division=county)
        assert DatasetStat.objects.get(partition=county).records == in_county.count()
        name = ItemStat.objects.get(item="population.person.name", partition=county)
        assert name.filled == in_county.count()

    make_plan(entries=[("population", "population.person", "", "nanjing", 0)])
    data = metrics.load()
    nanjing = metrics.figures(data, "department", "nanjing")
    mine = Person.objects.filter(household_division__in=[c for c, o in owners.items() if o == "nanjing"])
    assert nanjing["records"] == mine.count()
    assert nanjing["catalogue_items"] == len(items) * sum(1 for o in owners.values() if o == "nanjing")
    assert nanjing["items_delivered"] == 1  # a dataset entry with no target: any record of its partitions
    suzhou = metrics.figures(data, "department", "suzhou")
    assert nanjing["records"] + suzhou["records"] == Person.objects.count()
    assert metrics.figures(data, "library", "population")["catalogue_items"] == len(items)
    # the library's lead department (gat, for population) answers for every partition
    lead = make_plan(code="lead-batch", entries=[("population", "population.person", "", "gat", 0)])
    state = metrics.entry_state(metrics.load(batch="lead-batch"), lead.entries.get())
    assert state.measure == Person.objects.count() and state.delivered


def test_ingest_endpoint_batches_keep_the_counts(django_capture_on_commit_callbacks):
    from tests.records.ingest_helpers import as_json, gat_rows, post

    _system, provider = make_system(department="gat", provider=True)
    rows = gat_rows(25, seed=21)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(provider, as_json(rows), HTTP_IDEMPOTENCY_KEY="progress-ingest-1")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 25
    assert_stats_match_table()
    assert metrics.figures(metrics.load(), "library", "population")["records"] == 25


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the counting trigger is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_calls_audited_from_concurrent_sessions_are_all_counted(catalogue):
    import threading

    from hub.access import audit

    system, _client = make_system(grants=[("population.person.name", "lookup", False)])
    failures = []
    barrier = threading.Barrier(5)

    def work(status):
        try:
            barrier.wait()
            for _ in range(30):
                audit.append(
                    system=system,
                    method="GET",
                    endpoint="/api/v1/population/persons/x/",
                    dataset="population.person",
                    result_count=2,
                    status=status,
                )
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(200 if n < 4 else 403,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    rows = UsageStat.objects.filter(system_id=system.pk)
    lanes = set(AuditEntry.objects.filter(status=200).values_list("chain", flat=True))
    assert set(rows.values_list("shard", flat=True)) == lanes
    assert sum(rows.values_list("calls", flat=True)) == 120  # the refused calls are not sharing
    assert sum(rows.values_list("records", flat=True)) == 240
    assert {row.day for row in rows} == {timezone.localdate()}
    figures = metrics.figures(metrics.load())
    assert (figures["calls"], figures["systems"]) == (120, 1)
