"""Catalogue pages: listing a product, review, verification page, directory, taxonomy edit, CSV import page."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from market.models import Role
from market.models.catalog import ImportRun, Product, ProductStatus
from market.services.categories import by_code
from tests import factories_catalog as fc
from tests.conftest import login


@pytest.fixture
def rep(make, session):
    fc.seed(session)
    return make.user(Role.SUPPLIER_REPRESENTATIVE)


@pytest.fixture
def admin(make):
    return make.user(Role.ADMINISTRATOR)


def _form(**over):
    data = {k: ("y" if v is True else "" if v is False else ", ".join(v) if isinstance(v, list) else str(v))
            for k, v in fc.valid_product_data(**over).items() if k != "specs"}
    return {k: v for k, v in data.items() if v != ""}


def test_public_pages_render(client, rep, session):
    p = fc.product(session, rep.organisations()[0], name="Máy ép bùn trục vít")
    for url in ("/catalog/products", "/catalog/enterprises", "/catalog/categories", "/catalog/verify",
                f"/catalog/products/{p.id}", f"/catalog/enterprises/{p.organisation_id}"):
        r = client.get(url)
        assert r.status_code == 200, url
    assert "Máy ép bùn trục vít" in client.get("/catalog/products").get_data(as_text=True)
    page = client.get(f"/catalog/verify?code={p.code.code}").get_data(as_text=True)
    assert 'data-status="valid"' in page and "Máy ép bùn trục vít" in page


def test_verify_page_explains_bad_codes(client, session):
    r = client.get("/catalog/verify?code=VNEP-WW-2026-000123-4")
    assert r.status_code == 422 and 'data-status="check_digit"' in r.get_data(as_text=True)
    r = client.get("/catalog/verify?code=ABC")
    assert r.status_code == 422 and 'data-status="malformed"' in r.get_data(as_text=True)


def test_rep_lists_a_product_through_the_form(client, rep, session):
    login(client, rep.email)
    r = client.post("/catalog/products/new", data=_form())
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    p = session.scalars(select(Product)).one()
    assert p.status == ProductStatus.DRAFT and p.made_in_vietnam is True and p.cpv_codes == ["42996000", "45252127"]


@pytest.mark.parametrize("field,value", [("hs_code", "8421-21"), ("domestic_content_pct", "150"),
                                         ("cpv_codes", "99999999"), ("price_min_vnd", "-10")])
def test_form_shows_field_errors_and_stores_nothing(client, rep, session, field, value):
    login(client, rep.email)
    data = _form()
    data[field] = value
    r = client.post("/catalog/products/new", data=data)
    assert r.status_code == 422
    assert 'class="field has-error"' in r.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Product)) == 0


def test_upside_down_price_on_the_form(client, rep, session):
    login(client, rep.email)
    data = _form(price_min_vnd=500, price_max_vnd=100)
    r = client.post("/catalog/products/new", data=data)
    assert r.status_code == 422 and session.scalar(select(func.count()).select_from(Product)) == 0


def test_non_rep_cannot_open_new_product(client, make, session):
    fc.seed(session)
    login(client, make.user(Role.PROCUREMENT_OFFICER).email)
    assert client.get("/catalog/products/new").status_code == 403


def test_other_rep_cannot_edit(client, rep, make, session):
    p = fc.product(session, rep.organisations()[0])
    login(client, make.user(Role.SUPPLIER_REPRESENTATIVE).email)
    assert client.get(f"/catalog/products/{p.id}/edit").status_code == 403
    assert client.post(f"/catalog/products/{p.id}/edit", data=_form(name="x")).status_code == 403


def test_admin_approves_on_the_page(client, rep, admin, session):
    p = fc.product(session, rep.organisations()[0], status=ProductStatus.PENDING_REVIEW)
    login(client, admin.email)
    assert p.name in client.get("/catalog/review").get_data(as_text=True)
    r = client.post(f"/catalog/products/{p.id}/approve")
    assert r.status_code == 302
    session.expire_all()
    assert session.get(Product, p.id).code is not None


def test_rep_cannot_approve_on_the_page(client, rep, session):
    p = fc.product(session, rep.organisations()[0], status=ProductStatus.PENDING_REVIEW)
    login(client, rep.email)
    assert client.post(f"/catalog/products/{p.id}/approve").status_code == 403
    assert client.get("/catalog/review").status_code == 403


def test_upload_non_image_flashes_error(client, rep, session):
    p = fc.product(session, rep.organisations()[0], status=ProductStatus.DRAFT)
    login(client, rep.email)
    r = client.post(f"/catalog/products/{p.id}/images", data={"image": (io.BytesIO(b"not an image"), "x.jpg")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert r.status_code == 200 and "flash-error" in r.get_data(as_text=True)


def test_admin_edits_taxonomy_and_others_cannot(client, rep, admin, session):
    cat = by_code(session, "monitoring")
    login(client, rep.email)
    assert client.get(f"/catalog/categories/{cat.id}/edit").status_code == 403
    client.post("/account/logout")
    login(client, admin.email)
    r = client.post(f"/catalog/categories/{cat.id}/edit", data={"name_vi": cat.name_vi, "name_en": cat.name_en,
                                                                "cpv_codes": "38430000", "hs_codes": "90.27",
                                                                "domestic_target_min": "20", "is_active": "y"})
    assert r.status_code == 422
    r = client.post(f"/catalog/categories/{cat.id}/edit", data={"name_vi": cat.name_vi, "name_en": "Monitoring",
                                                                "cpv_codes": "38430000", "hs_codes": "9027",
                                                                "domestic_target_min": "20", "domestic_target_max": "25",
                                                                "is_active": "y"})
    assert r.status_code == 302
    session.expire_all()
    assert by_code(session, "monitoring").domestic_target_max == 25


def test_import_page_shows_report(client, admin, session):
    fc.seed(session)
    login(client, admin.email)
    assert client.get("/catalog/import").status_code == 200
    data = "tax_code,name,province,size_class\n0100109106,Công ty A,Hà Nội,small\n99,Bad,Mars,huge\n".encode()
    r = client.post("/catalog/import", data={"kind": "organisations", "file": (io.BytesIO(data), "orgs.csv")},
                    content_type="multipart/form-data", follow_redirects=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-testid="import-errors">1<' in html and 'data-testid="import-created">1<' in html
    r = client.post("/catalog/import", data={"kind": "organisations", "file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "tax_code" in r.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(ImportRun)) == 1


def test_import_page_is_admin_only(client, rep):
    login(client, rep.email)
    assert client.get("/catalog/import").status_code == 403


def test_unverified_org_has_no_public_profile(client, make, session):
    fc.seed(session)
    org = make.org(verified=False)
    assert client.get(f"/catalog/enterprises/{org.id}").status_code == 404


def test_profile_sections_hook_renders_registered_section(client, make, session):
    from market.services import directory

    org = make.org(name="Có bằng sáng chế")

    @directory.register_profile_section("test_patents", "Patents (test)", order=5)
    def _section(sess, o):
        return [{"title": "Bằng độc quyền 1-0012345", "url": None}] if o.id == org.id else []

    try:
        html = client.get(f"/catalog/enterprises/{org.id}").get_data(as_text=True)
        assert "Patents (test)" in html and "1-0012345" in html
    finally:
        directory.PROFILE_SECTIONS[:] = [s for s in directory.PROFILE_SECTIONS if s.key != "test_patents"]


def test_dashboard_panels(client, rep, admin, session):
    login(client, rep.email)
    assert client.get("/dashboard").status_code == 200
    client.post("/account/logout")
    login(client, admin.email)
    assert client.get("/dashboard").status_code == 200
