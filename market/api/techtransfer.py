"""JSON API for the techtransfer area: listings of five kinds, review, expressions of interest, threads, deals."""
from __future__ import annotations

from flask import Response, jsonify, request

from .. import db, techtransfer_documents  # noqa: F401  (registers matching builders and displayers)
from ..errors import ValidationError
from ..models.techtransfer import SUB_SECTORS, DealType, LegalStatus, OfferType, TechnologyType
from ..services import courses, experts, interest, listings, patent_numbers
from . import api_user, route

# URL segment -> kind
PLURALS = {"patents": "patent", "technology-needs": "technology_need", "experts": "expert", "courses": "course",
           "personnel-needs": "personnel_need"}
_STR = {"type": "string"}
_INT = {"type": "integer"}
_DATE = {"type": "string", "description": "YYYY-MM-DD"}
_STRS = {"type": "array", "items": {"type": "string"}}
_BOOL = {"type": "boolean"}
COMMON = {
    "title": {"type": "string", "maxLength": 300}, "description": {"type": "string", "maxLength": 10000},
    "sub_sector": {"type": "string", "enum": list(SUB_SECTORS)}, "cpv_codes": _STRS,
    "province": {"type": "string", "description": "province code or name"},
    "language": {"type": "string", "enum": ["vi", "en"]}, "anonymous": _BOOL,
    "organisation_id": _INT, "submit": {"type": "boolean", "description": "send for review at once"},
}
OWN = {
    "patent": {"technology_type": {"type": "string", "enum": [t.value for t in TechnologyType]},
               "office": {"type": "string", "description": "one of " + ", ".join(patent_numbers.OFFICES)},
               "patent_number": {"type": "string", "description": "e.g. VN 1-0012345, WO2019/123456, EP1234567"},
               "ipc_codes": {"type": "array", "items": _STR, "description": "IPC codes such as C02F 3/28"},
               "legal_status": {"type": "string", "enum": [s.value for s in LegalStatus]},
               "filing_date": _DATE, "expiry_date": _DATE,
               "offer_type": {"type": "string", "enum": [o.value for o in OfferType]},
               "trl": {"type": "integer", "description": "technology readiness level 1-9"},
               "asking_price": {"type": "integer", "description": "VND"}, "royalty_terms": _STR},
    "technology_need": {"desired_trl": _INT, "budget_min": _INT, "budget_max": _INT, "deadline": _DATE,
                        "wants_licence": _BOOL, "wants_purchase": _BOOL, "wants_expert": _BOOL},
    "expert": {"is_organisation": _BOOL,
               "expertise_areas": {"type": "array", "items": {"type": "string", "enum": list(SUB_SECTORS)}},
               "services": {"type": "array", "items": {"type": "string", "enum": list(experts.SERVICES)}},
               "day_rate": _INT, "languages": _STRS, "regions": _STRS, "certifications": _STRS,
               "availability": _STR},
    "course": {"topic": {"type": "string", "maxLength": 200, "description": "what the course teaches"},
               "format": {"type": "string", "enum": list(courses.FORMATS)}, "start_date": _DATE,
               "end_date": _DATE, "capacity": _INT, "price": _INT},
    "personnel_need": {"skills": _STRS, "headcount": _INT, "deadline": _DATE},
}
FILTER_QUERY = {"q": "words in the title or description", "sub_sector": ", ".join(SUB_SECTORS),
                "ipc": "IPC prefix, e.g. C02F", "cpv": "CPV prefix, e.g. 9040", "trl_min": "1-9", "trl_max": "1-9",
                "offer_type": "patents only", "price_min": "VND", "price_max": "VND", "province": "province code",
                "language": "vi or en (experts: spoken language)"}


def _schema(kind: str) -> dict:
    return {"type": "object", "properties": COMMON | OWN[kind], "additionalProperties": False}


def _one(listing) -> dict:
    return listings.public_dict(db.session(), api_user(optional=True), listing)


