"""The matching engine inside the product: one runtime per process, fed by the worker, read by pages."""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..indexing import DOCUMENT_BUILDERS, DOCUMENT_MODELS, parse_ref
from ..models import OutboxEvent, utcnow
from ..models.matching import Embedding, MatchResult

log = logging.getLogger("market.matching")
RESULTS_PER_SOURCE = 20
REVERSE_FANOUT = 20  # how many demand listings to refresh when a supply listing changes
# Extra candidates asked of the engine per target kind, so dropping the source's own organisation and its
# other listings still leaves a full list.
OWN_SLACK = 10


@dataclass(frozen=True)
class Direction:
    """What a listing of one kind is matched against."""

    targets: tuple[str, ...]
    filters: dict[str, dict[str, Any]] | None = None


# Demand -> supply and supply -> demand, as the programme asks: tenders and orders find enterprises and
# products; technology needs find patents and experts; enterprises and patents find what they could serve.
DIRECTIONS: dict[str, Direction] = {
    "tender": Direction(("organisation", "product"), {"organisation": {"org_kind": "enterprise"}}),
    "order": Direction(("organisation", "product"), {"organisation": {"org_kind": "enterprise"}}),
    "technology_need": Direction(("patent", "expert")),
    "organisation": Direction(("tender", "technology_need")),
    "product": Direction(("tender",)),
    "patent": Direction(("technology_need", "organisation")),
    "personnel_need": Direction(("course", "expert")),
}


def sources_targeting(kind: str) -> tuple[str, ...]:
    """Return the source kinds whose matches may include a listing of this kind."""
    return tuple(src for src, d in DIRECTIONS.items() if kind in d.targets)


def owner_columns() -> dict[str, Any]:
    """Map each listing kind to the column holding the id of the organisation that owns it."""
    from ..models import Organisation
    from ..models.catalog import Product
    from ..models.orders import Order
    from ..models.procurement import Tender
    from ..models.techtransfer import Listing, ListingKind

    columns: dict[str, Any] = {"organisation": Organisation.id, "product": Product.organisation_id,
                               "tender": Tender.buyer_id, "order": Order.buyer_org_id}
    columns.update({k.value: Listing.organisation_id for k in ListingKind})
    return columns


def owners_of(session: Session, refs: Iterable[str]) -> dict[str, int]:
    """Return the owner organisation id of each ref whose listing still exists, one query per kind."""
    columns = owner_columns()
    by_kind: dict[str, list[int]] = {}
    for ref in refs:
        kind, obj_id = parse_ref(ref)
        if kind in columns:
            by_kind.setdefault(kind, []).append(obj_id)
    owners: dict[str, int] = {}
    for kind, ids in by_kind.items():
        column = columns[kind]
        id_column = column.class_.id
        for obj_id, org_id in session.execute(select(id_column, column).where(id_column.in_(ids))):
            owners[f"{kind}:{obj_id}"] = org_id
    return owners


def without_own(session: Session, source_ref: str, target_refs: list[str]) -> list[str]:
    """Return the target refs not owned by the source's organisation, in order.

    A listing matching its own organisation helps nobody, and for an anonymous listing it would name the owner.
    """
    owners = owners_of(session, [source_ref, *target_refs])
    owner = owners.get(source_ref)
    if owner is None:
        return list(target_refs)
    return [ref for ref in target_refs if owners.get(ref) != owner]


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_ENCODERS: dict[tuple[str, int], Any] = {}
_ENCODERS_LOCK = threading.Lock()


def shared_encoder(setting: str, threads: int = 1):
    """Load a named or path encoder once per process, whatever number of apps or index folders use it."""
    with _ENCODERS_LOCK:
        enc = _ENCODERS.get((setting, threads))
        if enc is None:
            from matching import load_encoder

            enc = _ENCODERS[(setting, threads)] = load_encoder(setting, threads=threads)
        return enc


