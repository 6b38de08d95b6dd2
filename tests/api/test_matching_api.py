"""Matches and recommendations through the API and pages, with the real organisation builder."""
from __future__ import annotations

import json

import pytest

from market import indexing
from market.models import OrgKind, Role
from market.services import matching as svc
from matching import Document
from tests.conftest import bearer, login
from tests.fakes import FakeEncoder

TENDERS: dict[int, Document] = {}


@pytest.fixture
def app_config(app_config):
    return app_config | {"ENCODER": FakeEncoder(dim=32)}


@pytest.fixture(autouse=True)
def tenders(monkeypatch):
    """Stand-in published tenders (the procurement area registers the real builder)."""
    TENDERS.clear()
    monkeypatch.setitem(indexing.DOCUMENT_BUILDERS, "tender", lambda s, i: TENDERS.get(i))
    monkeypatch.setitem(indexing.DISPLAYERS, "tender", lambda s, i: (
        {"title": TENDERS[i].text[:40], "url": f"/tenders/{i}", "subtitle": ""} if i in TENDERS else None))
    monkeypatch.setattr(svc, "_RUNTIMES", {})
    return TENDERS


def _publish(app, session, i: int, text: str, codes=("90481000",)) -> None:
    TENDERS[i] = Document("tender", f"tender:{i}", text, codes=codes, facets={"province": "ha-noi"}, language="vi")
    svc.runtime_for(app.config).refresh(session, "tender", i)
    session.commit()


def _supplier(app, session, make, name: str, verified: bool = True):
    org = make.org(OrgKind.ENTERPRISE, name=name, verified=verified)
    svc.runtime_for(app.config).refresh(session, "organisation", org.id)
    session.commit()
    return org


def test_tender_matches_list_verified_suppliers_with_reasons(app, client, session, make):
    good = _supplier(app, session, make, "Công ty xử lý nước thải sinh hoạt Hồng Hà")
    hidden = _supplier(app, session, make, "Công ty xử lý nước thải chưa xác minh", verified=False)
    _publish(app, session, 1, "Gói thầu thiết bị xử lý nước thải sinh hoạt 2.000 m3/ngày")
    body = client.get("/api/v1/tenders/1/matches").get_json()
    refs = [m["ref"] for m in body["items"]]
    assert f"organisation:{good.id}" in refs and f"organisation:{hidden.id}" not in refs
    first = body["items"][0]
    assert first["title"] == good.name and first["reasons"], first


def test_matches_of_a_listing_that_is_not_public_are_404(client):
    resp = client.get("/api/v1/tenders/999/matches")
    assert resp.status_code == 404 and resp.get_json()["error"]["code"]


def test_a_supplier_sees_open_tenders_for_it(app, client, session, make):
    org = _supplier(app, session, make, "Thiết bị quan trắc khí thải ống khói tự động")
    rep = make.user(Role.SUPPLIER_REPRESENTATIVE, org=org)
    _publish(app, session, 7, "Mua sắm trạm quan trắc khí thải ống khói tự động liên tục")
    _publish(app, session, 8, "Cung cấp xe ép rác")
    body = client.get("/api/v1/me/recommendations", headers=bearer(client, rep.email)).get_json()
    assert body["items"][0]["ref"] == "tender:7"
    assert all(item["reasons"] for item in body["items"])


def test_recommendations_need_a_login(client):
    assert client.get("/api/v1/me/recommendations").status_code == 401


def test_supplier_dashboard_shows_tenders_for_you(app, client, session, make):
    org = _supplier(app, session, make, "Lò đốt chất thải rắn sinh hoạt")
    rep = make.user(Role.SUPPLIER_REPRESENTATIVE, org=org)
    _publish(app, session, 3, "Lò đốt chất thải rắn sinh hoạt công suất 50 tấn/ngày")
    login(client, rep.email)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "/tenders/3" in html


def test_search_page_finds_listings_and_warns_about_long_text(app, client, session, make):
    org = _supplier(app, session, make, "Công ty tái chế nhựa phế liệu")
    html = client.get("/search?q=t%C3%A1i+ch%E1%BA%BF+nh%E1%BB%B1a").get_data(as_text=True)
    assert org.name in html
    html = client.get("/search?q=" + "rác " * 700).get_data(as_text=True)
    assert "2,000" in html or "2.000" in html


def test_cli_rebuilds_and_reports_the_index(app, runner, session, make):
    org = make.org(OrgKind.ENTERPRISE, name="Thiết bị lọc bụi túi vải")
    result = runner.invoke(["index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "indexed" in result.output
    status = json.loads(runner.invoke(["index", "status"]).output)
    assert status["size"] >= 1 and status["pending"] == 0
    assert f"organisation:{org.id}" in svc.runtime_for(app.config).engine(session)