def _make_routes(plural: str, kind: str) -> None:
    def create_listing(data):
        body = dict(data)
        submit = bool(body.pop("submit", False))
        listing = listings.create(db.session(), api_user(), kind, body, submit=submit)
        return jsonify(_one(listing)), 201

    def list_listings():
        session = db.session()
        user = api_user(optional=True)
        found = listings.search(session, kind, request.args.to_dict())
        return jsonify({"items": [listings.public_dict(session, user, x) for x in found]})

    def get_listing(listing_id: int):
        session = db.session()
        return jsonify(_one(listings.get(session, api_user(optional=True), listing_id, kind)))

    def update_listing(listing_id: int, data):
        session = db.session()
        listings.get(session, api_user(), listing_id, kind)
        return jsonify(_one(listings.update(session, api_user(), listing_id, data)))

    for fn in (create_listing, list_listings, get_listing, update_listing):
        fn.__name__ = f"{fn.__name__}_{kind}"
    label = kind.replace("_", " ")
    route(f"/{plural}", ("POST",), summary=f"Create a {label} listing (draft, or submit=true for review)",
          auth=True, body=_schema(kind), tags=("techtransfer",), responses={201: "Created", 422: "Field errors"}
          )(create_listing)
    route(f"/{plural}", ("GET",), summary=f"Search published {label} listings", query=FILTER_QUERY,
          tags=("techtransfer",))(list_listings)
    route(f"/{plural}/<int:listing_id>", ("GET",), summary=f"One {label} listing", tags=("techtransfer",),
          responses={404: "Not found or not visible"})(get_listing)
    route(f"/{plural}/<int:listing_id>", ("PATCH",), summary=f"Change your {label} listing", auth=True,
          body=_schema(kind), tags=("techtransfer",), responses={403: "Not the owner"})(update_listing)


for _plural, _kind in PLURALS.items():
    _make_routes(_plural, _kind)


@route("/listings/mine", summary="Listings of your organisations, any state", auth=True, tags=("techtransfer",))
def my_listings():
    session = db.session()
    user = api_user()
    return jsonify({"items": [listings.public_dict(session, user, x) for x in listings.mine(session, user)]})


def _state_route(action: str, fn_service, summary: str):
    def view(listing_id: int):
        return jsonify(_one(fn_service(db.session(), api_user(), listing_id)))

    view.__name__ = f"listing_{action}"
    route(f"/listings/<int:listing_id>/{action}", ("POST",), summary=summary, auth=True, tags=("techtransfer",),
          responses={409: "Not allowed in this state"})(view)


_state_route("submit", listings.submit, "Send a listing for review")
_state_route("withdraw", listings.withdraw, "Withdraw a listing")
_state_route("renew", listings.renew, "Keep a published listing for another period")


@route("/listings/<int:listing_id>/documents", ("POST",), summary="Attach a document (multipart field 'file')",
       auth=True, tags=("techtransfer",), responses={201: "Stored", 422: "Empty, too large or wrong type"})
def listing_document_upload(listing_id: int):
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError({"document": "Send the file in the multipart field 'file'."})
    stored = listings.attach_document(db.session(), api_user(), listing_id, upload.filename or "", upload.read())
    return jsonify({"id": stored.id, "filename": stored.filename, "version": stored.version,
                    "size": stored.size}), 201


@route("/listings/<int:listing_id>/documents", ("GET",), summary="Documents of a listing", tags=("techtransfer",))
def listing_documents(listing_id: int):
    session = db.session()
    listing = listings.get(session, api_user(optional=True), listing_id)
    return jsonify({"items": [{"id": d.id, "filename": d.filename, "version": d.version, "size": d.size,
                               "content_type": d.content_type} for d in listings.documents(session, listing)]})


@route("/listings/<int:listing_id>/documents/<int:file_id>", ("GET",), summary="Download a document",
       tags=("techtransfer",))
def listing_document_download(listing_id: int, file_id: int):
    stored, data = listings.document(db.session(), api_user(optional=True), listing_id, file_id)
    return Response(data, mimetype=stored.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{stored.filename}"'})


# ------------------------------------------------------------------ review (administrators)
REJECT_SCHEMA = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}},
                 "additionalProperties": False}


@route("/review/listings", summary="Listings waiting for review (administrators)", auth=True, tags=("techtransfer",))
def review_queue():
    session = db.session()
    user = api_user()
    return jsonify({"items": [listings.public_dict(session, user, x) for x in listings.review_queue(session, user)]})


@route("/review/listings/<int:listing_id>/approve", ("POST",), summary="Publish a listing (administrators)",
       auth=True, tags=("techtransfer",))
def review_approve(listing_id: int):
    return jsonify(_one(listings.approve(db.session(), api_user(), listing_id)))


@route("/review/listings/<int:listing_id>/reject", ("POST",), summary="Reject a listing with a reason",
       auth=True, body=REJECT_SCHEMA, tags=("techtransfer",))
def review_reject(listing_id: int, data):
    return jsonify(_one(listings.reject(db.session(), api_user(), listing_id, data["reason"])))


