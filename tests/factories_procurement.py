"""Procurement test helpers: a buyer with an officer, suppliers, and tenders moved through time."""
from __future__ import annotations

from datetime import timedelta

from market.jobs.procurement import run_tick
from market.models import OrgKind, Role, SizeClass, utcnow
from market.services import bids as bid_service
from market.services import tenders as tender_service

# Short periods so tests can create tenders an hour ahead and "move time" by shifting the timeline.
SHORT_SETTINGS = {
    "TENDER_MIN_ENQUIRY_SECONDS": 60,
    "TENDER_MIN_TENDERING_SECONDS": 60,
    "TENDER_MIN_EXTENSION_SECONDS": 1800,
    "TENDER_STANDSTILL_SECONDS": 600,
}
CPV_WASTEWATER = "42912300"   # machinery for water filtration / purification (CPV 2008)


def tender_data(**over) -> dict:
    now = utcnow()
    data = {
        "title": "Thiết bị xử lý nước thải cho KCN Quế Võ",
        "description": "Cung cấp và lắp đặt hệ thống xử lý nước thải 2.000 m³/ngày đêm.",
        "cpv_codes": [CPV_WASTEWATER],
        "method": "open",
        "province": "bac-ninh",
        "enquiry_end": (now + timedelta(hours=1)).isoformat(),
        "tender_end": (now + timedelta(hours=2)).isoformat(),
        "opening_at": (now + timedelta(hours=2)).isoformat(),
        "award_criteria": "lowest_price",
        "domestic_margin_pct": 7.5,
        "domestic_threshold_pct": 25,
        "lots": [{"title": "Module xử lý sinh học MBR", "quantity": 2, "unit": "bộ", "estimated_value": 9_000_000_000}],
    }
    data.update(over)
    return data


def offer(tender, price: int = 8_123_456_789, domestic: float = 60, lot_index: int = 0, **over) -> dict:
    data = {"lots": [{"lot_id": tender.lots[lot_index].id, "price": price}], "domestic_content_pct": domestic,
            "delivery_days": 120, "technical_proposal": "Công nghệ MBR nội địa, màng PVDF, bảo hành 24 tháng."}
    data.update(over)
    return data


class Procurement:
    """Builds the cast of a tender: one buyer officer, three suppliers, an administrator, an outsider."""

    def __init__(self, make, session, app):
        self.make, self.session, self.app = make, session, app
        self.buyer_org = make.org(OrgKind.PUBLIC_BUYER, name="Ban Quản lý các KCN Bắc Ninh", province="bac-ninh")
        self.officer = make.user(Role.PROCUREMENT_OFFICER, org=self.buyer_org, email="officer@buyer.vn")
        self.other_officer = make.user(Role.PROCUREMENT_OFFICER, email="officer@other-buyer.vn")
        self.suppliers = []
        for i, (name, size) in enumerate((("Công ty Môi trường Xanh", SizeClass.SMALL),
                                           ("Mekong Water JSC", SizeClass.MEDIUM),
                                           ("Global Envirotech Ltd", SizeClass.LARGE))):
            org = make.org(OrgKind.ENTERPRISE, name=name, size=size, domestic=i != 2)
            self.suppliers.append(make.user(Role.SUPPLIER_REPRESENTATIVE, org=org, email=f"supplier{i + 1}@firm.vn"))
        self.admin = make.user(Role.ADMINISTRATOR, email="admin@platform.vn")

    @property
    def config(self):
        return self.app.config

    def tender(self, publish: bool = True, **over):
        t = tender_service.create_tender(self.session, self.officer, tender_data(**over), config=self.config)
        if publish:
            t = tender_service.publish_tender(self.session, self.officer, t.id, config=self.config)
        return t

    def tendering(self, **over):
        """A published tender whose enquiry period is over (moved by the tick)."""
        t = self.tender(**over)
        self.shift(t, -3601)
        return t

    def shift(self, tender, seconds: float) -> int:
        """Simulate time passing: move the tender's dates back, then run the worker tick."""
        tender_service.shift_timeline(self.session, tender.id, seconds)
        self.session.expire_all()
        done = run_tick(self.session, config=self.config)
        self.session.expire_all()
        return done

    def bid(self, tender, supplier_index: int = 0, **over):
        return bid_service.submit_bid(self.session, self.suppliers[supplier_index], tender.id,
                                      offer(tender, **over), config=self.config)

    def open(self, tender) -> None:
        """Let the deadline and opening time pass and run the tick."""
        self.shift(tender, -3601)
