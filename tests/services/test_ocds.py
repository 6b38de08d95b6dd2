"""Open data: OCDS releases for every published change, packages and records valid offline, sealed data kept out.

Sealed-data rule: test_no_sealed_data_in_open_data_before_opening (releases, records and CSV), and
test_opening_publishes_bidders_and_prices (the same checks turn true after opening, so the test can fail).
"""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from market.models import utcnow
from market.models.ocds import OcdsRelease
from market.models.procurement import TenderChange
from market.services import evaluation, ocds, questions
from market.services import orders as order_service
from tests.factories_orders import parties, place
from tests.factories_procurement import SHORT_SETTINGS, Procurement
from tests.ocds_validation import record_package_errors, release_package_errors

PRICES = (8_123_456_789, 7_654_321_987)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def app_config(app_config):
    app_config.update(SHORT_SETTINGS)
    app_config["OCID_PREFIX"] = "ocds-test42"
    return app_config


@pytest.fixture
def p(make, session, app):
    return Procurement(make, session, app)


def _releases(session, ocid=None) -> list[OcdsRelease]:
    stmt = select(OcdsRelease).order_by(OcdsRelease.date, OcdsRelease.id)
    if ocid:
        stmt = stmt.where(OcdsRelease.ocid == ocid)
    return list(session.scalars(stmt))


def _package(session, **kw) -> dict:
    package, _more = ocds.release_package(session, base_url="http://localhost/", package_uri="http://localhost/x", **kw)
    return package


def _record(session, ocid) -> dict:
    return ocds.record_package(session, ocid, base_url="http://localhost/", package_uri="http://localhost/r")


def _pass_time(p, session, t, seconds: float) -> None:
    """Move the tender's dates back and fire its due time-driven moves, as the worker tick does for it."""
    from market.models.procurement import TenderStatus
    from market.services import bids as bid_service
    from market.services import tenders as tender_service

    tender_service.shift_timeline(session, t.id, seconds)
    session.refresh(t)
    now = utcnow()
    if t.status is TenderStatus.ENQUIRIES and t.enquiry_end <= now:
        tender_service.move(session, t, "end_enquiries", None, "enquiry period ended")
    elif t.status is TenderStatus.TENDERING and t.opening_at <= now and t.tender_end <= now:
        bid_service.open_bids(session, t, p.config)
    evaluation.end_standstill(session, t)
    session.commit()
    session.expire_all()


def _through_opening(p, session):
    """A tender published, one question answered, two bids, opened."""
    t = p.tender()
    q = questions.ask_question(session, p.suppliers[0], t.id, "Có chấp nhận màng MBR sản xuất trong nước không?")
    questions.answer_question(session, p.officer, q.id, "Có, nếu đạt QCVN 14:2008/BTNMT.")
    _pass_time(p, session, t, -3601)
    bids = [p.bid(t, 0, price=PRICES[0]), p.bid(t, 1, price=PRICES[1])]
    return t, bids


def test_draft_is_not_released_and_publishing_is(p, session):
    from market.services import tenders as tender_service

    t = p.tender(publish=False)
    tender_service.add_tender_document(session, p.config, p.officer, t.id, PDF, "ho-so-moi-thau.pdf")
    assert _releases(session) == []
    tender_service.publish_tender(session, p.officer, t.id, config=p.config)
    rows = _releases(session)
    assert [r.tag for r in rows] == [["tender"]]
    assert rows[0].ocid == t.ocid and t.ocid.startswith("ocds-test42-")
    data = rows[0].data
    assert data["tender"]["status"] == "active" and data["tender"]["procurementMethod"] == "open"
    classification = data["tender"]["items"][0]["classification"]
    assert (classification["scheme"], classification["id"]) == ("CPV", "42912300") and classification["description"]
    assert data["tender"]["value"] == {"amount": 9_000_000_000, "currency": "VND"}
    package = _package(session)
    assert release_package_errors(package) == []
    doc = package["releases"][0]["tender"]["documents"][0]
    assert doc["title"] == "ho-so-moi-thau.pdf (v1)" and doc["format"] == "application/pdf"
    assert doc["url"] == f"http://localhost/api/v1/tenders/{t.id}/documents/{doc['id'].split('-')[1]}"


