"""Demo data for the techtransfer area."""
from __future__ import annotations

from sqlalchemy.orm import Session


def load(session: Session, context: dict) -> dict:
    """Create this area's demo data; context holds earlier loaders' results (orgs, users by key/email)."""
    return {}
