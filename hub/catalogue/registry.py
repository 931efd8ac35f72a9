"""Collect the dataset declarations of every installed library app."""

from importlib import import_module

from django.apps import apps


def declarations():
    """Every ``DATASETS`` list found in an installed app's ``catalogue`` module."""
    found = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.catalogue")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.catalogue":
                raise
            continue
        found.extend(getattr(module, "DATASETS", []))
    return found
