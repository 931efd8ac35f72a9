"""The public face of the division table for the other libraries.

Other libraries validate division codes through these functions only, never
by reaching into this library's models. The GB/T 2260 code table, with every
code that has ever existed and the years it was in force, comes from
python-stdnum's ``cn/loc`` database.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import stdnum


@dataclass(frozen=True)
class DivisionCode:
    code: str
    name: str
    start: int | None  # first year in force, None if before records
    end: int | None  # last year in force, None if still in force

    @property
    def current(self):
        return self.end is None


@lru_cache(maxsize=1)
def _table() -> dict[str, list[DivisionCode]]:
    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    table: dict[str, list[DivisionCode]] = {}
    province = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province = line.split()[0]
            continue
        suffix, _, rest = line.strip().partition(" ")
        value = rest.split("=", 1)[1].strip('"')
        code = province + suffix
        for entry in value.split(","):
            start = end = None
            name = entry
            if entry.startswith("["):
                years, name = entry[1:].split("]", 1)
                first, last = years.split("-")
                start = int(first) if first else None
                end = int(last) if last else None
            table.setdefault(code, []).append(DivisionCode(code, name, start, end))
    return table


def known_division(code: str) -> bool:
    """True for any GB/T 2260 code that has ever existed, retired codes included.

    Six-digit codes come from the code table (no database access, so ID
    number checks stay cheap); 9- and 12-digit township codes from the
    loaded divisions.
    """
    if len(code) in (9, 12):
        return code in _loaded()
    return code in _table()


@lru_cache(maxsize=1)
def six_digit_codes() -> frozenset[str]:
    """Every six-digit code :func:`known_division` accepts (for checks done in SQL)."""
    return frozenset(code for code in _table() if len(code) == 6)


def division_name(code: str) -> str:
    entries = _table().get(code, [])
    current = [e for e in entries if e.current]
    return (current or entries or [DivisionCode(code, "", None, None)])[-1].name


def current_counties(prefix: str = "32") -> list[str]:
    """County-level codes in force today under ``prefix`` (excluding 市辖区 placeholders)."""
    return sorted(
        code
        for code, entries in _table().items()
        if code.startswith(prefix)
        and not code.endswith("00")
        and not code.endswith("01")
        and any(e.current for e in entries)
    )


def all_codes(prefix: str = "") -> list[str]:
    return sorted(code for code in _table() if code.startswith(prefix))


# -- the loaded Division records, with the code table as fallback ------------

LEVELS_UP = ("township", "county", "city", "province")


@dataclass(frozen=True)
class DivisionInfo:
    """What other libraries may know of a division: no geometry, no model instance."""

    code: str
    name: str
    level: str
    parent_code: str
    current: bool
    successor_codes: tuple[str, ...] = ()
    loaded: bool = True  # False when it comes from the GB/T 2260 code table only


_loaded_cache: dict = {}
_CACHE_SECONDS = 60


def clear_cache():
    """Drop the in-process copy of the Division table (called when divisions are written)."""
    _loaded_cache.clear()


def _loaded() -> dict[str, DivisionInfo]:
    import time

    from django.db import DatabaseError

    now = time.monotonic()
    if _loaded_cache and now - _loaded_cache["at"] < _CACHE_SECONDS:
        return _loaded_cache["table"]
    from .models import Division

    try:
        rows = Division.objects.values_list(
            "code", "name", "level", "parent_code", "valid_until", "successor_codes"
        )
        table = {
            code: DivisionInfo(code, name, level, parent, until is None, tuple(successors or ()))
            for code, name, level, parent, until, successors in rows
        }
    except DatabaseError:  # tables not migrated yet (e.g. during migrate itself)
        table = {}
    _loaded_cache.update(at=now, table=table)
    return table


def _from_table(code: str) -> DivisionInfo | None:
    from .models import implied_level

    entries = _table().get(code)
    if not entries:
        return None
    level = implied_level(code)
    parent = ""
    if level == "city":
        parent = code[:2] + "0000"
    elif level == "county":
        parent = code[:4] + "00" if code[:4] + "00" in _table() else code[:2] + "0000"
    return DivisionInfo(code, division_name(code), level, parent, any(e.current for e in entries), (), False)


def division_info(code: str) -> DivisionInfo | None:
    """A division by code: the loaded record if any, else the GB/T 2260 table entry, else None."""
    code = str(code or "").strip()
    return _loaded().get(code) or _from_table(code)


def division_chain(code: str) -> list[DivisionInfo]:
    """The division and its ancestors, finest first (county, city, province)."""
    chain = []
    info = division_info(code)
    while info is not None and len(chain) < 5:
        chain.append(info)
        info = division_info(info.parent_code) if info.parent_code else None
    return chain


def current_successors(code: str) -> list[str]:
    """The codes in force that replaced a retired code (itself if current; [] if unknown or ended)."""
    seen, frontier, result = set(), [code], []
    while frontier:
        here = frontier.pop(0)
        if here in seen:
            continue
        seen.add(here)
        info = division_info(here)
        if info is None:
            continue
        if info.current:
            result.append(here)
        else:
            frontier.extend(info.successor_codes)
    return sorted(result)


def check_division(code, *, levels=None, current_only=True, within=None):
    """The one validator other libraries use for a division reference.

    Raises ``django.core.exceptions.ValidationError`` naming the reason:
    unknown code, retired code (with the codes that replaced it), wrong
    level, or not under ``within``. Returns the :class:`DivisionInfo`.
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from .choices import level_word, level_words

    code = str(code or "").strip()
    info = division_info(code)
    if info is None:
        raise ValidationError(
            _("%(code)s is not a known division code (GB/T 2260).") % {"code": code[:20]},
            code="division_unknown",
        )
    if current_only and not info.current:
        successors = current_successors(code)
        hint = _(" It was replaced by %(codes)s.") % {"codes": ", ".join(successors)} if successors else ""
        raise ValidationError(
            _("Division %(code)s (%(name)s) is no longer in force.%(hint)s")
            % {"code": code, "name": info.name, "hint": hint},
            code="division_retired",
        )
    if levels and info.level not in levels:
        raise ValidationError(
            _("Division %(code)s is a %(level)s; expected %(levels)s.")
            % {"code": code, "level": level_word(info.level), "levels": level_words(levels)},
            code="division_level",
        )
    if within and not any(d.code == within for d in division_chain(code)):
        raise ValidationError(
            _("Division %(code)s does not lie within %(within)s.") % {"code": code, "within": within},
            code="division_outside",
        )
    return info


def locate(lon: float, lat: float) -> list[DivisionInfo]:
    """The chain of divisions in force containing the point, finest first; [] outside them all.

    A point on a border shared by two divisions resolves to the lower code.
    """
    from .spatial import locate_divisions

    hits = locate_divisions(float(lon), float(lat))
    return division_chain(hits[0]) if hits else []
