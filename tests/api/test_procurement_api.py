"""The procurement API: a buyer and three suppliers from publication to contract, sealed-bid rules over HTTP."""
from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from market.jobs.procurement import run_tick
from market.models import AuditEntry, StoredFile, utcnow
from market.models.procurement import Bid, Tender
from market.services import tenders as tender_service
from tests.conftest import bearer
from tests.factories_procurement import SHORT_SETTINGS, Procurement, tender_data

PRICE = 7_654_321_987


@pytest.fixture
def app_config(app_config):
    app_config.update(SHORT_SETTINGS)
    return app_config


@pytest.fixture
def p(make, session, app):
    return Procurement(make, session, app)


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def _shift(p, session, tender_id, seconds):
    tender_service.shift_timeline(session, tender_id, seconds)
    session.expire_all()
    run_tick(session, config=p.config)
    session.expire_all()


def _offer(lot_id, price=PRICE, **over):
    data = {"lots": [{"lot_id": lot_id, "price": price}], "domestic_content_pct": 55, "delivery_days": 100,
            "technical_proposal": "Hệ thống MBR, vận hành tự động SCADA."}
    data.update(over)
    return data


def _tendering(p, session, client, headers):
    resp = client.post("/api/v1/tenders", json=tender_data(), headers=headers)
    assert resp.status_code == 201, resp.get_json()
    tid = resp.get_json()["id"]
    assert client.post(f"/api/v1/tenders/{tid}/publish", headers=headers).status_code == 200
    _shift(p, session, tid, -3601)
    tender = client.get(f"/api/v1/tenders/{tid}").get_json()
    assert tender["status"] == "active.tendering"
    return tid, tender["lots"][0]["id"]


def test_full_journey_through_the_api(p, session, client):
    officer = bearer(client, p.officer.email)
    sup = [bearer(client, s.email) for s in p.suppliers]
    resp = client.post("/api/v1/tenders", json=tender_data(), headers={**officer, "Idempotency-Key": "t-1"})
    assert resp.status_code == 201
    tid = resp.get_json()["id"]
    assert resp.get_json()["status"] == "draft"
    assert client.get(f"/api/v1/tenders/{tid}").status_code == 404        # drafts are not public
    assert client.post(f"/api/v1/tenders/{tid}/publish", headers=officer).get_json()["status"] == "active.enquiries"
    listing = client.get("/api/v1/tenders?cpv=4291&province=bac-ninh&status=active&q=nước").get_json()
    assert [t["id"] for t in listing["items"]] == [tid] and listing["total"] == 1
    assert client.get("/api/v1/tenders?cpv=9090").get_json()["total"] == 0
    q = client.post(f"/api/v1/tenders/{tid}/questions", json={"text": "Có cần bảo lãnh dự thầu?"}, headers=sup[0])
    assert q.status_code == 201
    a = client.post(f"/api/v1/questions/{q.get_json()['id']}/answer", json={"answer": "Có, 1% giá gói thầu."},
                    headers=officer)
    assert a.status_code == 200
    notice = client.get(f"/api/v1/tenders/{tid}").get_json()
    assert notice["questions"][0]["answer"] and notice["questions"][0]["asker"].startswith("#")
    assert p.suppliers[0].email not in str(notice)
    _shift(p, session, tid, -3601)
    lot_id = client.get(f"/api/v1/tenders/{tid}").get_json()["lots"][0]["id"]
    ids = []
    for i, headers in enumerate(sup):
        resp = client.post(f"/api/v1/tenders/{tid}/bids", json=_offer(lot_id, PRICE - i * 1000, domestic_content_pct=60 - i * 25),
                           headers={**headers, "Idempotency-Key": f"bid-{i}"})
        assert resp.status_code == 201, resp.get_json()
        body = resp.get_json()
        assert body["receipts"][0]["content_hash"] == body["content_hash"]
        ids.append(body["id"])
    assert client.get(f"/api/v1/tenders/{tid}/bids", headers=officer).status_code == 403
    assert client.get(f"/api/v1/bids/{ids[0]}", headers=sup[0]).get_json()["content"]["lots"][0]["price"] == PRICE
    _shift(p, session, tid, -3601)
    notice = client.get(f"/api/v1/tenders/{tid}").get_json()
    assert notice["status"] == "active.qualification"
    assert sorted(r["total_price"] for r in notice["opening_record"]) == [PRICE - 2000, PRICE - 1000, PRICE]
    assert all(r["hash_verified"] for r in notice["opening_record"])
    bids = client.get(f"/api/v1/tenders/{tid}/bids", headers=officer)
    assert bids.status_code == 200 and len(bids.get_json()["items"]) == 3
    ranked = sorted(notice["evaluation"], key=lambda e: e["rank"])
    winner = ranked[0]
    assert winner["margin_applied"] is True   # 7.5 % margin beats a cheaper bid with little domestic content
    r = client.post(f"/api/v1/tenders/{tid}/bids/{winner['bid_id']}/qualification", json={"qualified": True},
                    headers=officer)
    assert r.status_code == 200
    r = client.post(f"/api/v1/tenders/{tid}/award", json={"bid_id": winner["bid_id"],
                                                          "justification": "Giá đánh giá thấp nhất."}, headers=officer)
    assert r.status_code == 201, r.get_json()
    award = r.get_json()["awards"][0]
    assert r.get_json()["status"] == "active.awarded"
    assert client.post(f"/api/v1/awards/{award['id']}/contract", json={}, headers=officer).status_code == 409
    _shift(p, session, tid, -SHORT_SETTINGS["TENDER_STANDSTILL_SECONDS"] - 1)
    r = client.post(f"/api/v1/awards/{award['id']}/contract", json={"period_end": (utcnow() + timedelta(days=180)).isoformat()},
                    headers=officer)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["status"] == "complete" and r.get_json()["contracts"][0]["value"] == award["value"]


