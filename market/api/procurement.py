"""JSON API for public procurement: tenders, questions, sealed bids, opening, evaluation, award, contract."""
from __future__ import annotations

from flask import Response, current_app, jsonify, request, url_for

from .. import db
from .. import procurement_documents  # noqa: F401  (registers the tender matching builder)
from ..i18n import _l
from ..errors import NotAuthenticated, ValidationError
from ..models.procurement import Bid, Tender, TenderMethod
from ..services import bids as bid_service
from ..services import evaluation, questions
from ..services import tenders as tender_service
from ..services.procurement_authz import can_create_tender
from . import ROUTES, api_user, route

TAGS = ("procurement",)
_TIME = {"type": "string", "description": "ISO 8601 date-time; UTC when no offset is given"}
_MONEY = {"type": ["integer", "string"], "description": "đồng, a whole number"}
_PCT = {"type": ["number", "string", "null"], "description": "percent, 0 to 100"}
LOT = {"type": "object", "required": ["title", "estimated_value"],
       "properties": {"title": {"type": "string", "maxLength": 300}, "description": {"type": "string"},
                      "quantity": {"type": ["number", "string"]}, "unit": {"type": "string", "maxLength": 40},
                      "estimated_value": _MONEY},
       "additionalProperties": False}
TENDER_PROPERTIES = {
    "title": {"type": "string", "maxLength": 300},
    "description": {"type": "string", "maxLength": 20000},
    "language": {"type": "string", "enum": ["vi", "en"]},
    "cpv_codes": {"type": "array", "items": {"type": "string"}, "description": "CPV 2008 codes"},
    "method": {"type": "string", "enum": [m.value for m in TenderMethod]},
    "province": {"type": "string", "description": "province code (see market.provinces) or name"},
    "enquiry_end": _TIME, "tender_end": _TIME, "opening_at": _TIME,
    "award_criteria": {"type": "string", "enum": ["lowest_price", "price_quality"]},
    "price_weight": {"type": ["integer", "string", "null"]}, "quality_weight": {"type": ["integer", "string", "null"]},
    "domestic_margin_pct": _PCT, "domestic_threshold_pct": _PCT,
    "sme_set_aside": {"type": "boolean"},
    "lots": {"type": "array", "items": LOT},
}
CREATE_TENDER = {"type": "object",
                 "required": ["title", "cpv_codes", "province", "enquiry_end", "tender_end", "opening_at", "lots"],
                 "properties": {**TENDER_PROPERTIES,
                                "buyer_id": {"type": "integer", "description": "needed only if you serve several buyers"}},
                 "additionalProperties": False}
UPDATE_TENDER = {"type": "object", "properties": TENDER_PROPERTIES, "additionalProperties": False}
CANCEL = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "maxLength": 2000}},
          "additionalProperties": False}
QUESTION = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "maxLength": 4000}},
            "additionalProperties": False}
ANSWER = {"type": "object", "required": ["answer"], "properties": {"answer": {"type": "string", "maxLength": 8000}},
          "additionalProperties": False}
_REFUSED = {"description": "refused: the receipt time is always the server's"}
BID_PROPERTIES = {
    "lots": {"type": "array", "items": {"type": "object", "required": ["lot_id", "price"],
                                        "properties": {"lot_id": {"type": ["integer", "string"]},
                                                       "price": {"type": ["integer", "number", "string"]}}}},
    "domestic_content_pct": _PCT,
    "delivery_days": {"type": ["integer", "string"]},
    "technical_proposal": {"type": "string", "maxLength": 20000},
    "submitted_at": _REFUSED, "received_at": _REFUSED,
}
CREATE_BID = {"type": "object", "required": ["lots", "domestic_content_pct", "delivery_days", "technical_proposal"],
              "properties": {**BID_PROPERTIES, "bidder_id": {"type": "integer"}}, "additionalProperties": False}
