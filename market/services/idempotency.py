"""Creations made safe to retry: an idempotency key that arrives twice at once still makes one row."""
from __future__ import annotations

from typing import Callable, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")


def insert_once(session: Session, obj: T, earlier: Callable[[], T | None]) -> T:
    """Add and flush a row that carries an idempotency key; if the same key's first request committed meanwhile,
    undo this attempt and return that request's row instead.

    Args:
        earlier: looks the key up again (the table's unique constraint on owner and key is what refused the insert).
    """
    session.add(obj)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        found = earlier()
        if found is None:
            raise
        return found
    return obj
