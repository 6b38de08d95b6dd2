"""Keep the matching index and stored matches in step with the listings."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..indexing import RELATED, parse_ref
from ..services.matching import runtime_for
from .registry import handles, tick


@handles("index.refresh")
def refresh(session: Session, payload: dict) -> None:
    """Re-index one listing, then the listings whose text includes it (an enterprise and its products)."""
    runtime = runtime_for(session.info["config"])
    kind, obj_id = payload["kind"], int(payload["id"])
    runtime.refresh(session, kind, obj_id)
    for fn in RELATED.get(kind, []):
        for ref in fn(session, obj_id):
            other_kind, other_id = parse_ref(ref)
            runtime.refresh(session, other_kind, other_id)


@tick("matching.persist")
def persist(session: Session) -> int:
    """Save the index folder when it changed, so other processes and restarts pick it up."""
    config = session.info["config"]
    return int(runtime_for(config).save(min_interval=float(config.get("INDEX_SAVE_SECONDS", 10))))


@handles("index.rebuild")
def rebuild(session: Session, payload: dict) -> None:
    """Re-index everything in one batch (after demo loading or a bulk import)."""
    runtime_for(session.info["config"]).rebuild(session)