def test_every_published_change_is_a_release_and_the_journey_validates(p, session):
    t, bids = _through_opening(p, session)
    _pass_time(p, session, t, -3601)  # deadline and opening time pass; the bids are opened
    session.refresh(t)
    assert t.opened_at is not None
    for b in bids:
        evaluation.qualify_bid(session, p.officer, t.id, b.id, True)
    winner = min(bids, key=lambda b: b.total_price)
    award = evaluation.award(session, p.officer, t.id, winner.id, "Giá đánh giá thấp nhất.", config=p.config)
    _pass_time(p, session, t, -601)  # standstill ends
    evaluation.sign_contract(session, p.officer, award.id, {"value": winner.total_price})

    rows = _releases(session, t.ocid)
    changes = session.scalar(select(func.count()).select_from(TenderChange).where(TenderChange.tender_id == t.id))
    assert len(rows) == changes  # one release per published change
    tags = [tag for r in rows for tag in r.tag]
    for expected in ("tender", "tenderUpdate", "award", "contract"):
        assert expected in tags
    assert len({r.release_id for r in rows}) == len(rows)
    # Releases are snapshots: the first one still shows the tender as it was published.
    assert "awards" not in rows[0].data and rows[0].data["tender"]["status"] == "active"
    assert [r.date for r in rows] == sorted(r.date for r in rows)

    package = _package(session)
    assert release_package_errors(package) == []
    record = _record(session, t.ocid)
    assert record_package_errors(record) == []
    compiled = record["records"][0]["compiledRelease"]
    assert compiled["tag"] == ["compiled"] and compiled["ocid"] == t.ocid
    assert compiled["tender"]["numberOfTenderers"] == 2
    assert compiled["awards"][0]["status"] == "active"
    assert compiled["awards"][0]["value"] == {"amount": winner.total_price, "currency": "VND"}
    assert compiled["contracts"][0]["awardID"] == str(award.id)
    roles = {p_["name"]: set(p_["roles"]) for p_ in compiled["parties"]}
    assert roles[winner.bidder.name] == {"tenderer", "supplier"}
    assert roles[t.buyer.name] == {"buyer", "procuringEntity"}
    assert compiled["tender"]["hasEnquiries"] is True


def _sealed_strings(bids) -> list[str]:
    out = []
    for b in bids:
        out += [b.bidder.name, b.bidder.tax_code]
    for price in PRICES:
        out += [str(price), f"{price:,}".replace(",", "."), f"{price:,}"]
    return out


