"""The catalogue demo: every demo enterprise lists products, most approved with valid codes, some under review."""
from __future__ import annotations

from sqlalchemy import select

from market.demo import accounts, catalog
from market.models.catalog import Product, ProductStatus
from market.models.files import StoredFile
from market.services import product_codes, products


def test_demo_catalogue_loads(app, session):
    with app.app_context():
        ctx = accounts.load(session, {})
        out = catalog.load(session, ctx)
    assert len(out["products"]) >= 20
    items = session.scalars(select(Product)).all()
    by_status = {s: [p for p in items if p.status == s] for s in ProductStatus}
    assert len(by_status[ProductStatus.APPROVED]) > len(items) / 2
    assert by_status[ProductStatus.PENDING_REVIEW] and by_status[ProductStatus.REJECTED]
    for p in by_status[ProductStatus.APPROVED]:
        assert product_codes.verify(session, p.code.code)["status"] == "valid"
        assert products.product_document(session, p.id) is not None
    keys = {"greentech", "mekong-water", "saigon-air", "haiphong-waste", "monitor-vn", "binhduong-recycle",
            "thainguyen-biogas"}
    assert {ctx["orgs"][k].id for k in keys} == {p.organisation_id for p in items}
    assert session.scalars(select(StoredFile).where(StoredFile.owner_kind == "product")).first() is not None
