"""Time-driven tender transitions: end of enquiries, opening at the opening time, end of standstill.

Only this tick moves tenders in time; no page view or API read ever does.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import utcnow
from ..models.procurement import Award, AwardStatus, Tender, TenderStatus
from .registry import tick


def _config() -> dict:
    return current_app.config if has_app_context() else {}


@tick("procurement.deadlines")
def advance_tenders(session: Session, now: datetime | None = None, config=None) -> int:
    """Fire every due time-driven move; return how many happened. Flushes; the worker commits."""
    from ..services.bids import open_bids
    from ..services.evaluation import end_standstill
    from ..services.tenders import move

    config = config if config is not None else _config()
    now = now or utcnow()
    done = 0
    pg = session.get_bind().dialect.name == "postgresql"

    def due(query):
        # Several workers may share the database: each due tender is claimed by one of them.
        if pg:
            query = query.with_for_update(skip_locked=True, of=query.column_descriptions[0]["entity"])
        return session.scalars(query).unique().all()

    due_enquiries = due(select(Tender).where(Tender.status == TenderStatus.ENQUIRIES, Tender.enquiry_end <= now))
    for tender in due_enquiries:
        move(session, tender, "end_enquiries", None, "enquiry period ended")
        done += 1
    due_opening = due(select(Tender).where(Tender.status == TenderStatus.TENDERING, Tender.opening_at <= now,
                                           Tender.tender_end <= now))
    for tender in due_opening:
        open_bids(session, tender, config)
        done += 1
    due_awards = due(select(Award).where(Award.status == AwardStatus.PENDING, Award.standstill_end <= now))
    due_awards = list({a.tender_id: a.tender for a in due_awards}.values())
    for tender in due_awards:
        done += end_standstill(session, tender)
    session.flush()
    return done


def run_tick(session: Session, config=None) -> int:
    """Run the tick and commit (tests and the demo loader call this; the worker commits itself)."""
    done = advance_tenders(session, config=config)
    session.commit()
    return done
