"""How listings become matching Documents: each area registers a builder per kind of listing."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from sqlalchemy.orm import Session

from .services.outbox import enqueue

if TYPE_CHECKING:
    from matching import Document

Builder = Callable[[Session, int], "Document | None"]
# kind -> builder returning the Document for a database id, or None when it must leave the index
# (withdrawn, unpublished, deleted).
DOCUMENT_BUILDERS: dict[str, Builder] = {}


def document_builder(kind: str) -> Callable[[Builder], Builder]:
    """Register the function that renders one listing of this kind as a matching Document."""

    def decorate(fn: Builder) -> Builder:
        DOCUMENT_BUILDERS[kind] = fn
        return fn

    return decorate


def reindex(session: Session, kind: str, obj_id: int) -> None:
    """Queue a listing for (re)indexing in the caller's transaction; the builder decides upsert or removal."""
    enqueue(session, "index.refresh", {"kind": kind, "id": obj_id})