def _open_data_text(app, session, t) -> str:
    client = app.test_client()
    parts = [json.dumps(_package(session), ensure_ascii=False),
             json.dumps(_record(session, t.ocid), ensure_ascii=False)]
    for path in ("/api/v1/ocds/releases", f"/api/v1/ocds/records/{t.ocid}", "/api/v1/exports/tenders.csv",
                 "/api/v1/exports/awards.csv"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        parts.append(resp.get_data(as_text=True))
    return "\n".join(parts)


def test_no_sealed_data_in_open_data_before_opening(app, p, session):
    from market.services import tenders as tender_service

    t, bids = _through_opening(p, session)
    # An amendment while bids are sealed also publishes a release: still nothing of the bids.
    tender_service.update_tender(session, p.officer, t.id, {"description": "Bổ sung yêu cầu bảo hành 36 tháng."},
                                 config=p.config)
    assert "tenderAmendment" in [tag for r in _releases(session, t.ocid) for tag in r.tag]
    text = _open_data_text(app, session, t)
    for secret in _sealed_strings(bids):
        assert secret not in text, secret
    for r in _releases(session, t.ocid):
        assert "bids" not in r.data and "awards" not in r.data
        assert "tenderers" not in r.data["tender"] and "numberOfTenderers" not in r.data["tender"]
    rows = list(csv.DictReader(io.StringIO(app.test_client().get("/api/v1/exports/tenders.csv")
                                           .get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0]["number_of_tenderers"] == ""


def test_opening_publishes_bidders_and_prices(app, p, session):
    t, bids = _through_opening(p, session)
    _pass_time(p, session, t, -3601)
    session.refresh(t)
    text = _open_data_text(app, session, t)
    for b in bids:
        assert b.bidder.name in text and str(b.total_price) in text
    opening = [r for r in _releases(session, t.ocid) if "bids" in r.data]
    assert opening and opening[0].date >= t.opened_at
    assert {d["value"]["amount"] for d in opening[-1].data["bids"]["details"]} == set(PRICES)


def test_releases_filter_by_date_and_paginate(app, p, session, make):
    for _ in range(3):
        p.tender()
    rows = _releases(session)
    assert len(rows) == 3
    # Move one release back in time to filter on it.
    rows[0].date = utcnow() - timedelta(days=10)
    rows[0].data = {**rows[0].data, "date": ocds.iso(rows[0].date)}
    session.commit()
    client = app.test_client()
    day = (utcnow() - timedelta(days=10)).date().isoformat()
    only_old = client.get(f"/api/v1/ocds/releases?until={day}").get_json()
    assert [r["id"] for r in only_old["releases"]] == [rows[0].release_id]
    recent = client.get(f"/api/v1/ocds/releases?since={(utcnow() - timedelta(days=1)).date().isoformat()}").get_json()
    assert rows[0].release_id not in [r["id"] for r in recent["releases"]] and len(recent["releases"]) == 2
    first = client.get("/api/v1/ocds/releases?per_page=2").get_json()
    assert len(first["releases"]) == 2 and "next" in first["links"]
    second = client.get(first["links"]["next"]).get_json()
    assert len(second["releases"]) == 1 and "next" not in second.get("links", {})
    assert release_package_errors(first) == [] and release_package_errors(second) == []
    bad = client.get("/api/v1/ocds/releases?since=yesterday")
    assert bad.status_code == 422 and "since" in bad.get_json()["error"]["fields"]


def test_record_of_unknown_ocid_is_404(client):
    assert client.get("/api/v1/ocds/records/ocds-test42-999999").status_code == 404


def test_ocid_prefix_is_a_setting(app, p):
    t = p.tender()
    assert app.config["OCID_PREFIX"] == "ocds-test42"
    assert t.ocid.startswith("ocds-test42-")


def test_backfill_publishes_changes_without_a_release(p, session):
    t = p.tender()
    session.execute(delete(OcdsRelease))
    session.commit()
    assert ocds.backfill(session) == 1
    session.commit()
    assert [r.tag for r in _releases(session, t.ocid)] == [["tender"]]
    assert ocds.backfill(session) == 0


def test_direct_order_is_released_only_once_it_is_a_contract(app, session, make):
    pt = parties(make)
    order = place(app, session, pt)
    with app.test_request_context():
        order_service.counter(session, pt.rep, order.id, {"price_vnd": 870_000_000, "note": "Giá vật tư tăng"})
        assert _releases(session) == []  # the negotiation stays private
        order_service.accept_counter(session, pt.officer, order.id)
        order_service.fulfil(session, pt.officer, order.id)
    rows = _releases(session)
    assert [r.tag for r in rows] == [["award", "contract"], ["contractTermination"]]
    ocid = rows[0].ocid
    assert ocid == f"ocds-test42-order-{order.id:06d}"
    first = rows[0].data
    assert first["tender"]["procurementMethod"] == "limited"
    assert first["awards"][0]["value"] == {"amount": 870_000_000, "currency": "VND"}
    assert "Giá vật tư tăng" not in json.dumps(first, ensure_ascii=False)
    assert release_package_errors(_package(session)) == []
    record = _record(session, ocid)
    assert record_package_errors(record) == []
    assert record["records"][0]["compiledRelease"]["contracts"][0]["status"] == "terminated"
    awards = list(csv.DictReader(io.StringIO(app.test_client().get("/api/v1/exports/awards.csv")
                                             .get_data(as_text=True).lstrip("\ufeff"))))
    assert [(a["method"], a["value_vnd"], a["supplier"]) for a in awards] == [
        ("direct_order", "870000000", pt.supplier_org.name)]


def test_declined_order_is_never_released(app, session, make):
    pt = parties(make)
    order = place(app, session, pt)
    with app.test_request_context():
        order_service.decline(session, pt.rep, order.id, "Không đủ công suất.")
    assert _releases(session) == []


def test_csv_lists_published_tenders_only_and_neutralises_formulas(app, p, session):
    p.tender(publish=False, title="Bản nháp chưa công bố")
    t = p.tender(title="=HYPERLINK(\"http://evil\")")
    resp = app.test_client().get("/api/v1/exports/tenders.csv")
    assert resp.mimetype == "text/csv" and "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["ocid"] for r in rows] == [t.ocid]
    assert rows[0]["title"].startswith("'=")
    assert rows[0]["estimated_value_vnd"] == "9000000000"


def test_release_is_written_in_the_same_transaction_as_the_change(p, session):
    from market.services import tenders as tender_service

    t = p.tender()
    before = len(_releases(session))
    tender_service.add_change(session, t, "amend", "draft change that is rolled back")
    session.rollback()
    assert len(_releases(session)) == before and "ocds_pending" not in session.info
    tender_service.add_change(session, t, "amend", "amendment")
    session.commit()
    assert [r.tag for r in _releases(session, t.ocid)][-1] == ["tenderAmendment"]
