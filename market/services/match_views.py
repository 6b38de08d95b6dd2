"""Stored matches made presentable: target titles and links, and reasons in the reader's language."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ..indexing import DISPLAYERS, parse_ref
from ..models.matching import MatchResult
from ..provinces import province_name
from .matching import stored_matches


@dataclass
class MatchView:
    ref: str
    kind: str
    score: float
    title: str
    url: str | None
    subtitle: str = ""
    reasons: list[str] = field(default_factory=list)
    reason_data: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"ref": self.ref, "kind": self.kind, "score": round(self.score, 4), "title": self.title,
                "url": self.url, "subtitle": self.subtitle, "reasons": self.reasons, "reason_data": self.reason_data}


def render_reasons(raw: list[dict], lang: str) -> list[str]:
    """Turn stored reason data into sentences in the language."""
    from matching import Reason, default_taxonomy, render_reason

    taxonomy = default_taxonomy()
    return [render_reason(Reason(r["kind"], _readable(r["params"], lang)), lang, taxonomy) for r in raw]


def _readable(params: dict, lang: str) -> dict:
    """Name a province instead of showing its code (the engine only knows the code)."""
    if params.get("name") == "province":
        return {**params, "value": province_name(params.get("value"), lang)}
    return params


def present(session: Session, rows: list[MatchResult], lang: str) -> list[MatchView]:
    """Resolve stored matches to what a page shows, dropping targets that are no longer visible."""
    out = []
    for row in rows:
        kind, obj_id = parse_ref(row.target_ref)
        show = DISPLAYERS.get(kind)
        info = show(session, obj_id) if show else None
        if info is None:
            continue
        raw = json.loads(row.reasons or "[]")
        out.append(MatchView(ref=row.target_ref, kind=kind, score=row.score, title=info["title"],
                             url=info.get("url"), subtitle=info.get("subtitle", ""),
                             reasons=render_reasons(raw, lang), reason_data=raw))
    return out


def matches_for(session: Session, source_ref: str, lang: str, kinds=None, limit: int = 10) -> list[MatchView]:
    """Return the presentable matches of a listing, best first."""
    return present(session, stored_matches(session, source_ref, kinds, limit * 2), lang)[:limit]
