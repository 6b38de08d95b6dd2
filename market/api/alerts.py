"""Alerts API: the caller's saved searches and notifications (owner only)."""
from __future__ import annotations

from flask import jsonify, request

from .. import db
from ..models.alerts import AlertKind, Frequency
from ..services import alerts as service
from ..services import notifications
from . import api_user, route

_LIST = {"type": "array", "items": {"type": "string", "maxLength": 80}, "maxItems": 20}
SUBSCRIPTION_SCHEMA = {
    "type": "object",
    "required": ["kind"],
    "properties": {
        "name": {"type": "string", "maxLength": 200},
        "kind": {"type": "string", "enum": [k.value for k in AlertKind]},
        "frequency": {"type": "string", "enum": [f.value for f in Frequency]},
        "words": {"type": "string", "maxLength": 500,
                  "description": "all words must appear; Vietnamese diacritics optional"},
        "categories": {**_LIST, "description": "catalogue category codes, e.g. wastewater"},
        "cpv_prefixes": {**_LIST, "description": "CPV codes or their first 2-8 digits, e.g. 9040"},
        "provinces": {**_LIST, "description": "province codes or names, e.g. ha-noi"},
    },
    "additionalProperties": False,
}
READ_SCHEMA = {
    "type": "object",
    "properties": {"ids": {"type": "array", "items": {"type": "integer"}, "maxItems": 500,
                           "description": "omit to mark all read"}},
    "additionalProperties": False,
}


@route("/subscriptions", summary="Your saved searches", auth=True, tags=("alerts",))
def list_subscriptions():
    subs = service.list_subscriptions(db.session(), api_user())
    return jsonify({"items": [service.serialise(s) for s in subs]})


@route("/subscriptions", ("POST",), summary="Save a search (alerts for new tenders, needs, offers or products)",
       auth=True, body=SUBSCRIPTION_SCHEMA, tags=("alerts",), responses={201: "Created", 422: "Field errors"})
def create_subscription(data):
    sub = service.create_subscription(db.session(), api_user(), data)
    return jsonify(service.serialise(sub)), 201


@route("/subscriptions/<int:sub_id>", summary="One of your saved searches", auth=True, tags=("alerts",),
       responses={404: "Not yours or missing"})
def get_subscription(sub_id: int):
    return jsonify(service.serialise(service.get_own(db.session(), api_user(), sub_id)))


@route("/subscriptions/<int:sub_id>", ("PUT",), summary="Replace one of your saved searches", auth=True,
       body=SUBSCRIPTION_SCHEMA, tags=("alerts",), responses={404: "Not yours or missing", 422: "Field errors"})
def update_subscription(sub_id: int, data):
    return jsonify(service.serialise(service.update_subscription(db.session(), api_user(), sub_id, data)))


@route("/subscriptions/<int:sub_id>", ("DELETE",), summary="Delete one of your saved searches", auth=True,
       tags=("alerts",), responses={204: "Deleted", 404: "Not yours or missing"})
def delete_subscription(sub_id: int):
    service.delete_subscription(db.session(), api_user(), sub_id)
    return "", 204


@route("/notifications", summary="Your notifications, newest first, with the unread count", auth=True,
       query={"unread": "1 for unread only", "limit": "at most 200 (default 50)"}, tags=("alerts",))
def list_notifications():
    session = db.session()
    user = api_user()
    limit = request.args.get("limit", "50")
    items = notifications.list_for(session, user, unread_only=request.args.get("unread") in ("1", "true"),
                                   limit=int(limit) if limit.isdigit() else 50)
    return jsonify({"unread": notifications.unread_count(session, user),
                    "items": [notifications.serialise(n) for n in items]})


@route("/notifications/read", ("POST",), summary="Mark your notifications read (all, or the ids given)", auth=True,
       body=READ_SCHEMA, tags=("alerts",), responses={200: "Marked", 404: "An id is not yours"})
def read_notifications(data):
    session = db.session()
    user = api_user()
    marked = notifications.mark_read(session, user, data.get("ids"))
    return jsonify({"marked": marked, "unread": notifications.unread_count(session, user)})
