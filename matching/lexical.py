"""Accent-insensitive tokenizer (Vietnamese + European languages) and an incremental BM25 index.

We keep our own BM25 instead of bm25s: bm25s builds a static scipy matrix, so every
add/remove would re-index the whole corpus. The web app upserts one document at a time,
so we keep posting lists in dicts and materialise per-term numpy arrays lazily.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from typing import Iterable, Sequence

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
# Letters that NFD does not decompose but users type without the stroke.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "ß": "ss", "æ": "ae", "œ": "oe"})

# Small stopword list: English, plus Vietnamese/Spanish/Portuguese function words (folded).
STOPWORDS = frozenset(
    """a an and are as at be by for from in into is it of on or the to with within this that these those
    will be been being we our you your all any other not no per via including include includes such
    va cua cho cac la duoc trong voi tai nhung mot theo ve tu de khi nay do tren
    de la el los las y en del al por con para un una o
    da do das dos e em na no nas nos um uma ao""".split()
)


def fold_text(text: str) -> str:
    """Lower-case and strip diacritics, so 'Xử lý nước thải' == 'xu ly nuoc thai'."""
    text = text.translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped).lower()


def tokenize(text: str, stopwords: bool = True) -> list[str]:
    """Split folded text into word tokens, dropping stopwords and 1-char tokens."""
    toks = _WORD.findall(fold_text(text))
    if stopwords:
        return [t for t in toks if len(t) > 1 and t not in STOPWORDS]
    return toks


class Bm25Index:
    """Okapi BM25 over int64 ids with cheap add/remove."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._slot_of: dict[int, int] = {}
        self._ids: list[int] = []
        self._free: list[int] = []
        self._len: list[int] = []
        self._tf: list[dict[str, int] | None] = []
        self._post: dict[str, dict[int, int]] = {}  # term -> {slot: tf}
        self._arr: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # lazily built per term
        self._slot_arrays: tuple[np.ndarray, np.ndarray] | None = None  # (lengths, ids) per slot, lazily built
        self._total_len = 0

    def __len__(self) -> int:
        return len(self._slot_of)

    def add(self, ids: Sequence[int], texts: Sequence[str]) -> None:
        """Index texts under ids (replacing earlier versions of the same id)."""
        for i, text in zip(ids, texts):
            self.add_tokens(int(i), tokenize(text))

    def add_tokens(self, doc_id: int, tokens: Iterable[str]) -> None:
        """Index pre-tokenized text under doc_id."""
        if doc_id in self._slot_of:
            self.remove([doc_id])
        tf = dict(Counter(tokens))
        if self._free:
            slot = self._free.pop()
            self._ids[slot] = doc_id
            self._len[slot] = sum(tf.values())
            self._tf[slot] = tf
        else:
            slot = len(self._ids)
            self._ids.append(doc_id)
            self._len.append(sum(tf.values()))
            self._tf.append(tf)
        self._slot_of[doc_id] = slot
        self._slot_arrays = None
        self._total_len += self._len[slot]
        for term, n in tf.items():
            self._post.setdefault(term, {})[slot] = n
            self._arr.pop(term, None)

    def remove(self, ids: Iterable[int]) -> None:
        """Forget ids; unknown ids are ignored."""
        for doc_id in ids:
            slot = self._slot_of.pop(int(doc_id), None)
            if slot is None:
                continue
            tf = self._tf[slot] or {}
            for term in tf:
                post = self._post.get(term)
                if post is not None:
                    post.pop(slot, None)
                    if not post:
                        del self._post[term]
                self._arr.pop(term, None)
            self._total_len -= self._len[slot]
            self._slot_arrays = None
            self._len[slot] = 0
            self._tf[slot] = None
            self._ids[slot] = -1
            self._free.append(slot)

    def terms(self, doc_id: int) -> dict[str, int]:
        """Term frequencies of an indexed document (empty if unknown)."""
        slot = self._slot_of.get(int(doc_id))
        return dict(self._tf[slot] or {}) if slot is not None else {}

    def _idf(self, term: str) -> float:
        n = len(self._slot_of)
        df = len(self._post.get(term, ()))
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def _term_arrays(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        arr = self._arr.get(term)
        if arr is None:
            post = self._post.get(term, {})
            arr = (np.fromiter(post.keys(), np.int64, len(post)), np.fromiter(post.values(), np.float32, len(post)))
            self._arr[term] = arr
        return arr

    def _per_slot(self) -> tuple[np.ndarray, np.ndarray]:
        """Document lengths and ids by slot, as arrays (rebuilt only after a change, not per query)."""
        if self._slot_arrays is None:
            self._slot_arrays = (np.asarray(self._len, np.float32), np.asarray(self._ids, np.int64))
        return self._slot_arrays

    def search(self, query: str | Sequence[str], k: int = 100) -> tuple[np.ndarray, np.ndarray]:
        """Return (scores, ids) of the top-k documents, best first."""
        toks = tokenize(query) if isinstance(query, str) else list(query)
        toks = [t for t in dict.fromkeys(toks) if t in self._post]
        if not toks or not self._slot_of or k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        lens, slot_ids = self._per_slot()
        avg = max(self._total_len / len(self._slot_of), 1e-9)
        # Accumulate into one dense array: a term's postings hold each slot once, so fancy-index += is exact,
        # and it avoids sorting the concatenated postings of common words (most of a query's time at 100k docs).
        acc = np.zeros(len(lens), np.float32)
        for t in toks:
            slots, tf = self._term_arrays(t)
            acc[slots] += self._idf(t) * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * lens[slots] / avg))
        hit = np.flatnonzero(acc)
        scores = acc[hit]
        k = min(k, len(hit))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(hit) else np.arange(len(hit))
        top = top[np.argsort(-scores[top], kind="stable")]
        return scores[top], slot_ids[hit[top]]

    def score(self, query: str | Sequence[str], ids: Sequence[int]) -> np.ndarray:
        """BM25 score of the query for each given id (0 for unknown ids)."""
        toks = tokenize(query) if isinstance(query, str) else list(query)
        toks = [t for t in dict.fromkeys(toks) if t in self._post]
        out = np.zeros(len(ids), np.float32)
        if not toks or not self._slot_of:
            return out
        avg = max(self._total_len / len(self._slot_of), 1e-9)
        idf = {t: self._idf(t) for t in toks}
        for j, doc_id in enumerate(ids):
            slot = self._slot_of.get(int(doc_id))
            if slot is None:
                continue
            tf_doc = self._tf[slot] or {}
            norm = self.k1 * (1 - self.b + self.b * self._len[slot] / avg)
            s = 0.0
            for t in toks:
                tf = tf_doc.get(t)
                if tf:
                    s += idf[t] * tf * (self.k1 + 1) / (tf + norm)
            out[j] = s
        return out

    # -- persistence helpers (used by matching.store) --
    def state(self) -> dict:
        """Serialisable state: {id: term-frequency dict}."""
        return {"k1": self.k1, "b": self.b, "docs": {str(i): self._tf[s] for i, s in self._slot_of.items()}}

    @classmethod
    def from_state(cls, state: dict) -> "Bm25Index":
        """Rebuild from `state()` output."""
        idx = cls(k1=state.get("k1", 1.2), b=state.get("b", 0.75))
        for i, tf in state["docs"].items():
            idx.add_tokens(int(i), [t for t, n in tf.items() for _ in range(int(n))])
        return idx
