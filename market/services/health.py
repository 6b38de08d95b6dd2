"""Database and index status for the health endpoint."""
from __future__ import annotations

from typing import Callable

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..models import OutboxEvent

# Other areas (the matching index) add a probe here; each returns a JSON-able dict.
PROBES: dict[str, Callable[[Session], dict]] = {}


def check(session: Session) -> dict:
    """Return the status of the database, the outbox and every registered probe."""
    report: dict = {"status": "ok"}
    try:
        session.execute(text("SELECT 1"))
        pending = session.scalar(select(func.count(OutboxEvent.id)).where(OutboxEvent.processed_at.is_(None)))
        report["database"] = {"status": "ok", "dialect": session.get_bind().dialect.name}
        report["outbox"] = {"pending": pending}
    except Exception as exc:  # the endpoint must report, not crash
        report["status"] = "degraded"
        report["database"] = {"status": "error", "error": exc.__class__.__name__}
        return report
    for name, probe in PROBES.items():
        try:
            report[name] = probe(session)
        except Exception as exc:
            report[name] = {"status": "error", "error": exc.__class__.__name__}
            report["status"] = "degraded"
    report.setdefault("index", {"status": "not configured", "size": 0, "lag": 0})
    return report
