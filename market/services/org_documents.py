"""Enterprises as matching documents: what they say about themselves plus what they offer in other areas."""
from __future__ import annotations

from flask import url_for
from sqlalchemy.orm import Session

from matching import Document
from matching.language import detect_language

from ..i18n import current_language
from ..indexing import ORGANISATION_PROFILE_PARTS, document_builder, displayer, related
from ..models import Organisation, OrgKind
from ..provinces import province_name

# Kinds of organisation that supply the market; public buyers are demand, never a match target.
SUPPLIER_KINDS = (OrgKind.ENTERPRISE, OrgKind.RESEARCH_INSTITUTE, OrgKind.INDIVIDUAL_EXPERT)


@document_builder("organisation", model=Organisation)
def organisation_document(session: Session, org_id: int) -> Document | None:
    """Render a verified supplier organisation with its offer; unverified ones stay out of the index."""
    org = session.get(Organisation, org_id)
    if org is None or org.verified_at is None or org.kind not in SUPPLIER_KINDS:
        return None
    parts, codes = [org.name, org.description or "", province_name(org.province, "vi")], []
    for part in ORGANISATION_PROFILE_PARTS:
        text, part_codes = part(session, org.id)
        parts.append(text)
        codes += [c for c in part_codes if c not in codes]
    text = "\n".join(p for p in parts if p)
    return Document("organisation", f"organisation:{org.id}", text, codes=tuple(codes),
                    facets={"org_kind": org.kind.value, "province": org.province, "sme": org.is_sme,
                            "domestic": org.domestic_manufacturer, "status": "active"},
                    language=detect_language(text))


@displayer("organisation")
def show_organisation(session: Session, org_id: int) -> dict | None:
    """Show a verified organisation by name, linking to its public profile when the directory has one."""
    org = session.get(Organisation, org_id)
    if org is None or org.verified_at is None:
        return None
    try:
        url = url_for("catalog.enterprise", org_id=org.id)
    except Exception:  # the directory page may not exist in every build; the name alone still helps
        url = None
    return {"title": org.name, "url": url, "subtitle": province_name(org.province, current_language())}


def _approved_products(session: Session, org_id: int):
    from sqlalchemy import select

    from ..models.catalog import Product, ProductStatus

    return list(session.scalars(select(Product).where(
        Product.organisation_id == org_id, Product.status == ProductStatus.APPROVED).order_by(Product.id).limit(50)))


def catalogue_part(session: Session, org_id: int) -> tuple[str, tuple[str, ...]]:
    """An enterprise offers what its approved catalogue lists: product names, short descriptions and CPV codes."""
    lines, codes = [], []
    for p in _approved_products(session, org_id):
        lines.append(f"{p.name}. {(p.description or '')[:300]}")
        codes += [c for c in (p.cpv_codes or []) if c not in codes]
    return "\n".join(lines), tuple(codes)


ORGANISATION_PROFILE_PARTS.append(catalogue_part)


@related("product")
def product_owner(session: Session, product_id: int) -> list[str]:
    """A product's enterprise is re-indexed with it, since its profile lists the product."""
    from ..models.catalog import Product

    product = session.get(Product, product_id)
    return [f"organisation:{product.organisation_id}"] if product is not None else []
