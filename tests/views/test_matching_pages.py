"""Matches on the pages that name them, each with its reasons and a way to act on it."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from market.jobs.worker import drain
from market.models import EmailMessage, OrgKind, Role
from market.models.invitations import TenderInvitation
from market.services import matching as svc
from market.services import orders as order_service
from tests.factories_orders import Parties, order_data
from tests.conftest import login
from tests.factories_procurement import SHORT_SETTINGS, Procurement
from tests.factories_techtransfer import publish
from tests.fakes import FakeEncoder


@pytest.fixture
def app_config(app_config):
    return app_config | SHORT_SETTINGS | {"ENCODER": FakeEncoder(dim=32)}


@pytest.fixture(autouse=True)
def fresh_runtime(monkeypatch):
    monkeypatch.setattr(svc, "_RUNTIMES", {})


def _settle(app, session) -> None:
    """Index everything, then let the worker finish what publishing queued."""
    svc.runtime_for(app.config).rebuild(session)
    session.commit()
    factory = app.extensions["db_sessionmaker"]
    while drain(factory):
        pass
    session.expire_all()


def _wastewater_supplier(make, session):
    org = make.org(OrgKind.ENTERPRISE, name="Công ty Thiết bị Xử lý Nước thải Sông Đà", province="bac-ninh")
    org.description = "Thiết kế, cung cấp và lắp đặt hệ thống xử lý nước thải sinh học MBR cho khu công nghiệp."
    session.commit()
    return org


def test_buyer_sees_matching_suppliers_with_reasons_and_invites_one(app, client, session, make):
    p = Procurement(make, session, app)
    org = _wastewater_supplier(make, session)
    rep = make.user(Role.SUPPLIER_REPRESENTATIVE, org=org)
    tender = p.tender()
    _settle(app, session)

    login(client, p.officer.email)
    html = client.get(f"/procurement/tenders/{tender.id}/workspace").get_data(as_text=True)
    panel = html[html.index('class="card matches-panel"'):]
    assert org.name in panel and "Cùng tỉnh/thành" in panel and "Mức tương đồng nội dung" in panel
    assert "Mời dự thầu" in panel or "Invite to bid" in panel

    resp = client.post(f"/tenders/{tender.id}/invite", data={"organisation_id": org.id})
    assert resp.status_code == 302
    assert session.scalar(select(TenderInvitation).where(TenderInvitation.organisation_id == org.id)) is not None
    assert session.scalar(select(EmailMessage).where(EmailMessage.to_address == rep.email)) is not None
    html = client.get(f"/procurement/tenders/{tender.id}/workspace").get_data(as_text=True)
    assert f'name="organisation_id" value="{org.id}"' not in html  # invited once; the button is gone


def test_supplier_dashboard_offers_a_bid_on_a_tender_for_it(app, client, session, make):
    p = Procurement(make, session, app)
    org = _wastewater_supplier(make, session)
    rep = make.user(Role.SUPPLIER_REPRESENTATIVE, org=org)
    tender = p.tender()
    _settle(app, session)

    login(client, rep.email)
    html = client.get("/dashboard").get_data(as_text=True)
    assert tender.title in html
    assert f'href="/procurement/tenders/{tender.id}/bid"' in html


def test_need_owner_sees_matching_patents_with_reasons_and_a_way_to_contact(app, client, session, make):
    patent, _ = publish(session, make, "patent")
    need, owner = publish(session, make, "technology_need")
    _settle(app, session)

    login(client, owner.email)
    html = client.get(f"/techtransfer/listings/{need.id}").get_data(as_text=True)
    panel = html[html.index('aria-labelledby="suggested-matches"'):]
    assert patent.title in panel and "Mức độ sẵn sàng công nghệ 7 (yêu cầu 6)" in panel
    assert f'href="/techtransfer/listings/{patent.id}#contact"' in panel
    holder_view = client.get(f"/techtransfer/listings/{patent.id}").get_data(as_text=True)
    assert 'id="contact"' in holder_view


def test_order_page_shows_similar_suppliers_with_reasons_and_sends_an_order(app, client, session, make):
    p = Procurement(make, session, app)
    supplier = _wastewater_supplier(make, session)
    make.user(Role.SUPPLIER_REPRESENTATIVE, org=supplier)
    other = make.org(OrgKind.ENTERPRISE, name="Công ty Lắp đặt Hệ thống Xử lý Nước thải Bắc Ninh", province="bac-ninh")
    other.description = "Lắp đặt và vận hành hệ thống xử lý nước thải sinh học MBR."
    session.commit()
    order = order_service.place_order(session, p.officer, order_data(
        Parties(p.buyer_org, supplier, p.officer, None), title="Đặt hàng hệ thống xử lý nước thải MBR",
        description="Module xử lý nước thải sinh học MBR cho khu công nghiệp.", delivery_province="bac-ninh"))
    _settle(app, session)

    login(client, p.officer.email)
    html = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert other.name in html and "Mức tương đồng nội dung" in html
    link = f"/orders/new?supplier_org_id={other.id}"
    assert link in html
    form = client.get(link).get_data(as_text=True)
    assert re.search(rf'<option[^>]*selected[^>]*value="{other.id}"|<option[^>]*value="{other.id}"[^>]*selected', form)
