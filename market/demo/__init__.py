"""Demo data in Vietnamese and English; each area adds a loader to DEMO_LOADERS."""
from __future__ import annotations

import importlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import User
from ..services.outbox import enqueue

DEMO_PASSWORD = "MoiTruong2025"
# Loaders run in this order, each given the session and what earlier loaders returned.
DEMO_MODULES = ["market.demo.accounts", "market.demo.catalog", "market.demo.procurement", "market.demo.orders", "market.demo.techtransfer", "market.demo.alerts"]


def load_demo(session: Session) -> bool:
    """Load every area's demo data once; return False when it is already there."""
    if session.scalar(select(User.id).where(User.email == "admin@demo.vn")):
        return False
    context: dict = {}
    for name in DEMO_MODULES:
        module = importlib.import_module(name)
        context.update(module.load(session, context) or {})
    # One batch re-index instead of a refresh per listing: encoding in batches is many times faster.
    enqueue(session, "index.rebuild", {})
    session.commit()
    return True
