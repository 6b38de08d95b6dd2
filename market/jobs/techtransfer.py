"""Background jobs and time-driven transitions for the techtransfer area."""
from __future__ import annotations

from sqlalchemy.orm import Session

from .registry import tick


@tick("techtransfer.expire_listings")
def expire_listings(session: Session, now=None) -> int:
    """Expire published listings past their date and send renewal reminders shortly before."""
    from ..services import listings

    return listings.expire_due(session, now)
