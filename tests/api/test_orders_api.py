"""Direct orders through the JSON API: the whole negotiation, permissions and field errors."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from market.models import Role
from market.models.orders import Order
from market.services.orders import today_in_vietnam
from tests.conftest import bearer
from tests.factories_orders import order_data, parties


def _place(client, p, **overrides):
    return client.post("/api/v1/orders", json=order_data(p, **overrides), headers=bearer(client, p.officer.email))


def test_order_journey_through_the_api(client, make):
    p = parties(make)
    buyer, supplier = bearer(client, p.officer.email), bearer(client, p.rep.email)
    resp = client.post("/api/v1/orders", json=order_data(p), headers=buyer)
    assert resp.status_code == 201, resp.get_json()
    order = resp.get_json()
    assert order["status"] == "placed" and order["actions"] == ["cancel"]
    oid = order["id"]

    listed = client.get("/api/v1/orders", headers=supplier).get_json()
    assert [o["id"] for o in listed["items"]] == [oid]
    actions = client.get(f"/api/v1/orders/{oid}", headers=supplier).get_json()["actions"]
    assert set(actions) == {"accept", "decline", "counter"}

    new_date = (today_in_vietnam() + timedelta(days=45)).isoformat()
    resp = client.post(f"/api/v1/orders/{oid}/counter", json={"price_vnd": 880_000_000, "delivery_date": new_date,
                                                              "note": "Giá vật tư tăng"}, headers=supplier)
    assert resp.status_code == 200 and resp.get_json()["counter_offer"]["price_vnd"] == 880_000_000
    resp = client.post(f"/api/v1/orders/{oid}/reject-counter", json={"note": "Vượt dự toán"}, headers=buyer)
    assert resp.get_json()["status"] == "placed"
    client.post(f"/api/v1/orders/{oid}/counter", json={"price_vnd": 860_000_000}, headers=supplier)
    resp = client.post(f"/api/v1/orders/{oid}/accept-counter", json={}, headers=buyer)
    assert resp.get_json()["status"] == "accepted" and resp.get_json()["price_vnd"] == 860_000_000
    resp = client.post(f"/api/v1/orders/{oid}/fulfil", json={"note": "Đã nghiệm thu"}, headers=buyer)
    body = resp.get_json()
    assert body["status"] == "fulfilled"
    assert [e["action"] for e in body["events"]] == ["placed", "countered", "counter_rejected", "countered",
                                                     "counter_accepted", "fulfilled"]
    assert body["events"][1]["by"]["id"] == p.rep.id


def test_supplier_declines_with_reason_and_reason_is_required(client, make):
    p = parties(make)
    oid = _place(client, p).get_json()["id"]
    supplier = bearer(client, p.rep.email)
    resp = client.post(f"/api/v1/orders/{oid}/decline", json={}, headers=supplier)
    assert resp.status_code == 422 and "reason" in resp.get_json()["error"]["fields"]
    resp = client.post(f"/api/v1/orders/{oid}/decline", json={"reason": "Không đủ công suất"}, headers=supplier)
    assert resp.status_code == 200 and resp.get_json()["decline_reason"] == "Không đủ công suất"
    resp = client.post(f"/api/v1/orders/{oid}/accept", json={}, headers=supplier)
    assert resp.status_code == 409


@pytest.mark.parametrize("field,value", [
    ("cpv_codes", ["12345678"]),
    ("price_vnd", -100),
    ("price_vnd", "abc"),
    ("delivery_date", "2020-05-01"),
    ("delivery_province", "Mars"),
])
def test_bad_input_is_a_json_field_error_and_nothing_is_stored(client, session, make, field, value):
    p = parties(make)
    resp = _place(client, p, **{field: value})
    assert resp.status_code == 422
    assert field in resp.get_json()["error"]["fields"]
    assert session.scalar(select(func.count()).select_from(Order)) == 0


def test_supplier_not_domestic_is_a_field_error(client, session, make):
    p = parties(make, supplier_domestic=False)
    resp = _place(client, p)
    assert resp.status_code == 422 and "supplier_org_id" in resp.get_json()["error"]["fields"]
    assert session.scalar(select(func.count()).select_from(Order)) == 0


def test_unknown_field_is_refused(client, make):
    p = parties(make)
    resp = _place(client, p, status="accepted")
    assert resp.status_code == 422 and "_body" in resp.get_json()["error"]["fields"]


def test_placing_needs_a_token(client, make):
    p = parties(make)
    assert client.post("/api/v1/orders", json=order_data(p)).status_code == 401


def test_supplier_cannot_place_orders(client, session, make):
    p = parties(make)
    resp = client.post("/api/v1/orders", json=order_data(p), headers=bearer(client, p.rep.email))
    assert resp.status_code == 403
    assert session.scalar(select(func.count()).select_from(Order)) == 0


@pytest.mark.parametrize("role", [Role.PROCUREMENT_OFFICER, Role.SUPPLIER_REPRESENTATIVE, Role.ADMINISTRATOR])
def test_outsiders_cannot_read_an_order(client, make, role):
    p = parties(make)
    oid = _place(client, p).get_json()["id"]
    outsider = make.user(role)
    headers = bearer(client, outsider.email)
    assert client.get(f"/api/v1/orders/{oid}", headers=headers).status_code == 403
    assert client.get("/api/v1/orders", headers=headers).get_json()["items"] == []


@pytest.mark.parametrize("step,body", [("accept", {}), ("decline", {"reason": "x"}), ("counter", {"price_vnd": 1})])
def test_buyer_cannot_take_the_suppliers_steps(client, make, step, body):
    p = parties(make)
    oid = _place(client, p).get_json()["id"]
    resp = client.post(f"/api/v1/orders/{oid}/{step}", json=body, headers=bearer(client, p.officer.email))
    assert resp.status_code == 403


@pytest.mark.parametrize("step", ["cancel", "fulfil", "accept-counter", "reject-counter"])
def test_supplier_cannot_take_the_buyers_steps(client, make, step):
    p = parties(make)
    oid = _place(client, p).get_json()["id"]
    resp = client.post(f"/api/v1/orders/{oid}/{step}", json={}, headers=bearer(client, p.rep.email))
    assert resp.status_code == 403


def test_order_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/orders"] and "get" in paths["/api/v1/orders"]
    for step in ("accept", "decline", "counter", "accept-counter", "reject-counter", "fulfil", "cancel"):
        assert f"/api/v1/orders/{{order_id}}/{step}" in paths


def test_quantity_is_returned_without_exponent_or_trailing_zeros(client, make):
    p = parties(make)
    assert _place(client, p, quantity=100).get_json()["quantity"] == "100"
    assert _place(client, p, quantity="2,5").get_json()["quantity"] == "2.5"


def test_retried_request_with_the_same_idempotency_key_places_one_order(client, session, make):
    p = parties(make)
    headers = bearer(client, p.officer.email) | {"Idempotency-Key": "order-2026-0001"}
    first = client.post("/api/v1/orders", json=order_data(p), headers=headers)
    again = client.post("/api/v1/orders", json=order_data(p), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert session.scalar(select(func.count()).select_from(Order)) == 1
    other = client.post("/api/v1/orders", json=order_data(p), headers=headers | {"Idempotency-Key": "order-2026-0002"})
    assert other.get_json()["id"] != first.get_json()["id"]


def test_list_filters_by_status_and_refuses_unknown_status(client, make):
    p = parties(make)
    oid = _place(client, p).get_json()["id"]
    headers = bearer(client, p.officer.email)
    assert [o["id"] for o in client.get("/api/v1/orders?status=placed", headers=headers).get_json()["items"]] == [oid]
    assert client.get("/api/v1/orders?status=accepted", headers=headers).get_json()["items"] == []
    bad = client.get("/api/v1/orders?status=shipped", headers=headers)
    assert bad.status_code == 422 and "status" in bad.get_json()["error"]["fields"]
