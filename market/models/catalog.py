"""Environmental industry catalogue: taxonomy, products, certificates, identification codes, CSV imports.

Read by other areas (statistics, alerts, techtransfer):
- `ProductCategory.code` is a stable string ("wastewater", "air", "solid_waste", "hazardous_waste",
  "monitoring", "waste_to_energy", "recycling", "services", "consulting"; sub-categories such as
  "wastewater.industrial"). `parent_id` is None for the nine top-level sectors. `domestic_target_min/max`
  hold the programme's domestic supply targets in percent (None where the programme sets none).
- `Product.status == ProductStatus.APPROVED` means published (public). Province, size and SME come from
  `Product.organisation`. `made_in_vietnam` / `domestic_content_pct` describe domestic supply.
- `ProductCode` rows are never deleted; a withdrawn product's code is marked revoked, its number never reused.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import (JSON, BigInteger, Boolean, Date, Float, ForeignKey, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import Organisation, User
from .base import Base, UTCDateTime, str_enum, utcnow


class ProductKind(str, enum.Enum):
    EQUIPMENT = "equipment"
    TECHNOLOGY = "technology"
    SERVICE = "service"


class ProductStatus(str, enum.Enum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class CertificateKind(str, enum.Enum):
    VN_GREEN_LABEL = "vn_green_label"      # Nhãn Xanh Việt Nam
    ISO_14001 = "iso_14001"
    ISO_9001 = "iso_9001"
    ISO_50001 = "iso_50001"
    EU_ECOLABEL = "eu_ecolabel"
    VN_ENERGY_LABEL = "vn_energy_label"    # Nhãn năng lượng Việt Nam
    QCVN_CONFORMITY = "qcvn_conformity"    # Chứng nhận hợp quy QCVN
    OTHER = "other"


class ImportKind(str, enum.Enum):
    ORGANISATIONS = "organisations"
    PRODUCTS = "products"


class ProductCategory(Base):
    """A sector or sub-sector of the environmental industry, mapped to CPV codes and HS headings."""

    __tablename__ = "product_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("product_categories.id", ondelete="RESTRICT"),
                                                     index=True)
    # Two capital letters used in product identification codes (top-level categories only).
    abbrev: Mapped[Optional[str]] = mapped_column(String(2), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_vi: Mapped[Optional[str]] = mapped_column(Text)
    description_en: Mapped[Optional[str]] = mapped_column(Text)
    cpv_codes: Mapped[list] = mapped_column(JSON, default=list)   # ["42996000", ...] (8 digits, no check digit)
    hs_codes: Mapped[list] = mapped_column(JSON, default=list)    # ["8421.21", "9027", ...]
    domestic_target_min: Mapped[Optional[int]] = mapped_column(Integer)
    domestic_target_max: Mapped[Optional[int]] = mapped_column(Integer)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped[Optional["ProductCategory"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["ProductCategory"]] = relationship(back_populates="parent",
                                                             order_by="ProductCategory.sort_order")

    def name(self, lang: str = "vi") -> str:
        """Return the name in the given language (Vietnamese by default)."""
        return self.name_en if lang == "en" else self.name_vi

    @property
    def top(self) -> "ProductCategory":
        """Return the top-level sector this category belongs to."""
        node = self
        while node.parent is not None:
            node = node.parent
        return node

    def __repr__(self) -> str:
        return f"<ProductCategory {self.id} {self.code}>"


class Product(Base):
    """Equipment, a technology or a service listed by an enterprise."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("organisation_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("product_categories.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[ProductKind] = mapped_column(str_enum(ProductKind), default=ProductKind.EQUIPMENT)
    sku: Mapped[Optional[str]] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="vi")
    cpv_codes: Mapped[list] = mapped_column(JSON, default=list)
    hs_code: Mapped[Optional[str]] = mapped_column(String(13))       # "8421.21", "842121", "8421.21.00"
    # Technical specifications: value + unit for capacity and throughput, percent and kW for the rest.
    capacity_value: Mapped[Optional[float]] = mapped_column(Float)
    capacity_unit: Mapped[Optional[str]] = mapped_column(String(30))   # m3/day, t/day, Nm3/h ...
    throughput_value: Mapped[Optional[float]] = mapped_column(Float)
    throughput_unit: Mapped[Optional[str]] = mapped_column(String(30))
    efficiency_pct: Mapped[Optional[float]] = mapped_column(Float)
    power_kw: Mapped[Optional[float]] = mapped_column(Float)
    specs: Mapped[dict] = mapped_column(JSON, default=dict)           # further {"name": "value unit"} pairs
    price_min_vnd: Mapped[Optional[int]] = mapped_column(BigInteger)
    price_max_vnd: Mapped[Optional[int]] = mapped_column(BigInteger)
    domestic_content_pct: Mapped[Optional[float]] = mapped_column(Float)
    made_in_vietnam: Mapped[bool] = mapped_column(Boolean, default=False)
    national_brand: Mapped[bool] = mapped_column(Boolean, default=False)   # Thương hiệu quốc gia
    status: Mapped[ProductStatus] = mapped_column(str_enum(ProductStatus), default=ProductStatus.DRAFT, index=True)
    rejection_reason: Mapped[Optional[str]] = mapped_column(Text)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    category: Mapped[ProductCategory] = relationship(lazy="joined")
    certificates: Mapped[list["ProductCertificate"]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductCertificate.id")
    code: Mapped[Optional["ProductCode"]] = relationship(back_populates="product", uselist=False)

    @property
    def is_public(self) -> bool:
        return self.status == ProductStatus.APPROVED

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.status.value} {self.name[:30]!r}>"


