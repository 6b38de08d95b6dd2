"""Permission sweep: every role-gated page and API route refuses anonymous callers and the wrong roles."""
from __future__ import annotations

import pytest

from market.models import Role
from tests.conftest import bearer, login

ALL_ROLES = list(Role)

# (method, path, roles allowed). Areas add their rows; {org} and {id} placeholders are filled by fixtures there.
PAGES = [
    ("GET", "/admin/organisations", {Role.ADMINISTRATOR}),
    ("GET", "/admin/outbox", {Role.ADMINISTRATOR}),
    ("GET", "/admin/audit", {Role.ADMINISTRATOR}),
    ("POST", "/admin/organisations/1/verify", {Role.ADMINISTRATOR}),
    ("GET", "/dashboard", set(ALL_ROLES)),
    ("GET", "/account/tokens", set(ALL_ROLES)),
    ("GET", "/account/password", set(ALL_ROLES)),
]
API = [
    ("GET", "/api/v1/me", set(ALL_ROLES)),
]


@pytest.mark.parametrize("method,path,allowed", PAGES, ids=[f"{m} {p}" for m, p, _ in PAGES])
def test_pages_refuse_anonymous(client, method, path, allowed):
    resp = client.open(path, method=method)
    assert resp.status_code in (302, 401), resp.status_code
    if resp.status_code == 302:
        assert "/account/login" in resp.headers["Location"]


@pytest.mark.parametrize("role", ALL_ROLES, ids=[r.value for r in ALL_ROLES])
@pytest.mark.parametrize("method,path,allowed", PAGES, ids=[f"{m} {p}" for m, p, _ in PAGES])
def test_pages_refuse_wrong_roles(client, make, role, method, path, allowed):
    make.org()  # so organisation 1 exists for the verify route
    user = make.user(role)
    login(client, user.email)
    status = client.open(path, method=method).status_code
    if role in allowed:
        assert status in (200, 302), status
    else:
        assert status == 403, status


@pytest.mark.parametrize("method,path,allowed", API, ids=[f"{m} {p}" for m, p, _ in API])
def test_api_refuses_anonymous(client, method, path, allowed):
    assert client.open(path, method=method).status_code == 401


@pytest.mark.parametrize("role", ALL_ROLES, ids=[r.value for r in ALL_ROLES])
@pytest.mark.parametrize("method,path,allowed", API, ids=[f"{m} {p}" for m, p, _ in API])
def test_api_refuses_wrong_roles(client, make, role, method, path, allowed):
    user = make.user(role)
    status = client.open(path, method=method, headers=bearer(client, user.email)).status_code
    assert status == (200 if role in allowed else 403)
