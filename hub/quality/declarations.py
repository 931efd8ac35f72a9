"""How a library declares its default quality rules (its ``quality.py``).

A library lists ``RULES = [Rule(...), ...]``; ``manage.py load_quality_rules``
(also run by ``seed_demo``) writes them into :class:`~hub.quality.models.QualityRule`.
Reloading updates what the library ships but keeps an operator's tuning of
severity, deadline and the active flag.
"""

from dataclasses import dataclass, field

from .choices import Dimension, RuleKind, Severity


@dataclass(frozen=True)
class Rule:
    dataset: str  # dataset code, e.g. "population.person"
    item: str  # field of the item a failure is blamed on ("" = the natural key)
    kind: str
    dimension: str
    severity: str = Severity.MEDIUM
    params: dict = field(default_factory=dict)
    description: str = ""
    name: str = ""  # distinguishes two rules of one kind on one item

    @property
    def code(self):
        suffix = f".{self.name}" if self.name else ""
        return f"{self.dataset}.{self.item or 'record'}.{self.kind}{suffix}"


# Short constructors so declarations read like the responsibility list.
def required(dataset, item, severity=Severity.HIGH, **kw):
    return Rule(dataset, item, RuleKind.REQUIRED, Dimension.COMPLETENESS, severity, **kw)


def fmt(dataset, item, severity=Severity.MEDIUM, **params):
    return Rule(dataset, item, RuleKind.FORMAT, Dimension.VALIDITY, severity, params)


def checksum(dataset, item, scheme, severity=Severity.HIGH):
    return Rule(dataset, item, RuleKind.CHECKSUM, Dimension.VALIDITY, severity, {"scheme": scheme})


def codetable(dataset, item, severity=Severity.MEDIUM, **params):
    return Rule(dataset, item, RuleKind.CODETABLE, Dimension.VALIDITY, severity, params)


# Printable ASCII, nothing else: a code stored with a full-width digit, a superscript or a
# zero-width mark is a second spelling of some other key (PostgreSQL and Python both read \Z).
ASCII_CODE = r"^[!-~]+\Z"


def ascii_code(dataset, item, severity=Severity.HIGH, description=""):
    """A format rule: the coded item (a key, an identifier) holds printable ASCII only."""
    return Rule(
        dataset,
        item,
        RuleKind.FORMAT,
        Dimension.VALIDITY,
        severity,
        {"regex": ASCII_CODE},
        description,
        name="ascii",
    )
