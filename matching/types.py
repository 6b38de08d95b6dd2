"""Plain, immutable data passed between the web app and the matching engine."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

_EMPTY: Mapping[str, object] = MappingProxyType({})


@dataclass(frozen=True)
class Document:
    """Something that can be matched: a tender, a product, a technology offer, a CPV label."""

    kind: str
    ref: str
    text: str
    codes: tuple[str, ...] = ()
    facets: Mapping[str, object] = field(default_factory=lambda: _EMPTY)
    language: str | None = None

    def __post_init__(self) -> None:
        # Accept lists from callers but keep the dataclass hashable-ish and immutable.
        if not isinstance(self.codes, tuple):
            object.__setattr__(self, "codes", tuple(self.codes))
        if not isinstance(self.facets, MappingProxyType):
            object.__setattr__(self, "facets", MappingProxyType(dict(self.facets)))


@dataclass(frozen=True)
class Reason:
    """Language-neutral explanation of a match; render with `matching.reasons.render_reason`."""

    kind: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Match:
    """One ranked result."""

    ref: str
    kind: str
    score: float
    reasons: tuple[Reason, ...] = ()
