"""Export the public directory and catalogue to CSV and JSON (columns match the CSV import, so files round-trip)."""
from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Organisation
from ..models.catalog import Product, ProductStatus
from .csv_import import ORG_COLUMNS, ORG_EXPORT_EXTRA, PRODUCT_COLUMNS, PRODUCT_EXPORT_EXTRA
from .directory import DIRECTORY_KINDS, categories_of, product_counts

ENTERPRISE_EXTRA = ORG_EXPORT_EXTRA
PRODUCT_EXTRA = PRODUCT_EXPORT_EXTRA


def enterprise_rows(session: Session) -> list[dict]:
    """Verified directory organisations with their public fields."""
    orgs = list(session.scalars(select(Organisation).where(
        Organisation.verified_at.is_not(None), Organisation.kind.in_(DIRECTORY_KINDS)).order_by(Organisation.name)))
    counts = product_counts(session, [o.id for o in orgs])
    return [{
        "id": o.id, "tax_code": o.tax_code, "name": o.name, "province": o.province, "size_class": o.size_class.value,
        "kind": o.kind.value, "is_sme": o.is_sme, "domestic_manufacturer": o.domestic_manufacturer,
        "website": o.website or "", "description": o.description or "", "verified": True,
        "categories": categories_of(session, o.id), "products": counts.get(o.id, 0),
    } for o in orgs]


def product_rows(session: Session) -> list[dict]:
    """Approved products with their public fields."""
    products = session.scalars(select(Product).where(Product.status == ProductStatus.APPROVED)
                               .order_by(Product.organisation_id, Product.id))
    out = []
    for p in products:
        code = p.code.code if p.code is not None and p.code.revoked_at is None else ""
        out.append({
            "id": p.id, "organisation_tax_code": p.organisation.tax_code, "organisation": p.organisation.name,
            "province": p.organisation.province, "name": p.name, "category": p.category.code, "sku": p.sku or "",
            "kind": p.kind.value, "description": p.description, "language": p.language,
            "cpv_codes": list(p.cpv_codes or []), "hs_code": p.hs_code or "",
            "capacity_value": p.capacity_value, "capacity_unit": p.capacity_unit or "",
            "throughput_value": p.throughput_value, "throughput_unit": p.throughput_unit or "",
            "efficiency_pct": p.efficiency_pct, "power_kw": p.power_kw, "price_min_vnd": p.price_min_vnd,
            "price_max_vnd": p.price_max_vnd, "domestic_content_pct": p.domestic_content_pct,
            "made_in_vietnam": p.made_in_vietnam, "national_brand": p.national_brand, "status": p.status.value,
            "identification_code": code, "certificates": [c.name for c in p.certificates],
        })
    return out


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return " ".join(str(v) for v in value) if all(" " not in str(v) for v in value) else "; ".join(map(str, value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    # Keep spreadsheets from running cells as formulas (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def to_csv(rows: list[dict], columns: tuple[str, ...]) -> str:
    """Render rows as UTF-8 CSV text (with a BOM added by the caller for spreadsheets)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buf.getvalue()


def enterprises_csv(session: Session) -> str:
    return to_csv(enterprise_rows(session), (*ORG_COLUMNS, *ENTERPRISE_EXTRA))


def products_csv(session: Session) -> str:
    return to_csv(product_rows(session), (*PRODUCT_COLUMNS, *PRODUCT_EXTRA))


def to_json(rows: list[dict]) -> str:
    return json.dumps({"count": len(rows), "items": rows}, ensure_ascii=False, indent=1)
