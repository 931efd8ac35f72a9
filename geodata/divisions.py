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
    """True for any GB/T 2260 code that has ever existed, retired codes included."""
    return code in _table()


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
