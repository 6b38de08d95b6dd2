"""Saved searches (subscriptions), the listings they caught, in-app notifications and digest runs."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base, UTCDateTime, str_enum, utcnow


class AlertKind(str, enum.Enum):
    """What a subscription watches; each maps to one matching-document kind."""

    TENDERS = "tenders"
    TECHNOLOGY_NEEDS = "technology_needs"
    TECHNOLOGY_OFFERS = "technology_offers"
    PRODUCTS = "products"


# Subscription kind -> the kinds of matching Documents it watches (see market.indexing).
DOCUMENT_KINDS: dict[AlertKind, tuple[str, ...]] = {
    AlertKind.TENDERS: ("tender",),
    AlertKind.TECHNOLOGY_NEEDS: ("technology_need",),
    AlertKind.TECHNOLOGY_OFFERS: ("patent", "technology_offer"),
    AlertKind.PRODUCTS: ("product",),
}


class Frequency(str, enum.Enum):
    IMMEDIATE = "immediate"
    DAILY = "daily"


class Subscription(Base):
    """A saved search: a user wants to hear about new listings of one kind that pass every filter given."""

    __tablename__ = "alert_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AlertKind] = mapped_column(str_enum(AlertKind), index=True)
    categories: Mapped[list] = mapped_column(JSON, default=list)
    cpv_prefixes: Mapped[list] = mapped_column(JSON, default=list)
    words: Mapped[str] = mapped_column(String(500), default="")
    provinces: Mapped[list] = mapped_column(JSON, default=list)
    frequency: Mapped[Frequency] = mapped_column(str_enum(Frequency), default=Frequency.DAILY)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Subscription {self.id} user={self.user_id} {self.kind.value}>"


class AlertHit(Base):
    """A listing a subscription caught; unique per (subscription, listing), so no item is sent twice."""

    __tablename__ = "alert_hits"
    __table_args__ = (UniqueConstraint("subscription_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("alert_subscriptions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str] = mapped_column(String(80), index=True)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the user was told (immediately, or in a digest); null = waiting for the next digest.
    delivered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)

    subscription: Mapped[Subscription] = relationship()

    def __repr__(self) -> str:
        return f"<AlertHit {self.id} sub={self.subscription_id} {self.ref}>"


class Notification(Base):
    """An in-app message for one user; unread while read_at is null."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(40), default="alert")
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"<Notification {self.id} user={self.user_id} {'read' if self.read_at else 'unread'}>"


class DigestRun(Base):
    """One daily digest for one user on one local day; the unique key makes the digest job idempotent."""

    __tablename__ = "alert_digest_runs"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[str] = mapped_column(String(10))  # local date, YYYY-MM-DD
    items: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<DigestRun user={self.user_id} {self.day} items={self.items}>"