def test_bids_are_403_before_opening_over_the_api_and_audited(p, session, client):
    officer = bearer(client, p.officer.email)
    admin = bearer(client, p.admin.email)
    sup = [bearer(client, s.email) for s in p.suppliers[:2]]
    tid, lot_id = _tendering(p, session, client, officer)
    bid_id = client.post(f"/api/v1/tenders/{tid}/bids", json=_offer(lot_id), headers=sup[0]).get_json()["id"]
    before = _count(session, AuditEntry)
    for headers in (officer, admin, sup[1]):
        resp = client.get(f"/api/v1/bids/{bid_id}", headers=headers)
        assert resp.status_code == 403 and str(PRICE) not in resp.get_data(as_text=True)
        assert client.get(f"/api/v1/tenders/{tid}/bids", headers=headers).status_code == 403
        assert client.patch(f"/api/v1/bids/{bid_id}", json={"delivery_days": 1}, headers=headers).status_code == 403
    denied = session.scalars(select(AuditEntry).where(AuditEntry.id > 0, AuditEntry.action.like("procurement.%"))).all()
    assert _count(session, AuditEntry) - before == 9 and len(denied) == 9
    notice = client.get(f"/api/v1/tenders/{tid}").get_data(as_text=True)
    assert str(PRICE) not in notice
    assert client.get(f"/api/v1/tenders/{tid}/opening").get_json()["bids"] == []


def test_anonymous_reads_of_a_sealed_bid_are_401_and_audited_over_the_api(p, session, client):
    officer = bearer(client, p.officer.email)
    sup = bearer(client, p.suppliers[0].email)
    tid, lot_id = _tendering(p, session, client, officer)
    bid = client.post(f"/api/v1/tenders/{tid}/bids", json=_offer(lot_id), headers=sup).get_json()
    doc = client.post(f"/api/v1/bids/{bid['id']}/documents", headers=sup,
                      data={"file": (io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "gia.pdf")},
                      content_type="multipart/form-data").get_json()["content"]["documents"]
    file_id = session.scalar(select(StoredFile.id).where(StoredFile.owner_kind == "bid"))
    assert doc and file_id
    before = _count(session, AuditEntry)
    attempts = [(f"/api/v1/bids/{bid['id']}", {}), (f"/api/v1/tenders/{tid}/bids", {}),
                (f"/api/v1/bids/{bid['id']}/documents/{file_id}", {}),
                (f"/api/v1/bids/{bid['id']}", {"Authorization": "Bearer not-a-token"})]
    for path, headers in attempts:
        resp = client.get(path, headers=headers, environ_base={"REMOTE_ADDR": "203.0.113.7"})
        assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "not_authenticated"
        assert str(PRICE) not in resp.get_data(as_text=True)
    new = session.scalars(select(AuditEntry).where(AuditEntry.id > 0).order_by(AuditEntry.id)).all()[before:]
    assert [e.action for e in new] == ["procurement.sealed_read_denied"] * len(attempts)
    assert [e.actor_user_id for e in new] == [None] * len(attempts)
    assert [(e.subject_type, e.subject_id) for e in new] == [
        ("bid", str(bid["id"])), ("tender_bids", str(tid)), ("bid_document", str(file_id)), ("bid", str(bid["id"]))]
    for entry, (path, _headers) in zip(new, attempts):
        assert json.loads(entry.detail) == {"channel": "api", "ip": "203.0.113.7", "route": f"GET {path}"}
    # A missing bid answers anonymous callers the same way, so probing ids tells nothing.
    assert client.get("/api/v1/bids/99999").status_code == 401
    op = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/bids/{bid_id}"]["get"]
    assert op["security"] == [{"bearer": []}] and "401" in op["responses"]


