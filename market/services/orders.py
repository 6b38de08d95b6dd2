"""Direct orders: place, accept, decline, counter-offer, settle the counter-offer, fulfil, cancel.

Every step validates first, then changes the order, records an OrderEvent and an audit entry, emails the other
party through the outbox, queues the order for (re)indexing and commits once.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import authz
from ..errors import Conflict, NotFound, ValidationError
from ..i18n import _l
from ..indexing import reindex
from ..models import Membership, Organisation, OrgKind, Role, User, utcnow
from ..models.orders import Order, OrderEvent, OrderKind, OrderStatus
from ..orders_lifecycle import EVENT_PARTY, IllegalTransition, advance, allowed_events
from ..provinces import normalise_province
from . import audit, ocds, outbox
from .idempotency import insert_once

VIETNAM_TZ = timezone(timedelta(hours=7))
MAX_PRICE_VND = 10**15
_PRODUCT_REF = re.compile(r"^(?:product:)?(\d{1,12})$")


def today_in_vietnam() -> date:
    """Return today's date in Vietnam, against which delivery dates are checked."""
    return datetime.now(VIETNAM_TZ).date()


# --- who may do what -------------------------------------------------------------------------------------------

def is_buyer_officer(user: User | None, order: Order) -> bool:
    return authz.has_role_in(user, order.buyer_org_id, Role.PROCUREMENT_OFFICER)


def is_supplier_rep(user: User | None, order: Order) -> bool:
    return authz.has_role_in(user, order.supplier_org_id, Role.SUPPLIER_REPRESENTATIVE)


def can_view_order(user: User | None, order: Order) -> bool:
    """Only the two parties read an order: the buyer's officers and the supplier's representatives."""
    return is_buyer_officer(user, order) or is_supplier_rep(user, order)


def can_fire(user: User | None, order: Order, event: str) -> bool:
    """Say whether the user's side of the order may fire the event (state not considered)."""
    party = EVENT_PARTY.get(event)
    if party == "buyer":
        return is_buyer_officer(user, order)
    return party == "supplier" and is_supplier_rep(user, order)


def buyer_orgs(user: User | None) -> list[Organisation]:
    """Public buyers in which the user may place orders."""
    return [o for o in authz.orgs_where(user, Role.PROCUREMENT_OFFICER) if o.kind is OrgKind.PUBLIC_BUYER]


def can_place_order(user: User | None) -> bool:
    return bool(buyer_orgs(user))


def available_actions(user: User | None, order: Order) -> list[str]:
    """Return the events this user may fire on the order now."""
    return [ev for ev in allowed_events(order.status.value) if can_fire(user, order, ev)]


# --- reading ---------------------------------------------------------------------------------------------------

def get_order(session: Session, user: User | None, order_id: int, *, lock: bool = False) -> Order:
    """Return an order the user may read; NotFound / NotAuthorized otherwise. `lock` holds the row (writes)."""
    authz.require_user(user)
    # FOR UPDATE OF orders only: the eagerly joined organisations sit on the nullable side of an outer join.
    order = session.get(Order, order_id, with_for_update={"of": Order} if lock else None)
    if order is None:
        raise NotFound(str(_l("This order does not exist.")))
    if not can_view_order(user, order):
        audit.record(session, "order.read_denied", actor_id=user.id, subject_type="order", subject_id=order.id)
        session.commit()
        authz.require(False, str(_l("Only the buyer and the supplier of an order can see it.")))
    return order


def list_orders(session: Session, user: User | None, status: str | None = None) -> list[Order]:
    """Return the orders the user's organisations placed or received, newest first."""
    authz.require_user(user)
    buying = [o.id for o in authz.orgs_where(user, Role.PROCUREMENT_OFFICER)]
    supplying = [o.id for o in authz.orgs_where(user, Role.SUPPLIER_REPRESENTATIVE)]
    if not buying and not supplying:
        return []
    stmt = select(Order).where(or_(Order.buyer_org_id.in_(buying or [-1]),
                                   Order.supplier_org_id.in_(supplying or [-1])))
    if status:
        try:
            stmt = stmt.where(Order.status == OrderStatus(status))
        except ValueError:
            raise ValidationError({"status": str(_l("Choose one of the listed options."))}) from None
    return list(session.scalars(stmt.order_by(Order.id.desc())))


