"""Matches, recommendations, free-text search and CPV suggestions."""
from __future__ import annotations

from flask import current_app, jsonify, request

from .. import db
from ..errors import ValidationError
from ..i18n import current_language
from ..services import health, org_documents  # noqa: F401  (registers the organisation builder)
from ..services import matching as matching_service
from ..services.match_views import present
from . import api_user, route


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


@route("/cpv/search", summary="Search-as-you-type for CPV codes by code prefix or words (accents optional)",
       tags=("matching",), query={"q": "a code prefix such as 9045, or words such as 'nuoc thai' or 'sewage'",
                                  "lang": "label language: vi or en", "limit": "results, 1-50 (default 10)"})
def cpv_search():
    from ..i18n import LANGUAGES
    from ..services import cpv

    q = (request.args.get("q") or "").strip()
    if not q:
        raise ValidationError({"q": "Type a CPV code prefix or some words."})
    lang = request.args.get("lang") or current_language()
    if lang not in LANGUAGES:
        raise ValidationError({"lang": "Must be one of: " + ", ".join(LANGUAGES) + "."})
    limit = _int_arg("limit", 10, 1, 50)
    # Cut long input: nobody types a 200-character prefix, and the scan is linear in the query's words.
    items = cpv.search(q[:200], lang, limit)
    return jsonify({"query": q[:200], "lang": lang, "items": items})


def _matches_response(source_ref: str, kinds=None):
    """Matches of a listing the caller may see; 404 for listings that are not public."""
    from ..errors import NotFound
    from ..indexing import DISPLAYERS, parse_ref
    from ..services.match_views import matches_for

    session = db.session()
    kind, obj_id = parse_ref(source_ref)
    show = DISPLAYERS.get(kind)
    if show is None or show(session, obj_id) is None:
        raise NotFound("No such published listing.")
    k = _int_arg("k", 10, 1, 50)
    items = matches_for(session, source_ref, current_language(), kinds=kinds, limit=k)
    return jsonify({"source": source_ref, "items": [v.as_dict() for v in items]})


@route("/tenders/<int:tender_id>/matches", summary="Enterprises and products that could supply a tender, with reasons",
       tags=("matching",), query={"k": "results, 1-50"})
def tender_matches(tender_id: int):
    return _matches_response(f"tender:{tender_id}")


@route("/technology-needs/<int:need_id>/matches",
       summary="Patents, technology offers and experts that could answer a technology need, with reasons",
       tags=("matching",), query={"k": "results, 1-50"})
def technology_need_matches(need_id: int):
    return _matches_response(f"technology_need:{need_id}")


@route("/listings/<kind>/<int:obj_id>/matches", summary="Matches of any published listing, with reasons",
       tags=("matching",), query={"k": "results, 1-50"})
def listing_matches(kind: str, obj_id: int):
    return _matches_response(f"{kind}:{obj_id}")


@route("/me/recommendations", summary="Open tenders and needs your organisations could serve, with reasons",
       auth=True, tags=("matching",), query={"k": "results, 1-50"})
def my_recommendations():
    from ..services.recommendations import recommendations

    k = _int_arg("k", 10, 1, 50)
    items = recommendations(db.session(), api_user(), current_language(), limit=k)
    return jsonify({"items": [v.as_dict() for v in items]})


@route("/tenders/<int:tender_id>/invitations", ("POST",), summary="Invite a matched enterprise to bid on your tender",
       auth=True, tags=("matching",), responses={201: "Invited"},
       body={"type": "object", "required": ["organisation_id"], "additionalProperties": False,
             "properties": {"organisation_id": {"type": "integer"}, "note": {"type": "string", "maxLength": 1000}}})
def invite_supplier(tender_id: int, data):
    from flask import url_for

    from ..services.invitations import invite

    from werkzeug.routing import BuildError

    try:
        link = url_for("procurement.notice", tender_id=tender_id, _external=True)
    except BuildError:
        link = None
    inv = invite(db.session(), api_user(), tender_id, data["organisation_id"], data.get("note", ""), tender_url=link)
    return jsonify({"id": inv.id, "tender_id": inv.tender_id, "organisation_id": inv.organisation_id}), 201
