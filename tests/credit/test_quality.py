"""The credit library's quality rules: they compile, pass clean data and blame the partition's source."""

import datetime

import pytest

from credit.models import CreditRecord, LegalEntity
from hub.quality.loader import load_quality_rules
from hub.quality.models import QualityIssue, QualityRule
from hub.quality.scans import scan
from hub.records import context
from tests.credit.factories import make_entity, new_uscc, record_values

pytestmark = pytest.mark.django_db


def create_partitioned(model, rows, department):
    """Plant records past the write path's rules, as an old bulk load did (model.save() validates nothing)."""
    with context.writing(department, reason="legacy load"):
        for row in rows:
            model(**row).save()


def test_rules_compile_and_blame_the_source_of_the_partition():
    load_quality_rules()
    assert QualityRule.objects.filter(dataset__code__startswith="credit.").count() >= 15
    clean = make_entity()
    # An old bulk load that skipped validation: unknown division, representative not in the population.
    defective = new_uscc()
    create_partitioned(
        LegalEntity,
        [
            {
                "uscc": defective,
                "name": "旧系统迁移企业",
                "entity_type": defective[:2],
                "registration_authority": "scjgj",
                "legal_representative": "张三",
                "legal_representative_id_number": "11010519491231002X",
                "registered_division": "329999",
                "status": "active",
            }
        ],
        "scjgj",
    )
    result = scan("credit.legal_entity")
    issues = QualityIssue.objects.filter(dataset__code="credit.legal_entity")
    assert {i.record_key for i in issues} == {defective}
    assert {i.rule.code for i in issues} == {
        "credit.legal_entity.legal_representative_id_number.reference",
        "credit.legal_entity.registered_division.reference",
    }
    assert {i.department.code for i in issues} == {"scjgj"}
    assert result.pk and clean.uscc not in {i.record_key for i in issues}

    row = record_values(
        "serious_dishonesty",
        clean.uscc,
        "fgw",
        listed_from=datetime.date(2026, 5, 1),
        listed_until=datetime.date(2026, 4, 1),
    )
    row["record_id"] = "00000000-0000-4000-8000-000000000001"
    create_partitioned(CreditRecord, [row], "fgw")
    scan("credit.record")
    [issue] = QualityIssue.objects.filter(dataset__code="credit.record")
    assert issue.rule.code == "credit.record.listed_until.order" and issue.department.code == "fgw"
