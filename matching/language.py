"""Tiny language guesser: enough to tell Vietnamese and English apart from everything else.

English is recognised by vocabulary coverage: the share of the text's words found in the English CPV
labels plus common English function words. This keeps short unaccented foreign labels
("Servicios de limpieza", "Servizi di pulizia") out of 'en', which matters because English-only
signals (MiniLM, BM25 over English labels) are weighted up for 'en' queries.
"""
from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

from .lexical import fold_text

# Letters that only Vietnamese uses among Latin-script languages (after lower-casing): tone marks on
# vowels and the horned vowels. Shared letters (â ê ô ă đ) are not evidence on their own.
_VI_STRONG = set("ơưắằẳẵặấầẩẫậếềểễệốồổỗộớờởỡợứừửữựạảẽẻẹỉịọỏụủỳỷỹỵ")
_VI_CHARS = _VI_STRONG | set("ăâêôđ")
_VI_WORDS = set(
    """xu ly nuoc thai chat ran rac cung cap thiet bi dich vu he thong xay dung cong trinh may moi truong
    quan trac khi bun loc tram bom ong be thu gom van chuyen tai che hoa thiet ke lap dat bao tri sua chua
    cua cho cac va duoc trong voi nhung mot theo ve tu khi nay tren san pham giai phap cong nghe""".split()
)
_EN_WORDS = set(
    """the and of for to with in on is are be by from this that will services service supply supplies
    provision contract works equipment management maintenance system systems council including an as
    we our you your their they it its at or not no all any each which who what when where how into over
    under about after before between within without per via been being has have had would should could
    may must can also such other new provide providing required requirement requirements tender""".split()
)
# Frequent function words of other European languages that also occur inside English CPV labels.
_NOT_EN = set("""de la el los las del y en con para por un una da do das dos e em na no ao di il le les des du et
    und der die das mit von zu für fur het een van voor og i och til af ja ta""".split())
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_DATA = Path(__file__).resolve().parent / "data" / "cpv2008.csv"


@functools.lru_cache(maxsize=1)
def english_vocabulary() -> frozenset[str]:
    """Folded words of the English CPV labels plus common English words."""
    words = set(_EN_WORDS)
    try:
        with open(_DATA, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                words.update(w for w in _WORD.findall(fold_text(row["label_en"])) if len(w) > 1)
    except OSError:  # pragma: no cover - the CSV ships with the package
        pass
    return frozenset(words - _NOT_EN)


def english_share(text: str) -> float:
    """Share of the text's words (2+ letters) that are English vocabulary."""
    words = [w for w in _WORD.findall(fold_text(text)) if len(w) > 1]
    if not words:
        return 0.0
    vocab = english_vocabulary()
    return sum(w in vocab for w in words) / len(words)


def detect_language(text: str) -> str:
    """Return 'vi', 'en' or 'other' (a guess; texts without letters default to 'en')."""
    low = (text or "").lower()
    letters = [c for c in low if c.isalpha()]
    if not letters:
        return "en"
    strong = sum(c in _VI_STRONG for c in letters)
    vi_hits = sum(c in _VI_CHARS for c in letters)
    if strong >= 2 or (strong and len(letters) < 20) or (strong and vi_hits >= 0.03 * len(letters)):
        return "vi"
    non_ascii = sum(ord(c) > 127 for c in letters)
    words = _WORD.findall(fold_text(text))
    if not words:
        return "en"
    vi_w = sum(w in _VI_WORDS for w in words) / len(words)
    en_w = sum(w in _EN_WORDS for w in words) / len(words)
    if vi_w >= 0.5 and vi_w > en_w:
        return "vi"  # unaccented Vietnamese ("xu ly nuoc thai")
    if non_ascii / len(letters) > 0.02:
        return "other"
    return "en" if english_share(text) >= 0.3 else "other"
