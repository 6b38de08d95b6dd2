"""Save and load engine state with a manifest, swapping folders atomically."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .engine import DocMeta, Engine
from .lexical import Bm25Index

FORMAT_VERSION = 1


class IndexUnavailable(RuntimeError):
    """The saved index is missing, corrupt or built for another model: rebuild it from the database."""


def _enc(v: Any) -> Any:
    if isinstance(v, datetime):
        return {"__dt__": v.isoformat()}
    if isinstance(v, date):
        return {"__date__": v.isoformat()}
    if isinstance(v, (set, frozenset, tuple)):
        return list(v)
    if isinstance(v, np.generic):
        return v.item()
    raise TypeError(f"cannot store facet value of type {type(v).__name__}")


def _dec(obj: dict) -> Any:
    if "__dt__" in obj and len(obj) == 1:
        return datetime.fromisoformat(obj["__dt__"])
    if "__date__" in obj and len(obj) == 1:
        return date.fromisoformat(obj["__date__"])
    return obj


def save(engine: Engine, folder: str | os.PathLike[str]) -> Path:
    """Write the engine to `folder` (vectors, ids/refs, lexical data, metadata, manifest.json)."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        ids = np.asarray(sorted(i for i, _ in engine.meta_items()), np.int64)
        vecs = engine.index.get(ids) if len(ids) else np.zeros((0, engine.encoder.dim), np.float32)
        np.save(tmp / "ids.npy", ids)
        np.save(tmp / "vectors.npy", vecs.astype(np.float32))
        with open(tmp / "docs.jsonl", "w", encoding="utf-8") as fh:
            for i, m in sorted(engine.meta_items()):
                fh.write(json.dumps({"id": i, "kind": m.kind, "ref": m.ref, "codes": list(m.codes),
                                     "facets": m.facets, "language": m.language}, default=_enc, ensure_ascii=False) + "\n")
        if engine.lexical is not None:
            with open(tmp / "lexical.json", "w", encoding="utf-8") as fh:
                json.dump(engine.lexical.state(), fh, ensure_ascii=False)
        manifest = {"format_version": FORMAT_VERSION, "model_id": engine.encoder.model_id, "dim": engine.encoder.dim,
                    "count": int(len(ids)), "next_id": engine._next_id, "lexical": engine.lexical is not None,
                    "created_at": datetime.now(timezone.utc).isoformat()}
        # manifest last: a folder without one is by definition incomplete
        with open(tmp / "manifest.json", "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=2)
        _swap(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def _swap(new: Path, folder: Path) -> None:
    # Rename the old folder aside, then the new one in: each os.replace is atomic, and a
    # reader sees either the complete old or the complete new folder (never a mix).
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old-{os.getpid()}-{datetime.now().timestamp():.0f}")
        os.replace(folder, old)
    try:
        os.replace(new, folder)
    except BaseException:
        if old is not None:
            os.replace(old, folder)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_manifest(folder: str | os.PathLike[str]) -> dict:
    """Parse manifest.json or raise IndexUnavailable."""
    path = Path(folder) / "manifest.json"
    try:
        with open(path, encoding="utf-8") as fh:
            manifest = json.load(fh)
    except FileNotFoundError as exc:
        raise IndexUnavailable(f"no saved index at {folder}") from exc
    except (OSError, ValueError) as exc:
        raise IndexUnavailable(f"corrupt manifest at {path}: {exc}") from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexUnavailable(f"index format {manifest.get('format_version')} != {FORMAT_VERSION}; rebuild it")
    return manifest


def load(folder: str | os.PathLike[str], encoder, index_factory: Callable | None = None, **engine_kwargs) -> Engine:
    """Rebuild an Engine from `folder`; raises IndexUnavailable when missing, corrupt or for another model."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest.get("model_id") != encoder.model_id or manifest.get("dim") != encoder.dim:
        raise IndexUnavailable(
            f"index at {folder} was built with model {manifest.get('model_id')!r} (dim {manifest.get('dim')}), "
            f"but the encoder is {encoder.model_id!r} (dim {encoder.dim}); rebuild the index")
    try:
        ids = np.load(folder / "ids.npy")
        vecs = np.load(folder / "vectors.npy")
        metas: dict[int, DocMeta] = {}
        with open(folder / "docs.jsonl", encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line, object_hook=_dec)
                metas[int(d["id"])] = DocMeta(d["kind"], d["ref"], tuple(d["codes"]), d["facets"], d["language"])
        lexical = None
        if manifest.get("lexical"):
            with open(folder / "lexical.json", encoding="utf-8") as fh:
                lexical = Bm25Index.from_state(json.load(fh))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexUnavailable(f"corrupt index at {folder}: {exc}") from exc
    if len(ids) != manifest.get("count") or vecs.shape != (len(ids), encoder.dim) or set(ids.tolist()) != set(metas):
        raise IndexUnavailable(f"corrupt index at {folder}: counts or ids do not agree with the manifest")
    engine = Engine(encoder, index_factory=index_factory, lexical=bool(manifest.get("lexical")), **engine_kwargs)
    if lexical is not None:
        engine.lexical = lexical
    engine._restore(metas, int(manifest.get("next_id", 1)))
    if len(ids):
        engine.index.add(ids, vecs)
    return engine
