"""Direct orders: each business rule and permission rule has its own test."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from market.errors import Conflict, NotAuthorized, ValidationError
from market.models import AuditEntry, EmailMessage, OrgKind, OutboxEvent, Role
from market.models.orders import Order, OrderEvent, OrderStatus
from market.orders_lifecycle import ORDER_TRANSITIONS, IllegalTransition, advance
from market.services import orders as service
from market.services.orders import today_in_vietnam
from tests.factories_orders import order_data, parties, place


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_place_order_stores_order_event_audit_email_and_index_job(app, session, make):
    p = parties(make)
    order = place(app, session, p, cpv_codes=["42912300-5", "90400000"], product_ref="product:7")
    assert order.status is OrderStatus.PLACED
    assert order.buyer_org_id == p.buyer_org.id and order.supplier_org_id == p.supplier_org.id
    assert order.cpv_codes == ["42912300", "90400000"] and order.product_ref == "product:7"
    assert [e.action for e in order.events] == ["placed"] and order.events[0].actor_id == p.officer.id
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "order.placed")).subject_id == str(order.id)
    mail = session.scalars(select(EmailMessage)).all()
    assert [m.to_user_id for m in mail] == [p.rep.id]
    assert "[DH-" in mail[0].subject
    topics = [e.topic for e in session.scalars(select(OutboxEvent))]
    assert "index.refresh" in topics


@pytest.mark.parametrize("field,value", [
    ("cpv_codes", ["99999999"]),
    ("cpv_codes", ["not-a-code"]),
    ("cpv_codes", []),
    ("price_vnd", -5),
    ("price_vnd", 0),
    ("price_vnd", "nine hundred"),
    ("price_vnd", 12.5),
    ("quantity", -1),
    ("quantity", "many"),
    ("delivery_date", "2001-01-01"),
    ("delivery_date", "31/12/2099"),
    ("delivery_province", "Atlantis"),
    ("title", ""),
    ("unit", ""),
    ("kind", "spaceship"),
    ("product_ref", "tender:3"),
    ("supplier_org_id", 999999),
])
def test_bad_input_gives_field_error_and_stores_nothing(app, session, make, field, value):
    p = parties(make)
    before = (_count(session, Order), _count(session, OrderEvent), _count(session, EmailMessage),
              _count(session, AuditEntry))
    with app.test_request_context(), pytest.raises(ValidationError) as exc:
        service.place_order(session, p.officer, order_data(p, **{field: value}))
    assert field in exc.value.fields
    session.rollback()
    assert (_count(session, Order), _count(session, OrderEvent), _count(session, EmailMessage),
            _count(session, AuditEntry)) == before


def test_delivery_date_in_the_past_is_refused(app, session, make):
    p = parties(make)
    yesterday = (today_in_vietnam() - timedelta(days=1)).isoformat()
    with app.test_request_context(), pytest.raises(ValidationError) as exc:
        service.place_order(session, p.officer, order_data(p, delivery_date=yesterday))
    assert set(exc.value.fields) == {"delivery_date"}
    assert _count(session, Order) == 0


def test_supplier_must_be_an_enterprise(app, session, make):
    p = parties(make)
    institute = make.org(OrgKind.RESEARCH_INSTITUTE, domestic=True)
    with app.test_request_context(), pytest.raises(ValidationError) as exc:
        service.place_order(session, p.officer, order_data(p, supplier_org_id=institute.id))
    assert "supplier_org_id" in exc.value.fields
    assert _count(session, Order) == 0


def test_supplier_must_be_domestic(app, session, make):
    p = parties(make, supplier_domestic=False)
    with app.test_request_context(), pytest.raises(ValidationError) as exc:
        service.place_order(session, p.officer, order_data(p))
    assert "supplier_org_id" in exc.value.fields
    assert _count(session, Order) == 0


def test_supplier_must_be_verified(app, session, make):
    p = parties(make)
    unverified = make.org(OrgKind.ENTERPRISE, verified=False, domestic=True)
    with app.test_request_context(), pytest.raises(ValidationError) as exc:
        service.place_order(session, p.officer, order_data(p, supplier_org_id=unverified.id))
    assert "supplier_org_id" in exc.value.fields


def test_only_procurement_officers_place_orders(app, session, make):
    p = parties(make)
    with app.test_request_context(), pytest.raises(NotAuthorized):
        service.place_order(session, p.rep, order_data(p))
    assert _count(session, Order) == 0


def test_officer_cannot_order_for_another_buyer(app, session, make):
    p = parties(make)
    other_buyer = make.org(OrgKind.PUBLIC_BUYER)
    with app.test_request_context(), pytest.raises(NotAuthorized):
        service.place_order(session, p.officer, order_data(p, buyer_org_id=other_buyer.id))
    assert _count(session, Order) == 0


def test_only_the_two_parties_read_an_order(app, session, make):
    p = parties(make)
    order = place(app, session, p)
    outsider_officer = make.user(Role.PROCUREMENT_OFFICER)
    outsider_rep = make.user(Role.SUPPLIER_REPRESENTATIVE)
    admin = make.user(Role.ADMINISTRATOR)
    with app.test_request_context():
        assert service.get_order(session, p.officer, order.id).id == order.id
        assert service.get_order(session, p.rep, order.id).id == order.id
        for outsider in (outsider_officer, outsider_rep, admin):
            with pytest.raises(NotAuthorized):
                service.get_order(session, outsider, order.id)
            assert order.id not in [o.id for o in service.list_orders(session, outsider)]
    denied = session.scalars(select(AuditEntry).where(AuditEntry.action == "order.read_denied")).all()
    assert len(denied) == 3


def test_supplier_accepts_and_buyer_is_emailed(app, session, make):
    p = parties(make)
    order = place(app, session, p)
    with app.test_request_context():
        service.accept(session, p.rep, order.id, "Giao hàng đúng hạn.")
    session.refresh(order)
    assert order.status is OrderStatus.ACCEPTED
    assert [e.action for e in order.events] == ["placed", "accepted"]
    assert order.events[1].actor_id == p.rep.id
    assert session.scalar(select(EmailMessage).where(EmailMessage.to_user_id == p.officer.id))


@pytest.mark.parametrize("step", ["accept", "decline", "counter"])
def test_only_the_supplier_accepts_declines_or_counters(app, session, make, step):
    p = parties(make)
    order = place(app, session, p)
    other_rep = make.user(Role.SUPPLIER_REPRESENTATIVE)
    calls = {
        "accept": lambda u: service.accept(session, u, order.id),
        "decline": lambda u: service.decline(session, u, order.id, "Không đủ năng lực."),
        "counter": lambda u: service.counter(session, u, order.id, {"price_vnd": 900_000_000}),
    }
    with app.test_request_context():
        for user in (p.officer, other_rep):
            with pytest.raises(NotAuthorized):
                calls[step](user)
    session.refresh(order)
    assert order.status is OrderStatus.PLACED and len(order.events) == 1


@pytest.mark.parametrize("step", ["cancel", "accept_counter", "reject_counter", "fulfil"])
def test_only_the_buyer_cancels_settles_counters_and_fulfils(app, session, make, step):
    p = parties(make)
    order = place(app, session, p)
    with app.test_request_context():
        if step in ("accept_counter", "reject_counter"):
            service.counter(session, p.rep, order.id, {"price_vnd": 900_000_000})
        if step == "fulfil":
            service.accept(session, p.rep, order.id)
        before = order.status
        with pytest.raises(NotAuthorized):
            getattr(service, step)(session, p.rep, order.id)
    session.refresh(order)
    assert order.status is before


def test_decline_needs_a_reason(app, session, make):
    p = parties(make)
    order = place(app, session, p)
    with app.test_request_context(), pytest.raises(ValidationError) as exc:
        service.decline(session, p.rep, order.id, "  ")
    assert "reason" in exc.value.fields
    session.refresh(order)
    assert order.status is OrderStatus.PLACED


def test_decline_records_reason(app, session, make):
    p = parties(make)
    order = place(app, session, p)
    with app.test_request_context():
        service.decline(session, p.rep, order.id, "Hết hàng đến quý sau.")
    session.refresh(order)
    assert order.status is OrderStatus.DECLINED and order.decline_reason == "Hết hàng đến quý sau."
    assert order.events[-1].detail["reason"] == "Hết hàng đến quý sau."


def test_counter_offer_then_buyer_accepts_it(app, session, make):
    p = parties(make)
    order = place(app, session, p)
    new_date = today_in_vietnam() + timedelta(days=60)
    with app.test_request_context():
        service.counter(session, p.rep, order.id, {"price_vnd": 920_000_000, "delivery_date": new_date.isoformat(),
                                                   "note": "Giá thép tăng."})
        session.refresh(order)
        assert order.status is OrderStatus.COUNTERED and order.counter_price_vnd == 920_000_000
        assert order.price_vnd == 850_000_000
        service.accept_counter(session, p.officer, order.id)
    session.refresh(order)
    assert order.status is OrderStatus.ACCEPTED
    assert (order.price_vnd, order.delivery_date) == (920_000_000, new_date)
    assert order.counter_price_vnd is None
    assert [e.action for e in order.events] == ["placed", "countered", "counter_accepted"]
    assert order.events[2].detail["previous_price_vnd"] == 850_000_000


def test_rejected_counter_offer_restores_original_terms(app, session, make):
    p = parties(make)
    order = place(app, session, p)
    with app.test_request_context():
        service.counter(session, p.rep, order.id, {"price_vnd": 999_000_000})
        service.reject_counter(session, p.officer, order.id, "Vượt dự toán.")
    session.refresh(order)
    assert order.status is OrderStatus.PLACED and order.price_vnd == 850_000_000
    assert order.counter_price_vnd is None
    assert order.events[-1].detail["rejected_price_vnd"] == 999_000_000


@pytest.mark.parametrize("data,field", [
    ({"price_vnd": -1}, "price_vnd"),
    ({"delivery_date": "2000-01-01"}, "delivery_date"),
    ({"note": "same terms"}, "price_vnd"),
])
def test_bad_counter_offer_gives_field_error(app, session, make, data, field):
    p = parties(make)
    order = place(app, session, p)
    with app.test_request_context(), pytest.raises(ValidationError) as exc:
        service.counter(session, p.rep, order.id, data)
    assert field in exc.value.fields
    session.rollback()
    session.refresh(order)
    assert order.status is OrderStatus.PLACED and len(order.events) == 1


def test_fulfil_after_accept_and_final_states_refuse_more_steps(app, session, make):
    p = parties(make)
    order = place(app, session, p)
    with app.test_request_context():
        service.accept(session, p.rep, order.id)
        service.fulfil(session, p.officer, order.id, "Đã nghiệm thu.")
        with pytest.raises(Conflict):
            service.cancel(session, p.officer, order.id)
        with pytest.raises(Conflict):
            service.decline(session, p.rep, order.id, "late")
    session.refresh(order)
    assert order.status is OrderStatus.FULFILLED


def test_cannot_fulfil_an_order_not_accepted(app, session, make):
    p = parties(make)
    order = place(app, session, p)
    with app.test_request_context(), pytest.raises(Conflict):
        service.fulfil(session, p.officer, order.id)


def test_buyer_cancels_with_reason(app, session, make):
    p = parties(make)
    order = place(app, session, p)
    with app.test_request_context():
        service.cancel(session, p.officer, order.id, "Nguồn vốn bị cắt giảm.")
    session.refresh(order)
    assert order.status is OrderStatus.CANCELLED and order.cancel_reason == "Nguồn vốn bị cắt giảm."
    mails = session.scalars(select(EmailMessage).where(EmailMessage.to_user_id == p.rep.id)).all()
    assert len(mails) == 2 and all("DH-" in m.subject for m in mails)


def test_state_table_rejects_illegal_moves():
    assert advance("placed", "accept") == "accepted"
    for state in ("declined", "fulfilled", "cancelled"):
        assert not [k for k in ORDER_TRANSITIONS if k[0] == state]
        with pytest.raises(IllegalTransition):
            advance(state, "cancel")
    with pytest.raises(IllegalTransition):
        advance("countered", "accept")


def test_open_order_becomes_a_matching_document_and_closed_one_leaves(app, session, make):
    from market.indexing import DISPLAYERS, DOCUMENT_BUILDERS

    p = parties(make)
    order = place(app, session, p)
    doc = DOCUMENT_BUILDERS["order"](session, order.id)
    assert doc.ref == f"order:{order.id}" and doc.codes == ("42912300",)
    assert doc.facets["province"] == "ha-noi" and doc.facets["budget"] == 850_000_000
    assert DISPLAYERS["order"](session, order.id) is None  # private: never shown as someone else's match
    with app.test_request_context():
        service.cancel(session, p.officer, order.id)
    assert DOCUMENT_BUILDERS["order"](session, order.id) is None
