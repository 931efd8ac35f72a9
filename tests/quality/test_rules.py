"""Loading shipped rules, validating operators' rules, and partitioned datasets' sources."""

import pytest
from django.core.exceptions import ValidationError

from hub.catalogue import spec as catalogue
from hub.catalogue.models import DataItem, Dataset, Department, Library, PartitionSource
from hub.quality.loader import declarations, load_quality_rules
from hub.quality.models import QualityIssue, QualityRule, RuleResult
from hub.quality.scans import scan
from tests.factories import make_person

P = "population.person"


@pytest.mark.django_db
def test_loading_is_idempotent_and_keeps_operator_tuning():
    first = load_quality_rules()
    assert first["created"] == len(declarations()) and first["skipped"] == 0
    QualityRule.objects.filter(code=f"{P}.name.format").update(severity="low", active=False, deadline_days=3)
    assert load_quality_rules() == {"created": 0, "updated": 0, "skipped": 0}
    rule = QualityRule.objects.get(code=f"{P}.name.format")
    assert (rule.severity, rule.active, rule.deadline_days, rule.shipped) == ("low", False, 3, True)
    assert rule.days_to_fix() == 3
    assert QualityRule.objects.get(code=f"{P}.marital_status.codetable").days_to_fix() == 30  # monthly item


def _rule(**kw):
    dataset = Dataset.objects.get(code=P)
    defaults = {"code": "test.rule", "dataset": dataset, "dimension": "validity", "severity": "low"}
    return QualityRule(**{**defaults, **kw})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind,item,params,message",
    [
        ("format", "name", {}, "needs regex"),
        ("format", "name", {"regex": "(["}, "Invalid regular expression"),
        ("checksum", "id_number", {"scheme": "luhn"}, "cn_ric"),
        ("codetable", "gender", {"choices": "1,2"}, "list"),
        ("range", "birth_date", {"min": "yesterday-ish"}, "not a valid value"),
        ("reference", "household_division", {"dataset": "nope.nothing"}, "not in the catalogue"),
        ("uniqueness", "name", {"fields": ["name", "shoe_size"]}, "shoe_size"),
        ("order", "death_date", {}, "after"),
        ("freshness", "name", {}, "give 'days'"),
        ("required", "name", {"when": {"shoe_size": 1}}, "shoe_size"),
    ],
)
def test_bad_rule_parameters_are_refused_with_a_reason(kind, item, params, message):
    rule = _rule(kind=kind, item=DataItem.objects.get(code=f"{P}.{item}"), params=params)
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert message in str(exc.value)


@pytest.mark.django_db
def test_operator_rule_with_when_and_reference_to_a_dataset():
    # Persons of Nanjing's Xuanwu district must have a household address; a reference to the
    # person table itself stands in for "the holder exists" kinds of other libraries.
    _rule(
        code="nj.address",
        kind="required",
        item=DataItem.objects.get(code=f"{P}.household_address"),
        params={"when": {"household_division": "320102"}},
    ).save()
    _rule(
        code="self.reference",
        kind="reference",
        item=DataItem.objects.get(code=f"{P}.id_number"),
        params={"dataset": P, "field": "id_number", "target_when": {"gender": "1"}},
    ).save()
    in_scope = make_person(household_division="320102", household_address="", gender="1")
    make_person(household_division="320106", household_address="")
    woman = make_person(gender="2")
    scan(P)
    found = set(QualityIssue.objects.values_list("rule__code", "record_key"))
    assert ("nj.address", in_scope.id_number) in found
    assert len([f for f in found if f[0] == "nj.address"]) == 1
    assert {f for f in found if f[0] == "self.reference"} >= {("self.reference", woman.id_number)}
    assert ("self.reference", in_scope.id_number) not in found


@pytest.mark.django_db
def test_partitioned_dataset_assigns_each_partition_to_its_source():
    # A test dataset over the person table, partitioned by county: each county's source differs.
    library = Library.objects.get(code="population")
    dataset = Dataset.objects.create(
        code="quality_test.by_county",
        library=library,
        name="by county",
        model_label="population.Person",
        natural_key="id_number",
        partition_field="household_division",
    )
    for value, dept in (("320102", "mzt"), ("320106", "jyt")):
        PartitionSource.objects.create(
            dataset=dataset, value=value, source_department=Department.objects.get(code=dept)
        )
    for field in ("id_number", "marital_status", "household_division"):
        DataItem.objects.create(
            dataset=dataset,
            code=f"{dataset.code}.{field}",
            field=field,
            name=field,
            sharing_type="conditional",
        )
    catalogue.clear()
    QualityRule.objects.create(
        code="by_county.marital",
        dataset=dataset,
        item=DataItem.objects.get(code=f"{dataset.code}.marital_status"),
        kind="codetable",
        dimension="validity",
        severity="medium",
    )
    a = make_person(household_division="320102", marital_status="99")
    b = make_person(household_division="320106", marital_status="98")
    make_person(household_division="320106", marital_status="20")
    orphan = make_person(household_division="320111", marital_status="97")  # no partition source
    result = scan(dataset.code)
    issues = dict(QualityIssue.objects.values_list("record_key", "department__code"))
    assert issues == {a.id_number: "mzt", b.id_number: "jyt", orphan.id_number: "gat"}  # the library lead
    by_dept = {r.department.code: (r.checked, r.failed) for r in RuleResult.objects.filter(scan=result)}
    assert by_dept["mzt"] == (1, 1) and by_dept["jyt"] == (2, 1)
