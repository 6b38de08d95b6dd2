"""How tenders become matching documents (sources matched against suppliers and products)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from .indexing import displayer, document_builder
from .models import utcnow
from .models.procurement import Tender, TenderStatus

OPEN = (TenderStatus.ENQUIRIES, TenderStatus.TENDERING)


@document_builder("tender", model=Tender)
def build(session: Session, tender_id: int):
    """Render an open tender (deadline still ahead) as a Document; others leave the index."""
    from matching import Document

    tender = session.get(Tender, tender_id)
    if tender is None or tender.status not in OPEN or tender.tender_end <= utcnow():
        return None
    lots = "\n".join(f"{lot.title} {lot.description} {lot.unit}".strip() for lot in tender.lots)
    text = "\n".join(p for p in (tender.title, tender.description, lots) if p)
    facets = {"province": tender.province, "status": tender.status.value, "deadline": tender.tender_end.isoformat(),
              "budget": int(tender.estimated_value), "domestic": bool(tender.domestic_margin_pct),
              "sme": bool(tender.sme_set_aside), "language": tender.language}
    return Document(kind="tender", ref=f"tender:{tender.id}", text=text, codes=tuple(tender.cpv_codes or ()),
                    facets=facets, language=tender.language)


@displayer("tender")
def show(session: Session, tender_id: int) -> dict | None:
    """Show a published tender by title, linking to its public notice."""
    from flask import url_for

    tender = session.get(Tender, tender_id)
    if tender is None or tender.status == TenderStatus.DRAFT:
        return None
    try:
        url = url_for("procurement.notice", tender_id=tender.id)
    except Exception:  # outside a request the link cannot be built
        url = None
    return {"title": tender.title, "url": url, "subtitle": tender.buyer.name}
