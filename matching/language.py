"""Tiny language guesser: enough to tell Vietnamese and English apart from everything else."""
from __future__ import annotations

import re

from .lexical import fold_text

# Letters that only Vietnamese uses among Latin-script languages (after lower-casing).
_VI_CHARS = set("ăắằẳẵặâấầẩẫậđêếềểễệôốồổỗộơớờởỡợưứừửữựạảẽẻẹỉịọỏụủỳỷỹỵ")
_VI_WORDS = set(
    """xu ly nuoc thai chat ran rac cung cap thiet bi dich vu he thong xay dung cong trinh may moi truong
    quan trac khi bun loc tram bom ong be thu gom van chuyen tai che hoa thiet ke lap dat bao tri sua chua
    cua cho cac va duoc trong voi nhung mot theo ve tu khi nay tren san pham giai phap cong nghe""".split()
)
_EN_WORDS = set(
    """the and of for to with in on is are be by from this that will services service supply supplies
    provision contract works equipment management maintenance system systems council including an as""".split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect_language(text: str) -> str:
    """Return 'vi', 'en' or 'other' (a guess; short ambiguous texts default to 'en')."""
    low = text.lower()
    letters = [c for c in low if c.isalpha()]
    if not letters:
        return "en"
    vi_hits = sum(c in _VI_CHARS for c in letters)
    if vi_hits >= 2 or (vi_hits and len(letters) < 20):
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
    if en_w > 0 or len(words) <= 4:
        return "en"
    return "other"