def test_client_cannot_supply_the_receipt_time(p, session, client):
    officer = bearer(client, p.officer.email)
    sup = bearer(client, p.suppliers[0].email)
    tid, lot_id = _tendering(p, session, client, officer)
    resp = client.post(f"/api/v1/tenders/{tid}/bids", json=_offer(lot_id, submitted_at="2020-01-01T00:00:00Z"),
                       headers=sup)
    assert resp.status_code == 422 and "submitted_at" in resp.get_json()["error"]["fields"]
    assert _count(session, Bid) == 0


def test_no_bid_after_deadline_through_the_api(p, session, client):
    officer = bearer(client, p.officer.email)
    sup = bearer(client, p.suppliers[0].email)
    tid, lot_id = _tendering(p, session, client, officer)
    tender_service.shift_timeline(session, tid, -3601)   # deadline passed, worker not yet run
    resp = client.post(f"/api/v1/tenders/{tid}/bids", json=_offer(lot_id), headers=sup)
    assert resp.status_code == 409
    assert _count(session, Bid) == 0


def test_no_change_or_withdrawal_of_a_bid_after_deadline_through_the_api(p, session, client):
    officer = bearer(client, p.officer.email)
    sup = bearer(client, p.suppliers[0].email)
    tid, lot_id = _tendering(p, session, client, officer)
    bid = client.post(f"/api/v1/tenders/{tid}/bids", json=_offer(lot_id), headers=sup).get_json()
    committed = bid["content_hash"]
    tender_service.shift_timeline(session, tid, -3601)   # deadline passed, worker not yet run
    changed = client.patch(f"/api/v1/bids/{bid['id']}", json=_offer(lot_id, price=PRICE - 1), headers=sup)
    withdrawn = client.delete(f"/api/v1/bids/{bid['id']}", headers=sup)
    assert changed.status_code == withdrawn.status_code == 409
    session.expire_all()
    stored = session.get(Bid, bid["id"])
    assert stored.status.value == "pending" and stored.content_hash == committed and len(stored.receipts) == 1


def test_only_the_buyers_officers_change_dates_through_the_api(p, session, client):
    officer = bearer(client, p.officer.email)
    tid, _ = _tendering(p, session, client, officer)
    later = (utcnow() + timedelta(days=3)).isoformat()
    for who in (p.other_officer, p.suppliers[0], p.admin):
        resp = client.patch(f"/api/v1/tenders/{tid}", json={"tender_end": later}, headers=bearer(client, who.email))
        assert resp.status_code == 403, (who.email, resp.get_json())
    session.expire_all()
    assert session.get(Tender, tid).tender_end.isoformat() != later
    ok = client.patch(f"/api/v1/tenders/{tid}", json={"tender_end": later, "opening_at": later}, headers=officer)
    assert ok.status_code == 200, ok.get_json()


def test_tender_search_is_paginated(p, session, client):
    officer = bearer(client, p.officer.email)
    for i in range(5):
        tid = client.post("/api/v1/tenders", json=tender_data(title=f"Gói thầu số {i}"), headers=officer).get_json()["id"]
        assert client.post(f"/api/v1/tenders/{tid}/publish", headers=officer).status_code == 200
    pages = [client.get(f"/api/v1/tenders?per_page=2&page={n}").get_json() for n in (1, 2, 3, 4)]
    ids = [t["id"] for page in pages for t in page["items"]]
    assert [len(page["items"]) for page in pages] == [2, 2, 1, 0]
    assert len(set(ids)) == 5 and all(page["total"] == 5 for page in pages)
    assert client.get("/api/v1/tenders?per_page=1000").get_json()["per_page"] <= 100


