"""The CPV 2008 tree: parse, validate, levels, ancestors and multilingual labels."""
from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .lexical import fold_text

DATA_DIR = Path(__file__).resolve().parent / "data"
_CODE = re.compile(r"^\s*(\d{8})(?:-(\d))?\s*$")
# Check-digit weights, cycling 3-7-1 over the eight digits (sum mod 10); verified on published codes
# such as 45000000-7, 90400000-1, 71313000-5, 34144510-6.
_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)
LEVEL_NAMES = {2: "division", 3: "group", 4: "class", 5: "category"}


def check_digit(code: str) -> int:
    """Compute the CPV check digit of an 8-digit code."""
    return sum(int(d) * w for d, w in zip(code, _WEIGHTS)) % 10


@dataclass(frozen=True)
class Validation:
    """Outcome of `CpvTaxonomy.validate`."""

    ok: bool
    code: str | None
    error: str | None = None


class CpvTaxonomy:
    """CPV 2008 codes with en/es/vi labels."""

    def __init__(self, csv_path: str | Path | None = None, vi_path: str | Path | None = None) -> None:
        csv_path = Path(csv_path or DATA_DIR / "cpv2008.csv")
        vi_path = Path(vi_path or DATA_DIR / "cpv_vi.csv")
        self.labels: dict[str, dict[str, str]] = {}
        with open(csv_path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                self.labels[row["code"]] = {"en": row["label_en"], "es": row["label_es"]}
        if vi_path.exists():
            with open(vi_path, encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    if row["code"] in self.labels and row.get("label_vi"):
                        self.labels[row["code"]]["vi"] = row["label_vi"].strip()
        self.codes: tuple[str, ...] = tuple(sorted(self.labels))
        self._folded = {c: {lang: fold_text(t) for lang, t in labs.items()} for c, labs in self.labels.items()}

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self.labels

    def __len__(self) -> int:
        return len(self.labels)

    def normalize(self, code: str) -> str | None:
        """Return the bare 8-digit code for '90400000' or '90400000-1', or None if malformed."""
        m = _CODE.match(code or "")
        return m.group(1) if m else None

    def validate(self, code: str) -> Validation:
        """Check format, check digit (when given) and membership in CPV 2008."""
        m = _CODE.match(code or "")
        if not m:
            return Validation(False, None, "format: expected 8 digits, optionally '-' and a check digit")
        bare, check = m.group(1), m.group(2)
        if check is not None and int(check) != check_digit(bare):
            return Validation(False, bare, f"check digit: expected {bare}-{check_digit(bare)}")
        if bare not in self.labels:
            return Validation(False, bare, "unknown: not a CPV 2008 code")
        return Validation(True, bare)

    def valid_codes(self, codes: Iterable[str]) -> tuple[str, ...]:
        """Keep the known codes (normalised), silently dropping the rest."""
        out = []
        for c in codes:
            bare = self.normalize(c)
            if bare in self.labels and bare not in out:
                out.append(bare)
        return tuple(out)

    @staticmethod
    def level(code: str) -> int:
        """Number of significant digits: 2 division, 3 group, 4 class, 5 category, 6-8 finer."""
        return max(2, len(code[:8].rstrip("0")))

    def parent(self, code: str) -> str | None:
        """Nearest existing ancestor, or None for a division."""
        sig = self.level(code)
        for n in range(sig - 1, 1, -1):
            cand = code[:n].ljust(8, "0")
            if cand in self.labels and cand != code:
                return cand
        return None

    def path(self, code: str) -> tuple[str, ...]:
        """Ancestors from the division down to the code itself (inclusive)."""
        out = [code]
        p = self.parent(code)
        while p is not None:
            out.append(p)
            p = self.parent(p)
        return tuple(reversed(out))

    def shared_path(self, a: str, b: str) -> tuple[str, ...]:
        """Common ancestors of two codes (root first); empty when divisions differ."""
        pa, pb = self.path(a), self.path(b)
        out = []
        for x, y in zip(pa, pb):
            if x != y:
                break
            out.append(x)
        return tuple(out)

    def label(self, code: str, lang: str = "en") -> str:
        """Label in 'en', 'es' or 'vi' (falls back to English)."""
        labs = self.labels.get(code)
        if labs is None:
            return code
        return labs.get(lang) or labs["en"]

    def has_label(self, code: str, lang: str) -> bool:
        """True when a label exists in that language (no fallback)."""
        return lang in self.labels.get(code, {})

    def search(self, query: str, lang: str = "en", limit: int = 20) -> list[tuple[str, str]]:
        """Search-as-you-type by code prefix ('9040') or words ('nuoc thai'), diacritic-insensitive."""
        q = query.strip()
        if not q:
            return []
        digits = q.replace("-", "")
        if digits.isdigit():
            hits = [c for c in self.codes if c.startswith(digits[:8])]
            hits.sort(key=lambda c: (self.level(c), c))
            return [(c, self.label(c, lang)) for c in hits[:limit]]
        words = fold_text(q).split()
        ranked = []
        for c in self.codes:
            folded = self._folded[c]
            for rank_lang, text in ((0, folded.get(lang, folded["en"])), (1, folded["en"])):
                toks = re.findall(r"\w+", text)
                if all(any(t.startswith(w) for t in toks) for w in words):
                    starts = 0 if text.startswith(words[0]) else 1
                    ranked.append((rank_lang, starts, self.level(c), c))
                    break
        ranked.sort()
        return [(c, self.label(c, lang)) for *_, c in ranked[:limit]]


@functools.lru_cache(maxsize=1)
def default_taxonomy() -> CpvTaxonomy:
    """The bundled CPV 2008 taxonomy, loaded once."""
    return CpvTaxonomy()
