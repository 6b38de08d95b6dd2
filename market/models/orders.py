"""Direct orders: a public buyer orders from a chosen domestic supplier; every step is an OrderEvent."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import Organisation, User
from .base import Base, UTCDateTime, str_enum, utcnow


class OrderStatus(str, enum.Enum):
    PLACED = "placed"
    COUNTERED = "countered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


class OrderKind(str, enum.Enum):
    PRODUCT = "product"
    DEVELOPMENT = "development"


class Order(Base):
    """A direct order; price and date are the agreed terms once accepted (a counter-offer replaces them)."""

    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("placed_by_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    supplier_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # A retried request with the same key returns the first order instead of placing a second one.
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(100))
    kind: Mapped[OrderKind] = mapped_column(str_enum(OrderKind), default=OrderKind.PRODUCT)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    cpv_codes: Mapped[list] = mapped_column(JSON, default=list)
    # "product:<id>" from the catalogue; no foreign key so the areas stay independent.
    product_ref: Mapped[Optional[str]] = mapped_column(String(40))
    quantity: Mapped[Decimal] = mapped_column(Numeric(16, 3))
    unit: Mapped[str] = mapped_column(String(40))
    price_vnd: Mapped[int] = mapped_column(BigInteger)
    delivery_province: Mapped[str] = mapped_column(String(40))
    delivery_date: Mapped[date] = mapped_column(Date)
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus), default=OrderStatus.PLACED, index=True)
    # The supplier's pending counter-offer (set while status is countered).
    counter_price_vnd: Mapped[Optional[int]] = mapped_column(BigInteger)
    counter_delivery_date: Mapped[Optional[date]] = mapped_column(Date)
    counter_note: Mapped[Optional[str]] = mapped_column(Text)
    decline_reason: Mapped[Optional[str]] = mapped_column(Text)
    cancel_reason: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    buyer: Mapped[Organisation] = relationship(foreign_keys=[buyer_org_id], lazy="joined")
    supplier: Mapped[Organisation] = relationship(foreign_keys=[supplier_org_id], lazy="joined")
    placed_by: Mapped[User] = relationship(foreign_keys=[placed_by_id])
    events: Mapped[list["OrderEvent"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id", lazy="selectin")

    @property
    def quantity_text(self) -> str:
        """The quantity without trailing zeros or exponent (3, 2.5, 100)."""
        return "" if self.quantity is None else format(Decimal(self.quantity).normalize(), "f")

    @property
    def reference(self) -> str:
        return f"DH-{self.created_at.year if self.created_at else 0}-{self.id:05d}"

    def __repr__(self) -> str:
        return f"<Order {self.id} {self.status.value if self.status else None}>"


class OrderEvent(Base):
    """One step of an order: who did what, when, and the terms involved."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[Optional[str]] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")
    actor: Mapped[Optional[User]] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<OrderEvent {self.id} order={self.order_id} {self.action}>"
