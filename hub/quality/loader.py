"""Write every installed library's declared default rules (``<app>/quality.py``) into the rule table."""

from importlib import import_module

from django.apps import apps
from django.db import transaction

from hub.catalogue.models import DataItem, Dataset

from .models import QualityRule


def declarations():
    """Every ``RULES`` list found in an installed app's ``quality`` module."""
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("hub.") or config.name.startswith("django."):
            continue
        try:
            module = import_module(f"{config.name}.quality")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.quality":
                raise
            continue
        found.extend(getattr(module, "RULES", []))
    return found


@transaction.atomic
def load_quality_rules(rules=None):
    """Create or update the shipped rules; an operator's severity, deadline and active flag are kept.

    Rules of datasets missing from the catalogue are skipped (the library's
    catalogue is loaded first). Returns ``{"created", "updated", "skipped"}``.
    """
    counts = {"created": 0, "updated": 0, "skipped": 0}
    datasets = {d.code: d for d in Dataset.objects.all()}
    items = {i.code: i for i in DataItem.objects.all()}
    for decl in declarations() if rules is None else rules:
        dataset = datasets.get(decl.dataset)
        item = items.get(f"{decl.dataset}.{decl.item}") if decl.item else None
        if dataset is None or (decl.item and item is None):
            counts["skipped"] += 1
            continue
        rule, created = QualityRule.objects.get_or_create(
            code=decl.code,
            defaults={
                "dataset": dataset,
                "item": item,
                "kind": decl.kind,
                "dimension": decl.dimension,
                "severity": decl.severity,
                "params": decl.params,
                "description": decl.description,
                "shipped": True,
            },
        )
        if created:
            counts["created"] += 1
            continue
        changed = (
            rule.dataset_id,
            rule.item_id,
            rule.kind,
            rule.dimension,
            rule.params,
            rule.description,
        ) != (
            dataset.pk,
            item.pk if item else None,
            decl.kind,
            decl.dimension,
            decl.params,
            decl.description,
        )
        if changed:
            rule.dataset, rule.item, rule.kind = dataset, item, decl.kind
            rule.dimension, rule.params, rule.description = decl.dimension, decl.params, decl.description
            rule.shipped = True
            rule.save()
            counts["updated"] += 1
    return counts