class MatchingRuntime:
    """Encoder + engine for one index folder, loaded lazily and shared by the threads of a process."""

    def __init__(self, encoder_setting: Any, index_dir: Path, threads: int = 1):
        self.encoder_setting = encoder_setting
        self.index_dir = index_dir
        self.threads = threads
        self.lock = threading.RLock()
        self._encoder = None
        self._engine = None
        self._dirty = False
        self._saved_at = 0.0
        self._loaded_manifest: str | None = None
        self._checked_at = 0.0

    # --------------------------------------------------------------- loading
    @property
    def encoder(self):
        """Load the encoder once per process (sentence-transformers is imported only here)."""
        with self.lock:
            if self._encoder is None:
                if isinstance(self.encoder_setting, str):
                    self._encoder = shared_encoder(self.encoder_setting, self.threads)
                else:
                    self._encoder = self.encoder_setting  # an Encoder object (tests pass a fake one)
            return self._encoder

    @property
    def model_id(self) -> str:
        return self.encoder.model_id

    def engine(self, session: Session):
        """Return the engine: from the saved folder when it is valid, else rebuilt from stored embeddings."""
        from matching.store import IndexUnavailable, load

        with self.lock:
            if self._engine is not None:
                self._maybe_reload()
                return self._engine
            try:
                self._engine = load(self.index_dir, self.encoder)
                self._loaded_manifest = self._manifest_stamp()
                log.info("index loaded from %s (%d documents)", self.index_dir, len(self._engine))
            except IndexUnavailable as exc:
                log.warning("index unavailable (%s); rebuilding from the database", exc)
                self._engine = self._new_engine()
                self._load_from_database(session)
                self.save(force=True)
            return self._engine

    def _new_engine(self):
        from matching import Engine

        return Engine(self.encoder)

    def _manifest_stamp(self) -> str | None:
        try:
            return (self.index_dir / "manifest.json").read_text()
        except OSError:
            return None

    def _maybe_reload(self) -> None:
        """Pick up an index saved by a worker in another process (checked at most every 5 seconds)."""
        now = time.monotonic()
        if self._dirty or now - self._checked_at < 5:
            return
        self._checked_at = now
        stamp = self._manifest_stamp()
        if stamp and stamp != self._loaded_manifest:
            from matching.store import IndexUnavailable, load

            try:
                self._engine = load(self.index_dir, self.encoder)
                self._loaded_manifest = stamp
            except IndexUnavailable:
                log.warning("could not reload the index saved by another process; keeping the current one")

    def _load_from_database(self, session: Session) -> int:
        """Index every listing that has a builder, reusing stored vectors whose text is unchanged."""
        refs = []
        for kind, model in DOCUMENT_MODELS.items():
            refs += [f"{kind}:{i}" for i in session.scalars(select(model.id))]
        return self._upsert_refs(session, refs)

    # --------------------------------------------------------------- writes (worker)
    def _documents(self, session: Session, refs: Iterable[str]):
        docs, gone = [], []
        for ref in refs:
            kind, obj_id = parse_ref(ref)
            builder = DOCUMENT_BUILDERS.get(kind)
            doc = builder(session, obj_id) if builder else None
            (docs if doc is not None else gone).append(doc if doc is not None else ref)
        return docs, gone

    def _vectors(self, session: Session, docs: list) -> np.ndarray:
        """Return vectors for docs, reusing stored ones and encoding only new or changed text."""
        model_id = self.model_id
        stored = {e.ref: e for e in session.scalars(
            select(Embedding).where(Embedding.model_id == model_id, Embedding.ref.in_([d.ref for d in docs])))}
        out = np.zeros((len(docs), self.encoder.dim), np.float32)
        todo = []
        for j, d in enumerate(docs):
            e = stored.get(d.ref)
            if e is not None and e.text_sha256 == text_digest(d.text) and e.dim == self.encoder.dim:
                out[j] = np.frombuffer(e.vector, np.float32)
            else:
                todo.append(j)
        if todo:
            fresh = self.encoder.encode_passages([docs[j].text for j in todo])
            for j, v in zip(todo, fresh):
                out[j] = v
                d = docs[j]
                e = stored.get(d.ref)
                if e is None:
                    e = Embedding(ref=d.ref, model_id=model_id)
                    session.add(e)
                e.text_sha256, e.dim, e.vector = text_digest(d.text), self.encoder.dim, v.astype(np.float32).tobytes()
        return out

    def _upsert_refs(self, session: Session, refs: list[str], batch: int = 64) -> int:
        engine = self._engine
        count = 0
        for start in range(0, len(refs), batch):
            docs, gone = self._documents(session, refs[start:start + batch])
            if docs:
                engine.upsert(docs, self._vectors(session, docs))
                count += len(docs)
            if gone:
                engine.remove(gone)
            session.flush()
        self._dirty = True
        return count

    def refresh(self, session: Session, kind: str, obj_id: int) -> None:
        """Bring one listing up to date in the index and in the stored matches, both ways."""
        ref = f"{kind}:{obj_id}"
        with self.lock:
            engine = self.engine(session)
            docs, _gone = self._documents(session, [ref])
            affected: set[str] = set()
            if docs:
                doc = docs[0]
                engine.upsert([doc], self._vectors(session, [doc]))
                if kind in DIRECTIONS:
                    self._store_matches(session, doc)
                back = sources_targeting(kind)
                if back:
                    affected |= {m.ref for m in engine.match(doc, kinds=back, k=REVERSE_FANOUT)}
            else:
                engine.remove([ref])
                affected |= set(session.scalars(select(MatchResult.source_ref).where(MatchResult.target_ref == ref)))
                session.execute(delete(MatchResult).where(
                    (MatchResult.source_ref == ref) | (MatchResult.target_ref == ref)))
            self._dirty = True
            for src in sorted(affected - {ref}):
                src_docs, _ = self._documents(session, [src])
                if src_docs:
                    self._store_matches(session, src_docs[0])

    def _store_matches(self, session: Session, doc) -> None:
        direction = DIRECTIONS[doc.kind]
        engine = self._engine
        matches = []
        for target in direction.targets:
            filters = (direction.filters or {}).get(target)
            found = engine.match(doc, kinds=[target], filters=filters, k=RESULTS_PER_SOURCE + OWN_SLACK)
            keep = set(without_own(session, doc.ref, [m.ref for m in found]))
            matches += [m for m in found if m.ref in keep][:RESULTS_PER_SOURCE]
        matches.sort(key=lambda m: -m.score)
        session.execute(delete(MatchResult).where(MatchResult.source_ref == doc.ref))
        now = utcnow()
        for rank, m in enumerate(matches[:RESULTS_PER_SOURCE * len(direction.targets)], start=1):
            session.add(MatchResult(
                source_ref=doc.ref, target_ref=m.ref, target_kind=m.kind, rank=rank, score=float(m.score),
                reasons=json.dumps([{"kind": r.kind, "params": r.params} for r in m.reasons], default=str),
                computed_at=now))
        session.flush()

    def rebuild(self, session: Session) -> dict:
        """Re-index everything from the database and recompute every stored match."""
        with self.lock:
            t0 = time.perf_counter()
            self._engine = self._new_engine()
            before = session.scalar(select(func.count(Embedding.id)).where(Embedding.model_id == self.model_id))
            n = self._load_from_database(session)
            after = session.scalar(select(func.count(Embedding.id)).where(Embedding.model_id == self.model_id))
            session.execute(delete(MatchResult))
            sources = [(ref, m) for ref, m in ((m.ref, m) for _i, m in self._engine.meta_items())
                       if m.kind in DIRECTIONS]
            for start in range(0, len(sources), 64):
                docs, _ = self._documents(session, [ref for ref, _m in sources[start:start + 64]])
                for d in docs:
                    self._store_matches(session, d)
            self.save(force=True)
            return {"documents": n, "new_embeddings": after - before, "seconds": round(time.perf_counter() - t0, 2)}

    def save(self, force: bool = False, min_interval: float = 10.0) -> bool:
        """Write the index folder when it changed (at most every `min_interval` seconds unless forced)."""
        from matching.store import save

        with self.lock:
            if self._engine is None or not (self._dirty or force):
                return False
            if not force and time.monotonic() - self._saved_at < min_interval:
                return False
            save(self._engine, self.index_dir)
            self._dirty = False
            self._saved_at = time.monotonic()
            self._loaded_manifest = self._manifest_stamp()
            return True

    # --------------------------------------------------------------- reads (requests)
    def search(self, session: Session, text: str, kinds: Iterable[str] | None = None, lang: str | None = None,
               k: int = 10, filters: dict | None = None):
        """Free-text search over the index (the one place a request encodes)."""
        with self.lock:
            return self.engine(session).search(text, kinds=kinds, lang=lang, k=k, filters=filters)

    def status(self) -> dict:
        with self.lock:
            if self._engine is not None:
                return {"status": "ok", "size": len(self._engine), "model": self._encoder.model_id}
        try:
            manifest = json.loads((self.index_dir / "manifest.json").read_text())
            return {"status": "saved", "size": manifest.get("count", 0), "model": manifest.get("model_id")}
        except (OSError, ValueError):
            return {"status": "not built", "size": 0, "model": None}