UPDATE_BID = {"type": "object", "properties": BID_PROPERTIES, "additionalProperties": False}
QUALIFY = {"type": "object", "required": ["qualified"],
           "properties": {"qualified": {"type": "boolean"}, "reason": {"type": "string", "maxLength": 4000},
                          "quality_scores": {"type": "object", "description": "lot id -> score 0..100",
                                             "additionalProperties": {"type": ["number", "string"]}}},
           "additionalProperties": False}
QUALITY = {"type": "object", "required": ["quality_scores"],
           "properties": {"quality_scores": {"type": "object", "additionalProperties": {"type": ["number", "string"]}}},
           "additionalProperties": False}
AWARD = {"type": "object", "required": ["bid_id", "justification"],
         "properties": {"bid_id": {"type": "integer"}, "lot_id": {"type": ["integer", "null"]},
                        "justification": {"type": "string", "maxLength": 8000}},
         "additionalProperties": False}
CONTRACT = {"type": "object", "properties": {"value": _MONEY, "period_start": _TIME, "period_end": _TIME},
            "additionalProperties": False}


def _iso(dt):
    return dt.isoformat() if dt else None


def _doc(f, url: str | None) -> dict:
    return {"id": f.id, "filename": f.filename, "content_type": f.content_type, "size": f.size, "sha256": f.sha256,
            "version": f.version, "uploaded_at": _iso(f.created_at), "url": url}


def tender_json(tender: Tender, user=None, full: bool = True) -> dict:
    """The public view of a tender (plus the opening record, evaluation and awards once bids are opened)."""
    out = {
        "id": tender.id, "ocid": tender.ocid, "title": tender.title, "description": tender.description,
        "language": tender.language, "status": tender.status.value, "method": tender.method.value,
        "buyer": {"id": tender.buyer_id, "name": tender.buyer.name}, "cpv_codes": list(tender.cpv_codes or []),
        "province": tender.province, "enquiry_end": _iso(tender.enquiry_end), "tender_end": _iso(tender.tender_end),
        "opening_at": _iso(tender.opening_at), "award_criteria": tender.award_criteria.value,
        "price_weight": tender.price_weight, "quality_weight": tender.quality_weight,
        "domestic_margin_pct": tender.domestic_margin_pct, "domestic_threshold_pct": tender.domestic_threshold_pct,
        "sme_set_aside": tender.sme_set_aside, "amendment": tender.amendment, "estimated_value": tender.estimated_value,
        "published_at": _iso(tender.published_at), "opened_at": _iso(tender.opened_at),
        "lots": [{"id": lot.id, "number": lot.number, "title": lot.title, "description": lot.description,
                  "quantity": lot.quantity, "unit": lot.unit, "estimated_value": lot.estimated_value}
                 for lot in tender.lots],
        "url": url_for("procurement.notice", tender_id=tender.id, _external=True),
    }
    if not full:
        return out
    session = db.session()
    out["documents"] = [_doc(f, url_for("api.procurement_tender_document", tender_id=tender.id, file_id=f.id,
                                        _external=True))
                        for f in tender_service.tender_documents(session, user, tender.id)]
    out["questions"] = questions.public_questions(tender)
    out["changes"] = [{"number": c.number, "kind": c.kind, "summary": c.summary, "material": c.material,
                       "date": _iso(c.changed_at)} for c in tender.changes]
    out["opening_record"] = bid_service.opening_record(tender) if tender.opened_at else None
    if tender.opened_at:
        out["evaluation"] = [{"bid_id": v.bid_id, "bidder": v.bid.bidder.name, "lot_id": v.lot_id, "price": v.price,
                              "evaluated_price": v.evaluated_price, "margin_applied": v.margin_applied,
                              "quality_score": v.quality_score, "score": v.score, "rank": v.rank,
                              "status": v.bid.status.value, "reason": v.bid.qualification_reason}
                             for b in tender.bids for v in b.lot_values]
    out["awards"] = [{"id": a.id, "lot_id": a.lot_id, "bid_id": a.bid_id, "supplier": a.supplier.name,
                      "supplier_id": a.supplier_id, "value": a.value, "justification": a.justification,
                      "status": a.status.value, "date": _iso(a.awarded_at), "standstill_end": _iso(a.standstill_end)}
                     for a in tender.awards]
    out["contracts"] = [{"id": c.id, "award_id": c.award_id, "supplier": c.supplier.name, "value": c.value,
                         "signed_at": _iso(c.signed_at), "period_start": _iso(c.period_start),
                         "period_end": _iso(c.period_end)} for c in tender.contracts]
    return out


