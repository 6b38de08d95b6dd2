"""Matches, recommendations, free-text search and CPV suggestions."""
from __future__ import annotations

from flask import current_app, jsonify, request

from .. import db
from ..errors import ValidationError
from ..i18n import current_language
from ..services import health
from ..services import matching as matching_service
from ..services.match_views import present
from . import route


def _index_probe(session) -> dict:
    config = session.info["config"]
    return matching_service.runtime_for(config).status() | matching_service.index_lag(session)


health.PROBES["index"] = _index_probe


def _int_arg(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: f"Must be a whole number between {lo} and {hi}."}) from None
    if not lo <= value <= hi:
        raise ValidationError({name: f"Must be a whole number between {lo} and {hi}."})
    return value


@route("/search", summary="Free-text semantic search over published listings", tags=("matching",),
       query={"q": "what you need or offer, in Vietnamese or English (cut at 2,000 characters)",
              "kinds": "comma-separated kinds, e.g. tender,product,patent", "k": "results, 1-50"})
def search():
    from matching.engine import MAX_QUERY_CHARS

    q = (request.args.get("q") or "").strip()
    if not q:
        raise ValidationError({"q": "Enter some words describing what you need or offer."})
    kinds = [k for k in (request.args.get("kinds") or "").split(",") if k] or None
    k = _int_arg("k", 10, 1, 50)
    session = db.session()
    runtime = matching_service.runtime_for(current_app.config)
    found = runtime.search(session, q[:MAX_QUERY_CHARS], kinds=kinds, lang=None, k=k)
    rows = [_as_row(m) for m in found]
    return jsonify({"query": q[:MAX_QUERY_CHARS], "truncated": len(q) > MAX_QUERY_CHARS,
                    "items": [v.as_dict() for v in present(session, rows, current_language())]})


def _as_row(m):
    import json

    from ..models.matching import MatchResult

    return MatchResult(source_ref="search", target_ref=m.ref, target_kind=m.kind, rank=0, score=m.score,
                       reasons=json.dumps([{"kind": r.kind, "params": r.params} for r in m.reasons], default=str))


@route("/cpv/suggest", summary="Suggest CPV codes for any text", tags=("matching",),
       query={"text": "a description in Vietnamese or English", "k": "suggestions, 1-30", "lang": "label language"})
def cpv_suggest():
    from ..services import cpv

    text = (request.args.get("text") or "").strip()
    if not text:
        raise ValidationError({"text": "Enter a description to get CPV suggestions."})
    lang = request.args.get("lang") or current_language()
    k = _int_arg("k", 10, 1, 30)
    result = cpv.suggest(current_app.config, text, lang, k)
    return jsonify(result)
