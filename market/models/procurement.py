"""Public procurement: tenders, lots, questions, sealed bids, receipts, awards, contracts, change log.

Read by other areas (orders, OCDS, CSV export):
- `Tender.status` is a `TenderStatus` value ("draft", "active.enquiries", "active.tendering",
  "active.qualification", "active.awarded", "complete", "cancelled", "unsuccessful"); `Tender.is_public` says
  whether the notice is published. `Tender.ocid` is set when the tender is created.
- `Bid.sealed` is a Fernet token (key: app.config["BID_KEY"], never in the database) holding the canonical
  JSON content; before opening there is NO plaintext price anywhere. `Bid.revealed`, `Bid.total_price` and
  `BidLotValue` rows are filled only when the bids are opened (status "active.qualification" and later).
  Never read `Bid.sealed` outside market.services.bids / market.sealing.
- `TenderChange` is one row per published change (publish, amendment, dates, state changes, opening, award,
  contract): `number` increases per tender, `kind`, `summary`, `fields` (JSON, public data only). OCDS releases
  can be generated from these rows.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import (JSON, BigInteger, Boolean, Float, ForeignKey, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import Organisation, User
from .base import Base, UTCDateTime, str_enum, utcnow


class TenderStatus(str, enum.Enum):
    DRAFT = "draft"
    ENQUIRIES = "active.enquiries"
    TENDERING = "active.tendering"
    QUALIFICATION = "active.qualification"
    AWARDED = "active.awarded"
    COMPLETE = "complete"
    CANCELLED = "cancelled"
    UNSUCCESSFUL = "unsuccessful"


class TenderMethod(str, enum.Enum):
    OPEN = "open"
    RFQ = "rfq"
    DIRECT = "direct"


class AwardCriteria(str, enum.Enum):
    LOWEST_PRICE = "lowest_price"
    PRICE_QUALITY = "price_quality"


class BidStatus(str, enum.Enum):
    DRAFT = "draft"
    PENDING = "pending"          # submitted, sealed
    INVALID = "invalid"          # invalidated by a material change; bidder must re-confirm
    WITHDRAWN = "withdrawn"
    OPENED = "opened"
    QUALIFIED = "qualified"
    DISQUALIFIED = "disqualified"
    AWARDED = "awarded"
    NOT_AWARDED = "not_awarded"


class AwardStatus(str, enum.Enum):
    PENDING = "pending"      # in standstill
    ACTIVE = "active"        # standstill over, contract may be signed
    CANCELLED = "cancelled"


class Tender(Base):
    __tablename__ = "tenders"
    __table_args__ = (UniqueConstraint("created_by_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ocid: Mapped[Optional[str]] = mapped_column(String(80), unique=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="vi")
    cpv_codes: Mapped[list] = mapped_column(JSON, default=list)        # ["90400000", ...] 8 digits
    cpv_search: Mapped[str] = mapped_column(String(1000), default="")  # " 90400000 45252000 " for prefix LIKE
    method: Mapped[TenderMethod] = mapped_column(str_enum(TenderMethod), default=TenderMethod.OPEN)
    province: Mapped[str] = mapped_column(String(40), index=True)
    enquiry_end: Mapped[datetime] = mapped_column(UTCDateTime)
    tender_end: Mapped[datetime] = mapped_column(UTCDateTime)   # submission deadline
    opening_at: Mapped[datetime] = mapped_column(UTCDateTime)
    award_criteria: Mapped[AwardCriteria] = mapped_column(str_enum(AwardCriteria), default=AwardCriteria.LOWEST_PRICE)
    price_weight: Mapped[int] = mapped_column(Integer, default=100)    # percent; quality gets 100 - price
    quality_weight: Mapped[int] = mapped_column(Integer, default=0)
    domestic_margin_pct: Mapped[float] = mapped_column(Float, default=0.0)
    domestic_threshold_pct: Mapped[float] = mapped_column(Float, default=0.0)
    sme_set_aside: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[TenderStatus] = mapped_column(str_enum(TenderStatus), default=TenderStatus.DRAFT, index=True)
    amendment: Mapped[int] = mapped_column(Integer, default=0)          # number of published amendments
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    opened_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    awarded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    close_reason: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    buyer: Mapped[Organisation] = relationship(lazy="joined")
    lots: Mapped[list["Lot"]] = relationship(back_populates="tender", cascade="all, delete-orphan",
                                             order_by="Lot.number", lazy="selectin")
    questions: Mapped[list["Question"]] = relationship(back_populates="tender", cascade="all, delete-orphan",
                                                       order_by="Question.id")
    bids: Mapped[list["Bid"]] = relationship(back_populates="tender", cascade="all, delete-orphan",
                                             order_by="Bid.id")
    changes: Mapped[list["TenderChange"]] = relationship(back_populates="tender", cascade="all, delete-orphan",
                                                         order_by="TenderChange.number")
    awards: Mapped[list["Award"]] = relationship(back_populates="tender", cascade="all, delete-orphan",
                                                 order_by="Award.id")
    contracts: Mapped[list["Contract"]] = relationship(back_populates="tender", cascade="all, delete-orphan",
                                                       order_by="Contract.id")

    @property
    def is_public(self) -> bool:
        return self.status != TenderStatus.DRAFT

    @property
    def is_active(self) -> bool:
        return self.status.value.startswith("active.")

    @property
    def bids_opened(self) -> bool:
        return self.opened_at is not None

    @property
    def estimated_value(self) -> int:
        return sum(lot.estimated_value or 0 for lot in self.lots)

    def __repr__(self) -> str:
        return f"<Tender {self.id} {self.status.value}>"


class Lot(Base):
    __tablename__ = "tender_lots"
    __table_args__ = (UniqueConstraint("tender_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[float] = mapped_column(Float, default=1.0)
    unit: Mapped[str] = mapped_column(String(40), default="")
    estimated_value: Mapped[int] = mapped_column(BigInteger, default=0)   # VND

    tender: Mapped[Tender] = relationship(back_populates="lots")

    def __repr__(self) -> str:
        return f"<Lot {self.id} tender={self.tender_id} #{self.number}>"


class Question(Base):
    """A supplier's question in the enquiry period; public with its answer, asker shown only as `pseudonym`."""

    __tablename__ = "tender_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    asker_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    asker_org_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    pseudonym: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    answer: Mapped[Optional[str]] = mapped_column(Text)
    answered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tender: Mapped[Tender] = relationship(back_populates="questions")

    def __repr__(self) -> str:
        return f"<Question {self.id} tender={self.tender_id}>"


