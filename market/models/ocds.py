"""Open data: stored OCDS releases, one per published change of a tender or a concluded direct order."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class OcdsRelease(Base):
    """An immutable OCDS release as published: a snapshot of the public data at the time of the change."""

    __tablename__ = "ocds_releases"
    __table_args__ = (UniqueConstraint("ocid", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ocid: Mapped[str] = mapped_column(String(80), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    release_id: Mapped[str] = mapped_column(String(120), unique=True)
    date: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    tag: Mapped[list] = mapped_column(JSON, default=list)
    data: Mapped[dict] = mapped_column(JSON)
    tender_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[Optional[int]] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    # The TenderChange or OrderEvent the release publishes (unique per source, so nothing is published twice).
    source: Mapped[Optional[str]] = mapped_column(String(60), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<OcdsRelease {self.release_id} {self.tag}>"
