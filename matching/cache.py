"""On-disk memo of embeddings so evaluation re-runs do not re-encode the CPV corpus."""
from __future__ import annotations

import hashlib
import os
import re
import uuid
from pathlib import Path
from typing import Sequence

import numpy as np


class CachedEncoder:
    """Wrap an Encoder; vectors are stored as append-only .npz shards under cache_dir/<model_id>/."""

    def __init__(self, inner, cache_dir: str | os.PathLike[str]) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.dir = Path(cache_dir) / re.sub(r"[^A-Za-z0-9_.-]+", "_", inner.model_id)
        self._mem: dict[bytes, np.ndarray] = {}
        if self.dir.is_dir():
            for shard in sorted(self.dir.glob("*.npz")):
                try:
                    with np.load(shard) as z:
                        for k, v in zip(z["keys"], z["vecs"]):
                            self._mem[bytes(k)] = v
                except (OSError, ValueError, KeyError):
                    continue  # a torn shard only costs a re-encode

    @staticmethod
    def _key(kind: str, text: str) -> bytes:
        return hashlib.sha1((kind + "\x00" + text).encode("utf-8")).digest()

    def _get(self, texts: Sequence[str], kind: str) -> np.ndarray:
        keys = [self._key(kind, t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self._mem]
        if missing:
            todo = list(dict.fromkeys(texts[i] for i in missing))
            fn = self.inner.encode_queries if kind == "q" else self.inner.encode_passages
            vecs = fn(todo)
            new_keys = [self._key(kind, t) for t in todo]
            for k, v in zip(new_keys, vecs):
                self._mem[k] = v
            self.dir.mkdir(parents=True, exist_ok=True)
            tmp = self.dir / f".tmp-{uuid.uuid4().hex}.npz"
            np.savez(tmp, keys=np.frombuffer(b"".join(new_keys), dtype="S20"), vecs=vecs.astype(np.float32))
            os.replace(tmp, self.dir / f"{uuid.uuid4().hex}.npz")
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self._mem[k] for k in keys]).astype(np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Encode (or recall) queries."""
        return self._get(list(texts), "q")

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Encode (or recall) passages."""
        return self._get(list(texts), "p")
