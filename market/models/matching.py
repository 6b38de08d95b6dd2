"""Stored embeddings and match results, so pages never encode and rebuilds never re-encode unchanged text."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class Embedding(Base):
    """The vector of one listing's text under one model; `text_sha256` says when it must be recomputed."""

    __tablename__ = "embeddings"
    __table_args__ = (UniqueConstraint("ref", "model_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(80), index=True)
    model_id: Mapped[str] = mapped_column(String(200))
    text_sha256: Mapped[str] = mapped_column(String(64))
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Embedding {self.ref} {self.model_id}>"


class MatchResult(Base):
    """One ranked match from a source listing to a target, with its reasons as JSON."""

    __tablename__ = "match_results"
    __table_args__ = (UniqueConstraint("source_ref", "target_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_ref: Mapped[str] = mapped_column(String(80), index=True)
    target_ref: Mapped[str] = mapped_column(String(80), index=True)
    target_kind: Mapped[str] = mapped_column(String(40))
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[str] = mapped_column(Text, default="[]")
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<MatchResult {self.source_ref} -> {self.target_ref} #{self.rank}>"
