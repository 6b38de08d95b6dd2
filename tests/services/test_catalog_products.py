"""Product catalogue rules: validation, review states, permissions, codes, images, matching."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from market.errors import Conflict, NotAuthorized, ValidationError
from market.models import OutboxEvent, Role
from market.models.catalog import Product, ProductCertificate, ProductCode, ProductStatus
from market.models.files import StoredFile
from market.services import product_codes, products
from tests import factories_catalog as fc


@pytest.fixture
def seeded(session):
    fc.seed(session)
    return session


@pytest.fixture
def rep(make, seeded):
    return make.user(Role.SUPPLIER_REPRESENTATIVE)


@pytest.fixture
def admin(make):
    return make.user(Role.ADMINISTRATOR)


def _count(session, model=Product):
    return session.scalar(select(func.count()).select_from(model))


def test_create_valid_product_is_draft_and_queued_for_index(seeded, rep):
    p = products.create(seeded, rep, rep.organisations()[0].id, fc.valid_product_data())
    assert p.status == ProductStatus.DRAFT
    assert p.hs_code == "8421.21" and p.cpv_codes == ["42996000", "45252127"]
    assert p.category.code == "wastewater.industrial" and p.category.top.code == "wastewater"
    payloads = [json.loads(e.payload) for e in seeded.scalars(select(OutboxEvent).where(OutboxEvent.topic == "index.refresh"))]
    assert {"kind": "product", "id": p.id} in payloads


@pytest.mark.parametrize("field,value", [
    ("hs_code", "84A1"), ("hs_code", "842"), ("hs_code", "84212"), ("hs_code", "8421.2"), ("hs_code", "8421212121212"),
    ("cpv_codes", ["1234"]), ("cpv_codes", ["90400000-9"]), ("cpv_codes", ["99999999"]),
    ("domestic_content_pct", 101), ("domestic_content_pct", -1), ("efficiency_pct", 150),
    ("price_min_vnd", -5), ("price_min_vnd", "abc"), ("name", ""), ("category", "nope"), ("kind", "gadget"),
    ("power_kw", "lots"),
])
def test_bad_fields_give_field_error_and_store_nothing(seeded, rep, field, value):
    with pytest.raises(ValidationError) as e:
        products.create(seeded, rep, rep.organisations()[0].id, fc.valid_product_data(**{field: value}))
    assert field in e.value.fields
    seeded.rollback()
    assert _count(seeded) == 0


@pytest.mark.parametrize("hs", ["8421", "842121", "8421.21", "8421.21.00", "84212100", "8421.21.00.10", "8421210010"])
def test_hs_code_formats_accepted(seeded, rep, hs):
    p = products.create(seeded, rep, None, fc.valid_product_data(hs_code=hs))
    assert p.hs_code.replace(".", "") == hs.replace(".", "")


def test_price_range_upside_down_is_refused(seeded, rep):
    with pytest.raises(ValidationError) as e:
        products.create(seeded, rep, None, fc.valid_product_data(price_min_vnd=5_000, price_max_vnd=1_000))
    assert "price_max_vnd" in e.value.fields
    seeded.rollback()
    assert _count(seeded) == 0


def test_price_range_upside_down_on_edit_uses_stored_minimum(seeded, rep):
    p = products.create(seeded, rep, None, fc.valid_product_data())
    with pytest.raises(ValidationError) as e:
        products.update(seeded, rep, p.id, {"price_max_vnd": 1_000})
    assert "price_max_vnd" in e.value.fields
    seeded.rollback()
    assert seeded.get(Product, p.id).price_max_vnd == 2_200_000_000


def test_only_the_orgs_reps_create_products(seeded, make, rep):
    other = make.user(Role.SUPPLIER_REPRESENTATIVE)
    with pytest.raises(NotAuthorized):
        products.create(seeded, other, rep.organisations()[0].id, fc.valid_product_data())
    assert _count(seeded) == 0


def test_buyer_cannot_list_products(seeded, make):
    buyer = make.user(Role.PROCUREMENT_OFFICER)
    with pytest.raises(NotAuthorized):
        products.create(seeded, buyer, None, fc.valid_product_data())


def test_only_the_orgs_reps_edit_products(seeded, make, rep):
    p = products.create(seeded, rep, None, fc.valid_product_data())
    other = make.user(Role.SUPPLIER_REPRESENTATIVE)
    with pytest.raises(NotAuthorized):
        products.update(seeded, other, p.id, {"name": "Hijacked"})
    admin = make.user(Role.ADMINISTRATOR)
    with pytest.raises(NotAuthorized):
        products.update(seeded, admin, p.id, {"name": "Hijacked"})
    seeded.rollback()
    assert seeded.get(Product, p.id).name.startswith("Hệ thống")


def test_review_flow_issues_a_verifiable_code(seeded, rep, admin):
    p = products.create(seeded, rep, None, fc.valid_product_data())
    products.submit(seeded, rep, p.id)
    assert p.status == ProductStatus.PENDING_REVIEW
    products.approve(seeded, admin, p.id)
    assert p.status == ProductStatus.APPROVED and p.code is not None
    code = p.code.code
    assert code.startswith("VNEP-WW-") and product_codes.parse(code).ok
    result = product_codes.verify(seeded, code.lower())
    assert result["status"] == "valid" and result["product_id"] == p.id


def test_only_admins_approve(seeded, rep):
    p = products.create(seeded, rep, None, fc.valid_product_data())
    products.submit(seeded, rep, p.id)
    with pytest.raises(NotAuthorized):
        products.approve(seeded, rep, p.id)
    assert seeded.get(Product, p.id).status == ProductStatus.PENDING_REVIEW
    assert _count(seeded, ProductCode) == 0


def test_only_admins_issue_codes(seeded, rep, admin):
    p = fc.product(seeded, rep.organisations()[0], code=False)
    with pytest.raises(NotAuthorized):
        products.issue_code(seeded, rep, p.id)
    assert _count(seeded, ProductCode) == 0
    code = products.issue_code(seeded, admin, p.id)
    assert products.issue_code(seeded, admin, p.id).code == code.code


def test_only_admins_reject(seeded, rep, admin):
    p = products.create(seeded, rep, None, fc.valid_product_data())
    products.submit(seeded, rep, p.id)
    with pytest.raises(NotAuthorized):
        products.reject(seeded, rep, p.id, "not good enough")
    with pytest.raises(ValidationError):
        products.reject(seeded, admin, p.id, "")
    products.reject(seeded, admin, p.id, "Thiếu chứng nhận hợp quy")
    assert p.status == ProductStatus.REJECTED and p.rejection_reason == "Thiếu chứng nhận hợp quy"
    products.submit(seeded, rep, p.id)
    assert p.status == ProductStatus.PENDING_REVIEW and p.rejection_reason is None


def test_cannot_approve_a_draft(seeded, rep, admin):
    p = products.create(seeded, rep, None, fc.valid_product_data())
    with pytest.raises(Conflict):
        products.approve(seeded, admin, p.id)


def test_unverified_org_products_cannot_be_approved(seeded, make, admin):
    org = make.org(verified=False)
    rep = make.user(Role.SUPPLIER_REPRESENTATIVE, org=org)
    p = products.create(seeded, rep, org.id, fc.valid_product_data())
    products.submit(seeded, rep, p.id)
    with pytest.raises(Conflict):
        products.approve(seeded, admin, p.id)


def test_editing_approved_product_sends_it_back_to_review_keeping_code(seeded, rep, admin):
    p = fc.product(seeded, rep.organisations()[0])
    code = p.code.code
    products.update(seeded, rep, p.id, {"name": "Phiên bản mới"})
    assert p.status == ProductStatus.PENDING_REVIEW
    products.approve(seeded, admin, p.id)
    assert p.code.code == code


def test_withdrawn_code_is_revoked_and_number_never_reused(seeded, rep, admin):
    org = rep.organisations()[0]
    first = fc.product(seeded, org)
    products.withdraw(seeded, rep, first.id, "discontinued")
    assert product_codes.verify(seeded, first.code.code)["status"] == "revoked"
    second = fc.product(seeded, org)
    assert second.code.sequence == first.code.sequence + 1
    assert second.code.code != first.code.code


def test_codes_are_sequential_per_sector(seeded, rep):
    org = rep.organisations()[0]
    a = fc.product(seeded, org, category="air")
    b = fc.product(seeded, org, category="air.dust")
    c = fc.product(seeded, org, category="monitoring")
    assert (a.code.abbrev, b.code.abbrev, c.code.abbrev) == ("AE", "AE", "MN")
    assert b.code.sequence == a.code.sequence + 1 and c.code.sequence == 1


def test_add_image_makes_thumbnail(seeded, rep, app):
    p = products.create(seeded, rep, None, fc.valid_product_data())
    stored = products.add_image(seeded, app.config, rep, p.id, fc.png_bytes(), "pump.png")
    from market.services import files
    thumb = files.thumbnail(app.config, stored, size=16)
    assert thumb.startswith(b"\x89PNG")


@pytest.mark.parametrize("filename,data", [
    ("pump.png", b"this is not an image at all"),
    ("pump.exe", b"MZ\x90\x00binary"),
    ("pump.png", b""),
    ("doc.png", b"%PDF-1.4\n%fake pdf\n"),
])
def test_not_an_image_is_refused_and_nothing_stored(seeded, rep, app, filename, data):
    p = products.create(seeded, rep, None, fc.valid_product_data())
    with pytest.raises(ValidationError) as e:
        products.add_image(seeded, app.config, rep, p.id, data, filename)
    assert "image" in e.value.fields
    seeded.rollback()
    assert _count(seeded, StoredFile) == 0


def test_truncated_png_is_refused(seeded, rep, app):
    p = products.create(seeded, rep, None, fc.valid_product_data())
    data = fc.png_bytes((200, 200))[:60]
    with pytest.raises(ValidationError):
        products.add_image(seeded, app.config, rep, p.id, data, "broken.png")
    seeded.rollback()
    assert _count(seeded, StoredFile) == 0


def test_image_too_large_is_refused(seeded, rep, app):
    app.config["CATALOG_IMAGE_MAX_MB"] = 0.0005  # about 500 bytes
    p = products.create(seeded, rep, None, fc.valid_product_data())
    with pytest.raises(ValidationError) as e:
        products.add_image(seeded, app.config, rep, p.id, fc.png_bytes((400, 400), (1, 2, 3)) + b"\0" * 600, "big.png")
    assert "image" in e.value.fields


def _declared_png(width: int, height: int, *, full: bool = False) -> bytes:
    """A 1-bit greyscale PNG declaring width x height; full=True compresses every (blank) row, else one row."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\0" * (1 + (width + 7) // 8)
    pixels = zlib.compress(row * (height if full else 1), 9)
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.mark.parametrize("width,height,full", [
    (20000, 20000, True),   # PIL itself raises DecompressionBombError on open
    (10000, 10000, False),  # PIL only warns (DecompressionBombWarning) on open
    (8000, 6000, False),    # below PIL's thresholds, above the configured 40 megapixels
])
def test_image_with_too_many_pixels_is_refused_and_nothing_stored(seeded, rep, app, width, height, full):
    data = _declared_png(width, height, full=full)
    assert len(data) < 100 * 1024
    p = products.create(seeded, rep, None, fc.valid_product_data())
    with pytest.raises(ValidationError) as e:
        products.add_image(seeded, app.config, rep, p.id, data, "bomb.png")
    assert "megapixels" in e.value.fields["image"]
    seeded.rollback()
    assert _count(seeded, StoredFile) == 0


def test_pixel_limit_is_configurable(seeded, rep, app):
    assert app.config["IMAGE_MAX_PIXELS"] == 40_000_000
    app.config["IMAGE_MAX_PIXELS"] = 1000
    p = products.create(seeded, rep, None, fc.valid_product_data())
    with pytest.raises(ValidationError) as e:
        products.add_image(seeded, app.config, rep, p.id, fc.png_bytes((40, 30)), "pump.png")
    assert "0.001 megapixels" in e.value.fields["image"]
    stored = products.add_image(seeded, app.config, rep, p.id, fc.png_bytes((40, 25)), "pump.png")
    assert stored.id is not None


def test_only_reps_add_images(seeded, rep, make, app):
    p = products.create(seeded, rep, None, fc.valid_product_data())
    with pytest.raises(NotAuthorized):
        products.add_image(seeded, app.config, make.user(Role.SUPPLIER_REPRESENTATIVE), p.id, fc.png_bytes(), "x.png")


def test_certificate_with_document(seeded, rep, app):
    p = products.create(seeded, rep, None, fc.valid_product_data())
    cert = products.add_certificate(seeded, app.config, rep, p.id,
                                    {"kind": "vn_green_label", "issuer": "Bộ Nông nghiệp và Môi trường",
                                     "valid_until": "2028-12-31"},
                                    document=("nhan-xanh.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"))
    assert cert.name and cert.document_file_id is not None


def test_certificate_bad_date_and_kind(seeded, rep, app):
    p = products.create(seeded, rep, None, fc.valid_product_data())
    with pytest.raises(ValidationError) as e:
        products.add_certificate(seeded, app.config, rep, p.id, {"kind": "gold", "valid_until": "31/12/2028"})
    assert {"kind", "valid_until"} <= set(e.value.fields)
    seeded.rollback()
    assert _count(seeded, ProductCertificate) == 0


def test_matching_document_only_for_approved(seeded, rep):
    org = rep.organisations()[0]
    draft = fc.product(seeded, org, status=ProductStatus.DRAFT)
    live = fc.product(seeded, org)
    assert products.product_document(seeded, draft.id) is None
    doc = products.product_document(seeded, live.id)
    assert doc.ref == f"product:{live.id}" and "42996000" in doc.codes and doc.facets["domestic"] is True


def test_a_products_price_and_domestic_share_reach_the_engine_as_a_fit_for_a_tenders_budget(seeded, rep):
    from matching import Document, Engine
    from tests.fakes import FakeEncoder

    live = fc.product(seeded, rep.organisations()[0], price_min_vnd=900_000_000, price_max_vnd=1_200_000_000,
                      domestic_content_pct=72.0)
    doc = products.product_document(seeded, live.id)
    assert doc.facets["price"] == 900_000_000 and doc.facets["domestic_content"] == pytest.approx(0.72)
    engine = Engine(FakeEncoder())
    engine.upsert([doc])
    tender = Document("tender", "tender:1", doc.text, codes=doc.codes, facets={"budget": 1_000_000_000})
    fits = {r.params["name"] for r in engine.match(tender, kinds=["product"], k=1)[0].reasons if r.kind == "facet"}
    assert {"budget", "domestic_content"} <= fits


def test_drafts_are_hidden_from_public(seeded, rep, make):
    from market.errors import NotFound
    p = fc.product(seeded, rep.organisations()[0], status=ProductStatus.DRAFT)
    with pytest.raises(NotFound):
        products.get_visible(seeded, None, p.id)
    with pytest.raises(NotFound):
        products.get_visible(seeded, make.user(Role.SUPPLIER_REPRESENTATIVE), p.id)
    assert products.get_visible(seeded, rep, p.id) is p
