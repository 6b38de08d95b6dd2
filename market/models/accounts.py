"""Users, organisations, memberships and API tokens."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, str_enum, utcnow


class OrgKind(str, enum.Enum):
    PUBLIC_BUYER = "public_buyer"
    ENTERPRISE = "enterprise"
    RESEARCH_INSTITUTE = "research_institute"
    INDIVIDUAL_EXPERT = "individual_expert"


class SizeClass(str, enum.Enum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class Role(str, enum.Enum):
    PROCUREMENT_OFFICER = "procurement_officer"
    SUPPLIER_REPRESENTATIVE = "supplier_representative"
    TECHNOLOGY_HOLDER = "technology_holder"
    EXPERT = "expert"
    ADMINISTRATOR = "administrator"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="vi")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def roles(self) -> set[Role]:
        """Return every role the user holds in any organisation."""
        return {m.role for m in self.memberships}

    def has_role(self, role: Role) -> bool:
        """Say whether the user holds the role anywhere."""
        return role in self.roles()

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMINISTRATOR)

    # The session-login protocol, written out so models need not import Flask-Login.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def organisations(self) -> list["Organisation"]:
        """Return the organisations the user belongs to, without duplicates."""
        seen: dict[int, Organisation] = {}
        for m in self.memberships:
            if m.organisation is not None:
                seen.setdefault(m.organisation.id, m.organisation)
        return list(seen.values())

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind))
    name: Mapped[str] = mapped_column(String(300))
    tax_code: Mapped[str] = mapped_column(String(14), unique=True)
    province: Mapped[str] = mapped_column(String(40))
    size_class: Mapped[SizeClass] = mapped_column(str_enum(SizeClass))
    is_sme: Mapped[bool] = mapped_column(Boolean, default=False)
    domestic_manufacturer: Mapped[bool] = mapped_column(Boolean, default=False)
    website: Mapped[Optional[str]] = mapped_column(String(300))
    description: Mapped[Optional[str]] = mapped_column(String(4000))
    verified_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(back_populates="organisation")

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.tax_code}>"


class Membership(Base):
    """A user's role in an organisation; administrators may hold it platform-wide (no organisation)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Optional[Organisation]] = relationship(back_populates="memberships", lazy="joined")

    def __repr__(self) -> str:
        return f"<Membership user={self.user_id} org={self.organisation_id} {self.role}>"


class ApiToken(Base):
    """A bearer token; only its sha256 is stored, so a database dump cannot be replayed."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(100), default="api")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… user={self.user_id}>"
