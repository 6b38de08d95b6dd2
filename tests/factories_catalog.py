"""Catalog factories: seeded taxonomy and products in any review state, bound to a session."""
from __future__ import annotations

import io
import itertools

from sqlalchemy.orm import Session

from market.models import Organisation, User, utcnow
from market.models.catalog import Product, ProductStatus
from market.services import product_codes
from market.services.categories import by_code, seed_categories

_seq = itertools.count(1)


def seed(session: Session) -> None:
    """Create the environmental industry taxonomy."""
    seed_categories(session)


def product(session: Session, org: Organisation, *, status: ProductStatus = ProductStatus.APPROVED,
            category: str = "wastewater", name: str | None = None, code: bool = True, by: User | None = None,
            **fields) -> Product:
    """Create a product directly in the given state (an approved one gets its code unless code=False)."""
    cat = by_code(session, category)
    if cat is None:
        seed(session)
        cat = by_code(session, category)
    n = next(_seq)
    values = {"description": f"Mô tả sản phẩm {n}", "cpv_codes": ["42996000"], "made_in_vietnam": True}
    values.update(fields)
    p = Product(organisation_id=org.id, category_id=cat.id, name=name or f"Thiết bị xử lý {n}", status=status,
                submitted_at=utcnow() if status != ProductStatus.DRAFT else None, **values)
    session.add(p)
    session.flush()
    session.refresh(p)
    if status == ProductStatus.APPROVED:
        p.approved_at = utcnow()
        if code:
            product_codes.issue_for(session, p, by)
    session.commit()
    return p


def png_bytes(size: tuple[int, int] = (40, 30), color=(20, 120, 60)) -> bytes:
    """A real PNG image."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


def valid_product_data(**overrides) -> dict:
    """A complete, valid product payload for the service and the API."""
    data = {
        "name": "Hệ thống xử lý nước thải MBR 200 m3/ngày",
        "description": "Module MBR lắp sẵn cho khu công nghiệp, đạt QCVN 40:2025/BTNMT cột A.",
        "category": "wastewater.industrial", "kind": "equipment", "cpv_codes": ["42996000", "45252127"],
        "hs_code": "8421.21", "capacity_value": 200, "capacity_unit": "m3/day", "efficiency_pct": 95,
        "power_kw": 15.5, "price_min_vnd": 1_500_000_000, "price_max_vnd": 2_200_000_000,
        "domestic_content_pct": 72, "made_in_vietnam": True, "national_brand": False,
        "specs": {"Màng lọc": "PVDF 0,1 µm"},
    }
    data.update(overrides)
    return data
