"""Procurement pages: buyer workspace, notice, bid form, sealed-bid rules through pages, bad input as HTML."""
from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from market.models import AuditEntry, StoredFile, utcnow
from market.models.procurement import Bid, Tender, TenderStatus
from market.services import bids as bid_service
from market.services import tenders as tender_service
from tests.conftest import login
from tests.factories_procurement import CPV_WASTEWATER, SHORT_SETTINGS, Procurement, offer

PRICE = 6_543_210_987


@pytest.fixture
def app_config(app_config):
    app_config.update(SHORT_SETTINGS)
    return app_config


@pytest.fixture
def p(make, session, app):
    return Procurement(make, session, app)


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def _local(dt):
    return dt.strftime("%Y-%m-%dT%H:%M")


def _tender_form(**over):
    now = utcnow()
    data = {"idem": "tok-1", "title": "Trạm quan trắc nước thải tự động", "description": "Hai trạm quan trắc.",
            "language": "vi", "cpv_codes": CPV_WASTEWATER, "method": "open", "province": "da-nang",
            "enquiry_end": _local(now + timedelta(hours=1)), "tender_end": _local(now + timedelta(hours=2)),
            "opening_at": _local(now + timedelta(hours=2)), "award_criteria": "lowest_price",
            "price_weight": "100", "quality_weight": "0", "domestic_margin_pct": "7.5",
            "domestic_threshold_pct": "25", "lots-0-title": "Trạm quan trắc", "lots-0-quantity": "2",
            "lots-0-unit": "trạm", "lots-0-estimated_value": "3.200.000.000"}
    data.update(over)
    return data


def _bid_form(tender, price=str(PRICE), lot_id=None, **over):
    data = {"idem": "b-1", "lots-0-lot_id": str(lot_id or tender.lots[0].id), "lots-0-price": price,
            "domestic_content_pct": "60", "delivery_days": "90", "technical_proposal": "Thiết bị sản xuất tại Đà Nẵng."}
    data.update(over)
    return data


def test_buyer_creates_and_publishes_a_tender_through_pages(p, session, client):
    login(client, p.officer.email)
    assert client.get("/procurement/tenders/new").status_code == 200
    resp = client.post("/procurement/tenders/new", data=_tender_form())
    assert resp.status_code == 302
    again = client.post("/procurement/tenders/new", data=_tender_form())   # same hidden token: no second tender
    assert again.status_code == 302 and _count(session, Tender) == 1
    tender = session.scalars(select(Tender)).one()
    assert tender.lots[0].estimated_value == 3_200_000_000
    page = client.get(f"/procurement/tenders/{tender.id}/workspace")
    assert page.status_code == 200 and "Trạm quan trắc" in page.get_data(as_text=True)
    client.post(f"/procurement/tenders/{tender.id}/publish")
    session.expire_all()
    assert tender.status == TenderStatus.ENQUIRIES
    client.get("/account/logout")
    public = client.get("/procurement/tenders?cpv=4291")
    assert "Trạm quan trắc nước thải tự động" in public.get_data(as_text=True)


@pytest.mark.parametrize("over, message_field", [
    ({"cpv_codes": "99999999"}, "cpv_codes"),
    ({"tender_end": _local(utcnow() + timedelta(minutes=30))}, "tender_end"),
    ({"lots-0-estimated_value": "-5"}, "estimated_value"),
])
def test_bad_tender_form_shows_field_error_and_stores_nothing(p, session, client, over, message_field):
    login(client, p.officer.email)
    resp = client.post("/procurement/tenders/new", data=_tender_form(**over))
    assert resp.status_code == 422
    assert 'class="error"' in resp.get_data(as_text=True)
    assert _count(session, Tender) == 0


def test_supplier_bids_through_the_page_and_reads_receipt(p, session, client):
    t = p.tendering()
    login(client, p.suppliers[0].email)
    assert client.get(f"/procurement/tenders/{t.id}/bid").status_code == 200
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    resp = client.post(f"/procurement/tenders/{t.id}/bid", content_type="multipart/form-data",
                       data={**_bid_form(t), "document": (io.BytesIO(pdf), "ho-so.pdf")})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    again = client.post(f"/procurement/tenders/{t.id}/bid", data=_bid_form(t))
    assert again.status_code == 302 and _count(session, Bid) == 1
    bid = session.scalars(select(Bid)).one()
    page = client.get(f"/procurement/bids/{bid.id}").get_data(as_text=True)
    assert bid.content_hash in page and "6.543.210.987" in page and "ho-so.pdf" in page
    assert client.get("/procurement/bids").status_code == 200


@pytest.mark.parametrize("build, where", [
    (lambda t: _bid_form(t, price="-100"), "price"),
    (lambda t: _bid_form(t, price="một tỷ"), "price"),
    (lambda t: _bid_form(t, lot_id=424242), "lot"),
])
def test_bad_bid_form_shows_field_error_and_stores_nothing(p, session, client, build, where):
    t = p.tendering()
    login(client, p.suppliers[0].email)
    resp = client.post(f"/procurement/tenders/{t.id}/bid", data=build(t))
    assert resp.status_code == 422
    assert 'class="error"' in resp.get_data(as_text=True)
    assert _count(session, Bid) == 0