def bid_json(bid: Bid, content: dict | None = None) -> dict:
    """A bid's envelope (status, receipts) and, for those allowed to read it, its content."""
    out = {"id": bid.id, "tender_id": bid.tender_id, "bidder": {"id": bid.bidder_id, "name": bid.bidder.name},
           "status": bid.status.value, "version": bid.version, "submitted_at": _iso(bid.submitted_at),
           "content_hash": bid.content_hash,
           "receipts": [{"code": r.code, "version": r.version, "action": r.action, "received_at": _iso(r.received_at),
                         "content_hash": r.content_hash} for r in bid.receipts]}
    if content is not None:
        out["content"] = {k: v for k, v in content.items() if k != "nonce"}
    if bid.revealed is not None:
        out["hash_verified"] = bid.hash_verified
        out["total_price"] = bid.total_price
        out["qualification_reason"] = bid.qualification_reason
    return out


def _reader():
    """The caller, or None without a valid token: the sealed-bid services audit anonymous attempts, then 401."""
    try:
        return api_user(optional=True)
    except NotAuthenticated:
        return None


def _origin() -> dict[str, str]:
    return {"ip": request.remote_addr or "", "route": f"{request.method} {request.path}"}


def _needs_token(view):
    """Document the route registered just before (the @route below) as needing a bearer token.

    Its view checks the caller itself instead of letting @route answer 401 early, so that anonymous attempts
    to read sealed data reach the service and are audited.
    """
    ROUTES[-1].auth = True
    return view


def _idempotency_key() -> str | None:
    key = (request.headers.get("Idempotency-Key") or "").strip()
    return key[:100] or None


@route("/tenders", ("POST",), summary="Create a draft tender (send an Idempotency-Key header to make retries safe)",
       auth=True, body=CREATE_TENDER, tags=TAGS,
       gate=(can_create_tender, _l("Only procurement officers of a public buyer may create tenders.")),
       responses={201: "Created (or the tender created earlier with the same Idempotency-Key)",
                  403: "Not a procurement officer", 422: "Field errors"})
def procurement_create_tender(data):
    user = api_user()
    tender = tender_service.create_tender(db.session(), user, data, config=current_app.config,
                                          idempotency_key=_idempotency_key())
    return jsonify(tender_json(tender, user)), 201


@route("/tenders", summary="Search published tenders", tags=TAGS,
       query={"q": "words in the title or description", "cpv": "CPV code prefix, e.g. 9040",
              "province": "province code or name", "status": "a tender status, or 'active'",
              "page": "page number", "per_page": "results per page (max 100, default 20)"})
def procurement_list_tenders():
    user = api_user(optional=True)
    page = request.args.get("page", 1, type=int) or 1
    per_page = min(max(request.args.get("per_page", 20, type=int) or 20, 1), 100)
    items, total = tender_service.search_tenders(
        db.session(), words=request.args.get("q") or None, cpv=request.args.get("cpv") or None,
        province=request.args.get("province") or None, status=request.args.get("status") or None,
        page=page, per_page=per_page)
    return jsonify({"items": [tender_json(t, user, full=False) for t in items], "total": total, "page": page,
                    "per_page": per_page})


@route("/tenders/<int:tender_id>", summary="One tender notice (drafts only for the buyer's officers)", tags=TAGS,
       responses={404: "No such tender"})
