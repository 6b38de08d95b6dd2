"""CSV exports of published tenders and awards (including direct orders that became contracts).

Only public data: drafts are left out, and nothing about bids (bidders, prices, counts) appears before opening.
"""
from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models.orders import Order, OrderStatus
from ..models.procurement import Tender, TenderStatus
from .ocds import OPENED_BID_STATUSES, iso, order_ocid, party_id

TENDER_COLUMNS = ["ocid", "tender_id", "title", "buyer", "buyer_tax_code", "method", "status", "province",
                  "cpv_codes", "lots", "estimated_value_vnd", "currency", "published_at", "enquiry_end",
                  "tender_end", "opening_at", "award_criteria", "domestic_margin_pct", "domestic_threshold_pct",
                  "sme_set_aside", "number_of_tenderers"]
AWARD_COLUMNS = ["ocid", "method", "tender_id", "tender_title", "lot", "award_id", "status", "supplier",
                 "supplier_tax_code", "supplier_party_id", "value_vnd", "currency", "awarded_at", "standstill_end",
                 "contract_value_vnd", "contract_signed_at", "buyer", "buyer_tax_code"]
_SAFE_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> object:
    # Keep spreadsheet programs from evaluating a title like "=HYPERLINK(...)" as a formula.
    if isinstance(value, str) and value.startswith(_SAFE_START):
        return "'" + value
    return "" if value is None else value


def _write(columns: list[str], rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return "\ufeff" + buf.getvalue()  # BOM so spreadsheet programs read Vietnamese as UTF-8


def public_tenders(session: Session) -> list[Tender]:
    return list(session.scalars(select(Tender).where(Tender.status != TenderStatus.DRAFT).order_by(Tender.id)))


def tenders_csv(session: Session) -> str:
    """Every published tender, one row each."""
    rows = []
    for t in public_tenders(session):
        opened = t.opened_at is not None
        rows.append({
            "ocid": t.ocid, "tender_id": t.id, "title": t.title, "buyer": t.buyer.name,
            "buyer_tax_code": t.buyer.tax_code, "method": t.method.value, "status": t.status.value,
            "province": t.province, "cpv_codes": " ".join(t.cpv_codes or []), "lots": len(t.lots),
            "estimated_value_vnd": t.estimated_value, "currency": "VND", "published_at": iso(t.published_at),
            "enquiry_end": iso(t.enquiry_end), "tender_end": iso(t.tender_end), "opening_at": iso(t.opening_at),
            "award_criteria": t.award_criteria.value, "domestic_margin_pct": t.domestic_margin_pct,
            "domestic_threshold_pct": t.domestic_threshold_pct, "sme_set_aside": t.sme_set_aside,
            # Sealed until opening: not even the number of bids is shown before.
            "number_of_tenderers": sum(1 for b in t.bids if b.status in OPENED_BID_STATUSES) if opened else None,
        })
    return _write(TENDER_COLUMNS, rows)


def awards_csv(session: Session) -> str:
    """Every award of a published tender, and every direct order that became a contract."""
    rows = []
    for t in public_tenders(session):
        if t.opened_at is None:
            continue
        contracts = {c.award_id: c for c in t.contracts}
        for a in t.awards:
            c = contracts.get(a.id)
            rows.append({
                "ocid": t.ocid, "method": t.method.value, "tender_id": t.id, "tender_title": t.title,
                "lot": a.lot.title if a.lot else "", "award_id": a.id, "status": a.status.value,
                "supplier": a.supplier.name, "supplier_tax_code": a.supplier.tax_code,
                "supplier_party_id": party_id(a.supplier), "value_vnd": a.value, "currency": "VND",
                "awarded_at": iso(a.awarded_at), "standstill_end": iso(a.standstill_end),
                "contract_value_vnd": c.value if c else None, "contract_signed_at": iso(c.signed_at) if c else None,
                "buyer": t.buyer.name, "buyer_tax_code": t.buyer.tax_code,
            })
    orders = session.scalars(select(Order).order_by(Order.id))
    for o in orders:
        accepted = next((e for e in o.events if e.action in ("accepted", "counter_accepted")), None)
        if accepted is None or o.status not in (OrderStatus.ACCEPTED, OrderStatus.FULFILLED, OrderStatus.CANCELLED):
            continue
        rows.append({
            "ocid": order_ocid(session, o), "method": "direct_order", "tender_id": None, "tender_title": o.title,
            "lot": "", "award_id": f"order-{o.id}-award",
            "status": {"accepted": "active", "fulfilled": "fulfilled", "cancelled": "cancelled"}[o.status.value],
            "supplier": o.supplier.name, "supplier_tax_code": o.supplier.tax_code,
            "supplier_party_id": party_id(o.supplier), "value_vnd": o.price_vnd, "currency": "VND",
            "awarded_at": iso(accepted.occurred_at), "standstill_end": None, "contract_value_vnd": o.price_vnd,
            "contract_signed_at": iso(accepted.occurred_at), "buyer": o.buyer.name, "buyer_tax_code": o.buyer.tax_code,
        })
    return _write(AWARD_COLUMNS, rows)