class Bid(Base):
    """A sealed bid: everything the bidder offers lives encrypted in `sealed` until opening."""

    __tablename__ = "bids"
    __table_args__ = (UniqueConstraint("submitted_by_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    bidder_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    submitted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(100))
    status: Mapped[BidStatus] = mapped_column(str_enum(BidStatus), default=BidStatus.PENDING, index=True)
    sealed: Mapped[Optional[str]] = mapped_column(Text)             # Fernet token of the canonical JSON content
    content_hash: Mapped[Optional[str]] = mapped_column(String(64))  # sha256 of the canonical JSON (commitment)
    version: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # server time of the latest receipt
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invalidated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Filled at opening only:
    revealed: Mapped[Optional[dict]] = mapped_column(JSON)
    total_price: Mapped[Optional[int]] = mapped_column(BigInteger)
    domestic_content_pct: Mapped[Optional[float]] = mapped_column(Float)
    delivery_days: Mapped[Optional[int]] = mapped_column(Integer)
    hash_verified: Mapped[Optional[bool]] = mapped_column(Boolean)
    # Evaluation:
    qualification_reason: Mapped[Optional[str]] = mapped_column(Text)
    evaluated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    tender: Mapped[Tender] = relationship(back_populates="bids")
    bidder: Mapped[Organisation] = relationship(lazy="joined")
    receipts: Mapped[list["BidReceipt"]] = relationship(back_populates="bid", cascade="all, delete-orphan",
                                                        order_by="BidReceipt.id")
    lot_values: Mapped[list["BidLotValue"]] = relationship(back_populates="bid", cascade="all, delete-orphan",
                                                           order_by="BidLotValue.lot_id")

    @property
    def latest_receipt(self) -> Optional["BidReceipt"]:
        return self.receipts[-1] if self.receipts else None

    def __repr__(self) -> str:
        return f"<Bid {self.id} tender={self.tender_id} {self.status.value}>"


class BidReceipt(Base):
    """One submission, change, re-confirmation or withdrawal: the server's time and the content commitment."""

    __tablename__ = "bid_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))   # submitted / changed / confirmed / withdrawn
    content_hash: Mapped[Optional[str]] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    code: Mapped[str] = mapped_column(String(40), unique=True)

    bid: Mapped[Bid] = relationship(back_populates="receipts")

    def __repr__(self) -> str:
        return f"<BidReceipt {self.code} bid={self.bid_id} v{self.version}>"


class BidLotValue(Base):
    """A bid's offer for one lot, revealed at opening, with its evaluation."""

    __tablename__ = "bid_lot_values"
    __table_args__ = (UniqueConstraint("bid_id", "lot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("tender_lots.id", ondelete="CASCADE"), index=True)
    price: Mapped[int] = mapped_column(BigInteger)
    evaluated_price: Mapped[Optional[int]] = mapped_column(BigInteger)   # price after the margin of preference
    margin_applied: Mapped[bool] = mapped_column(Boolean, default=False)
    quality_score: Mapped[Optional[float]] = mapped_column(Float)         # 0..100, set by the buyer
    score: Mapped[Optional[float]] = mapped_column(Float)
    rank: Mapped[Optional[int]] = mapped_column(Integer)

    bid: Mapped[Bid] = relationship(back_populates="lot_values")
    lot: Mapped[Lot] = relationship()


class Award(Base):
    __tablename__ = "tender_awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tender_lots.id", ondelete="SET NULL"))
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id", ondelete="CASCADE"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    value: Mapped[int] = mapped_column(BigInteger)
    justification: Mapped[str] = mapped_column(Text)
    status: Mapped[AwardStatus] = mapped_column(str_enum(AwardStatus), default=AwardStatus.PENDING)
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    standstill_end: Mapped[datetime] = mapped_column(UTCDateTime)
    awarded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    tender: Mapped[Tender] = relationship(back_populates="awards")
    lot: Mapped[Optional[Lot]] = relationship()
    bid: Mapped[Bid] = relationship()
    supplier: Mapped[Organisation] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Award {self.id} tender={self.tender_id} {self.status.value}>"


class Contract(Base):
    __tablename__ = "tender_contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("tender_awards.id", ondelete="CASCADE"), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    value: Mapped[int] = mapped_column(BigInteger)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    period_start: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    period_end: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    tender: Mapped[Tender] = relationship(back_populates="contracts")
    award: Mapped[Award] = relationship()
    supplier: Mapped[Organisation] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Contract {self.id} tender={self.tender_id}>"


class TenderChange(Base):
    """One published change to a tender (the basis of OCDS releases); `fields` holds public data only."""

    __tablename__ = "tender_changes"
    __table_args__ = (UniqueConstraint("tender_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # publish, amend, status, question, answer, opening, award, contract, cancel
    kind: Mapped[str] = mapped_column(String(30))
    material: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(30))   # tender status after the change
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    tender: Mapped[Tender] = relationship(back_populates="changes")
    actor: Mapped[Optional[User]] = relationship()

    def __repr__(self) -> str:
        return f"<TenderChange {self.tender_id}#{self.number} {self.kind}>"
