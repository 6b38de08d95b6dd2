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
    # procurement and direct orders: a public buyer's procurement officers
    ("GET", "/procurement/tenders/new", {Role.PROCUREMENT_OFFICER}),
    ("GET", "/procurement/workspace", {Role.PROCUREMENT_OFFICER}),
    ("GET", "/orders/new", {Role.PROCUREMENT_OFFICER}),
    ("GET", "/orders/", set(ALL_ROLES)),
    ("GET", "/procurement/bids", set(ALL_ROLES)),
    # catalogue: supplier representatives list products; administrators review and import
    ("GET", "/catalog/products/new", {Role.SUPPLIER_REPRESENTATIVE}),
    ("GET", "/catalog/review", {Role.ADMINISTRATOR}),
    ("GET", "/catalog/import", {Role.ADMINISTRATOR}),
    # technology transfer: administrators review listings; everyone logged in keeps threads and alerts
    ("GET", "/techtransfer/review", {Role.ADMINISTRATOR}),
    ("GET", "/techtransfer/threads", set(ALL_ROLES)),
    ("GET", "/techtransfer/mine", set(ALL_ROLES)),
    ("GET", "/alerts", set(ALL_ROLES)),
    ("GET", "/alerts/notifications", set(ALL_ROLES)),
]
LISTING_MAKERS = {Role.TECHNOLOGY_HOLDER, Role.SUPPLIER_REPRESENTATIVE, Role.EXPERT}
NOT_ADMIN = set(ALL_ROLES) - {Role.ADMINISTRATOR}
API = [
    ("GET", "/api/v1/me", set(ALL_ROLES)),
    ("GET", "/api/v1/me/recommendations", set(ALL_ROLES)),
    ("POST", "/api/v1/tenders", {Role.PROCUREMENT_OFFICER}),
    ("POST", "/api/v1/orders", {Role.PROCUREMENT_OFFICER}),
    ("GET", "/api/v1/orders", set(ALL_ROLES)),
    ("GET", "/api/v1/bids", set(ALL_ROLES)),
    ("POST", "/api/v1/products", {Role.SUPPLIER_REPRESENTATIVE}),
    ("PATCH", "/api/v1/categories/1", {Role.ADMINISTRATOR}),
    ("POST", "/api/v1/imports/organisations", {Role.ADMINISTRATOR}),
    ("POST", "/api/v1/imports/products", {Role.ADMINISTRATOR}),
    ("POST", "/api/v1/patents", LISTING_MAKERS),
    ("POST", "/api/v1/experts", LISTING_MAKERS),
    ("POST", "/api/v1/courses", LISTING_MAKERS),
    ("POST", "/api/v1/technology-needs", NOT_ADMIN),
    ("POST", "/api/v1/personnel-needs", NOT_ADMIN),
    ("GET", "/api/v1/review/listings", {Role.ADMINISTRATOR}),
    ("GET", "/api/v1/listings/mine", set(ALL_ROLES)),
    ("GET", "/api/v1/threads", set(ALL_ROLES)),
    ("GET", "/api/v1/subscriptions", set(ALL_ROLES)),
    ("GET", "/api/v1/notifications", set(ALL_ROLES)),
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
    kwargs = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
    assert client.open(path, method=method, **kwargs).status_code == 401


@pytest.mark.parametrize("role", ALL_ROLES, ids=[r.value for r in ALL_ROLES])
@pytest.mark.parametrize("method,path,allowed", API, ids=[f"{m} {p}" for m, p, _ in API])
def test_api_refuses_wrong_roles(client, session, make, role, method, path, allowed):
    from tests.factories_catalog import seed

    seed(session)  # so category 1 exists
    user = make.user(role)
    # An empty body: the right role gets past the gate to a field error (422), the wrong one is refused (403).
    kwargs = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
    status = client.open(path, method=method, headers=bearer(client, user.email), **kwargs).status_code
    if role in allowed:
        assert status in (200, 201, 422), status
    else:
        assert status == 403, status