def supplier_choices(session: Session) -> list[Organisation]:
    """Verified domestic enterprises that can receive direct orders, by name."""
    stmt = (select(Organisation).where(Organisation.kind == OrgKind.ENTERPRISE,
                                       Organisation.domestic_manufacturer.is_(True),
                                       Organisation.verified_at.is_not(None))
            .order_by(Organisation.name))
    return list(session.scalars(stmt))


# --- parsing helpers (accept JSON values and form strings alike) ------------------------------------------------

def _price(value: Any, field: str, errors: dict[str, str]) -> int | None:
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        raw = value.strip().replace(".", "").replace(",", "").replace(" ", "").replace("₫", "")
        value = int(raw) if re.fullmatch(r"-?\d+", raw) else value
    if value is None or value == "":
        errors[field] = str(_l("Enter the price in đồng."))
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        errors[field] = str(_l("The price must be a whole number of đồng."))
        return None
    if value <= 0:
        errors[field] = str(_l("The price must be greater than zero."))
        return None
    if value > MAX_PRICE_VND:
        errors[field] = str(_l("The price is too large."))
        return None
    return value


def _date(value: Any, field: str, errors: dict[str, str], today: date) -> date | None:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str) and value.strip():
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            errors[field] = str(_l("Enter a date as YYYY-MM-DD."))
            return None
    if not isinstance(value, date):
        errors[field] = str(_l("Enter the delivery date."))
        return None
    if value < today:
        errors[field] = str(_l("The delivery date cannot be in the past."))
        return None
    return value


def _quantity(value: Any, errors: dict[str, str]) -> Decimal | None:
    try:
        if isinstance(value, bool) or value is None or value == "":
            raise InvalidOperation
        q = Decimal(str(value).strip().replace(",", "."))
        if not q.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["quantity"] = str(_l("Enter the quantity as a number."))
        return None
    if q <= 0:
        errors["quantity"] = str(_l("The quantity must be greater than zero."))
        return None
    if q >= Decimal("1e12") or q != q.quantize(Decimal("0.001")):
        errors["quantity"] = str(_l("Use at most three decimals and a realistic quantity."))
        return None
    return q


def _cpv(value: Any, errors: dict[str, str]) -> list[str]:
    from matching import default_taxonomy

    if isinstance(value, str):
        value = [c for c in re.split(r"[\s,;]+", value) if c]
    if not isinstance(value, (list, tuple)) or not value:
        errors["cpv_codes"] = str(_l("Give at least one CPV code."))
        return []
    taxonomy = default_taxonomy()
    codes: list[str] = []
    bad: list[str] = []
    for raw in value:
        result = taxonomy.validate(str(raw))
        if result.ok:
            if result.code not in codes:
                codes.append(result.code)
        else:
            bad.append(str(raw))
    if bad:
        errors["cpv_codes"] = str(_l("Unknown CPV code(s): %(codes)s.", codes=", ".join(bad[:5])))
    elif len(codes) > 10:
        errors["cpv_codes"] = str(_l("Give at most 10 CPV codes."))
    return codes


def _text(data: dict, field: str, errors: dict[str, str], *, required: bool, max_len: int) -> str:
    value = str(data.get(field) or "").strip()
    if required and not value:
        errors[field] = str(_l("This field is required."))
    elif len(value) > max_len:
        errors[field] = str(_l("At most %(n)d characters.", n=max_len))
    return value