def procurement_get_tender(tender_id: int):
    user = api_user(optional=True)
    return jsonify(tender_json(tender_service.get_tender(db.session(), user, tender_id), user))


@route("/tenders/<int:tender_id>", ("PATCH",), summary="Amend a tender (buyer's officers; a material change during "
       "tendering invalidates submitted bids, and a change close to the deadline extends it)", auth=True,
       body=UPDATE_TENDER, tags=TAGS, responses={403: "Not the buyer's officer", 409: "Not changeable now",
                                                 422: "Field errors"})
def procurement_update_tender(tender_id: int, data):
    user = api_user()
    tender = tender_service.update_tender(db.session(), user, tender_id, data, config=current_app.config)
    return jsonify(tender_json(tender, user))


@route("/tenders/<int:tender_id>/publish", ("POST",), summary="Publish a draft tender (opens the enquiry period)",
       auth=True, tags=TAGS, responses={403: "Not the buyer's officer", 409: "Not a draft", 422: "Periods too short"})
def procurement_publish_tender(tender_id: int):
    user = api_user()
    tender = tender_service.publish_tender(db.session(), user, tender_id, config=current_app.config)
    return jsonify(tender_json(tender, user))


@route("/tenders/<int:tender_id>/cancel", ("POST",), summary="Cancel a tender with a public reason", auth=True,
       body=CANCEL, tags=TAGS, responses={403: "Not the buyer's officer", 409: "Not cancellable"})
def procurement_cancel_tender(tender_id: int, data):
    user = api_user()
    return jsonify(tender_json(tender_service.cancel_tender(db.session(), user, tender_id, data["reason"]), user))


@route("/tenders/<int:tender_id>/documents", ("POST",), summary="Add a tender document (multipart field 'file': "
       "PDF, DOCX, XLSX or ODT; a same-named upload becomes a new version)", auth=True, tags=TAGS,
       responses={201: "Stored", 403: "Not the buyer's officer", 422: "Wrong type, content or size"})
def procurement_add_tender_document(tender_id: int):
    user = api_user()
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError({"file": "Send the document in the multipart field 'file'."})
    stored = tender_service.add_tender_document(db.session(), current_app.config, user, tender_id, upload.read(),
                                                upload.filename or "")
    return jsonify(_doc(stored, url_for("api.procurement_tender_document", tender_id=tender_id, file_id=stored.id,
                                        _external=True))), 201


