"""Catalogue API: products and review, codes, taxonomy, directory, CSV import/export, OpenAPI, permissions."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from market.models import Role
from market.models.catalog import ImportRun, Product, ProductCategory, ProductStatus
from market.models.files import StoredFile
from market.services.categories import by_code
from tests import factories_catalog as fc
from tests.conftest import bearer


@pytest.fixture
def rep(make, session):
    fc.seed(session)
    return make.user(Role.SUPPLIER_REPRESENTATIVE)


@pytest.fixture
def admin(make):
    return make.user(Role.ADMINISTRATOR)


def _count(session, model=Product):
    return session.scalar(select(func.count()).select_from(model))


def test_full_review_journey_over_the_api(client, rep, admin, session):
    h = bearer(client, rep.email)
    r = client.post("/api/v1/products", json=fc.valid_product_data(), headers=h)
    assert r.status_code == 201, r.get_json()
    pid = r.get_json()["id"]
    assert r.get_json()["status"] == "draft"
    assert client.get(f"/api/v1/products/{pid}").status_code == 404          # drafts are not public
    r = client.post(f"/api/v1/products/{pid}/images", headers=h,
                    data={"image": (io.BytesIO(fc.png_bytes()), "anh.png")}, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    assert client.get(r.get_json()["thumbnail_url"].replace("http://localhost", "")).status_code == 404  # not public yet
    assert client.post(f"/api/v1/products/{pid}/submit", headers=h).get_json()["status"] == "pending_review"
    ha = bearer(client, admin.email)
    r = client.post(f"/api/v1/products/{pid}/approve", json={}, headers=ha)
    assert r.status_code == 200 and r.get_json()["status"] == "approved"
    code = r.get_json()["code"]
    v = client.get(f"/api/v1/product-codes/{code}")
    assert v.status_code == 200 and v.get_json()["valid"] is True and v.get_json()["product_id"] == pid
    public = client.get(f"/api/v1/products/{pid}").get_json()
    assert public["code"] == code and len(public["thumbnail_urls"]) == 1
    thumb = client.get(public["thumbnail_urls"][0].replace("http://localhost", ""))
    assert thumb.status_code == 200 and thumb.mimetype == "image/png"
    listing = client.get("/api/v1/products?category=wastewater").get_json()
    assert [p["id"] for p in listing["items"]] == [pid]
    assert client.get(f"/api/v1/products?q={code}").get_json()["total"] == 1


@pytest.mark.parametrize("field,value", [("hs_code", "ABCD"), ("cpv_codes", ["123"]), ("domestic_content_pct", 120),
                                         ("efficiency_pct", -3), ("price_min_vnd", -1)])
def test_bad_input_gives_field_errors_and_stores_nothing(client, rep, session, field, value):
    r = client.post("/api/v1/products", json=fc.valid_product_data(**{field: value}), headers=bearer(client, rep.email))
    assert r.status_code == 422
    assert field in r.get_json()["error"]["fields"]
    assert _count(session) == 0


def test_price_range_upside_down_over_the_api(client, rep, session):
    r = client.post("/api/v1/products", json=fc.valid_product_data(price_min_vnd=9, price_max_vnd=1),
                    headers=bearer(client, rep.email))
    assert r.status_code == 422 and "price_max_vnd" in r.get_json()["error"]["fields"]
    assert _count(session) == 0


def test_unknown_field_is_refused(client, rep, session):
    r = client.post("/api/v1/products", json=fc.valid_product_data(colour="green"), headers=bearer(client, rep.email))
    assert r.status_code == 422 and _count(session) == 0


def test_image_that_is_not_an_image(client, rep, session):
    p = fc.product(session, rep.organisations()[0], status=ProductStatus.DRAFT)
    r = client.post(f"/api/v1/products/{p.id}/images", headers=bearer(client, rep.email),
                    data={"image": (io.BytesIO(b"GIF89a-not-really"), "photo.png")}, content_type="multipart/form-data")
    assert r.status_code == 422 and "image" in r.get_json()["error"]["fields"]
    assert _count(session, StoredFile) == 0


def test_image_declaring_huge_canvas_is_a_422_with_the_field_message(client, rep, session):
    from tests.services.test_catalog_products import _declared_png

    p = fc.product(session, rep.organisations()[0], status=ProductStatus.DRAFT)
    r = client.post(f"/api/v1/products/{p.id}/images", headers=bearer(client, rep.email),
                    data={"image": (io.BytesIO(_declared_png(20000, 20000, full=True)), "bomb.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 422
    assert "40 megapixel" in r.get_json()["error"]["fields"]["image"]
    assert _count(session, StoredFile) == 0


def test_other_orgs_rep_cannot_patch(client, rep, make, session):
    p = fc.product(session, rep.organisations()[0], status=ProductStatus.DRAFT)
    other = make.user(Role.SUPPLIER_REPRESENTATIVE)
    r = client.patch(f"/api/v1/products/{p.id}", json={"name": "x"}, headers=bearer(client, other.email))
    assert r.status_code in (403, 404)
    r = client.patch(f"/api/v1/products/{p.id}", json={"name": "Tên mới"}, headers=bearer(client, rep.email))
    assert r.status_code == 200 and r.get_json()["name"] == "Tên mới"


@pytest.mark.parametrize("path,body", [("approve", {}), ("reject", {"reason": "thiếu hồ sơ"}), ("code", None)])
def test_reps_cannot_review(client, rep, session, path, body):
    org = rep.organisations()[0]
    p = fc.product(session, org, status=ProductStatus.PENDING_REVIEW if path != "code" else ProductStatus.APPROVED,
                   code=False)
    kw = {"json": body} if body is not None else {}
    r = client.post(f"/api/v1/products/{p.id}/{path}", headers=bearer(client, rep.email), **kw)
    assert r.status_code == 403
    session.expire_all()
    assert session.get(Product, p.id).code is None


def test_reject_then_resubmit(client, rep, admin, session):
    p = fc.product(session, rep.organisations()[0], status=ProductStatus.PENDING_REVIEW)
    r = client.post(f"/api/v1/products/{p.id}/reject", json={"reason": "Thiếu chứng nhận"}, headers=bearer(client, admin.email))
    assert r.get_json()["status"] == "rejected"
    r = client.post(f"/api/v1/products/{p.id}/submit", headers=bearer(client, rep.email))
    assert r.get_json()["status"] == "pending_review"


@pytest.mark.parametrize("code,status,kind", [
    ("VNEP-WW-2026-000123", 422, "malformed"), ("hello", 422, "malformed"),
    ("VNEP-WW-2026-000123-4", 422, "check_digit"), ("VNEP-WW-2026-000123-3", 404, "unknown"),
])
def test_code_verification_messages(client, session, code, status, kind):
    r = client.get(f"/api/v1/product-codes/{code}")
    assert r.status_code == status and r.get_json()["status"] == kind and r.get_json()["message"]


def test_categories_list_and_admin_patch(client, rep, admin, session):
    items = client.get("/api/v1/categories").get_json()["items"]
    codes = {c["code"] for c in items}
    assert {"wastewater", "air", "solid_waste", "hazardous_waste", "monitoring", "waste_to_energy", "recycling",
            "services", "consulting"} <= codes
    ww = by_code(session, "wastewater")
    r = client.patch(f"/api/v1/categories/{ww.id}", json={"name_en": "Waste water"}, headers=bearer(client, rep.email))
    assert r.status_code == 403
    r = client.patch(f"/api/v1/categories/{ww.id}", json={"cpv_codes": ["4299600"]}, headers=bearer(client, admin.email))
    assert r.status_code == 422 and "cpv_codes" in r.get_json()["error"]["fields"]
    r = client.patch(f"/api/v1/categories/{ww.id}", json={"hs_codes": ["84.21"]}, headers=bearer(client, admin.email))
    assert r.status_code == 422 and "hs_codes" in r.get_json()["error"]["fields"]
    r = client.patch(f"/api/v1/categories/{ww.id}", json={"domestic_target_min": 101}, headers=bearer(client, admin.email))
    assert r.status_code == 422
    r = client.patch(f"/api/v1/categories/{ww.id}", json={"name_en": "Waste water", "hs_codes": ["842121"]},
                     headers=bearer(client, admin.email))
    assert r.status_code == 200 and r.get_json()["hs_codes"] == ["8421.21"]
    session.expire_all()
    assert session.get(ProductCategory, ww.id).name_en == "Waste water"


def test_directory_filters(client, make, session):
    fc.seed(session)
    from market.models import SizeClass
    a = make.org(name="Alpha Water", province="can-tho", size=SizeClass.SMALL, domestic=True)
    b = make.org(name="Beta Air", province="ho-chi-minh", size=SizeClass.LARGE, domestic=False)
    make.org(name="Hidden", verified=False)
    fc.product(session, a, category="wastewater.sludge")
    fc.product(session, b, category="air")
    names = lambda q: [i["name"] for i in client.get("/api/v1/enterprises" + q).get_json()["items"]]
    assert "Hidden" not in names("")
    assert names("?category=wastewater") == ["Alpha Water"]
    assert names("?province=ho-chi-minh") == ["Beta Air"]
    assert names("?size=large") == ["Beta Air"]
    assert "Alpha Water" in names("?sme=true") and "Beta Air" not in names("?sme=true")
    assert "Beta Air" not in names("?domestic=true")
    one = client.get(f"/api/v1/enterprises/{a.id}").get_json()
    assert one["categories"] == ["wastewater"] and len(one["product_list"]) == 1


def test_csv_import_api_requires_admin_and_reports(client, make, admin, session):
    rep = make.user(Role.SUPPLIER_REPRESENTATIVE)
    data = "tax_code,name,province,size_class\n0100109106,Công ty A,Hà Nội,small\n123,Bad,Hà Nội,small\n".encode()
    r = client.post("/api/v1/imports/organisations", headers=bearer(client, rep.email),
                    data={"file": (io.BytesIO(data), "o.csv")}, content_type="multipart/form-data")
    assert r.status_code == 403 and _count(session, ImportRun) == 0
    r = client.post("/api/v1/imports/organisations", headers=bearer(client, admin.email),
                    data={"file": (io.BytesIO(data), "o.csv")}, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["created"] == 1 and body["errors"] == 1 and body["report"][1]["errors"].get("tax_code")
    r = client.post("/api/v1/imports/products", headers=bearer(client, admin.email),
                    data={"file": (io.BytesIO(b"name;colour\nx;y\n"), "p.csv")}, content_type="multipart/form-data")
    assert r.status_code == 422 and "file" in r.get_json()["error"]["fields"]
    r = client.post("/api/v1/imports/products", headers=bearer(client, admin.email),
                    data={"file": (io.BytesIO("organisation_tax_code,name,category\n1,Máy,air\n".encode("utf-16")), "p.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "UTF-8" in r.get_json()["error"]["fields"]["file"]


def test_exports(client, make, session):
    org = make.org(name="Công ty Xanh")
    fc.product(session, org, name="Máy lọc bụi", category="air")
    fc.product(session, org, name="Bản nháp", status=ProductStatus.DRAFT)
    r = client.get("/api/v1/exports/products.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    text = r.get_data(as_text=True)
    assert "Máy lọc bụi" in text and "Bản nháp" not in text and "VNEP-AE-" in text
    data = json.loads(client.get("/api/v1/exports/products.json").get_data(as_text=True))
    assert data["count"] == 1
    ents = json.loads(client.get("/api/v1/exports/enterprises.json").get_data(as_text=True))
    assert any(e["name"] == "Công ty Xanh" and e["products"] == 1 for e in ents["items"])
    assert "Công ty Xanh" in client.get("/api/v1/exports/enterprises.csv").get_data(as_text=True)


def test_routes_are_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for p in ("/api/v1/categories", "/api/v1/products", "/api/v1/products/{product_id}",
              "/api/v1/products/{product_id}/images", "/api/v1/product-codes/{code}", "/api/v1/enterprises",
              "/api/v1/imports/organisations", "/api/v1/imports/products", "/api/v1/exports/products.csv"):
        assert any(k.endswith(p.replace("/api/v1", "")) or k == p for k in paths), p


@pytest.mark.parametrize("method,path", [("POST", "/api/v1/products"), ("PATCH", "/api/v1/categories/1"),
                                         ("POST", "/api/v1/products/1/approve"), ("POST", "/api/v1/imports/products")])
def test_writes_need_a_token(client, method, path):
    assert client.open(path, method=method, json={}).status_code == 401
