"""Factories for direct orders: a buyer officer, a domestic supplier rep, and orders between them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from market.models import Membership, Organisation, OrgKind, Role, User
from market.services import orders as service
from market.services.orders import today_in_vietnam


@dataclass
class Parties:
    buyer_org: Organisation
    supplier_org: Organisation
    officer: User
    rep: User


def parties(make, *, supplier_domestic: bool = True) -> Parties:
    """A public buyer with an officer and a domestic enterprise with a representative."""
    buyer_org = make.org(OrgKind.PUBLIC_BUYER, name="Sở Nông nghiệp và Môi trường Thử nghiệm")
    supplier_org = make.org(OrgKind.ENTERPRISE, name="Công ty CP Thiết bị Môi trường Thử nghiệm",
                            domestic=supplier_domestic)
    officer = make.user(Role.PROCUREMENT_OFFICER, org=buyer_org)
    rep = make.user(Role.SUPPLIER_REPRESENTATIVE, org=supplier_org)
    return Parties(buyer_org, supplier_org, officer, rep)


def order_data(p: Parties, **overrides) -> dict:
    data = {
        "supplier_org_id": p.supplier_org.id, "kind": "product",
        "title": "Hệ thống xử lý nước thải sinh hoạt 50 m³/ngày",
        "description": "Cung cấp và lắp đặt trạm xử lý nước thải hợp khối cho trạm y tế xã.",
        "cpv_codes": ["42912300"], "quantity": 2, "unit": "bộ", "price_vnd": 850_000_000,
        "delivery_province": "ha-noi", "delivery_date": (today_in_vietnam() + timedelta(days=30)).isoformat(),
    }
    data.update(overrides)
    return data


def place(app, session, p: Parties, **overrides):
    with app.test_request_context():
        return service.place_order(session, p.officer, order_data(p, **overrides))


def add_role(session, user: User, org: Organisation, role: Role) -> User:
    session.add(Membership(user_id=user.id, organisation_id=org.id, role=role))
    session.commit()
    session.refresh(user)
    return user
