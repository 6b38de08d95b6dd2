"""Enterprise directory: public profiles of verified organisations, filters, and sections other areas register.

Other areas add to a profile by registering a section, e.g. in their views or services module::

    from market.services.directory import register_profile_section

    @register_profile_section("patents", _l("Patents"), order=30)
    def patents_section(session, org):
        return [{"title": p.title, "url": url_for("techtransfer.patent", patent_id=p.id), "subtitle": p.number}]

A section function gets (session, organisation) and returns a list of items ({"title", "url"?, "subtitle"?});
an empty list hides the section.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..i18n import _l
from ..models import Organisation, OrgKind, SizeClass
from ..models.catalog import Product, ProductStatus
from .categories import by_code, descendant_ids

DIRECTORY_KINDS = (OrgKind.ENTERPRISE, OrgKind.RESEARCH_INSTITUTE)

SectionFn = Callable[[Session, Organisation], list[dict]]


@dataclass(frozen=True)
class ProfileSection:
    key: str
    title: object     # a lazy string, shown as the section heading
    render: SectionFn
    order: int = 100


# Sections shown on an enterprise's public profile, in `order`; other areas append (patents, experts, awards).
PROFILE_SECTIONS: list[ProfileSection] = []


def register_profile_section(key: str, title, order: int = 100) -> Callable[[SectionFn], SectionFn]:
    """Register a function that lists items for a section of the enterprise profile page."""

    def decorate(fn: SectionFn) -> SectionFn:
        PROFILE_SECTIONS[:] = [s for s in PROFILE_SECTIONS if s.key != key]
        PROFILE_SECTIONS.append(ProfileSection(key, title, fn, order))
        PROFILE_SECTIONS.sort(key=lambda s: s.order)
        return fn

    return decorate


def render_sections(session: Session, org: Organisation) -> list[tuple[ProfileSection, list[dict]]]:
    """Call every registered section for the organisation; a failing section is left out, not the page."""
    import logging

    out = []
    for section in PROFILE_SECTIONS:
        try:
            items = section.render(session, org) or []
        except Exception:  # another area's bug must not take the directory down
            logging.getLogger("market.catalog").exception("profile section %s failed", section.key)
            continue
        if items:
            out.append((section, items))
    return out


def _bool_filter(value) -> bool | None:
    if value in (None, "", "any"):
        return None
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "yes", "on")


def search(session: Session, *, q: str = "", category: str | None = None, province: str | None = None,
           size: str | None = None, sme=None, domestic=None, page: int = 1, per_page: int = 20
           ) -> tuple[list[Organisation], int]:
    """Return a page of verified organisations matching the filters and the total count."""
    query = select(Organisation).where(Organisation.verified_at.is_not(None),
                                       Organisation.kind.in_(DIRECTORY_KINDS))
    if q and q.strip():
        like = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(Organisation.name).like(like),
                                func.lower(Organisation.description).like(like),
                                Organisation.tax_code == q.strip()))
    if category:
        cat = by_code(session, category)
        ids = descendant_ids(session, cat) if cat else [-1]
        query = query.where(Organisation.id.in_(
            select(Product.organisation_id).where(Product.status == ProductStatus.APPROVED,
                                                  Product.category_id.in_(ids))))
    if province:
        query = query.where(Organisation.province == province)
    if size:
        try:
            query = query.where(Organisation.size_class == SizeClass(size))
        except ValueError:
            query = query.where(False)
    if (flag := _bool_filter(sme)) is not None:
        query = query.where(Organisation.is_sme.is_(flag))
    if (flag := _bool_filter(domestic)) is not None:
        query = query.where(Organisation.domestic_manufacturer.is_(flag))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, page)
    rows = session.scalars(query.order_by(Organisation.name).offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def product_counts(session: Session, org_ids: list[int]) -> dict[int, int]:
    """Approved products per organisation."""
    if not org_ids:
        return {}
    rows = session.execute(select(Product.organisation_id, func.count()).where(
        Product.organisation_id.in_(org_ids), Product.status == ProductStatus.APPROVED)
        .group_by(Product.organisation_id))
    return {org_id: n for org_id, n in rows}


def categories_of(session: Session, org_id: int) -> list[str]:
    """Top-level category codes in which the organisation has approved products."""
    products = session.scalars(select(Product).where(Product.organisation_id == org_id,
                                                     Product.status == ProductStatus.APPROVED))
    out: list[str] = []
    for p in products:
        code = p.category.top.code
        if code not in out:
            out.append(code)
    return out


def get_profile(session: Session, org_id: int) -> Organisation:
    """Return a verified directory organisation or NotFound (unverified ones are not public)."""
    org = session.get(Organisation, org_id)
    if org is None or org.verified_at is None or org.kind not in DIRECTORY_KINDS:
        raise NotFound(str(_l("Enterprise not found.")))
    return org


def enterprise_dict(session: Session, org: Organisation, count: int | None = None) -> dict:
    """Serialise a directory entry (public fields only)."""
    return {
        "id": org.id, "name": org.name, "kind": org.kind.value, "tax_code": org.tax_code, "province": org.province,
        "size_class": org.size_class.value, "is_sme": org.is_sme,
        "domestic_manufacturer": org.domestic_manufacturer, "website": org.website,
        "description": org.description, "categories": categories_of(session, org.id),
        "products": count if count is not None else product_counts(session, [org.id]).get(org.id, 0),
    }
