"""Vector indexes over stable int64 ids: an exact NumPy reference and a FAISS backend."""
from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class VectorIndex(Protocol):
    """Inner-product index keyed by int64 ids; adding an existing id replaces its vector."""

    dim: int

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    def remove(self, ids: np.ndarray) -> None: ...

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]: ...

    def get(self, ids: np.ndarray) -> np.ndarray: ...

    def ids(self) -> np.ndarray: ...

    def __len__(self) -> int: ...


def _prep(ids, vectors, dim):
    ids = np.asarray(ids, dtype=np.int64).reshape(-1)
    vectors = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).reshape(len(ids), dim))
    if len(np.unique(ids)) != len(ids):
        # keep the last occurrence, like a dict update
        _, last = np.unique(ids[::-1], return_index=True)
        keep = np.sort(len(ids) - 1 - last)
        ids, vectors = ids[keep], vectors[keep]
    return ids, vectors


def _empty(nq: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full((nq, k), -np.inf, np.float32), np.full((nq, k), -1, np.int64)


class NumpyIndex:
    """Exact brute-force search; the reference every backend is tested against."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._vecs = np.zeros((0, dim), np.float32)
        self._ids = np.zeros(0, np.int64)
        self._n = 0
        self._row: dict[int, int] = {}

    def __len__(self) -> int:
        return self._n

    def _grow(self, need: int) -> None:
        if need > len(self._vecs):
            cap = max(need, 2 * len(self._vecs), 64)
            vecs = np.zeros((cap, self.dim), np.float32)
            ids = np.full(cap, -1, np.int64)
            vecs[: self._n], ids[: self._n] = self._vecs[: self._n], self._ids[: self._n]
            self._vecs, self._ids = vecs, ids

    def add(self, ids, vectors) -> None:
        """Insert or replace vectors."""
        ids, vectors = _prep(ids, vectors, self.dim)
        new = [j for j, i in enumerate(ids) if int(i) not in self._row]
        for j, i in enumerate(ids):
            r = self._row.get(int(i))
            if r is not None:
                self._vecs[r] = vectors[j]
        self._grow(self._n + len(new))
        for j in new:
            self._vecs[self._n], self._ids[self._n] = vectors[j], ids[j]
            self._row[int(ids[j])] = self._n
            self._n += 1

    def remove(self, ids) -> None:
        """Delete ids (unknown ids are ignored); the last row moves into the hole."""
        for i in np.asarray(ids, np.int64).reshape(-1):
            r = self._row.pop(int(i), None)
            if r is None:
                continue
            last = self._n - 1
            if r != last:
                self._vecs[r], self._ids[r] = self._vecs[last], self._ids[last]
                self._row[int(self._ids[r])] = r
            self._ids[last] = -1
            self._n -= 1

    def search(self, queries, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query row; missing slots are (-inf, -1)."""
        q = np.asarray(queries, np.float32).reshape(-1, self.dim)
        out_s, out_i = _empty(len(q), k)
        if self._n == 0 or k <= 0:
            return out_s, out_i
        scores = q @ self._vecs[: self._n].T
        kk = min(k, self._n)
        part = np.argpartition(-scores, kk - 1, axis=1)[:, :kk] if kk < self._n else np.tile(np.arange(self._n), (len(q), 1))
        top = np.take_along_axis(scores, part, 1)
        order = np.argsort(-top, axis=1, kind="stable")
        part = np.take_along_axis(part, order, 1)
        out_s[:, :kk] = np.take_along_axis(top, order, 1)
        out_i[:, :kk] = self._ids[part]
        return out_s, out_i

    def get(self, ids) -> np.ndarray:
        """Stored vectors for ids (KeyError for unknown ids)."""
        return self._vecs[[self._row[int(i)] for i in np.asarray(ids).reshape(-1)]].copy()

    def ids(self) -> np.ndarray:
        """All stored ids."""
        return self._ids[: self._n].copy()

    def memory_bytes(self) -> int:
        """Approximate resident size."""
        return self._vecs.nbytes + self._ids.nbytes + 100 * len(self._row)


class FaissIndex:
    """FAISS inner-product index: exact flat until `ivf_threshold` vectors, then IVF-Flat.

    IVF (not HNSW) because FAISS IVF supports remove_ids and reconstruct natively, so
    updates stay 'remove + add' with no tombstones; k-means training on a sample is fast.
    The IVF is retrained when the collection grows 4x past the size it was trained on.
    """

    def __init__(self, dim: int, ivf_threshold: int = 50_000, nprobe: int | None = None,
                 mode: str = "auto", threads: int = 1) -> None:
        import faiss

        if mode not in ("auto", "flat", "ivf"):
            raise ValueError("mode must be 'auto', 'flat' or 'ivf'")
        faiss.omp_set_num_threads(max(1, threads))
        self.dim = dim
        self.mode = mode
        self.ivf_threshold = ivf_threshold
        self.nprobe = nprobe
        self._trained_at = 0
        self._index = self._flat()
        self.kind = "flat"

    def _flat(self):
        import faiss

        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def _all(self) -> tuple[np.ndarray, np.ndarray]:
        ids = self.ids()
        return ids, (self.get(ids) if len(ids) else np.zeros((0, self.dim), np.float32))

    def _build_ivf(self, ids: np.ndarray, vecs: np.ndarray) -> None:
        import faiss

        n = len(ids)
        nlist = int(min(4096, max(16, 2 ** round(np.log2(max(1.0, 4 * np.sqrt(n)))))))
        nlist = max(1, min(nlist, n // 39))  # FAISS wants >= 39 training points per centroid
        quantizer = faiss.IndexFlatIP(self.dim)
        ivf = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        ivf.cp.max_points_per_centroid = 40  # train on <= 40*nlist points: seconds, not minutes
        ivf.cp.niter = 12
        rng = np.random.default_rng(0)
        sample = vecs[rng.choice(n, size=min(n, nlist * 40), replace=False)]
        ivf.train(sample)
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)
        # 128 cells (an eighth of them at 100k): recall@10 1.000 with MiniLM, 0.977 with the ensemble, whose
        # language-weighted queries miss more cells than plain ones (bench/run.py; README, Matching speed).
        ivf.nprobe = self.nprobe or min(128, max(8, nlist // 8))
        ivf.add_with_ids(vecs, ids)
        self._index, self.kind, self._trained_at = ivf, "ivf", n

    def _maybe_switch(self, incoming: int) -> None:
        n = len(self) + incoming
        if self.mode == "flat":
            return
        if self.kind == "flat" and (self.mode == "ivf" and n >= 64 or n >= self.ivf_threshold):
            return self._pending_rebuild()
        if self.kind == "ivf" and n >= 4 * self._trained_at:
            return self._pending_rebuild()

    def _pending_rebuild(self) -> None:
        self._rebuild_next = True

    def add(self, ids, vectors) -> None:
        """Insert or replace vectors (replace = remove + add)."""
        ids, vectors = _prep(ids, vectors, self.dim)
        if len(ids) == 0:
            return
        self.remove(ids)
        self._rebuild_next = False
        self._maybe_switch(len(ids))
        if self._rebuild_next:
            old_ids, old_vecs = self._all()
            self._build_ivf(np.concatenate([old_ids, ids]), np.vstack([old_vecs, vectors]))
        else:
            self._index.add_with_ids(vectors, ids)

    def remove(self, ids) -> None:
        """Delete ids (unknown ids are ignored)."""
        import faiss

        ids = np.asarray(ids, np.int64).reshape(-1)
        if len(ids) and len(self):
            # the IVF hashtable direct map only accepts IDSelectorArray; flat prefers the hashed batch
            sel = faiss.IDSelectorBatch(ids) if self.kind == "flat" else faiss.IDSelectorArray(ids)
            self._index.remove_ids(sel)

    def search(self, queries, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query row; missing slots are (-inf, -1)."""
        q = np.ascontiguousarray(np.asarray(queries, np.float32).reshape(-1, self.dim))
        if len(self) == 0 or k <= 0:
            return _empty(len(q), k)
        s, i = self._index.search(q, k)
        s = s.astype(np.float32)
        s[i < 0] = -np.inf
        return s, i.astype(np.int64)

    def get(self, ids) -> np.ndarray:
        """Stored vectors for ids (KeyError for unknown ids)."""
        ids = np.asarray(ids, np.int64).reshape(-1)
        out = np.zeros((len(ids), self.dim), np.float32)
        for j, i in enumerate(ids):
            try:
                out[j] = self._index.reconstruct(int(i))
            except RuntimeError as exc:
                raise KeyError(int(i)) from exc
        return out

    def ids(self) -> np.ndarray:
        """All stored ids."""
        import faiss

        if self.kind == "flat":
            return faiss.vector_to_array(self._index.id_map).astype(np.int64)
        invlists = self._index.invlists
        parts = []
        for lst in range(self._index.nlist):
            size = invlists.list_size(lst)
            if size:
                parts.append(faiss.rev_swig_ptr(invlists.get_ids(lst), size).copy())
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)

    def memory_bytes(self) -> int:
        """Approximate resident size (vectors + ids + id map)."""
        n = len(self)
        per = 4 * self.dim + 8 + (16 if self.kind == "ivf" else 8)
        extra = 4 * self.dim * getattr(self._index, "nlist", 0)
        return n * per + extra


def make_index(dim: int, backend: str = "faiss", **kwargs) -> VectorIndex:
    """Index factory: 'faiss' (default) or 'numpy'."""
    if backend == "numpy":
        return NumpyIndex(dim)
    return FaissIndex(dim, **kwargs)