# ------------------------------------------------------------------ expressions of interest and threads
INTEREST_SCHEMA = {"type": "object", "required": ["message"],
                   "properties": {"message": {"type": "string", "maxLength": 5000}}, "additionalProperties": False}
MESSAGE_SCHEMA = {"type": "object", "required": ["body"], "properties": {"body": {"type": "string", "maxLength": 5000}},
                  "additionalProperties": False}
STATE_SCHEMA = {"type": "object", "required": ["action"],
                "properties": {"action": {"type": "string", "enum": ["accept", "decline", "negotiate", "close"]}},
                "additionalProperties": False}
DEAL_SCHEMA = {"type": "object", "required": ["deal_type", "value_vnd"],
               "properties": {"deal_type": {"type": "string", "enum": [d.value for d in DealType]},
                              "value_vnd": {"type": "integer"}, "deal_date": _DATE},
               "additionalProperties": False}
ENROL_SCHEMA = {"type": "object", "required": ["participants"],
                "properties": {"participants": _INT, "message": {"type": "string", "maxLength": 2000}},
                "additionalProperties": False}


@route("/listings/<kind>/<int:listing_id>/interest", ("POST",), auth=True, body=INTEREST_SCHEMA,
       summary="Express interest: open a private thread with the listing's owner", tags=("techtransfer",),
       responses={201: "Thread created", 404: "No such published listing", 409: "Own listing or already open"})
def express_interest(kind: str, listing_id: int, data):
    kind = PLURALS.get(kind, kind)
    session = db.session()
    user = api_user()
    thread = interest.express_interest(session, user, listing_id, data["message"], kind=kind)
    return jsonify(interest.thread_dict(session, user, thread)), 201


@route("/threads", summary="Your conversations", auth=True, tags=("techtransfer",))
def threads():
    session = db.session()
    user = api_user()
    return jsonify({"items": [interest.thread_dict(session, user, t) for t in interest.threads_for(session, user)]})


@route("/threads/<int:thread_id>", summary="One conversation (its two parties only)", auth=True,
       tags=("techtransfer",), responses={404: "Not a party"})
def thread(thread_id: int):
    session = db.session()
    user = api_user()
    t = interest.get_thread(session, user, thread_id)
    return jsonify(interest.thread_dict(session, user, t) | {"messages": interest.message_dicts(session, user, t)})


@route("/threads/<int:thread_id>/messages", ("GET",), summary="Messages of a conversation", auth=True,
       tags=("techtransfer",), responses={404: "Not a party"})
def thread_messages(thread_id: int):
    session = db.session()
    user = api_user()
    t = interest.get_thread(session, user, thread_id)
    return jsonify({"items": interest.message_dicts(session, user, t)})


@route("/threads/<int:thread_id>/messages", ("POST",), summary="Send a message", auth=True, body=MESSAGE_SCHEMA,
       tags=("techtransfer",), responses={201: "Sent", 404: "Not a party", 409: "Closed or not accepted yet"})
def thread_post_message(thread_id: int, data):
    session = db.session()
    user = api_user()
    msg = interest.post_message(session, user, thread_id, data["body"])
    return jsonify({"id": msg.id, "body": msg.body, "from_owner": msg.from_owner}), 201


@route("/threads/<int:thread_id>/state", ("POST",), summary="Accept, decline, negotiate or close", auth=True,
       body=STATE_SCHEMA, tags=("techtransfer",), responses={409: "Not allowed in this state"})
def thread_move(thread_id: int, data):
    session = db.session()
    user = api_user()
    t = interest.move(session, user, thread_id, data["action"])
    return jsonify(interest.thread_dict(session, user, t))


@route("/threads/<int:thread_id>/deal", ("POST",), summary="Record the deal (type, value VND, date)", auth=True,
       body=DEAL_SCHEMA, tags=("techtransfer",), responses={201: "Recorded", 409: "Not negotiating"})
def thread_deal(thread_id: int, data):
    deal = interest.record_deal(db.session(), api_user(), thread_id, data)
    return jsonify({"id": deal.id, "deal_type": deal.deal_type.value, "value_vnd": deal.value_vnd,
                    "deal_date": deal.deal_date.isoformat(), "thread_id": deal.thread_id}), 201


@route("/courses/<int:course_id>/enrolments", ("POST",), summary="Ask to enrol people in a course", auth=True,
       body=ENROL_SCHEMA, tags=("techtransfer",), responses={201: "Requested"})
def course_enrol(course_id: int, data):
    e = courses.request_enrolment(db.session(), api_user(), course_id, data)
    return jsonify({"id": e.id, "status": e.status.value, "participants": e.participants}), 201
