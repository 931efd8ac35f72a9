"""The reusable governed-API test base (STYLE.md: tests written once, used by every library).

A library's test subclasses :class:`GovernedAPITests` and declares data only::

    @pytest.mark.django_db
    class TestPersonAPI(GovernedAPITests):
        dataset = "population.person"
        url = "/api/v1/population/persons/"
        shown_item = "name"            # granted in the tests; a filter param of the same name exists
        hidden_item = "marital_status"  # never granted; a filter param of the same name exists
        masked_item = "name"           # an item whose catalogue masking rule is not "none"
        search_text_item = "name"      # an item in the viewset's search_fields (for ?q=)

        def make_record(self):         # a record with shown, hidden and masked items filled
            ...

        def change(self, record):      # one change by the item's source; returns (field, old, new)
            ...

Every test here would fail if the guard it names were removed from
``hub.records.views``/``hub.access.scope``: each asserts both that the
granted path works and that the ungranted one is closed.
"""

import datetime
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from hub.access.models import AuditEntry, Grant
from hub.catalogue import spec as catalogue
from hub.catalogue.choices import SharingType
from hub.records.masking import mask
from tests.factories import make_system


def body(response):
    return json.dumps(response.json(), ensure_ascii=False)


class GovernedAPITests:
    dataset: str
    url: str
    shown_item: str
    hidden_item: str
    masked_item: str
    search_text_item: str | None = None

    # -- declarations each library provides ----------------------------------

    def make_record(self):
        raise NotImplementedError

    def change(self, record):
        """Change one item by its source department; return ``(field, old, new)``."""
        raise NotImplementedError

    # -- helpers ---------------------------------------------------------------

    @property
    def spec(self):
        return catalogue.get(self.dataset)

    def key(self, record):
        return str(getattr(record, self.spec.natural_key))

    def code(self, field):
        return self.spec.by_field[field].code

    def client(self, *grants, **options):
        """A system client holding ``grants``: (field, mode) or (field, mode, masked)."""
        triples = [(self.code(g[0]), g[1], g[2] if len(g) > 2 else False) for g in grants]
        system, client = make_system(grants=triples, **options)
        client.system = system
        return client

    def detail(self, record):
        return f"{self.url}{self.key(record)}/"

    def value(self, record, field):
        """The API representation of a field (dates as ISO strings)."""
        raw = getattr(record, field)
        if isinstance(raw, (datetime.date, datetime.datetime)):
            return raw.isoformat()
        return raw

    def shown_text(self, record, field):
        return str(self.value(record, field))

    # -- authentication --------------------------------------------------------

    def test_no_key_is_401(self):
        record = self.make_record()
        response = APIClient().get(self.detail(record))
        assert response.status_code in (401, 403)
        assert response.json()["code"] == "not_authenticated"

    def test_unknown_and_malformed_keys_are_401(self):
        record = self.make_record()
        for header in ("Api-Key nonsense", "Api-Key abc.def", "Api-Key "):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=header)
            response = client.get(self.detail(record))
            assert response.status_code == 401, header
            assert self.shown_text(record, self.shown_item) not in body(response)

    def test_revoked_or_expired_key_is_401(self):
        record = self.make_record()
        client = self.client((self.shown_item, "lookup"))
        assert client.get(self.detail(record)).status_code == 200
        key = client.system.api_keys.get()
        key.expires_at = timezone.now() - datetime.timedelta(seconds=1)
        key.save()
        assert client.get(self.detail(record)).status_code == 401
        key.expires_at = None
        key.revoked_at = timezone.now()
        key.save()
        assert client.get(self.detail(record)).status_code == 401

    def test_disallowed_client_ip_is_403(self):
        record = self.make_record()
        client = self.client((self.shown_item, "lookup"), allowed_networks="10.32.0.0/16")
        response = client.get(self.detail(record))
        assert response.status_code == 403
        assert self.shown_text(record, self.shown_item) not in body(response)
        client.system.allowed_networks = "127.0.0.0/8"
        client.system.save()
        assert client.get(self.detail(record)).status_code == 200

    # -- lookup ----------------------------------------------------------------

    def test_lookup_shows_exactly_the_granted_items(self):
        record = self.make_record()
        client = self.client((self.shown_item, "lookup"))
        response = client.get(self.detail(record))
        assert response.status_code == 200
        assert response.json() == {self.shown_item: self.value(record, self.shown_item)}

    def test_lookup_without_grant_is_403_naming_dataset_and_mode_only(self):
        record = self.make_record()
        client = self.client((self.hidden_item, "verify"))
        response = client.get(self.detail(record))
        assert response.status_code == 403
        payload = response.json()
        assert payload["code"] == "no_grant"
        assert payload["dataset"] == self.dataset and payload["mode"] == "lookup"
        assert self.shown_text(record, self.hidden_item) not in body(response)

    def test_lookup_reveals_no_existence_without_grant(self):
        record = self.make_record()
        client = self.client((self.shown_item, "verify"))
        existing = client.get(self.detail(record))
        missing_key = self.missing_key(record)
        missing = client.get(f"{self.url}{missing_key}/")
        assert existing.status_code == missing.status_code == 403
        assert existing.json() == missing.json()

    def missing_key(self, record):
        """A well-formed key that no record has (override where needed)."""
        raise NotImplementedError

    def test_lookup_of_unknown_key_is_404_with_grant(self):
        record = self.make_record()
        client = self.client((self.shown_item, "lookup"))
        assert client.get(f"{self.url}{self.missing_key(record)}/").status_code == 404

    def test_masked_grant_masks_by_the_catalogue_rule(self):
        record = self.make_record()
        rule = self.spec.by_field[self.masked_item].masking
        assert rule != "none", "declare an item with a masking rule"
        client = self.client((self.masked_item, "lookup", True))
        response = client.get(self.detail(record))
        assert response.status_code == 200
        expected = mask(rule, self.value(record, self.masked_item))
        assert response.json()[self.masked_item] == expected
        assert expected != self.value(record, self.masked_item)
        clear = self.client((self.masked_item, "lookup", False))
        assert clear.get(self.detail(record)).json()[self.masked_item] == self.value(record, self.masked_item)

    def test_higher_mode_implies_lower(self):
        record = self.make_record()
        client = self.client((self.shown_item, "search"))
        assert client.get(self.detail(record)).json() == {
            self.shown_item: self.value(record, self.shown_item)
        }

    def test_revoked_and_expired_grants_take_effect_on_next_call(self):
        record = self.make_record()
        client = self.client((self.shown_item, "lookup"))
        assert client.get(self.detail(record)).status_code == 200
        grant = Grant.objects.get(system=client.system)
        grant.revoked_at = timezone.now()
        grant.save()
        assert client.get(self.detail(record)).status_code == 403
        grant.revoked_at = None
        grant.expires_at = timezone.now() - datetime.timedelta(minutes=1)
        grant.save()
        assert client.get(self.detail(record)).status_code == 403

    def test_grant_requiring_purpose_refuses_calls_without_it(self):
        record = self.make_record()
        client = self.client((self.shown_item, "lookup"))
        Grant.objects.filter(system=client.system).update(require_purpose_header=True)
        refused = client.get(self.detail(record))
        assert refused.status_code == 403
        assert "X-Purpose" in refused.json()["detail"]
        allowed = client.get(self.detail(record), HTTP_X_PURPOSE="case 2026-001")
        assert allowed.status_code == 200
        assert AuditEntry.objects.order_by("-id").first().purpose == "case 2026-001"

    def test_not_shared_items_never_leave_even_with_a_grant(self):
        not_shared = [i for i in self.spec.items if i.sharing_type == SharingType.NOT_SHARED]
        if not not_shared:
            pytest.skip("dataset declares no not-shared item")
        record = self.make_record()
        client = self.client((not_shared[0].field, "search"), (self.shown_item, "lookup"))
        response = client.get(self.detail(record))
        assert response.status_code == 200
        assert not_shared[0].field not in response.json()

    # -- search ----------------------------------------------------------------

    def test_search_needs_a_search_grant(self):
        self.make_record()
        client = self.client((self.shown_item, "lookup"))
        response = client.get(self.url)
        assert response.status_code == 403
        assert response.json()["mode"] == "search"

    def test_search_lists_only_items_granted_in_search_mode(self):
        record = self.make_record()
        client = self.client((self.shown_item, "search"), (self.hidden_item, "lookup"))
        response = client.get(self.url, {self.shown_item: self.value(record, self.shown_item)})
        assert response.status_code == 200
        results = response.json()["results"]
        assert results and all(set(row) == {self.shown_item} for row in results)
        assert "count" not in response.json()

    def test_filter_on_ungranted_item_is_400_naming_the_parameter(self):
        record = self.make_record()
        client = self.client((self.shown_item, "search"), (self.hidden_item, "lookup"))
        response = client.get(self.url, {self.hidden_item: self.value(record, self.hidden_item)})
        assert response.status_code == 400
        assert self.hidden_item in response.json()["detail"]
        assert response.json()["code"] == "parameter_not_granted"

    def test_unknown_parameter_is_400(self):
        self.make_record()
        client = self.client((self.shown_item, "search"))
        response = client.get(self.url, {"no_such_filter": "1"})
        assert response.status_code == 400
        assert "no_such_filter" in response.json()["detail"]

    def test_ordering_by_ungranted_item_is_400(self):
        self.make_record()
        client = self.client((self.shown_item, "search"), (self.hidden_item, "lookup"))
        assert client.get(self.url, {"ordering": self.shown_item}).status_code == 200
        for term in (self.hidden_item, f"-{self.hidden_item}", f"{self.shown_item},{self.hidden_item}"):
            response = client.get(self.url, {"ordering": term})
            assert response.status_code == 400, term
            assert self.hidden_item in response.json()["detail"]

    def test_q_searches_granted_items_only(self):
        if not self.search_text_item:
            pytest.skip("dataset has no free-text search")
        record = self.make_record()
        hidden_only = self.client((self.hidden_item, "search"))
        if self.search_text_item != self.hidden_item:
            response = hidden_only.get(self.url, {"q": "x"})
            assert response.status_code == 400
        text = self.shown_text(record, self.search_text_item)
        granted = self.client((self.search_text_item, "search"))
        found = granted.get(self.url, {"q": text})
        assert found.status_code == 200
        assert any(
            row[self.search_text_item] == self.value(record, self.search_text_item)
            for row in found.json()["results"]
        )

    def test_page_size_is_capped(self):
        self.make_record()
        client = self.client((self.shown_item, "search"))
        response = client.get(self.url, {"page_size": 5000})
        assert response.status_code == 200
        assert len(response.json()["results"]) <= 1000

    # -- verify ------------------------------------------------------------------

    def test_verify_answers_match_without_values(self):
        record = self.make_record()
        key_name = self.spec.natural_key
        client = self.client((key_name, "verify"), (self.hidden_item, "verify"))
        right = client.post(
            f"{self.url}verify/",
            {key_name: self.key(record), self.hidden_item: self.value(record, self.hidden_item)},
            format="json",
        )
        assert right.status_code == 200
        assert right.json() == {"match": True, "items": {self.hidden_item: True}}
        wrong = client.post(
            f"{self.url}verify/",
            {key_name: self.key(record), self.hidden_item: self.wrong_value(record, self.hidden_item)},
            format="json",
        )
        assert wrong.json() == {"match": False, "items": {self.hidden_item: False}}
        assert self.shown_text(record, self.hidden_item) not in body(wrong)

    def wrong_value(self, record, field):
        value = self.value(record, field)
        return f"{value}-not" if isinstance(value, str) else "not-a-value"

    def test_verify_batch_answers_in_order(self):
        record = self.make_record()
        key_name = self.spec.natural_key
        client = self.client((key_name, "verify"), (self.hidden_item, "verify"))
        response = client.post(
            f"{self.url}verify/",
            [
                {key_name: self.key(record), self.hidden_item: self.value(record, self.hidden_item)},
                {key_name: self.missing_key(record), self.hidden_item: self.value(record, self.hidden_item)},
            ],
            format="json",
        )
        assert response.status_code == 200
        assert [row["match"] for row in response.json()] == [True, False]

    def test_verify_of_ungranted_item_is_403(self):
        record = self.make_record()
        key_name = self.spec.natural_key
        client = self.client((key_name, "verify"))
        response = client.post(
            f"{self.url}verify/",
            {key_name: self.key(record), self.hidden_item: self.value(record, self.hidden_item)},
            format="json",
        )
        assert response.status_code == 403
        assert self.code(self.hidden_item) in response.json()["detail"]

    def test_verify_of_the_key_alone_needs_a_grant_on_the_key(self):
        record = self.make_record()
        key_name = self.spec.natural_key
        without = self.client((self.hidden_item, "verify"))
        refused = without.post(f"{self.url}verify/", {key_name: self.key(record)}, format="json")
        assert refused.status_code == 403
        with_key = self.client((key_name, "verify"))
        answered = with_key.post(f"{self.url}verify/", {key_name: self.key(record)}, format="json")
        assert answered.json() == {"match": True, "items": {}}

    def test_verify_rejects_oversized_and_malformed_batches(self):
        self.make_record()
        key_name = self.spec.natural_key
        client = self.client((key_name, "verify"))
        too_many = [{key_name: "x"}] * 1001
        assert client.post(f"{self.url}verify/", too_many, format="json").status_code == 400
        assert client.post(f"{self.url}verify/", [], format="json").status_code == 400
        assert client.post(f"{self.url}verify/", ["text"], format="json").status_code == 400
        assert client.post(f"{self.url}verify/", {"no_such_item": 1}, format="json").status_code == 400

    # -- history, as_of, provenance --------------------------------------------------

    def test_history_shows_granted_items_only(self):
        record = self.make_record()
        field, old, new = self.change(record)
        granted = self.client((field, "lookup"))
        versions = granted.get(f"{self.detail(record)}history/").json()["results"]
        assert versions[0]["changes"][field] == {"old": old, "new": new}
        if self.spec.partition_field and field != self.spec.partition_field:
            # the partition's department would name the partition, which this caller does not hold
            assert versions[0]["source"] is None and versions[0]["system"] is None
            with_partition = self.client((field, "lookup"), (self.spec.partition_field, "lookup"))
            versions = with_partition.get(f"{self.detail(record)}history/").json()["results"]
        assert versions[0]["source"] == self.spec.source_of(field, self.partition(record))
        other_field = self.shown_item if field != self.shown_item else self.hidden_item
        other = self.client((other_field, "lookup"))
        response = other.get(f"{self.detail(record)}history/")
        assert response.status_code == 200
        assert all(field not in version["changes"] for version in response.json()["results"])

    def test_history_needs_a_lookup_grant(self):
        record = self.make_record()
        client = self.client((self.shown_item, "verify"))
        assert client.get(f"{self.detail(record)}history/").status_code == 403

    def test_as_of_returns_the_earlier_value(self):
        record = self.make_record()
        before = timezone.now()
        field, old, new = self.change(record)
        client = self.client((field, "lookup"))
        assert client.get(self.detail(record)).json()[field] == new
        then = client.get(self.detail(record), {"as_of": before.isoformat()})
        assert then.status_code == 200
        assert then.json() == {field: old}
        assert client.get(self.detail(record), {"as_of": "yesterday-ish"}).status_code == 400

    def test_as_of_before_creation_is_404(self):
        record = self.make_record()
        client = self.client((self.shown_item, "lookup"))
        response = client.get(self.detail(record), {"as_of": "1990-01-01T00:00:00+08:00"})
        assert response.status_code == 404

    def test_provenance_covers_granted_items_only(self):
        record = self.make_record()
        client = self.client((self.shown_item, "lookup"))
        response = client.get(self.detail(record), {"provenance": "true"})
        assert response.status_code == 200
        payload = response.json()
        assert set(payload) == {self.shown_item}
        entry = payload[self.shown_item]
        assert entry["value"] == self.value(record, self.shown_item)
        partitioned = self.spec.partition_field and self.shown_item != self.spec.partition_field
        expected_source = (
            None if partitioned else self.spec.source_of(self.shown_item, self.partition(record))
        )
        assert entry["source"] == expected_source
        assert entry["updated_at"]

    def test_provenance_time_moves_only_with_the_item_itself(self):
        """A later write of another item (by any source) leaves a granted item's updated_at alone."""
        record = self.make_record()
        client = self.client((self.shown_item, "lookup"))
        first = client.get(self.detail(record), {"provenance": "true"}).json()[self.shown_item]["updated_at"]
        field, _old, _new = self.change(record)
        if field == self.shown_item:
            pytest.skip("the dataset's change helper changes the shown item")
        again = client.get(self.detail(record), {"provenance": "true"}).json()[self.shown_item]["updated_at"]
        assert again == first

    def partition(self, record):
        field = self.spec.partition_field
        return str(getattr(record, field)) if field else None

    # -- audit -------------------------------------------------------------------------

    def test_every_call_writes_one_audit_row(self):
        record = self.make_record()
        client = self.client((self.shown_item, "search"))
        before = AuditEntry.objects.count()
        client.get(self.detail(record))
        client.get(self.url, {self.shown_item: self.value(record, self.shown_item)})
        client.get(f"{self.detail(record)}history/")
        client.post(f"{self.url}verify/", {self.hidden_item: "x"}, format="json")  # refused
        rows = list(AuditEntry.objects.order_by("id")[before:])
        assert len(rows) == 4
        assert [r.mode for r in rows] == ["lookup", "search", "lookup", "verify"]
        assert [r.status for r in rows][:3] == [200, 200, 200] and rows[3].status >= 400
        assert all(r.system_id == client.system.pk and r.dataset == self.dataset for r in rows)
        assert rows[0].subject_keys == [self.key(record)]
        assert rows[0].items == [self.code(self.shown_item)]
        assert rows[3].items == []
