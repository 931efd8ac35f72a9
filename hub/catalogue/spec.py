"""A read-only, cached view of the catalogue for the hot paths.

Serializers, filtersets, the source rule and ingestion ask this module, not
the ORM, what a dataset's items are; the answer is cached in-process and
dropped whenever the catalogue changes here (signals) or after
``CACHE_SECONDS`` so edits made by another worker are seen soon.
"""

import threading
import time
from dataclasses import dataclass, field
from functools import cached_property

from django.apps import apps

CACHE_SECONDS = 30

_lock = threading.Lock()
_cache: dict = {}
_loaded_at = 0.0


class UnknownDataset(LookupError):
    """The dataset code is not in the catalogue."""


class UnknownItem(LookupError):
    """The item code is not in the catalogue."""


@dataclass(frozen=True)
class ItemSpec:
    id: int
    code: str
    field: str
    name: str
    source: str | None  # department code; None when the dataset is partitioned
    sharing_type: str
    sensitivity: int
    masking: str
    update_cycle: str
    required: bool
    is_key: bool
    dataset: str
    # Self-service limits (see DataItem): highest mode granted on application, whether an
    # unmasked grant needs the source's approval, the longest grant in days.
    self_service_mode: int = 0
    unmasked_needs_approval: bool = True
    max_grant_days: int = 365


@dataclass(frozen=True)
class DatasetSpec:
    code: str
    library: str
    name: str
    model_label: str
    natural_key: str
    partition_field: str
    update_cycle: str
    items: tuple[ItemSpec, ...]
    partitions: dict[str, str] = field(default_factory=dict)

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @cached_property
    def by_field(self) -> dict[str, ItemSpec]:
        return {item.field: item for item in self.items}

    @cached_property
    def by_code(self) -> dict[str, ItemSpec]:
        return {item.code: item for item in self.items}

    @cached_property
    def key_item(self) -> ItemSpec:
        return self.by_field[self.natural_key]

    def source_of(self, field_name: str, partition_value=None) -> str | None:
        """The one department allowed to write ``field_name`` (of a record in a partition)."""
        if self.partition_field:
            return self.partitions.get(str(partition_value)) if partition_value is not None else None
        item = self.by_field.get(field_name)
        return item.source if item else None


def clear():
    global _loaded_at
    with _lock:
        _cache.clear()
        _loaded_at = 0.0


def _load():
    from .models import DataItem, Dataset, PartitionSource

    partitions: dict[int, dict[str, str]] = {}
    for part in PartitionSource.objects.select_related("source_department"):
        partitions.setdefault(part.dataset_id, {})[part.value] = part.source_department.code
    items: dict[int, list[ItemSpec]] = {}
    for item in DataItem.objects.select_related("source_department", "dataset").order_by("ordering", "code"):
        items.setdefault(item.dataset_id, []).append(
            ItemSpec(
                id=item.pk,
                code=item.code,
                field=item.field,
                name=item.name,
                source=item.source_department.code if item.source_department_id else None,
                sharing_type=item.sharing_type,
                sensitivity=item.sensitivity,
                masking=item.masking,
                update_cycle=item.update_cycle,
                required=item.required,
                is_key=item.is_key,
                dataset=item.dataset.code,
                self_service_mode=item.self_service_mode,
                unmasked_needs_approval=item.unmasked_needs_approval,
                max_grant_days=item.max_grant_days,
            )
        )
    datasets = {}
    for ds in Dataset.objects.select_related("library"):
        datasets[ds.code] = DatasetSpec(
            code=ds.code,
            library=ds.library.code,
            name=ds.name,
            model_label=ds.model_label,
            natural_key=ds.natural_key,
            partition_field=ds.partition_field,
            update_cycle=ds.update_cycle,
            items=tuple(items.get(ds.pk, ())),
            partitions=partitions.get(ds.pk, {}),
        )
    # Secondary indexes in the same cache: by model label and by item id.
    for dataset in list(datasets.values()):
        datasets["model:" + dataset.model_label] = dataset
        for entry in dataset.items:
            datasets[f"item:{entry.id}"] = entry
    return datasets


def _datasets() -> dict[str, DatasetSpec]:
    global _loaded_at
    now = time.monotonic()
    if not _cache or now - _loaded_at > CACHE_SECONDS:
        loaded = _load()
        with _lock:
            _cache.clear()
            _cache.update(loaded)
            _loaded_at = now
    return _cache


def get(code: str) -> DatasetSpec:
    if ":" in code:
        raise UnknownDataset(code)
    try:
        return _datasets()[code]
    except KeyError:
        raise UnknownDataset(code) from None


def all_datasets() -> list[DatasetSpec]:
    return [value for key, value in _datasets().items() if "." in key and ":" not in key]


def for_model(model) -> DatasetSpec:
    label = model._meta.label
    try:
        return _datasets()["model:" + label]
    except KeyError:
        raise UnknownDataset(label) from None


def item_by_id(pk: int) -> ItemSpec | None:
    return _datasets().get(f"item:{pk}")


def item(code: str) -> ItemSpec:
    dataset_code = code.rsplit(".", 1)[0]
    try:
        return get(dataset_code).by_code[code]
    except (UnknownDataset, KeyError):
        raise UnknownItem(code) from None
