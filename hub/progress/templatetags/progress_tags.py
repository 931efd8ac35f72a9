"""Formatting of the dashboard's figures: rates, counts, scores and bar widths."""

from django import template

from ..charts import percent

register = template.Library()
DASH = "—"


@register.filter
def pct(value):
    """A 0–1 rate as ``85.7%``; ``—`` when there is nothing to measure."""
    if value is None or value == "":
        return DASH
    return f"{float(value) * 100:.1f}%"


@register.filter
def num(value):
    if value is None or value == "":
        return DASH
    return f"{int(value):,}"


@register.filter
def score(value):
    if value is None or value == "":
        return DASH
    return f"{float(value):.1f}"


@register.filter
def bar(value):
    """Width (0–100) of a progress bar for a 0–1 rate."""
    return percent(value)


@register.filter
def bar_score(value):
    """Width (0–100) of a bar for a 0–100 score."""
    return percent(None if value is None else float(value) / 100)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def as_rate(value):
    """A 0–100 score as a 0–1 rate (for a progress bar)."""
    return None if value is None or value == "" else float(value) / 100