def _supplier(session: Session, value: Any, errors: dict[str, str]) -> Organisation | None:
    try:
        org = session.get(Organisation, int(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        org = None
    if org is None:
        errors["supplier_org_id"] = str(_l("Choose a supplier."))
    elif org.kind is not OrgKind.ENTERPRISE:
        errors["supplier_org_id"] = str(_l("Direct orders can only go to an enterprise."))
    elif not org.domestic_manufacturer:
        errors["supplier_org_id"] = str(_l("Direct orders can only go to a domestic manufacturer."))
    elif not org.is_verified:
        errors["supplier_org_id"] = str(_l("This supplier has not been verified yet."))
    return org


# --- notifications ---------------------------------------------------------------------------------------------

def _party_users(session: Session, org_id: int, role: Role) -> list[User]:
    stmt = (select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == org_id, Membership.role == role, User.is_active.is_(True))
            .order_by(User.id))
    return list(session.scalars(stmt).unique())


def _notify(session: Session, order: Order, to_party: str, subject: Any, body: Any) -> None:
    """Email everyone on one side of the order, each in their own language."""
    from flask_babel import force_locale

    if to_party == "supplier":
        users = _party_users(session, order.supplier_org_id, Role.SUPPLIER_REPRESENTATIVE)
    else:
        users = _party_users(session, order.buyer_org_id, Role.PROCUREMENT_OFFICER)
    for u in users:
        with force_locale(u.language or "vi"):
            path = "/orders/%d" % order.id
            text = str(body) + "\n\n" + str(_l("Open the order: %(path)s", path=path))
            outbox.send_email(session, u, f"[{order.reference}] {subject}", text)


def _record(session: Session, user: User, order: Order, action: str, before: str | None, detail: dict) -> None:
    entry = OrderEvent(actor_id=user.id, action=action, from_status=before, to_status=order.status.value,
                       detail=detail, occurred_at=utcnow())
    order.events.append(entry)
    audit.record(session, f"order.{action}", actor_id=user.id, subject_type="order", subject_id=order.id,
                 detail={"from": before, "to": order.status.value, **detail})
    reindex(session, "order", order.id)
    # Once an order is a contract it is public spending: publish it as an OCDS limited-method process.
    ocds.publish_order_release(session, order, entry)


# --- writing ---------------------------------------------------------------------------------------------------

def order_by_key(session: Session, user_id: int, key: str | None) -> Order | None:
    """The order this user placed earlier with this idempotency key, if any."""
    if not key:
        return None
    return session.scalar(select(Order).where(Order.placed_by_id == user_id, Order.idempotency_key == key))


def place_order(session: Session, user: User | None, data: dict[str, Any], *, today: date | None = None,
                idempotency_key: str | None = None) -> Order:
    """Place a direct order with a domestic supplier on behalf of one of the user's public buyers.

    A retry with the same idempotency key returns the order placed the first time.
    """
    authz.require_user(user)
    orgs = buyer_orgs(user)
    authz.require(bool(orgs), str(_l("Only a public buyer's procurement officers can place orders.")))
    key = (idempotency_key or "").strip()[:100] or None
    existing = order_by_key(session, user.id, key)
    if existing is not None:
        return existing
    today = today or today_in_vietnam()
    errors: dict[str, str] = {}
    buyer_id = data.get("buyer_org_id")
    if buyer_id in (None, ""):
        buyer = orgs[0] if len(orgs) == 1 else None
        if buyer is None:
            errors["buyer_org_id"] = str(_l("Choose the buyer organisation you order for."))
    else:
        buyer = next((o for o in orgs if str(o.id) == str(buyer_id)), None)
        authz.require(buyer is not None, str(_l("You are not a procurement officer of this buyer.")))

    supplier = _supplier(session, data.get("supplier_org_id"), errors)
    try:
        kind = OrderKind(data.get("kind") or "product")
    except ValueError:
        errors["kind"] = str(_l("Choose one of the listed options."))
        kind = None
    title = _text(data, "title", errors, required=True, max_len=300)
    description = _text(data, "description", errors, required=False, max_len=10000)
    codes = _cpv(data.get("cpv_codes"), errors)
    product_ref = None
    raw_ref = data.get("product_ref")
    if raw_ref not in (None, ""):
        m = _PRODUCT_REF.match(str(raw_ref).strip())
        if m:
            product_ref = f"product:{int(m.group(1))}"
        else:
            errors["product_ref"] = str(_l("Give a catalogue product as product:<number>."))
    quantity = _quantity(data.get("quantity"), errors)
    unit = _text(data, "unit", errors, required=True, max_len=40)
    price = _price(data.get("price_vnd"), "price_vnd", errors)
    province = normalise_province(str(data.get("delivery_province") or ""))
    if province is None:
        errors["delivery_province"] = str(_l("Choose a province or city of Vietnam."))
    delivery = _date(data.get("delivery_date"), "delivery_date", errors, today)
    if errors:
        raise ValidationError(errors)

    order = Order(buyer_org_id=buyer.id, supplier_org_id=supplier.id, placed_by_id=user.id, idempotency_key=key,
                  kind=kind, title=title,
                  description=description, cpv_codes=codes, product_ref=product_ref, quantity=quantity, unit=unit,
                  price_vnd=price, delivery_province=province, delivery_date=delivery, status=OrderStatus.PLACED)
    user_id = user.id
    created = insert_once(session, order, lambda: order_by_key(session, user_id, key))
    if created is not order:
        return created
    order.buyer, order.supplier = buyer, supplier
    _record(session, user, order, "placed", None, {"price_vnd": price, "delivery_date": delivery.isoformat()})
    _notify(session, order, "supplier", _l("New direct order"),
            _l("%(buyer)s has placed a direct order with you: %(title)s.", buyer=buyer.name, title=title))
    session.commit()
    return order


def _check_state(order: Order, event: str) -> None:
    if event not in allowed_events(order.status.value):
        raise Conflict(str(_l("This is not possible while the order is %(status)s.", status=order.status.value)))


def _transition(session: Session, user: User | None, order_id: int, event: str) -> tuple[Order, str]:
    """Load and lock the order, check the actor's side and the state; return it with the state before."""
    order = get_order(session, user, order_id, lock=True)
    party = EVENT_PARTY[event]
    if party == "buyer":
        authz.require(is_buyer_officer(user, order), str(_l("Only the buyer's procurement officers can do this.")))
    else:
        authz.require(is_supplier_rep(user, order), str(_l("Only the supplier's representatives can do this.")))
    before = order.status.value
    try:
        order.status = OrderStatus(advance(before, event))
    except IllegalTransition:
        raise Conflict(str(_l("This is not possible while the order is %(status)s.", status=before))) from None
    return order, before


def accept(session: Session, user: User | None, order_id: int, note: str = "") -> Order:
    """The supplier accepts the order on its current terms."""
    note = (note or "").strip()[:2000]
    order, before = _transition(session, user, order_id, "accept")
    _record(session, user, order, "accepted", before, {"note": note} if note else {})
    _notify(session, order, "buyer", _l("Order accepted"),
            _l("%(supplier)s accepted the order %(title)s.", supplier=order.supplier.name, title=order.title))
    session.commit()
    return order


def decline(session: Session, user: User | None, order_id: int, reason: str) -> Order:
    """The supplier declines the order, giving a reason."""
    reason = (reason or "").strip()
    order = get_order(session, user, order_id, lock=True)
    authz.require(is_supplier_rep(user, order), str(_l("Only the supplier's representatives can do this.")))
    _check_state(order, "decline")
    if not reason:
        raise ValidationError({"reason": str(_l("Say why you decline the order."))})
    if len(reason) > 2000:
        raise ValidationError({"reason": str(_l("At most %(n)d characters.", n=2000))})
    order, before = _transition(session, user, order_id, "decline")
    order.decline_reason = reason
    _record(session, user, order, "declined", before, {"reason": reason})
    _notify(session, order, "buyer", _l("Order declined"),
            _l("%(supplier)s declined the order %(title)s. Reason: %(reason)s", supplier=order.supplier.name,
               title=order.title, reason=reason))
    session.commit()
    return order


def counter(session: Session, user: User | None, order_id: int, data: dict[str, Any], *,
            today: date | None = None) -> Order:
    """The supplier proposes another price and/or delivery date, with a note."""
    order = get_order(session, user, order_id, lock=True)
    authz.require(is_supplier_rep(user, order), str(_l("Only the supplier's representatives can do this.")))
    _check_state(order, "counter")
    today = today or today_in_vietnam()
    errors: dict[str, str] = {}
    price = order.price_vnd
    if data.get("price_vnd") not in (None, ""):
        price = _price(data.get("price_vnd"), "price_vnd", errors)
    delivery = order.delivery_date
    if data.get("delivery_date") not in (None, ""):
        delivery = _date(data.get("delivery_date"), "delivery_date", errors, today)
    note = _text(data, "note", errors, required=False, max_len=2000)
    if not errors and price == order.price_vnd and delivery == order.delivery_date:
        errors["price_vnd"] = str(_l("A counter-offer must change the price or the delivery date."))
    if errors:
        raise ValidationError(errors)
    order, before = _transition(session, user, order_id, "counter")
    order.counter_price_vnd, order.counter_delivery_date, order.counter_note = price, delivery, note or None
    _record(session, user, order, "countered", before,
            {"price_vnd": price, "delivery_date": delivery.isoformat(), "note": note})
    shown_price = "{:,}".format(price).replace(",", ".")
    _notify(session, order, "buyer", _l("Counter-offer on your order"),
            _l("%(supplier)s proposes %(price)s đồng, delivery on %(date)s, for %(title)s.",
               supplier=order.supplier.name, price=shown_price, date=delivery.isoformat(), title=order.title))
    session.commit()
    return order


def accept_counter(session: Session, user: User | None, order_id: int) -> Order:
    """The buyer accepts the counter-offer: its terms become the order's terms."""
    order, before = _transition(session, user, order_id, "accept_counter")
    detail = {"price_vnd": order.counter_price_vnd, "delivery_date": order.counter_delivery_date.isoformat(),
              "previous_price_vnd": order.price_vnd, "previous_delivery_date": order.delivery_date.isoformat()}
    order.price_vnd, order.delivery_date = order.counter_price_vnd, order.counter_delivery_date
    order.counter_price_vnd = order.counter_delivery_date = order.counter_note = None
    _record(session, user, order, "counter_accepted", before, detail)
    _notify(session, order, "supplier", _l("Counter-offer accepted"),
            _l("%(buyer)s accepted your counter-offer for %(title)s.", buyer=order.buyer.name, title=order.title))
    session.commit()
    return order


def reject_counter(session: Session, user: User | None, order_id: int, note: str = "") -> Order:
    """The buyer rejects the counter-offer; the original terms stand again."""
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": str(_l("At most %(n)d characters.", n=2000))})
    order, before = _transition(session, user, order_id, "reject_counter")
    detail = {"rejected_price_vnd": order.counter_price_vnd,
              "rejected_delivery_date": order.counter_delivery_date.isoformat(), "note": note}
    order.counter_price_vnd = order.counter_delivery_date = order.counter_note = None
    _record(session, user, order, "counter_rejected", before, detail)
    _notify(session, order, "supplier", _l("Counter-offer rejected"),
            _l("%(buyer)s rejected your counter-offer for %(title)s; the original terms stand.",
               buyer=order.buyer.name, title=order.title))
    session.commit()
    return order


def fulfil(session: Session, user: User | None, order_id: int, note: str = "") -> Order:
    """The buyer confirms the order was delivered as agreed."""
    note = (note or "").strip()[:2000]
    order, before = _transition(session, user, order_id, "fulfil")
    _record(session, user, order, "fulfilled", before, {"note": note} if note else {})
    _notify(session, order, "supplier", _l("Order fulfilled"),
            _l("%(buyer)s confirmed delivery of %(title)s.", buyer=order.buyer.name, title=order.title))
    session.commit()
    return order


def cancel(session: Session, user: User | None, order_id: int, reason: str = "") -> Order:
    """The buyer cancels an order that is not final yet."""
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise ValidationError({"reason": str(_l("At most %(n)d characters.", n=2000))})
    order, before = _transition(session, user, order_id, "cancel")
    order.cancel_reason = reason or None
    _record(session, user, order, "cancelled", before, {"reason": reason} if reason else {})
    _notify(session, order, "supplier", _l("Order cancelled"),
            _l("%(buyer)s cancelled the order %(title)s.", buyer=order.buyer.name, title=order.title))
    session.commit()
    return order
