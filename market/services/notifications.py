"""In-app notifications: written by the alert jobs (and any area), read and marked read by their owner only."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..authz import require_user
from ..errors import NotFound
from ..models import User, utcnow
from ..models.alerts import Notification


def notify(session: Session, user_id: int, title: str, *, body: str = "", url: str = "",
           topic: str = "alert") -> Notification:
    """Add a notification for a user inside the caller's transaction (helper: flushes, never commits)."""
    note = Notification(user_id=user_id, topic=topic, title=title[:300], body=body, url=url[:300])
    session.add(note)
    session.flush()
    return note


def unread_count(session: Session, user: User | None) -> int:
    """Return how many unread notifications the user has (0 for anonymous visitors)."""
    if user is None or getattr(user, "id", None) is None:
        return 0
    return session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def list_for(session: Session, user: User | None, *, unread_only: bool = False, limit: int = 50) -> list[Notification]:
    """Return the user's own notifications, newest first."""
    user = require_user(user)
    q = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        q = q.where(Notification.read_at.is_(None))
    return list(session.scalars(q.order_by(Notification.id.desc()).limit(max(1, min(limit, 200)))))


def mark_read(session: Session, user: User | None, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all when ids is None); another user's id is NotFound; return count."""
    user = require_user(user)
    q = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        ids = sorted({int(i) for i in ids})
        own = set(session.scalars(select(Notification.id).where(Notification.id.in_(ids),
                                                                 Notification.user_id == user.id)))
        if own != set(ids):
            raise NotFound("Notification not found.")
        q = q.where(Notification.id.in_(ids))
    count = session.execute(q.values(read_at=utcnow())).rowcount or 0
    session.commit()
    return count


def serialise(note: Notification) -> dict:
    return {"id": note.id, "topic": note.topic, "title": note.title, "body": note.body, "url": note.url,
            "created_at": note.created_at.isoformat(), "read": note.read_at is not None,
            "read_at": note.read_at.isoformat() if note.read_at else None}
