"""Grant profiles, built from the catalogue for every dataset it declares.

A profile is the set of grants one calling system holds (and whether it sends
``X-Purpose``). Its :class:`~tests.noninterference.worlds.Visibility` says what
that caller may learn of each item: the items it holds an *effective* grant
for (active, not revoked, purpose satisfied, item shared), in the clear if any
such grant is unmasked (or the item has no masking rule), else masked.
"""

import dataclasses
import datetime
import random

from hub.catalogue import spec as catalogue
from hub.catalogue.choices import Masking, SharingType

from .worlds import T0, T2, Visibility

MODES = ("verify", "lookup", "search")
PURPOSE = "case 2026-001"


@dataclasses.dataclass(frozen=True)
class GrantSpec:
    item: str  # item code
    mode: str
    masked: bool = False
    expired: bool = False
    revoked: bool = False
    require_purpose: bool = False


@dataclasses.dataclass(frozen=True)
class Profile:
    name: str
    grants: tuple
    purpose: str | None = None

    def visibility(self):
        clear, masked, modes = {}, {}, {}
        for grant in self.grants:
            item = catalogue.item(grant.item)
            if grant.expired or grant.revoked or item.sharing_type == SharingType.NOT_SHARED:
                continue
            if grant.require_purpose and not self.purpose:
                continue
            target = masked if grant.masked and item.masking != Masking.NONE else clear
            target.setdefault(item.dataset, set()).add(item.field)
            mode = MODES.index(grant.mode) + 1
            modes[item.dataset] = max(modes.get(item.dataset, 0), mode)
            # A derived dataset (the credit summary) reveals, to whoever holds it, what it is
            # computed from: those items of its source dataset are the caller's to learn.
            derived = getattr(catalogue.get(item.dataset).model, "reads_from", None)
            if derived and grant.mode in ("lookup", "search"):
                source_dataset, fields = derived
                clear.setdefault(source_dataset, set()).update(fields)
        for code, fields in clear.items():
            masked.get(code, set()).difference_update(fields)
        return Visibility(
            {k: frozenset(v) for k, v in clear.items()},
            {k: frozenset(v) for k, v in masked.items()},
            modes,
        )

    def grant_rows(self):
        """Keyword arguments for ``Grant.objects.create`` (without system and item)."""
        for grant in self.grants:
            yield (
                grant.item,
                {
                    "mode": grant.mode,
                    "masked": grant.masked,
                    "expires_at": T2 - datetime.timedelta(days=1) if grant.expired else None,
                    "revoked_at": T0 if grant.revoked else None,
                    "require_purpose_header": grant.require_purpose,
                },
            )


def _shareable(dataset):
    return [i for i in dataset.items if i.sharing_type != SharingType.NOT_SHARED]


def _subset(items, rng, share=0.5):
    chosen = [i for i in items if rng.random() < share]
    return chosen or items[:1]


def build_profiles(seed=2026):
    """The profiles every endpoint is driven under (deterministic for a seed)."""
    rng = random.Random(seed)
    datasets = sorted(catalogue.all_datasets(), key=lambda d: d.code)
    profiles = [Profile("none", ())]
    for mode in MODES:
        grants = []
        for dataset in datasets:
            grants += [GrantSpec(i.code, mode) for i in _subset(_shareable(dataset), rng)]
        profiles.append(Profile(f"{mode}-subset", tuple(grants)))
    for mode in MODES:
        grants = []
        for dataset in datasets:
            items = _shareable(dataset)
            grants += [GrantSpec(i.code, mode, masked=True) for i in items if i.masking != Masking.NONE]
            grants += [GrantSpec(i.code, mode) for i in _subset(items, rng, 0.3) if i.masking == Masking.NONE]
        profiles.append(Profile(f"{mode}-masked", tuple(grants)))
    # One unconditional item of each dataset at lookup (e.g. licence_type alone, the credit summary).
    grants = []
    for dataset in datasets:
        first = next((i for i in _shareable(dataset) if not i.is_key), None)
        if first:
            grants.append(GrantSpec(first.code, "lookup"))
    profiles.append(Profile("lookup-one-item", tuple(grants)))
    everything = [GrantSpec(i.code, "search") for d in datasets for i in d.items]
    profiles.append(
        Profile("search-all-expired", tuple(dataclasses.replace(g, expired=True) for g in everything))
    )
    profiles.append(
        Profile("search-all-revoked", tuple(dataclasses.replace(g, revoked=True) for g in everything))
    )
    purpose_grants = []
    for dataset in datasets:
        for item in _shareable(dataset):
            masked = item.masking != Masking.NONE and rng.random() < 0.5
            purpose_grants.append(GrantSpec(item.code, "search", masked=masked, require_purpose=True))
    profiles.append(Profile("purpose-required-missing", tuple(purpose_grants)))
    profiles.append(Profile("purpose-required-given", tuple(purpose_grants), purpose=PURPOSE))
    for n in (1, 2):
        grants = []
        for dataset in datasets:
            mode = rng.choice((None, *MODES))
            if mode is None:
                continue
            for item in _subset(_shareable(dataset), rng, 0.6):
                masked = item.masking != Masking.NONE and rng.random() < 0.5
                grants.append(GrantSpec(item.code, mode, masked=masked))
        profiles.append(Profile(f"mixed-{n}", tuple(grants)))
    return profiles
