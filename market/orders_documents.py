"""How direct orders become matching documents (sources matched against suppliers and products)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from .indexing import displayer, document_builder
from .models.orders import Order, OrderStatus

ACTIVE = (OrderStatus.PLACED, OrderStatus.COUNTERED, OrderStatus.ACCEPTED)


@document_builder("order", model=Order)
def build(session: Session, order_id: int):
    """Render an open order as a Document; closed orders leave the index."""
    from matching import Document

    order = session.get(Order, order_id)
    if order is None or order.status not in ACTIVE:
        return None
    text = "\n".join(p for p in (order.title, order.description, order.unit) if p)
    facets = {"province": order.delivery_province, "status": order.status.value,
              "deadline": order.delivery_date.isoformat(), "budget": int(order.price_vnd), "domestic": True,
              "language": "vi"}
    return Document(kind="order", ref=f"order:{order.id}", text=text, codes=tuple(order.cpv_codes or ()),
                    facets=facets, language="vi")


@displayer("order")
def show(session: Session, order_id: int):
    """Orders are private between buyer and supplier, so they never appear as someone else's match."""
    return None
