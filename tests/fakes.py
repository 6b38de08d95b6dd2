"""Deterministic test doubles (no model downloads, no torch)."""
from __future__ import annotations

import hashlib
from typing import Sequence

import numpy as np

from matching.lexical import tokenize


class FakeEncoder:
    """Hash-seeded unit vector per token, summed and normalised: texts sharing words are similar."""

    def __init__(self, dim: int = 64, model_id: str = "fake-encoder") -> None:
        self.dim = dim
        self.model_id = model_id
        self.calls = 0
        self.encoded = 0

    def _token(self, tok: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha1(tok.encode("utf-8")).digest()[:8], "little")
        v = np.random.default_rng(seed).normal(size=self.dim).astype(np.float32)
        return v / np.linalg.norm(v)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.encoded += len(texts)
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, t in enumerate(texts):
            for tok in tokenize(t) or ["<empty>"]:
                out[i] += self._token(tok)
            out[i] /= max(float(np.linalg.norm(out[i])), 1e-12)
        return out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)
