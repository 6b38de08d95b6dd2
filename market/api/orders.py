"""JSON API for direct orders: place, read, and each step of the negotiation."""
from __future__ import annotations

from flask import jsonify, request

from .. import db
from .. import orders_documents  # noqa: F401  (register the matching builder and displayer)
from ..i18n import _l
from ..models.orders import Order, OrderKind, OrderStatus
from ..provinces import PROVINCES
from ..services import orders as service
from . import api_user, route
from .serializers import organisation

_NUMBER_OR_TEXT = {"type": ["integer", "number", "string"]}
PLACE_SCHEMA = {
    "type": "object",
    "required": ["supplier_org_id", "title", "cpv_codes", "quantity", "unit", "price_vnd", "delivery_province",
                 "delivery_date"],
    "properties": {
        "buyer_org_id": {"type": "integer", "description": "needed only when you are an officer of several buyers"},
        "supplier_org_id": {"type": "integer", "description": "a verified domestic enterprise"},
        "kind": {"type": "string", "enum": [k.value for k in OrderKind]},
        "title": {"type": "string", "maxLength": 300},
        "description": {"type": "string", "maxLength": 10000},
        "cpv_codes": {"type": "array", "items": {"type": "string"}, "description": "CPV 2008 codes"},
        "product_ref": {"type": ["string", "integer", "null"], "description": "catalogue product, 'product:<id>'"},
        "quantity": _NUMBER_OR_TEXT,
        "unit": {"type": "string", "maxLength": 40},
        "price_vnd": {**_NUMBER_OR_TEXT, "description": "total price in đồng, a positive whole number"},
        "delivery_province": {"type": "string", "description": "one of " + ", ".join(c for c, _, _ in PROVINCES)},
        "delivery_date": {"type": "string", "description": "YYYY-MM-DD, today or later"},
    },
    "additionalProperties": False,
}
NOTE_SCHEMA = {"type": "object", "properties": {"note": {"type": "string", "maxLength": 2000}},
               "additionalProperties": False}
REASON_SCHEMA = {"type": "object", "properties": {"reason": {"type": "string", "maxLength": 2000}},
                 "additionalProperties": False}
DECLINE_SCHEMA = {**REASON_SCHEMA, "required": ["reason"]}
COUNTER_SCHEMA = {
    "type": "object",
    "properties": {"price_vnd": _NUMBER_OR_TEXT, "delivery_date": {"type": "string"},
                   "note": {"type": "string", "maxLength": 2000}},
    "additionalProperties": False,
}


def order_json(order: Order, user=None) -> dict:
    """Serialise an order for one of its parties."""
    return {
        "id": order.id, "reference": order.reference, "status": order.status.value, "kind": order.kind.value,
        "title": order.title, "description": order.description, "cpv_codes": list(order.cpv_codes or []),
        "product_ref": order.product_ref, "quantity": order.quantity_text,
        "unit": order.unit, "price_vnd": order.price_vnd, "currency": "VND",
        "delivery_province": order.delivery_province, "delivery_date": order.delivery_date.isoformat(),
        "buyer": organisation(order.buyer), "supplier": organisation(order.supplier),
        "counter_offer": None if order.status is not OrderStatus.COUNTERED else {
            "price_vnd": order.counter_price_vnd, "delivery_date": order.counter_delivery_date.isoformat(),
            "note": order.counter_note},
        "decline_reason": order.decline_reason, "cancel_reason": order.cancel_reason,
        "created_at": order.created_at.isoformat(), "updated_at": order.updated_at.isoformat(),
        "actions": service.available_actions(user, order) if user is not None else [],
        "events": [{"action": e.action, "from": e.from_status, "to": e.to_status, "at": e.occurred_at.isoformat(),
                    "by": {"id": e.actor_id, "name": e.actor.name if e.actor else None}, "detail": e.detail or {}}
                   for e in order.events],
    }


@route("/orders", ("POST",), summary="Place a direct order with a domestic supplier (send an Idempotency-Key header "
       "to make retries safe)", auth=True, body=PLACE_SCHEMA, tags=("orders",),
       gate=(service.can_place_order, _l("Only a public buyer's procurement officers can place orders.")),
       responses={201: "Created (or the order placed earlier with the same Idempotency-Key)",
                  403: "Not a procurement officer", 422: "Field errors"})
def place_order(data):
    user = api_user()
    key = (request.headers.get("Idempotency-Key") or "").strip()[:100] or None
    order = service.place_order(db.session(), user, data, idempotency_key=key)
    return jsonify(order_json(order, user)), 201


@route("/orders", summary="Orders your organisations placed or received", auth=True,
       query={"status": "placed, countered, accepted, declined, fulfilled or cancelled"}, tags=("orders",))
def list_orders():
    user = api_user()
    items = service.list_orders(db.session(), user, request.args.get("status") or None)
    return jsonify({"items": [order_json(o, user) for o in items], "total": len(items)})


@route("/orders/<int:order_id>", summary="One order (only its buyer and supplier may read it)", auth=True,
       tags=("orders",), responses={403: "Not a party", 404: "No such order"})
def get_order(order_id: int):
    user = api_user()
    return jsonify(order_json(service.get_order(db.session(), user, order_id), user))


def _step(rule: str, name: str, summary: str, body: dict, call):
    def view(order_id: int, data):
        user = api_user()
        order = call(db.session(), user, order_id, data)
        return jsonify(order_json(order, user))

    view.__name__ = name
    route(rule, ("POST",), summary=summary, auth=True, body=body, tags=("orders",),
          responses={200: "Done", 403: "Not your side of the order", 409: "Not possible in this state",
                     422: "Field errors"})(view)


_step("/orders/<int:order_id>/accept", "accept_order", "Supplier: accept the order", NOTE_SCHEMA,
      lambda s, u, i, d: service.accept(s, u, i, d.get("note", "")))
_step("/orders/<int:order_id>/decline", "decline_order", "Supplier: decline the order with a reason", DECLINE_SCHEMA,
      lambda s, u, i, d: service.decline(s, u, i, d.get("reason", "")))
_step("/orders/<int:order_id>/counter", "counter_order", "Supplier: counter-offer another price and/or date",
      COUNTER_SCHEMA, lambda s, u, i, d: service.counter(s, u, i, d))
_step("/orders/<int:order_id>/accept-counter", "accept_counter_order", "Buyer: accept the counter-offer", NOTE_SCHEMA,
      lambda s, u, i, d: service.accept_counter(s, u, i))
_step("/orders/<int:order_id>/reject-counter", "reject_counter_order", "Buyer: reject the counter-offer", NOTE_SCHEMA,
      lambda s, u, i, d: service.reject_counter(s, u, i, d.get("note", "")))
_step("/orders/<int:order_id>/fulfil", "fulfil_order", "Buyer: confirm delivery", NOTE_SCHEMA,
      lambda s, u, i, d: service.fulfil(s, u, i, d.get("note", "")))
_step("/orders/<int:order_id>/cancel", "cancel_order", "Buyer: cancel the order", REASON_SCHEMA,
      lambda s, u, i, d: service.cancel(s, u, i, d.get("reason", "")))
