import io
import json

import pytest

from hub.records.ingest import ingest
from population.models import Person
from tests.factories import person_rows


def _json(rows):
    return io.BytesIO(json.dumps(rows, default=str, ensure_ascii=False).encode())


@pytest.mark.django_db
def test_smoke():
    rows = person_rows(5)
    gat = [{k: v for k, v in r.items() if k not in ("marital_status", "education_level", "social_insurance_status", "death_date")} for r in rows]
    out = ingest("population.person", _json(gat), fmt="json", department="gat")
    print(out.report)
    assert out.report["created"] == 5
    out = ingest("population.person", _json(gat), fmt="json", department="gat")
    assert out.report["unchanged"] == 5
    mzt = [{"id_number": r["id_number"], "marital_status": "20"} for r in rows]
    out = ingest("population.person", _json(mzt), fmt="json", department="mzt")
    print(out.report)
    assert Person.history.count() == 10
