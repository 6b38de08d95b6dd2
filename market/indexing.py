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
# kind -> the model whose ids a full rebuild walks (set with `document_builder(kind, model=...)`).
DOCUMENT_MODELS: dict[str, type] = {}


def document_builder(kind: str, model: type | None = None) -> Callable[[Builder], Builder]:
    """Register the function that renders one listing of this kind as a matching Document."""

    def decorate(fn: Builder) -> Builder:
        DOCUMENT_BUILDERS[kind] = fn
        if model is not None:
            DOCUMENT_MODELS[kind] = model
        return fn

    return decorate


def reindex(session: Session, kind: str, obj_id: int) -> None:
    """Queue a listing for (re)indexing in the caller's transaction; the builder decides upsert or removal."""
    enqueue(session, "index.refresh", {"kind": kind, "id": obj_id})


def parse_ref(ref: str) -> tuple[str, int]:
    """Split 'tender:12' into ('tender', 12)."""
    kind, _, raw = ref.partition(":")
    return kind, int(raw)


Displayer = Callable[[Session, int], "dict | None"]
# kind -> function giving {"title", "url", "subtitle"} for a match target the public may see, or None.
DISPLAYERS: dict[str, Displayer] = {}


def displayer(kind: str) -> Callable[[Displayer], Displayer]:
    """Register how a match target of this kind is shown (title, link) on pages and in the API."""

    def decorate(fn: Displayer) -> Displayer:
        DISPLAYERS[kind] = fn
        return fn

    return decorate


Related = Callable[[Session, int], "list[str]"]
# kind -> function naming other listings whose documents include this one's text (a product is part of its
# enterprise's profile), so the worker refreshes them too.
RELATED: dict[str, list[Related]] = {}


def related(kind: str) -> Callable[[Related], Related]:
    """Register a function returning refs that must be re-indexed when a listing of this kind changes."""

    def decorate(fn: Related) -> Related:
        RELATED.setdefault(kind, []).append(fn)
        return fn

    return decorate


ProfilePart = Callable[[Session, int], "tuple[str, tuple[str, ...]]"]
# Areas add what an organisation offers (product names, patents, expertise) to its matching profile:
# each function returns (text, CPV codes) for an organisation id.
ORGANISATION_PROFILE_PARTS: list[ProfilePart] = []