def test_idempotency_key_header_never_creates_twice(p, session, client):
    officer = bearer(client, p.officer.email)
    sup = bearer(client, p.suppliers[0].email)
    h = {**officer, "Idempotency-Key": "same"}
    a = client.post("/api/v1/tenders", json=tender_data(), headers=h).get_json()["id"]
    b = client.post("/api/v1/tenders", json=tender_data(), headers=h).get_json()["id"]
    assert a == b and _count(session, Tender) == 1
    tid, lot_id = _tendering(p, session, client, officer)
    hb = {**sup, "Idempotency-Key": "bid-once"}
    x = client.post(f"/api/v1/tenders/{tid}/bids", json=_offer(lot_id), headers=hb)
    y = client.post(f"/api/v1/tenders/{tid}/bids", json=_offer(lot_id), headers=hb)
    assert x.status_code == y.status_code == 201 and x.get_json()["id"] == y.get_json()["id"]
    assert _count(session, Bid) == 1


@pytest.mark.parametrize("over, field", [
    ({"cpv_codes": ["11111111"]}, "cpv_codes"),
    ({"enquiry_end": "2030-01-02T00:00:00Z", "tender_end": "2030-01-01T00:00:00Z", "opening_at": "2030-01-03T00:00:00Z"},
     "tender_end"),
    ({"enquiry_end": "not a date"}, "enquiry_end"),
])
def test_bad_tender_json_is_a_field_error(p, session, client, over, field):
    resp = client.post("/api/v1/tenders", json=tender_data(**over), headers=bearer(client, p.officer.email))
    assert resp.status_code == 422
    assert field in resp.get_json()["error"]["fields"]
    assert _count(session, Tender) == 0


@pytest.mark.parametrize("build, field", [
    (lambda lot: _offer(lot, price=-1), "lots.0.price"),
    (lambda lot: _offer(lot, price="abc"), "lots.0.price"),
    (lambda lot: _offer(lot + 999), "lots.0.lot_id"),
])
def test_bad_bid_json_is_a_field_error(p, session, client, build, field):
    officer = bearer(client, p.officer.email)
    tid, lot_id = _tendering(p, session, client, officer)
    resp = client.post(f"/api/v1/tenders/{tid}/bids", json=build(lot_id), headers=bearer(client, p.suppliers[0].email))
    assert resp.status_code == 422 and field in resp.get_json()["error"]["fields"]
    assert _count(session, Bid) == 0


def test_duplicate_bid_and_fake_document_over_the_api(p, session, client):
    officer = bearer(client, p.officer.email)
    sup = bearer(client, p.suppliers[0].email)
    tid, lot_id = _tendering(p, session, client, officer)
    bid_id = client.post(f"/api/v1/tenders/{tid}/bids", json=_offer(lot_id), headers=sup).get_json()["id"]
    dup = client.post(f"/api/v1/tenders/{tid}/bids", json=_offer(lot_id), headers=sup)
    assert dup.status_code == 422 and "tender" in dup.get_json()["error"]["fields"]
    fake = client.post(f"/api/v1/bids/{bid_id}/documents", headers=sup, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"just text, not a PDF"), "ho-so.pdf")})
    assert fake.status_code == 422 and "documents" in fake.get_json()["error"]["fields"]
    tdoc = client.post(f"/api/v1/tenders/{tid}/documents", headers=officer, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"GIF89a not a docx"), "hsmt.docx")})
    assert tdoc.status_code == 422
    assert _count(session, Bid) == 1
    assert _count(session, StoredFile) == 0


def test_procurement_routes_are_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/tenders", "/api/v1/tenders/{tender_id}/publish", "/api/v1/tenders/{tender_id}/questions",
                 "/api/v1/questions/{question_id}/answer", "/api/v1/tenders/{tender_id}/bids",
                 "/api/v1/bids/{bid_id}", "/api/v1/tenders/{tender_id}/award"):
        assert any(k.endswith(path.replace("/api/v1", "")) or k == path for k in spec["paths"]), path
    methods = {m for k, v in spec["paths"].items() if k.endswith("/bids/{bid_id}") for m in v}
    assert {"get", "patch", "delete"} <= methods