class ProductCertificate(Base):
    """An eco-label or certificate a product holds; its scan is a StoredFile (owner_kind 'product_certificate')."""

    __tablename__ = "product_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CertificateKind] = mapped_column(str_enum(CertificateKind))
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[Optional[str]] = mapped_column(String(200))
    number: Mapped[Optional[str]] = mapped_column(String(100))
    valid_until: Mapped[Optional[date]] = mapped_column(Date)
    document_file_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product: Mapped[Product] = relationship(back_populates="certificates")

    def __repr__(self) -> str:
        return f"<ProductCertificate {self.id} {self.kind.value}>"


class ProductCodeSequence(Base):
    """The last sequence number handed out per (category abbreviation, year); only ever increases."""

    __tablename__ = "product_code_sequences"
    __table_args__ = (UniqueConstraint("abbrev", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    abbrev: Mapped[str] = mapped_column(String(2))
    year: Mapped[int] = mapped_column(Integer)
    last_value: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<ProductCodeSequence {self.abbrev}-{self.year} {self.last_value}>"


class ProductCode(Base):
    """An environmental product identification code (see market.services.product_codes for the format)."""

    __tablename__ = "product_codes"
    __table_args__ = (UniqueConstraint("abbrev", "year", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"), unique=True)
    abbrev: Mapped[str] = mapped_column(String(2))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[Optional[str]] = mapped_column(String(500))

    product: Mapped[Product] = relationship(back_populates="code")
    issued_by: Mapped[Optional[User]] = relationship()

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ProductCode {self.code}>"


class ImportRun(Base):
    """One CSV import and its row-by-row report, kept so an administrator can read it again."""

    __tablename__ = "catalog_import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = mapped_column(str_enum(ImportKind))
    filename: Mapped[str] = mapped_column(String(255), default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    # [{"row": 2, "status": "created"|"updated"|"error", "key": "...", "errors": {"field": "message"}}]
    report: Mapped[list] = mapped_column(JSON, default=list)

    def __repr__(self) -> str:
        return f"<ImportRun {self.id} {self.kind.value} {self.total_rows} rows>"
