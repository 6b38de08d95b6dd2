"""Two requests with the same idempotency key at once: the second answers with the first's tender, bid or order.

The race is simulated: another session commits the first request's row between the second request's
look-up by key and its insert.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from market.errors import ValidationError
from market.models import User
from market.models.orders import Order
from market.models.procurement import Bid, Tender
from market.services import bids as bid_service
from market.services import orders as order_service
from market.services import tenders as tender_service
from tests.factories_orders import Parties, order_data
from tests.factories_procurement import SHORT_SETTINGS, Procurement, offer, tender_data


@pytest.fixture
def app_config(app_config):
    app_config.update(SHORT_SETTINGS)
    return app_config


@pytest.fixture
def p(make, session, app):
    return Procurement(make, session, app)


@pytest.fixture
def other_session(app):
    """A second session, as a concurrent request would have."""
    s = app.extensions["db_sessionmaker"]()
    yield s
    s.close()


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _first_lookup_loses_the_race(monkeypatch, module, name, first_request):
    """Make the first look-up by key miss, while the other request commits its row right after it."""
    real = getattr(module, name)
    state = {"raced": False}

    def lookup(session, user_id, key):
        if state["raced"]:
            return real(session, user_id, key)
        state["raced"] = True
        found = real(session, user_id, key)
        first_request()
        return found

    monkeypatch.setattr(module, name, lookup)
    return state


def test_a_tender_key_racing_its_first_request_returns_that_tender(p, session, other_session, monkeypatch):
    data = tender_data()
    first = {}

    def first_request():
        officer = other_session.get(User, p.officer.id)
        first["id"] = tender_service.create_tender(other_session, officer, data, config=p.config,
                                                   idempotency_key="retry-1").id

    state = _first_lookup_loses_the_race(monkeypatch, tender_service, "tender_by_key", first_request)
    second = tender_service.create_tender(session, p.officer, data, config=p.config, idempotency_key="retry-1")
    assert state["raced"] and second.id == first["id"]
    assert _count(session, Tender) == 1


def test_a_bid_key_racing_its_first_request_returns_that_bid(p, session, other_session, monkeypatch):
    t = p.tendering()
    first = {}

    def first_request():
        supplier = other_session.get(User, p.suppliers[0].id)
        first["id"] = bid_service.submit_bid(other_session, supplier, t.id, offer(t), config=p.config,
                                             idempotency_key="retry-b").id

    state = _first_lookup_loses_the_race(monkeypatch, bid_service, "bid_by_key", first_request)
    second = bid_service.submit_bid(session, p.suppliers[0], t.id, offer(t), config=p.config,
                                    idempotency_key="retry-b")
    assert state["raced"] and second.id == first["id"]
    assert _count(session, Bid) == 1


def test_a_bid_key_committed_just_before_the_insert_returns_that_bid(p, session, other_session, monkeypatch):
    """The other request commits after the duplicate check too: the unique key refuses the insert."""
    t = p.tendering()
    first = {}
    real_check = bid_service._check_documents

    def check_then_race(documents, config):
        real_check(documents, config)
        if not first:
            supplier = other_session.get(User, p.suppliers[0].id)
            monkeypatch.setattr(bid_service, "_check_documents", real_check)
            first["id"] = bid_service.submit_bid(other_session, supplier, t.id, offer(t), config=p.config,
                                                 idempotency_key="retry-c").id

    monkeypatch.setattr(bid_service, "_check_documents", check_then_race)
    second = bid_service.submit_bid(session, p.suppliers[0], t.id, offer(t), config=p.config,
                                    idempotency_key="retry-c")
    assert second.id == first["id"]
    assert _count(session, Bid) == 1


def test_a_different_key_still_meets_the_duplicate_rule(p, session):
    t = p.tendering()
    bid_service.submit_bid(session, p.suppliers[0], t.id, offer(t), config=p.config, idempotency_key="a")
    with pytest.raises(ValidationError) as exc:
        bid_service.submit_bid(session, p.suppliers[0], t.id, offer(t), config=p.config, idempotency_key="b")
    assert "tender" in exc.value.fields


def test_an_order_key_racing_its_first_request_returns_that_order(p, session, other_session, monkeypatch, make):
    from market.models import OrgKind, Role

    supplier = make.org(OrgKind.ENTERPRISE, name="Công ty Thiết bị Lọc nước Hà Tĩnh")
    make.user(Role.SUPPLIER_REPRESENTATIVE, org=supplier)
    data = order_data(Parties(p.buyer_org, supplier, p.officer, None))
    first = {}

    def first_request():
        officer = other_session.get(User, p.officer.id)
        first["id"] = order_service.place_order(other_session, officer, data, idempotency_key="retry-o").id

    state = _first_lookup_loses_the_race(monkeypatch, order_service, "order_by_key", first_request)
    second = order_service.place_order(session, p.officer, data, idempotency_key="retry-o")
    assert state["raced"] and second.id == first["id"]
    assert _count(session, Order) == 1
