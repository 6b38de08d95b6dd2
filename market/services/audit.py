"""Append to and verify the hash-chained audit log."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..models import AuditEntry, utcnow

GENESIS = "0" * 64


def _entry_hash(prev_hash: str, occurred_at: datetime, actor: int | None, action: str,
                subject_type: str | None, subject_id: str | None, detail: str) -> str:
    canonical = json.dumps(
        [prev_hash, occurred_at.isoformat(timespec="microseconds"), actor, action, subject_type, subject_id, detail],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(session: Session, action: str, *, actor_id: int | None = None, subject_type: str | None = None,
           subject_id: object = None, detail: dict | None = None) -> AuditEntry:
    """Add an audit entry chained to the previous one; the caller's transaction commits it."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appends so two transactions never chain to the same predecessor.
        session.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
    session.flush()
    prev = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)) or GENESIS
    occurred_at = utcnow()
    detail_json = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    sid = None if subject_id is None else str(subject_id)
    entry = AuditEntry(
        occurred_at=occurred_at, actor_user_id=actor_id, action=action, subject_type=subject_type,
        subject_id=sid, detail=detail_json, prev_hash=prev,
        hash=_entry_hash(prev, occurred_at, actor_id, action, subject_type, sid, detail_json),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str | None = None


def verify_chain(session: Session) -> ChainReport:
    """Walk the log in order and report the first entry whose hash or link does not hold."""
    prev = GENESIS
    checked = 0
    for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(500):
        if e.prev_hash != prev:
            return ChainReport(False, checked, e.id, "link to previous entry is broken")
        expected = _entry_hash(e.prev_hash, e.occurred_at, e.actor_user_id, e.action, e.subject_type,
                               e.subject_id, e.detail)
        if expected != e.hash:
            return ChainReport(False, checked, e.id, "entry content does not match its hash")
        prev = e.hash
        checked += 1
    return ChainReport(True, checked)