_RUNTIMES: dict[tuple, MatchingRuntime] = {}
_RUNTIMES_LOCK = threading.Lock()


def runtime_for(config: dict) -> MatchingRuntime:
    """Return the process-wide runtime for an app's settings."""
    setting = config["ENCODER"]
    index_dir = Path(str(config["INSTANCE_PATH"])) / "index"
    key = (str(index_dir), setting if isinstance(setting, str) else id(setting))
    with _RUNTIMES_LOCK:
        rt = _RUNTIMES.get(key)
        if rt is None:
            rt = _RUNTIMES[key] = MatchingRuntime(setting, index_dir)
        return rt


def index_lag(session: Session) -> dict:
    """Pending index work and the age in seconds of the oldest due item."""
    pending = select(OutboxEvent).where(OutboxEvent.topic == "index.refresh", OutboxEvent.processed_at.is_(None))
    count = session.scalar(select(func.count()).select_from(pending.subquery()))
    oldest = session.scalar(select(func.min(OutboxEvent.created_at)).where(
        OutboxEvent.topic == "index.refresh", OutboxEvent.processed_at.is_(None)))
    lag = 0.0 if oldest is None else max(0.0, (utcnow() - oldest).total_seconds())
    return {"pending": count, "lag_seconds": round(lag, 3)}


def stored_matches(session: Session, source_ref: str, kinds: Iterable[str] | None = None,
                   limit: int = 10) -> list[MatchResult]:
    """Return the stored matches of a listing, best first, never those of its own organisation."""
    q = select(MatchResult).where(MatchResult.source_ref == source_ref)
    if kinds:
        q = q.where(MatchResult.target_kind.in_(list(kinds)))
    # Rows stored before the owner rule, or before a listing changed hands, must not show either; the
    # extra rows fetched make up for the ones dropped (a source stores a bounded number anyway).
    rows = list(session.scalars(q.order_by(MatchResult.score.desc(), MatchResult.rank).limit(limit + OWN_SLACK)))
    keep = set(without_own(session, source_ref, [r.target_ref for r in rows]))
    return [r for r in rows if r.target_ref in keep][:limit]
