"""Models for the techtransfer area: technology offers and needs, experts, courses, personnel needs, threads, deals.

Every kind of listing shares one `tt_listings` row (owner, review state, expiry, anonymity) and adds its own
columns in a joined table, so the review workflow, expressions of interest and expiry work the same for all.
Sub-sectors are plain string codes ("wastewater", "air", ...); see SUB_SECTORS.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import Organisation, User
from .base import Base, UTCDateTime, str_enum, utcnow

# Environmental sub-sectors, as plain codes shared with the catalogue's taxonomy.
SUB_SECTORS: tuple[str, ...] = ("wastewater", "air", "solid_waste", "hazardous_waste", "monitoring",
                                "waste_to_energy", "recycling", "services", "consulting")


class ListingKind(str, enum.Enum):
    PATENT = "patent"
    TECHNOLOGY_NEED = "technology_need"
    EXPERT = "expert"
    COURSE = "course"
    PERSONNEL_NEED = "personnel_need"


class ListingStatus(str, enum.Enum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    PUBLISHED = "published"
    REJECTED = "rejected"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class TechnologyType(str, enum.Enum):
    PATENT = "patent"
    KNOW_HOW = "know_how"
    SOFTWARE = "software"
    PROCESS = "process"


class LegalStatus(str, enum.Enum):
    PENDING = "pending"
    GRANTED = "granted"
    LAPSED = "lapsed"


class OfferType(str, enum.Enum):
    ASSIGNMENT = "assignment"
    EXCLUSIVE_LICENCE = "exclusive_licence"
    NON_EXCLUSIVE_LICENCE = "non_exclusive_licence"
    KNOW_HOW = "know_how"
    JOINT_DEVELOPMENT = "joint_development"


class ThreadState(str, enum.Enum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NEGOTIATING = "negotiating"
    DEAL = "deal"
    CLOSED = "closed"


class DealType(str, enum.Enum):
    ASSIGNMENT = "assignment"
    EXCLUSIVE_LICENCE = "exclusive_licence"
    NON_EXCLUSIVE_LICENCE = "non_exclusive_licence"
    KNOW_HOW = "know_how"
    JOINT_DEVELOPMENT = "joint_development"
    CONSULTING = "consulting"
    TRAINING = "training"
    RECRUITMENT = "recruitment"


class EnrolmentStatus(str, enum.Enum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Listing(Base):
    """What every technology-transfer listing has: owner, review state, expiry, anonymity."""

    __tablename__ = "tt_listings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[ListingStatus] = mapped_column(str_enum(ListingStatus), default=ListingStatus.DRAFT, index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    sub_sector: Mapped[str] = mapped_column(String(30), index=True)
    cpv_codes: Mapped[list] = mapped_column(JSON, default=list)
    province: Mapped[Optional[str]] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(2), default="vi")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    price_vnd: Mapped[Optional[int]] = mapped_column(BigInteger)  # asking price / day rate / course price
    trl: Mapped[Optional[int]] = mapped_column(Integer)  # offered or desired readiness level
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)
    reminder_sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reject_reason: Mapped[Optional[str]] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    created_by: Mapped[Optional[User]] = relationship(foreign_keys=[created_by_id])

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "listing"}

    def __repr__(self) -> str:
        return f"<Listing {self.id} {self.kind} {self.status.value}>"


class PatentOffer(Listing):
    """A patent, a patent application or an unpatented technology (know-how, software, process) on offer."""

    __tablename__ = "tt_patents"
    __mapper_args__ = {"polymorphic_identity": ListingKind.PATENT.value}

    id: Mapped[int] = mapped_column(ForeignKey("tt_listings.id", ondelete="CASCADE"), primary_key=True)
    technology_type: Mapped[TechnologyType] = mapped_column(str_enum(TechnologyType), default=TechnologyType.PATENT)
    office: Mapped[Optional[str]] = mapped_column(String(4))
    patent_number: Mapped[Optional[str]] = mapped_column(String(40), index=True)
    number_kind: Mapped[Optional[str]] = mapped_column(String(12))  # granted | application
    ipc_codes: Mapped[list] = mapped_column(JSON, default=list)
    legal_status: Mapped[Optional[LegalStatus]] = mapped_column(str_enum(LegalStatus))
    filing_date: Mapped[Optional[date]] = mapped_column(Date)
    expiry_date: Mapped[Optional[date]] = mapped_column(Date)
    offer_type: Mapped[OfferType] = mapped_column(str_enum(OfferType))
    royalty_terms: Mapped[Optional[str]] = mapped_column(String(500))


class TechnologyNeed(Listing):
    """A problem an enterprise wants solved by a licence, a purchase or an expert."""

    __tablename__ = "tt_needs"
    __mapper_args__ = {"polymorphic_identity": ListingKind.TECHNOLOGY_NEED.value}

    id: Mapped[int] = mapped_column(ForeignKey("tt_listings.id", ondelete="CASCADE"), primary_key=True)
    budget_min: Mapped[Optional[int]] = mapped_column(BigInteger)
    budget_max: Mapped[Optional[int]] = mapped_column(BigInteger)
    deadline: Mapped[Optional[date]] = mapped_column(Date)
    wants_licence: Mapped[bool] = mapped_column(Boolean, default=False)
    wants_purchase: Mapped[bool] = mapped_column(Boolean, default=False)
    wants_expert: Mapped[bool] = mapped_column(Boolean, default=False)


class ExpertProfile(Listing):
    """An individual or an organisation offering expert services."""

    __tablename__ = "tt_experts"
    __mapper_args__ = {"polymorphic_identity": ListingKind.EXPERT.value}

    id: Mapped[int] = mapped_column(ForeignKey("tt_listings.id", ondelete="CASCADE"), primary_key=True)
    is_organisation: Mapped[bool] = mapped_column(Boolean, default=False)
    expertise_areas: Mapped[list] = mapped_column(JSON, default=list)
    services: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    regions: Mapped[list] = mapped_column(JSON, default=list)
    certifications: Mapped[list] = mapped_column(JSON, default=list)
    availability: Mapped[Optional[str]] = mapped_column(String(300))


class TrainingCourse(Listing):
    """A training course open for enrolment requests."""

    __tablename__ = "tt_courses"
    __mapper_args__ = {"polymorphic_identity": ListingKind.COURSE.value}

    id: Mapped[int] = mapped_column(ForeignKey("tt_listings.id", ondelete="CASCADE"), primary_key=True)
    # What the course teaches, in a few words (the title is often a brand or a programme name).
    topic: Mapped[Optional[str]] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(20), default="in_person")
    start_date: Mapped[Optional[date]] = mapped_column(Date)
    end_date: Mapped[Optional[date]] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer, default=20)


class PersonnelNeed(Listing):
    """Skills and head count an enterprise needs."""

    __tablename__ = "tt_personnel_needs"
    __mapper_args__ = {"polymorphic_identity": ListingKind.PERSONNEL_NEED.value}

    id: Mapped[int] = mapped_column(ForeignKey("tt_listings.id", ondelete="CASCADE"), primary_key=True)
    skills: Mapped[list] = mapped_column(JSON, default=list)
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    deadline: Mapped[Optional[date]] = mapped_column(Date)


class Enrolment(Base):
    """A request to enrol people in a course."""

    __tablename__ = "tt_enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("tt_courses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    participants: Mapped[int] = mapped_column(Integer, default=1)
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[EnrolmentStatus] = mapped_column(str_enum(EnrolmentStatus), default=EnrolmentStatus.REQUESTED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Enrolment {self.id} course={self.course_id} {self.status.value}>"


class InterestThread(Base):
    """A private thread between one interested party and a listing's owner."""

    __tablename__ = "tt_threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("tt_listings.id", ondelete="CASCADE"), index=True)
    initiator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    initiator_org_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    state: Mapped[ThreadState] = mapped_column(str_enum(ThreadState), default=ThreadState.SENT)
    accepted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    listing: Mapped[Listing] = relationship(lazy="joined")
    initiator: Mapped[User] = relationship(foreign_keys=[initiator_id])
    initiator_org: Mapped[Optional[Organisation]] = relationship(foreign_keys=[initiator_org_id])
    messages: Mapped[list["ThreadMessage"]] = relationship(
        back_populates="thread", order_by="ThreadMessage.id", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<InterestThread {self.id} listing={self.listing_id} {self.state.value}>"


class ThreadMessage(Base):
    __tablename__ = "tt_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("tt_threads.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    thread: Mapped[InterestThread] = relationship(back_populates="messages")

    def __repr__(self) -> str:
        return f"<ThreadMessage {self.id} thread={self.thread_id}>"


class Deal(Base):
    """A concluded technology-transfer deal; one per thread; the statistics read this table."""

    __tablename__ = "tt_deals"
    __table_args__ = (UniqueConstraint("thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("tt_threads.id", ondelete="CASCADE"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("tt_listings.id", ondelete="CASCADE"), index=True)
    listing_kind: Mapped[str] = mapped_column(String(20))
    sub_sector: Mapped[str] = mapped_column(String(30))
    deal_type: Mapped[DealType] = mapped_column(str_enum(DealType))
    value_vnd: Mapped[int] = mapped_column(BigInteger)
    deal_date: Mapped[date] = mapped_column(Date)
    provider_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    recipient_org_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The listing was anonymous: statistics and exports must not name its owner organisation.
    listing_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Deal {self.id} {self.deal_type.value} {self.value_vnd}>"
