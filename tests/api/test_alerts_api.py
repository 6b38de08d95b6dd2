"""Alerts API: subscriptions and notifications, owner only, with field errors for bad input."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from market.models.alerts import Subscription
from market.services import notifications
from tests.conftest import bearer


def test_create_list_and_delete_a_subscription(client, make):
    user = make.user()
    auth = bearer(client, user.email)
    resp = client.post("/api/v1/subscriptions", headers=auth, json={
        "kind": "tenders", "name": "Nước thải miền Tây", "words": "xu ly nuoc thai",
        "cpv_prefixes": ["9048"], "provinces": ["Cần Thơ"], "categories": ["wastewater"], "frequency": "immediate"})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["provinces"] == ["can-tho"] and body["cpv_prefixes"] == ["9048"] and body["active"] is True
    listed = client.get("/api/v1/subscriptions", headers=auth).get_json()["items"]
    assert [s["id"] for s in listed] == [body["id"]]
    resp = client.put(f"/api/v1/subscriptions/{body['id']}", headers=auth, json={"kind": "products", "words": "bùn"})
    assert resp.status_code == 200 and resp.get_json()["kind"] == "products"
    assert client.delete(f"/api/v1/subscriptions/{body['id']}", headers=auth).status_code == 204
    assert client.get("/api/v1/subscriptions", headers=auth).get_json()["items"] == []


@pytest.mark.parametrize("payload, field", [
    ({"kind": "tenders", "cpv_prefixes": ["9999"]}, "cpv_prefixes"),
    ({"kind": "tenders", "provinces": ["Gotham"]}, "provinces"),
    ({"kind": "tenders"}, "filters"),
    ({"kind": "tenders", "words": ""}, "filters"),
    ({"kind": "weather", "words": "x"}, "kind"),
    ({"words": "x"}, "kind"),
    ({"kind": "tenders", "words": "x", "colour": "red"}, "_body"),
    ({"kind": "tenders", "cpv_prefixes": "9040"}, "cpv_prefixes"),
])
def test_bad_subscriptions_get_field_errors_and_nothing_is_stored(client, make, session, payload, field):
    user = make.user()
    resp = client.post("/api/v1/subscriptions", headers=bearer(client, user.email), json=payload)
    assert resp.status_code == 422
    err = resp.get_json()["error"]
    assert err["code"] == "validation_error" and field in err["fields"]
    assert session.scalar(select(func.count(Subscription.id))) == 0


def test_vietnamese_field_errors_for_vietnamese_callers(client, make):
    user = make.user()
    resp = client.post("/api/v1/subscriptions", headers=bearer(client, user.email) | {"Accept-Language": "vi"},
                       json={"kind": "tenders", "provinces": ["Gotham"]})
    assert "Tỉnh/thành phố không tồn tại" in resp.get_json()["error"]["fields"]["provinces"]


def test_subscriptions_need_a_token(client):
    assert client.get("/api/v1/subscriptions").status_code == 401
    assert client.post("/api/v1/subscriptions", json={"kind": "tenders", "words": "x"}).status_code == 401
    assert client.get("/api/v1/notifications").status_code == 401


def test_another_users_subscription_is_invisible_and_untouchable(client, make, session):
    owner, other = make.user(), make.user()
    sub_id = client.post("/api/v1/subscriptions", headers=bearer(client, owner.email),
                         json={"kind": "tenders", "words": "bùn thải"}).get_json()["id"]
    auth = bearer(client, other.email)
    assert client.get("/api/v1/subscriptions", headers=auth).get_json()["items"] == []
    assert client.get(f"/api/v1/subscriptions/{sub_id}", headers=auth).status_code == 404
    assert client.put(f"/api/v1/subscriptions/{sub_id}", headers=auth,
                      json={"kind": "tenders", "words": "x"}).status_code == 404
    assert client.delete(f"/api/v1/subscriptions/{sub_id}", headers=auth).status_code == 404
    session.expire_all()
    assert session.get(Subscription, sub_id).words == "bùn thải"


def test_notifications_list_and_read_only_your_own(client, make, session):
    owner, other = make.user(), make.user()
    first = notifications.notify(session, owner.id, "Gói thầu mới: trạm xử lý nước thải", url="/alerts/item/tender:1")
    notifications.notify(session, owner.id, "Bản tin hằng ngày")
    theirs = notifications.notify(session, other.id, "Không phải của bạn")
    session.commit()
    auth = bearer(client, owner.email)
    body = client.get("/api/v1/notifications", headers=auth).get_json()
    assert body["unread"] == 2 and [n["title"] for n in body["items"]][-1] == "Gói thầu mới: trạm xử lý nước thải"
    # Someone else's notification id: refused, and nothing is marked.
    resp = client.post("/api/v1/notifications/read", headers=auth, json={"ids": [first.id, theirs.id]})
    assert resp.status_code == 404
    assert client.get("/api/v1/notifications?unread=1", headers=auth).get_json()["unread"] == 2
    resp = client.post("/api/v1/notifications/read", headers=auth, json={"ids": [first.id]})
    assert resp.get_json() == {"marked": 1, "unread": 1}
    assert client.post("/api/v1/notifications/read", headers=auth, json={}).get_json() == {"marked": 1, "unread": 0}
    session.expire_all()
    assert notifications.unread_count(session, other) == 1


def test_alert_and_stats_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/subscriptions", "/api/v1/subscriptions/{sub_id}", "/api/v1/notifications",
                 "/api/v1/notifications/read", "/api/v1/stats", "/api/v1/stats/{name}.csv"):
        assert path in paths, sorted(paths)
