"""How technology-transfer listings become matching Documents, and how matches to them are displayed."""
from __future__ import annotations

from sqlalchemy.orm import Session

from .indexing import displayer, document_builder
from .models.techtransfer import (ExpertProfile, Listing, ListingKind, ListingStatus, PatentOffer, PersonnelNeed,
                                  TechnologyNeed, TrainingCourse)

KIND_MODELS = {
    ListingKind.PATENT.value: PatentOffer,
    ListingKind.TECHNOLOGY_NEED.value: TechnologyNeed,
    ListingKind.EXPERT.value: ExpertProfile,
    ListingKind.COURSE.value: TrainingCourse,
    ListingKind.PERSONNEL_NEED.value: PersonnelNeed,
}


def _published(session: Session, kind: str, obj_id: int) -> Listing | None:
    obj = session.get(KIND_MODELS[kind], obj_id)
    if obj is None or obj.status is not ListingStatus.PUBLISHED:
        return None
    return obj


def build(session: Session, kind: str, obj_id: int):
    """Render a published listing as a Document; the owner's name is never part of it (anonymity)."""
    from matching import Document

    obj = _published(session, kind, obj_id)
    if obj is None:
        return None
    parts = [obj.title, obj.description or "", obj.sub_sector.replace("_", " ")]
    for attr in ("ipc_codes", "skills", "services", "expertise_areas", "certifications"):
        parts.extend(getattr(obj, attr, None) or [])
    if getattr(obj, "royalty_terms", None):
        parts.append(obj.royalty_terms)
    facets: dict = {"status": obj.status.value, "sub_sector": obj.sub_sector, "language": obj.language}
    if obj.province:
        facets["province"] = obj.province
    # Needs state what they want (a budget, a minimum readiness); offers state what they ask (a price, a level).
    demand = isinstance(obj, (TechnologyNeed, PersonnelNeed))
    if obj.trl is not None:
        facets["trl_min" if demand else "trl"] = obj.trl
    budget = getattr(obj, "budget_max", None) or obj.price_vnd
    if budget is not None:
        facets["budget" if demand else "price"] = int(budget)
    deadline = getattr(obj, "deadline", None) or getattr(obj, "start_date", None)
    if deadline is not None:
        facets["deadline"] = deadline.isoformat()
    if isinstance(obj, PatentOffer):
        facets["offer_type"] = obj.offer_type.value
    return Document(kind=kind, ref=f"{kind}:{obj.id}", text="\n".join(p for p in parts if p),
                    codes=tuple(obj.cpv_codes or ()), facets=facets, language=obj.language)


def show(session: Session, kind: str, obj_id: int) -> dict | None:
    """Title, link and subtitle of a published listing; never the owner of an anonymous one."""
    obj = _published(session, kind, obj_id)
    if obj is None:
        return None
    try:
        from flask import url_for

        url = url_for("techtransfer.detail", listing_id=obj.id)
    except RuntimeError:
        url = f"/techtransfer/listings/{obj.id}"
    subtitle = obj.sub_sector if obj.anonymous else f"{obj.organisation.name} · {obj.sub_sector}"
    return {"title": obj.title, "url": url, "subtitle": subtitle}


def _register(kind: str) -> None:
    document_builder(kind, model=KIND_MODELS[kind])(lambda session, obj_id: build(session, kind, obj_id))
    displayer(kind)(lambda session, obj_id: show(session, kind, obj_id))


for _kind in KIND_MODELS:
    _register(_kind)
