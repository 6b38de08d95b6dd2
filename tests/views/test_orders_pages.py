"""Direct-order pages: the form, field errors, each party's buttons, and who may see what."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from market.models import Role
from market.models.orders import Order, OrderStatus
from market.services.orders import today_in_vietnam
from tests.conftest import login
from tests.factories_orders import order_data, parties, place


def _form(p, **over) -> dict:
    data = order_data(p, **over)
    data["cpv_codes"] = ", ".join(data["cpv_codes"]) if isinstance(data["cpv_codes"], list) else data["cpv_codes"]
    return {k: str(v) for k, v in data.items()}


def test_officer_places_an_order_through_the_form(client, session, make):
    p = parties(make)
    login(client, p.officer.email)
    page = client.get("/orders/new")
    assert page.status_code == 200 and p.supplier_org.name in page.get_data(as_text=True)
    resp = client.post("/orders/new", data=_form(p, price_vnd="850.000.000"))
    assert resp.status_code == 302
    order = session.scalar(select(Order))
    assert order.price_vnd == 850_000_000 and resp.headers["Location"].endswith(f"/orders/{order.id}")
    body = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "850.000.000 ₫" in body and order.title in body


@pytest.mark.parametrize("field,value", [("cpv_codes", "11111111"), ("price_vnd", "-5"), ("price_vnd", "abc"),
                                         ("delivery_date", "2000-01-01")])
def test_form_shows_field_errors_and_stores_nothing(client, session, make, field, value):
    p = parties(make)
    login(client, p.officer.email)
    resp = client.post("/orders/new", data=_form(p, **{field: value}))
    assert resp.status_code == 422
    assert f'id="{field}-error"' in resp.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Order)) == 0


def test_non_domestic_supplier_is_refused_on_the_form(client, session, make):
    p = parties(make, supplier_domestic=False)
    login(client, p.officer.email)
    resp = client.post("/orders/new", data=_form(p))
    assert resp.status_code == 422 and 'id="supplier_org_id-error"' in resp.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Order)) == 0


def test_supplier_cannot_open_the_order_form(client, make):
    p = parties(make)
    login(client, p.rep.email)
    assert client.get("/orders/new").status_code == 403


def test_outsider_cannot_see_an_order_page(app, client, session, make):
    p = parties(make)
    order = place(app, session, p)
    outsider = make.user(Role.SUPPLIER_REPRESENTATIVE)
    login(client, outsider.email)
    assert client.get(f"/orders/{order.id}").status_code == 403
    assert order.title not in client.get("/orders/").get_data(as_text=True)


def test_anonymous_is_sent_to_login(app, client, session, make):
    p = parties(make)
    order = place(app, session, p)
    resp = client.get(f"/orders/{order.id}")
    assert resp.status_code == 302 and "/account/login" in resp.headers["Location"]


def test_supplier_sees_its_buttons_and_counter_offers(app, client, session, make):
    p = parties(make)
    order = place(app, session, p)
    login(client, p.rep.email)
    body = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert f"/orders/{order.id}/accept" in body and f"/orders/{order.id}/counter" in body
    assert f"/orders/{order.id}/cancel" not in body
    new_date = (today_in_vietnam() + timedelta(days=50)).isoformat()
    resp = client.post(f"/orders/{order.id}/counter", data={"counter-price_vnd": "900000000",
                                                           "counter-delivery_date": new_date,
                                                           "counter-note": "Giá thép tăng"})
    assert resp.status_code == 302
    session.refresh(order)
    assert order.status is OrderStatus.COUNTERED and order.counter_price_vnd == 900_000_000


def test_bad_counter_offer_is_shown_on_the_page(app, client, session, make):
    p = parties(make)
    order = place(app, session, p)
    login(client, p.rep.email)
    resp = client.post(f"/orders/{order.id}/counter", data={"counter-price_vnd": "-1"})
    assert resp.status_code == 422 and 'id="counter-price_vnd-error"' in resp.get_data(as_text=True)
    session.refresh(order)
    assert order.status is OrderStatus.PLACED


def test_buyer_cannot_accept_its_own_order_through_the_page(app, client, session, make):
    p = parties(make)
    order = place(app, session, p)
    login(client, p.officer.email)
    assert client.post(f"/orders/{order.id}/accept").status_code == 403
    session.refresh(order)
    assert order.status is OrderStatus.PLACED


def test_decline_needs_a_reason_on_the_page(app, client, session, make):
    p = parties(make)
    order = place(app, session, p)
    login(client, p.rep.email)
    resp = client.post(f"/orders/{order.id}/decline", data={"decline-reason": ""})
    assert resp.status_code == 422 and 'id="decline-reason-error"' in resp.get_data(as_text=True)
    resp = client.post(f"/orders/{order.id}/decline", data={"decline-reason": "Hết công suất"})
    assert resp.status_code == 302
    session.refresh(order)
    assert order.status is OrderStatus.DECLINED


def test_dashboard_panel_lists_orders_waiting_for_the_supplier(app, client, session, make):
    p = parties(make)
    order = place(app, session, p)
    login(client, p.rep.email)
    body = client.get("/dashboard").get_data(as_text=True)
    assert order.reference in body


def test_open_data_page_links_to_the_exports(client):
    body = client.get("/open-data").get_data(as_text=True)
    for link in ("/api/v1/ocds/releases", "/api/v1/exports/tenders.csv", "/api/v1/exports/awards.csv"):
        assert link in body


def test_resubmitted_form_places_one_order(client, session, make):
    p = parties(make)
    login(client, p.officer.email)
    data = _form(p) | {"idem": "tok-123"}
    first = client.post("/orders/new", data=data)
    second = client.post("/orders/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert session.scalar(select(func.count()).select_from(Order)) == 1
