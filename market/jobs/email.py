"""Deliver stored emails (development: mark them sent; they stay readable in the admin outbox)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..models import EmailMessage, utcnow
from .registry import handles


@handles("email.deliver")
def deliver(session: Session, payload: dict) -> None:
    msg = session.get(EmailMessage, payload["id"])
    if msg is not None and msg.sent_at is None:
        msg.sent_at = utcnow()
