"""The in-process worker thread (`market up`) fires time-driven moves that need the app's settings."""
from __future__ import annotations

import threading
import time

import pytest

from market.models.procurement import Bid, BidStatus, Tender, TenderStatus
from market.jobs.worker import start_thread
from market.services import tenders as tender_service
from tests.factories_procurement import SHORT_SETTINGS, Procurement


@pytest.fixture
def app_config(app_config):
    app_config.update(SHORT_SETTINGS)
    return app_config


def test_worker_thread_opens_bids_after_the_opening_time(make, session, app):
    p = Procurement(make, session, app)
    tender = p.tendering()
    bid = p.bid(tender, price=1_234_000)
    # Let deadline and opening time pass without running the tick here: only the thread may open.
    tender_service.shift_timeline(session, tender.id, -3601)
    stop = threading.Event()
    thread = start_thread(app, stop, poll_seconds=0.05)
    try:
        status = TenderStatus.TENDERING
        for _ in range(200):
            session.expire_all()
            status = session.get(Tender, tender.id).status
            if status != TenderStatus.TENDERING:
                break
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert status == TenderStatus.QUALIFICATION
    assert session.get(Bid, bid.id).status == BidStatus.OPENED
