"""The sealed-bid rules (EU Directive 2014/24/EU Annex IV, ProZorro practice), one test per rule.

(a) test_receipt_time_is_the_servers / test_client_supplied_receipt_time_is_refused
(b) test_before_opening_only_the_bidder_reads_a_bid, test_before_opening_only_the_bidder_reads_bid_documents,
    test_database_dump_holds_no_plaintext_price
(c) test_only_buyer_officers_change_dates, test_dates_change_only_in_allowed_states,
    test_a_cancelled_tender_refuses_date_changes_though_its_deadline_is_ahead,
    test_enquiry_end_cannot_change_once_tendering_has_started
(d) test_after_opening_each_content_hash_matches_its_receipt, test_opening_detects_content_not_matching_receipt
(e) test_every_denied_read_of_sealed_data_is_audited
(f) test_no_bid_accepted_after_deadline_even_before_the_tick
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from market.errors import Conflict, NotAuthenticated, NotAuthorized, ValidationError
from market.models import AuditEntry, Base, StoredFile, utcnow
from market.models.procurement import Bid, BidReceipt, BidStatus, TenderStatus
from market.sealing import canonical_json, content_hash, seal
from market.services import bids as bid_service
from market.services import tenders as tender_service
from tests.factories_procurement import SHORT_SETTINGS, Procurement, offer

PRICE = 8_123_456_789
PDF = b"%PDF-1.4\n% Gia chao: 8123456789 VND\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def app_config(app_config):
    app_config.update(SHORT_SETTINGS)
    return app_config


@pytest.fixture
def p(make, session, app):
    return Procurement(make, session, app)


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _denials(session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "procurement.sealed_read_denied")))


# (a) ------------------------------------------------------------------------------------------------------

def test_receipt_time_is_the_servers(p, session):
    t = p.tendering()
    before = utcnow()
    bid = p.bid(t)
    after = utcnow()
    receipt = bid.receipts[-1]
    assert before <= receipt.received_at <= after
    assert bid.submitted_at == receipt.received_at
    assert receipt.content_hash == bid.content_hash and len(receipt.content_hash) == 64


def test_client_supplied_receipt_time_is_refused(p, session):
    t = p.tendering()
    data = offer(t, submitted_at=(utcnow() - timedelta(days=3)).isoformat())
    with pytest.raises(ValidationError) as exc:
        bid_service.submit_bid(session, p.suppliers[0], t.id, data, config=p.config)
    assert "submitted_at" in exc.value.fields
    assert _count(session, Bid) == 0 and _count(session, BidReceipt) == 0


# (b) ------------------------------------------------------------------------------------------------------

def test_before_opening_only_the_bidder_reads_a_bid(p, session):
    t = p.tendering()
    bid = p.bid(t, price=PRICE)
    _, content = bid_service.read_bid(session, p.suppliers[0], bid.id, config=p.config)
    assert content["lots"][0]["price"] == PRICE
    for reader in (p.officer, p.suppliers[1], p.admin, p.other_officer, None):
        # Anonymous callers are asked to log in; everyone else is refused outright.
        with pytest.raises(NotAuthenticated if reader is None else NotAuthorized):
            bid_service.read_bid(session, reader, bid.id, config=p.config)
    for reader in (p.officer, p.admin, p.suppliers[0]):
        with pytest.raises(NotAuthorized):
            bid_service.list_bids(session, reader, t.id)


def test_before_opening_only_the_bidder_reads_bid_documents(p, session):
    t = p.tendering()
    bid = bid_service.submit_bid(session, p.suppliers[0], t.id, offer(t), config=p.config,
                                 documents=[("gia-chao.pdf", PDF)])
    doc = session.scalars(select(StoredFile).where(StoredFile.owner_kind == "bid")).one()
    assert doc.encrypted
    stored, data = bid_service.read_bid_document(session, p.suppliers[0], doc.id, config=p.config)
    assert data == PDF
    for reader in (p.officer, p.suppliers[1], p.admin):
        with pytest.raises(NotAuthorized):
            bid_service.read_bid_document(session, reader, doc.id, config=p.config)
        with pytest.raises(NotAuthorized):
            bid_service.bid_documents(session, reader, bid.id, config=p.config)
    # After opening the buyer may read it.
    p.open(t)
    _, data = bid_service.read_bid_document(session, p.officer, doc.id, config=p.config)
    assert data == PDF


def _dump(session) -> str:
    parts = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)).all():
            parts.append(repr(tuple(row)))
    return "\n".join(parts)


def test_database_dump_holds_no_plaintext_price(p, session, app):
    t = p.tendering()
    bid_service.submit_bid(session, p.suppliers[0], t.id, offer(t, price=PRICE), config=p.config,
                           documents=[("gia-chao.pdf", PDF)])
    bid = p.bid(t, supplier_index=1, price=PRICE + 1)
    bid_service.change_bid(session, p.suppliers[1], bid.id, {"lots": [{"lot_id": t.lots[0].id, "price": PRICE + 2}]},
                           config=p.config)
    dump = _dump(session)
    for price in (PRICE, PRICE + 1, PRICE + 2):
        for shown in (str(price), f"{price:,}", f"{price:,}".replace(",", ".")):
            assert shown not in dump
    # The key is not in the database either, and the document on disk is encrypted.
    assert app.config["BID_KEY"] not in dump
    from pathlib import Path
    for path in (Path(app.config["INSTANCE_PATH"]) / "files").rglob("*"):
        if path.is_file():
            assert b"8123456789" not in path.read_bytes()


# (c) ------------------------------------------------------------------------------------------------------

def test_only_buyer_officers_change_dates(p, session):
    t = p.tendering()
    later = (t.tender_end + timedelta(days=2)).isoformat()
    for actor in (p.other_officer, p.suppliers[0], p.admin):
        with pytest.raises(NotAuthorized):
            tender_service.update_tender(session, actor, t.id, {"tender_end": later, "opening_at": later},
                                         config=p.config)
    session.expire_all()
    assert t.tender_end.isoformat() != later
    tender_service.update_tender(session, p.officer, t.id, {"tender_end": later, "opening_at": later}, config=p.config)
    session.expire_all()
    assert t.tender_end.isoformat() == later


def test_dates_change_only_in_allowed_states(p, session):
    t = p.tendering()
    p.bid(t)
    p.open(t)
    assert t.status == TenderStatus.QUALIFICATION
    later = (utcnow() + timedelta(days=9)).isoformat()
    with pytest.raises(Conflict):
        tender_service.update_tender(session, p.officer, t.id, {"tender_end": later, "opening_at": later},
                                     config=p.config)
    # Nor once the deadline has passed, even before the worker has opened the bids.
    t2 = p.tendering(title="Second tender")
    tender_service.shift_timeline(session, t2.id, -3601)
    with pytest.raises(Conflict):
        tender_service.update_tender(session, p.officer, t2.id, {"tender_end": later, "opening_at": later},
                                     config=p.config)
    # Published dates may not move earlier.
    t3 = p.tender(title="Third tender")
    with pytest.raises(ValidationError) as exc:
        tender_service.update_tender(session, p.officer, t3.id,
                                     {"tender_end": (t3.tender_end - timedelta(minutes=5)).isoformat()},
                                     config=p.config)
    assert "tender_end" in exc.value.fields


@pytest.mark.parametrize("stage", ["enquiries", "tendering"])
def test_a_cancelled_tender_refuses_date_changes_though_its_deadline_is_ahead(p, session, stage):
    t = p.tender() if stage == "enquiries" else p.tendering()
    tender_service.cancel_tender(session, p.officer, t.id, "Kinh phí bị cắt giảm.")
    session.expire_all()
    assert t.status == TenderStatus.CANCELLED and t.tender_end > utcnow()
    before = {n: getattr(t, n) for n in ("enquiry_end", "tender_end", "opening_at")}
    later = (t.tender_end + timedelta(days=3)).isoformat()
    # The deadline is still ahead, so only the state of the tender can refuse this.
    with pytest.raises(Conflict):
        tender_service.update_tender(session, p.officer, t.id, {"tender_end": later, "opening_at": later},
                                     config=p.config)
    session.expire_all()
    assert {n: getattr(t, n) for n in before} == before


def test_enquiry_end_cannot_change_once_tendering_has_started(p, session):
    t = p.tendering()
    assert t.status == TenderStatus.TENDERING and t.tender_end > utcnow() + timedelta(minutes=30)
    old = t.enquiry_end
    # Later than before and well ahead of the deadline: only the state rule can refuse it.
    moved = (utcnow() + timedelta(minutes=10)).isoformat()
    with pytest.raises(ValidationError) as exc:
        tender_service.update_tender(session, p.officer, t.id, {"enquiry_end": moved}, config=p.config)
    assert set(exc.value.fields) == {"enquiry_end"}
    session.expire_all()
    assert t.enquiry_end == old and t.amendment == 0


# (d) ------------------------------------------------------------------------------------------------------

def test_after_opening_each_content_hash_matches_its_receipt(p, session):
    t = p.tendering()
    b1 = p.bid(t, 0, price=PRICE)
    b2 = p.bid(t, 1, price=PRICE - 5)
    bid_service.change_bid(session, p.suppliers[1], b2.id, {"delivery_days": 90}, config=p.config)
    p.open(t)
    for bid in (b1, b2):
        session.refresh(bid)
        assert bid.status == BidStatus.OPENED and bid.hash_verified is True
        receipt = [r for r in bid.receipts if r.content_hash][-1]
        assert content_hash(bid.revealed) == receipt.content_hash == bid.content_hash
    assert {b.total_price for b in (b1, b2)} == {PRICE, PRICE - 5}


def test_opening_detects_content_not_matching_receipt(p, session):
    t = p.tendering()
    bid = p.bid(t, price=PRICE)
    # Someone with the key swaps the sealed content after the receipt was issued.
    forged = {"lots": [{"lot_id": t.lots[0].id, "price": 1000}], "domestic_content_pct": 100, "delivery_days": 1,
              "technical_proposal": "x", "documents": [], "nonce": "0"}
    token, _ = seal(p.config["BID_KEY"], forged)
    session.execute(text("UPDATE bids SET sealed = :s WHERE id = :i"), {"s": token, "i": bid.id})
    session.commit()
    session.expire_all()
    p.open(t)
    session.refresh(bid)
    assert bid.hash_verified is False
    assert bid.status == BidStatus.DISQUALIFIED
    assert bid.total_price is None
    assert canonical_json(forged)  # the forged content is never revealed as an offer


# (e) ------------------------------------------------------------------------------------------------------

def test_every_denied_read_of_sealed_data_is_audited(p, session):
    t = p.tendering()
    bid = bid_service.submit_bid(session, p.suppliers[0], t.id, offer(t), config=p.config,
                                 documents=[("gia-chao.pdf", PDF)])
    doc_id = session.scalar(select(StoredFile.id).where(StoredFile.owner_kind == "bid"))
    attempts = [
        (p.officer, lambda u: bid_service.read_bid(session, u, bid.id, config=p.config)),
        (p.admin, lambda u: bid_service.read_bid(session, u, bid.id, config=p.config)),
        (p.suppliers[1], lambda u: bid_service.read_bid(session, u, bid.id, config=p.config)),
        (p.officer, lambda u: bid_service.list_bids(session, u, t.id)),
        (p.admin, lambda u: bid_service.read_bid_document(session, u, doc_id, config=p.config)),
    ]
    for n, (user, attempt) in enumerate(attempts, start=1):
        with pytest.raises(NotAuthorized):
            attempt(user)
        entries = _denials(session)
        assert len(entries) == n
        assert entries[-1].actor_user_id == user.id
    # Anonymous attempts are denials too, logged with where they came from.
    origin = {"ip": "192.0.2.10", "route": f"GET /api/v1/bids/{bid.id}"}
    with pytest.raises(NotAuthenticated):
        bid_service.read_bid(session, None, bid.id, config=p.config, channel="api", origin=origin)
    with pytest.raises(NotAuthenticated):
        bid_service.read_bid_document(session, None, doc_id, config=p.config, channel="api", origin=origin)
    anonymous = _denials(session)[len(attempts):]
    assert [(e.actor_user_id, e.subject_type) for e in anonymous] == [(None, "bid"), (None, "bid_document")]
    assert all(json.loads(e.detail) == {"channel": "api", **origin} for e in anonymous)
    # The bidder's own reads are not denials.
    bid_service.read_bid(session, p.suppliers[0], bid.id, config=p.config)
    assert len(_denials(session)) == len(attempts) + 2


# (f) ------------------------------------------------------------------------------------------------------

def test_no_bid_accepted_after_deadline_even_before_the_tick(p, session):
    t = p.tendering()
    existing = p.bid(t, 1)
    # The deadline passes; the worker has not run yet, so the state column still says tendering.
    tender_service.shift_timeline(session, t.id, -3601)
    session.expire_all()
    assert t.status == TenderStatus.TENDERING and t.tender_end < utcnow()
    with pytest.raises(Conflict):
        p.bid(t, 0)
    with pytest.raises(Conflict):
        bid_service.change_bid(session, p.suppliers[1], existing.id, {"delivery_days": 10}, config=p.config)
    with pytest.raises(Conflict):
        bid_service.withdraw_bid(session, p.suppliers[1], existing.id)
    assert _count(session, Bid) == 1 and _count(session, BidReceipt) == 1