@route("/tenders/<int:tender_id>/documents/<int:file_id>", summary="Download a tender document", tags=TAGS)
def procurement_tender_document(tender_id: int, file_id: int):
    stored, data = tender_service.read_tender_document(db.session(), current_app.config, api_user(optional=True),
                                                       tender_id, file_id)
    return Response(data, mimetype=stored.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{stored.filename}"'})


@route("/tenders/<int:tender_id>/questions", ("POST",), summary="Ask a question during the enquiry period "
       "(published with an opaque pseudonym)", auth=True, body=QUESTION, tags=TAGS,
       responses={201: "Asked", 403: "Not a supplier representative", 409: "Enquiry period over"})
def procurement_ask_question(tender_id: int, data):
    q = questions.ask_question(db.session(), api_user(), tender_id, data["text"])
    return jsonify({"id": q.id, "tender_id": q.tender_id, "asker": q.pseudonym, "text": q.text}), 201


@route("/questions/<int:question_id>/answer", ("POST",), summary="Answer a question publicly (buyer's officers)",
       auth=True, body=ANSWER, tags=TAGS, responses={403: "Not the buyer's officer", 409: "Too late"})
def procurement_answer_question(question_id: int, data):
    q = questions.answer_question(db.session(), api_user(), question_id, data["answer"])
    return jsonify({"id": q.id, "tender_id": q.tender_id, "asker": q.pseudonym, "text": q.text, "answer": q.answer,
                    "answered_at": _iso(q.answered_at)})


@route("/tenders/<int:tender_id>/bids", ("POST",), summary="Submit a sealed bid (server time and sha256 commitment "
       "on the receipt; send an Idempotency-Key header to make retries safe)", auth=True, body=CREATE_BID, tags=TAGS,
       responses={201: "Received", 403: "Not a supplier representative", 409: "Not accepting bids (deadline)",
                  422: "Field errors"})
def procurement_submit_bid(tender_id: int, data):
    user = api_user()
    session = db.session()
    bid = bid_service.submit_bid(session, user, tender_id, data, config=current_app.config,
                                 idempotency_key=_idempotency_key())
    _, content = bid_service.read_bid(session, user, bid.id, config=current_app.config, channel="api")
    return jsonify(bid_json(bid, content)), 201


@_needs_token
@route("/tenders/<int:tender_id>/bids", summary="A tender's bids: 403 before the opening time (attempts are "
       "audited); afterwards for the buyer's officers and administrators", tags=TAGS,
       responses={401: "No valid bearer token (the attempt is audited)", 403: "Sealed until opening"})
def procurement_list_bids(tender_id: int):
    items = bid_service.list_bids(db.session(), _reader(), tender_id, channel="api", origin=_origin())
    return jsonify({"items": [bid_json(b, b.revealed) for b in items]})


@route("/tenders/<int:tender_id>/opening", summary="The public opening record (bidders, prices, receipt times)",
       tags=TAGS, responses={404: "No such tender"})
def procurement_opening_record(tender_id: int):
    tender = tender_service.get_tender(db.session(), api_user(optional=True), tender_id)
    return jsonify({"tender_id": tender.id, "opened_at": _iso(tender.opened_at),
                    "bids": bid_service.opening_record(tender)})


@route("/bids", summary="My organisations' bids", auth=True, tags=TAGS)
def procurement_my_bids():
    user = api_user()
    return jsonify({"items": [bid_json(b) for b in bid_service.my_bids(db.session(), user)]})


@_needs_token
@route("/bids/<int:bid_id>", summary="One bid: the bidder always; the buyer and administrators after opening; "
       "every refused attempt is audited", tags=TAGS,
       responses={401: "No valid bearer token (the attempt is audited)", 403: "Sealed", 404: "No such bid"})
def procurement_get_bid(bid_id: int):
    bid, content = bid_service.read_bid(db.session(), _reader(), bid_id, config=current_app.config, channel="api",
                                        origin=_origin())
    return jsonify(bid_json(bid, content))


@route("/bids/<int:bid_id>", ("PATCH",), summary="Change (or re-confirm) a bid before the deadline; new receipt",
       auth=True, body=UPDATE_BID, tags=TAGS, responses={403: "Not the bidder", 409: "Deadline passed",
                                                        422: "Field errors"})
def procurement_change_bid(bid_id: int, data):
    user = api_user()
    session = db.session()
    bid = bid_service.change_bid(session, user, bid_id, data, config=current_app.config, channel="api")
    _, content = bid_service.read_bid(session, user, bid.id, config=current_app.config, channel="api")
    return jsonify(bid_json(bid, content))


@route("/bids/<int:bid_id>/confirm", ("POST",), summary="Re-confirm a bid invalidated by a material change",
       auth=True, tags=TAGS, responses={403: "Not the bidder", 409: "Nothing to confirm or deadline passed"})
def procurement_confirm_bid(bid_id: int):
    bid = bid_service.confirm_bid(db.session(), api_user(), bid_id, config=current_app.config, channel="api")
    return jsonify(bid_json(bid))


@route("/bids/<int:bid_id>", ("DELETE",), summary="Withdraw a bid before the deadline", auth=True, tags=TAGS,
       responses={403: "Not the bidder", 409: "Deadline passed"})
def procurement_withdraw_bid(bid_id: int):
    bid = bid_service.withdraw_bid(db.session(), api_user(), bid_id, channel="api")
    return jsonify(bid_json(bid))


@route("/bids/<int:bid_id>/documents", ("POST",), summary="Add a bid document (multipart field 'file'); stored "
       "encrypted, part of the sealed content; new receipt", auth=True, tags=TAGS,
       responses={200: "Stored", 403: "Not the bidder", 409: "Deadline passed", 422: "Wrong type or content"})
def procurement_add_bid_document(bid_id: int):
    user = api_user()
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError({"file": "Send the document in the multipart field 'file'."})
    session = db.session()
    bid = bid_service.change_bid(session, user, bid_id, {}, config=current_app.config, channel="api",
                                 documents=[(upload.filename or "", upload.read())])
    _, content = bid_service.read_bid(session, user, bid.id, config=current_app.config, channel="api")
    return jsonify(bid_json(bid, content))


@_needs_token
@route("/bids/<int:bid_id>/documents/<int:file_id>", summary="Download a bid document (bidder; buyer after opening; "
       "every refused attempt is audited)", tags=TAGS,
       responses={401: "No valid bearer token (the attempt is audited)", 403: "Sealed"})
def procurement_bid_document(bid_id: int, file_id: int):
    stored, data = bid_service.read_bid_document(db.session(), _reader(), file_id, config=current_app.config,
                                                 channel="api", origin=_origin())
    if stored.owner_id != bid_id:
        raise ValidationError({"file_id": "This document belongs to another bid."})
    return Response(data, mimetype=stored.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{stored.filename}"'})


@route("/tenders/<int:tender_id>/bids/<int:bid_id>/qualification", ("POST",), summary="Qualify or disqualify an "
       "opened bid (a reason is required to disqualify); optional quality scores per lot", auth=True, body=QUALIFY,
       tags=TAGS, responses={403: "Not the buyer's officer", 409: "Wrong state", 422: "Field errors"})
def procurement_qualify_bid(tender_id: int, bid_id: int, data):
    user = api_user()
    session = db.session()
    if data.get("quality_scores"):
        evaluation.set_quality_scores(session, user, tender_id, bid_id, data["quality_scores"])
    bid = evaluation.qualify_bid(session, user, tender_id, bid_id, data["qualified"], data.get("reason", ""))
    return jsonify(bid_json(bid, bid.revealed))


@route("/tenders/<int:tender_id>/bids/<int:bid_id>/quality", ("POST",), summary="Record quality scores per lot "
       "(price + quality tenders)", auth=True, body=QUALITY, tags=TAGS,
       responses={403: "Not the buyer's officer", 409: "Wrong state", 422: "Field errors"})
def procurement_quality_scores(tender_id: int, bid_id: int, data):
    bid = evaluation.set_quality_scores(db.session(), api_user(), tender_id, bid_id, data["quality_scores"])
    return jsonify(bid_json(bid, bid.revealed))


@route("/tenders/<int:tender_id>/award", ("POST",), summary="Award a lot to a qualified bid with a justification "
       "(starts the standstill period; bidders are notified)", auth=True, body=AWARD, tags=TAGS,
       responses={201: "Awarded", 403: "Not the buyer's officer", 409: "Wrong state", 422: "Field errors"})
def procurement_award(tender_id: int, data):
    user = api_user()
    session = db.session()
    award = evaluation.award(session, user, tender_id, data["bid_id"], data["justification"],
                             lot_id=data.get("lot_id"), config=current_app.config)
    return jsonify(tender_json(session.get(Tender, award.tender_id), user)), 201


@route("/awards/<int:award_id>/contract", ("POST",), summary="Record the signed contract after the standstill period",
       auth=True, body=CONTRACT, tags=TAGS, responses={201: "Recorded", 409: "Standstill not over"})
def procurement_sign_contract(award_id: int, data):
    user = api_user()
    session = db.session()
    contract = evaluation.sign_contract(session, user, award_id, data)
    return jsonify(tender_json(session.get(Tender, contract.tender_id), user)), 201

