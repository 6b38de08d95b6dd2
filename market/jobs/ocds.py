"""Open data: publish any tender change that has no OCDS release yet (the commit hook normally does it)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..services import ocds
from .registry import tick


@tick("ocds.backfill")
def backfill(session: Session) -> int:
    done = ocds.backfill(session, limit=50)
    if done:
        session.commit()
    return done
