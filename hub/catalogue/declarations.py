"""How a library app declares its datasets and items (its ``catalogue.py``).

The declarations are the shipped Jiangsu responsibility list; ``manage.py
load_catalogue`` writes them into the catalogue tables, where operators keep
them afterwards in the admin.
"""

from dataclasses import dataclass, field

from .choices import SELF_SERVICE_DEFAULTS, Masking, Sensitivity, SharingType, UpdateCycle


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
    # Self-service limits; None takes the default of the item's sensitivity (SELF_SERVICE_DEFAULTS).
    self_service_mode: int | None = None
    unmasked_needs_approval: bool | None = None
    max_grant_days: int | None = None

    def self_service(self):
        """``(highest mode granted on application, unmasked needs approval, longest grant in days)``."""
        mode, unmasked, days = SELF_SERVICE_DEFAULTS[Sensitivity(self.sensitivity)]
        return (
            mode if self.self_service_mode is None else self.self_service_mode,
            unmasked if self.unmasked_needs_approval is None else self.unmasked_needs_approval,
            days if self.max_grant_days is None else self.max_grant_days,
        )


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
