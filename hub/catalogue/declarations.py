"""How a library app declares its datasets and items (its ``catalogue.py``).

The declarations are the shipped Jiangsu responsibility list; ``manage.py
load_catalogue`` writes them into the catalogue tables, where operators keep
them afterwards in the admin.
"""

from dataclasses import dataclass, field

from .choices import Masking, Sensitivity, SharingType, UpdateCycle


@dataclass(frozen=True)
class Item:
    field: str
    name: str
    source: str | None = None  # department code; None for partitioned datasets
    sharing: str = SharingType.CONDITIONAL
    sensitivity: int = Sensitivity.INTERNAL
    masking: str = Masking.NONE
    cycle: str = UpdateCycle.ON_CHANGE
    standard: str = ""
    required: bool = False
    key: bool = False


@dataclass(frozen=True)
class Partition:
    value: str
    name: str
    source: str


@dataclass(frozen=True)
class DatasetDeclaration:
    code: str
    library: str
    name: str
    model: str
    natural_key: str
    items: list[Item]
    partition_field: str = ""
    partitions: list[Partition] = field(default_factory=list)
    cycle: str = UpdateCycle.DAILY
    description: str = ""