def test_duplicate_bid_and_fake_file_on_the_page(p, session, client):
    t = p.tendering()
    p.bid(t, 0)
    login(client, p.suppliers[0].email)
    dup = client.post(f"/procurement/tenders/{t.id}/bid", data=_bid_form(t, idem="other"))
    assert dup.status_code == 422 and 'class="error"' in dup.get_data(as_text=True)
    client.get("/account/logout")
    login(client, p.suppliers[1].email)
    fake = client.post(f"/procurement/tenders/{t.id}/bid", content_type="multipart/form-data",
                       data={**_bid_form(t, idem="x"), "document": (io.BytesIO(b"plain text"), "ho-so.pdf")})
    assert fake.status_code == 422 and 'class="error"' in fake.get_data(as_text=True)
    assert _count(session, Bid) == 1 and _count(session, StoredFile) == 0


def test_buyer_and_admin_cannot_read_a_bid_page_before_opening_and_it_is_audited(p, session, client):
    t = p.tendering()
    bid = p.bid(t, 0, price=PRICE)
    for user in (p.officer, p.admin, p.suppliers[1]):
        login(client, user.email)
        resp = client.get(f"/procurement/bids/{bid.id}")
        assert resp.status_code == 403
        assert "6.543.210.987" not in resp.get_data(as_text=True)
        ws = client.get(f"/procurement/tenders/{t.id}/workspace" if user is p.officer else f"/procurement/tenders/{t.id}")
        assert "6.543.210.987" not in ws.get_data(as_text=True)
        client.get("/account/logout")
    denied = session.scalars(select(AuditEntry).where(AuditEntry.action == "procurement.sealed_read_denied")).all()
    assert len(denied) == 3 and {d.detail for d in denied} == {'{"channel": "page"}'}
    assert "6.543.210.987" not in client.get(f"/procurement/tenders/{t.id}/opening").get_data(as_text=True)


def test_anonymous_reads_of_a_sealed_bid_page_are_audited_then_sent_to_login(p, session, client):
    t = p.tendering()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    bid = bid_service.submit_bid(session, p.suppliers[0], t.id, offer(t, price=PRICE), config=p.config,
                                 documents=[("ho-so.pdf", pdf)])
    file_id = session.scalar(select(StoredFile.id).where(StoredFile.owner_kind == "bid"))
    paths = [f"/procurement/bids/{bid.id}", f"/procurement/bids/{bid.id}/documents/{file_id}"]
    for path in paths:
        resp = client.get(path, environ_base={"REMOTE_ADDR": "198.51.100.23"})
        assert resp.status_code == 302 and "/account/login" in resp.headers["Location"]
        assert "6.543.210.987" not in resp.get_data(as_text=True)
    denied = session.scalars(select(AuditEntry).where(AuditEntry.action == "procurement.sealed_read_denied")
                             .order_by(AuditEntry.id)).all()
    assert [(d.actor_user_id, d.subject_type) for d in denied] == [(None, "bid"), (None, "bid_document")]
    assert [json.loads(d.detail) for d in denied] == [
        {"channel": "page", "ip": "198.51.100.23", "route": f"GET {path}"} for path in paths]
    # The bidder, once logged in, still reads the bid.
    login(client, p.suppliers[0].email)
    assert client.get(paths[0]).status_code == 200


@pytest.mark.parametrize("upload", [
    {"file": (io.BytesIO(b"GIF89a not a word file"), "ho-so-moi-thau.docx")},   # content is not what it says
    {"file": (io.BytesIO(b"#!/bin/sh\n"), "script.sh")},                        # type not accepted
    {"file": (io.BytesIO(b""), "rong.pdf")},                                     # empty
    {},                                                                           # no file chosen
])
def test_bad_tender_document_reshows_the_workspace_with_a_field_error(p, session, client, upload):
    t = p.tender()
    login(client, p.officer.email)
    resp = client.post(f"/procurement/tenders/{t.id}/documents", data=upload, content_type="multipart/form-data")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="file-error"' in html and 'aria-invalid="true"' in html
    assert _count(session, StoredFile) == 0
    session.expire_all()
    assert t.amendment == 0   # a refused upload is no amendment either
    good = client.post(f"/procurement/tenders/{t.id}/documents", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "hsmt.pdf")})
    assert good.status_code == 302 and _count(session, StoredFile) == 1


def test_no_bid_through_the_page_after_deadline(p, session, client):
    t = p.tendering()
    tender_service.shift_timeline(session, t.id, -3601)
    login(client, p.suppliers[0].email)
    resp = client.post(f"/procurement/tenders/{t.id}/bid", data=_bid_form(t))
    assert resp.status_code == 422
    assert _count(session, Bid) == 0
    session.expire_all()
    assert t.status == TenderStatus.TENDERING   # the page did not move the tender either


def test_pages_in_english_and_vietnamese(p, session, client):
    t = p.tender()
    vi = client.get(f"/procurement/tenders/{t.id}").get_data(as_text=True)
    assert "Hạn nộp hồ sơ dự thầu" in vi
    with client.session_transaction() as s:
        s["lang"] = "en"
    en = client.get(f"/procurement/tenders/{t.id}").get_data(as_text=True)
    assert "Submission deadline" in en
