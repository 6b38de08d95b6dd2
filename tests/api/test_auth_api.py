"""Registration, tokens, /me, health and the OpenAPI document through the JSON API."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from market.models import Organisation, User
from tests.conftest import bearer

GOOD = {
    "email": "nam@mekong.vn", "password": "Song-Cuu-Long-9", "name": "Võ Văn Nam", "organisation_name": "Mekong Water",
    "organisation_kind": "enterprise", "tax_code": "0300588569", "province": "Cần Thơ", "size_class": "medium",
    "role": "supplier_representative", "domestic_manufacturer": True,
}


def test_register_then_token_then_me(client):
    resp = client.post("/api/v1/auth/register", json=GOOD)
    assert resp.status_code == 201, resp.get_json()
    headers = bearer(client, GOOD["email"], GOOD["password"])
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["email"] == "nam@mekong.vn"
    assert me["memberships"][0]["organisation"]["province"] == "can-tho"
    assert me["roles"] == ["supplier_representative"]


def test_register_error_is_json_with_field_messages_and_stores_nothing(client, session):
    resp = client.post("/api/v1/auth/register", json=GOOD | {"tax_code": "123", "province": "Paris"})
    assert resp.status_code == 422
    err = resp.get_json()["error"]
    assert err["code"] == "validation_error"
    assert set(err["fields"]) == {"tax_code", "province"}
    assert session.scalar(select(func.count(User.id))) == 0
    assert session.scalar(select(func.count(Organisation.id))) == 0


def test_register_schema_errors_name_the_fields(client):
    resp = client.post("/api/v1/auth/register", json={"email": 5, "extra": 1})
    err = resp.get_json()["error"]
    assert resp.status_code == 422
    assert "email" in err["fields"] and "password" in err["fields"] and "_body" in err["fields"]


def test_non_json_body_is_a_clear_error(client):
    resp = client.post("/api/v1/auth/register", data="x", content_type="text/plain")
    assert resp.status_code == 422 and "_body" in resp.get_json()["error"]["fields"]


def test_wrong_password_gives_401(client, make):
    user = make.user()
    resp = client.post("/api/v1/auth/token", json={"email": user.email, "password": "nope-nope-1"})
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "not_authenticated"


def test_me_without_token_is_401_and_bad_token_is_401(client):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer vnem_bogus"}).status_code == 401


def test_revoking_a_token_through_the_api(client, make):
    user = make.user()
    resp = client.post("/api/v1/auth/token", json={"email": user.email, "password": "Correct-horse-42"})
    body = resp.get_json()
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert client.delete(f"/api/v1/auth/tokens/{body['token_id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_health_reports_database(client):
    body = client.get("/api/v1/health").get_json()
    assert body["database"]["status"] == "ok" and "index" in body and "pending" in body["outbox"]


def test_unknown_api_route_is_json_404(client):
    resp = client.get("/api/v1/nope")
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"


def test_openapi_lists_every_api_route(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert path in doc["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in doc["paths"][path], (method, path)


def test_openapi_document_is_valid_openapi(client):
    from jsonschema import Draft202012Validator

    doc = client.get("/api/v1/openapi.json").get_json()
    for path, ops in doc["paths"].items():
        for op in ops.values():
            if "requestBody" in op:
                Draft202012Validator.check_schema(op["requestBody"]["content"]["application/json"]["schema"])
            assert op["responses"]


def test_token_endpoint_is_rate_limited(app_with):
    app = app_with(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [client.post("/api/v1/auth/token", json={"email": "a@b.vn", "password": "x"}).status_code
             for _ in range(5)]
    assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]
    assert client.post("/api/v1/auth/token", json={"email": "a@b.vn", "password": "x"}).get_json()["error"]["code"]
