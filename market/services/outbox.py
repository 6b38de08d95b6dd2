"""Write work for the worker and emails into the outbox, inside the caller's transaction."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Session

from ..models import EmailMessage, OutboxEvent, User, utcnow


def enqueue(session: Session, topic: str, payload: dict | None = None, *, at: datetime | None = None) -> OutboxEvent:
    """Add a background job that becomes available at `at` (now by default)."""
    event = OutboxEvent(topic=topic, payload=json.dumps(payload or {}, default=str), available_at=at or utcnow())
    session.add(event)
    return event


def send_email(session: Session, to: User | str, subject: str, body: str) -> EmailMessage:
    """Store an email in the outbox; the worker marks it sent."""
    if isinstance(to, User):
        msg = EmailMessage(to_address=to.email, to_user_id=to.id, subject=subject, body=body)
    else:
        msg = EmailMessage(to_address=to, subject=subject, body=body)
    session.add(msg)
    session.flush()
    enqueue(session, "email.deliver", {"id": msg.id})
    return msg
