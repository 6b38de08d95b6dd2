"""Keep the matching index and stored matches in step with the listings."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..services.matching import runtime_for
from .registry import handles, tick


@handles("index.refresh")
def refresh(session: Session, payload: dict) -> None:
    runtime_for(session.info["config"]).refresh(session, payload["kind"], int(payload["id"]))


@tick("matching.persist")
def persist(session: Session) -> int:
    """Save the index folder when it changed, so other processes and restarts pick it up."""
    config = session.info["config"]
    return int(runtime_for(config).save(min_interval=float(config.get("INDEX_SAVE_SECONDS", 10))))
