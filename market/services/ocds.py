"""Open Contracting Data Standard (OCDS 1.1) releases, release packages and records.

Every published change of a tender (a `TenderChange` row: publish, amendment, answer, state change, opening,
award, contract, cancellation) becomes one immutable release, written in the same transaction as the change:
a session hook collects new TenderChange rows at flush time and snapshots the tender just before commit.
Services may also call `publish_release(session, tender, tags)` directly. A direct order becomes a contracting
process with the "limited" method once the supplier has accepted it (the negotiation itself stays private).

Sealed data never enters a release before opening: bids, bidders and prices are read only when
`tender.opened_at` is set, and only from the revealed columns (never from `Bid.sealed`).
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session, object_session

from ..errors import ValidationError
from ..i18n import _l
from ..models import Organisation, SizeClass
from ..models.ocds import OcdsRelease
from ..models.orders import Order, OrderEvent, OrderStatus
from ..models.procurement import AwardStatus, BidStatus, Tender, TenderChange, TenderStatus
from ..provinces import province_name

log = logging.getLogger("market.ocds")

OCDS_VERSION = "1.1"
DEFAULT_PREFIX = "ocds-vnenv1"
CURRENCY = "VND"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
]
TENDER_STATUS = {
    TenderStatus.DRAFT: "planning", TenderStatus.ENQUIRIES: "active", TenderStatus.TENDERING: "active",
    TenderStatus.QUALIFICATION: "active", TenderStatus.AWARDED: "active", TenderStatus.COMPLETE: "complete",
    TenderStatus.CANCELLED: "cancelled", TenderStatus.UNSUCCESSFUL: "unsuccessful",
}
METHOD = {"open": ("open", "Open tender"), "rfq": ("open", "Request for quotations"),
          "direct": ("limited", "Direct procurement")}
AWARD_STATUS = {AwardStatus.PENDING: "pending", AwardStatus.ACTIVE: "active", AwardStatus.CANCELLED: "cancelled"}
OPENED_BID_STATUSES = (BidStatus.OPENED, BidStatus.QUALIFIED, BidStatus.DISQUALIFIED, BidStatus.AWARDED,
                       BidStatus.NOT_AWARDED)
BID_STATUS = {BidStatus.DISQUALIFIED: "disqualified"}
SCALE = {SizeClass.MICRO: "micro", SizeClass.SMALL: "sme", SizeClass.MEDIUM: "sme", SizeClass.LARGE: "large"}
# TenderChange.kind -> release tags
CHANGE_TAGS = {"publish": ["tender"], "amend": ["tenderAmendment"], "status": ["tenderUpdate"],
               "question": ["tenderUpdate"], "answer": ["tenderUpdate"], "opening": ["tenderUpdate"],
               "award": ["award"], "contract": ["contract"], "cancel": ["tenderCancellation"]}
# Order events that are published (the order has become a contract) -> release tags
ORDER_EVENT_TAGS = {"accepted": ["award", "contract"], "counter_accepted": ["award", "contract"],
                    "fulfilled": ["contractTermination"], "cancelled": ["contractTermination"]}


def ocid_prefix(session: Session) -> str:
    return str((session.info.get("config") or {}).get("OCID_PREFIX") or DEFAULT_PREFIX)


def iso(value: datetime | date | None) -> str | None:
    """Format a date-time as OCDS wants it (RFC 3339 with an offset)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    return datetime.combine(value, time(0, 0), tzinfo=timezone(timedelta(hours=7))).isoformat()


def _prune(value: Any) -> Any:
    """Drop None, empty strings, lists and objects so releases carry only meaningful fields."""
    if isinstance(value, dict):
        out = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (_prune(x) for x in value) if v not in (None, "", [], {})]
    return value


def _money(amount: int | None) -> dict | None:
    return None if amount is None else {"amount": int(amount), "currency": CURRENCY}


def party_id(org: Organisation) -> str:
    return f"VN-MST-{org.tax_code}"


def _ref(org: Organisation) -> dict:
    return {"id": party_id(org), "name": org.name}


def _party(org: Organisation, roles: list[str]) -> dict:
    return {
        "id": party_id(org), "name": org.name,
        "identifier": {"scheme": "VN-MST", "id": org.tax_code, "legalName": org.name},
        "address": {"region": province_name(org.province, "vi"), "countryName": "Việt Nam"},
        "roles": roles, "details": {"scale": SCALE.get(org.size_class)},
    }


def _classification(code: str) -> dict:
    from matching import default_taxonomy

    return {"scheme": "CPV", "id": code, "description": default_taxonomy().label(code, "vi") or None}


class _Parties:
    """Collect parties with merged roles, in first-seen order."""

    def __init__(self) -> None:
        self.items: dict[str, dict] = {}

    def add(self, org: Organisation, role: str) -> dict:
        p = self.items.setdefault(party_id(org), _party(org, []))
        if role not in p["roles"]:
            p["roles"].append(role)
        return _ref(org)


# --- tenders ----------------------------------------------------------------------------------------------------

def _tender_documents(tender: Tender, until: datetime) -> list[dict]:
    """The tender's published documents (every version kept), with their path on this platform."""
    from ..services.files import versions

    session = object_session(tender)
    if session is None:
        return []
    return [{"id": f"file-{f.id}", "documentType": "biddingDocuments", "title": f"{f.filename} (v{f.version})",
             "format": f.content_type, "datePublished": iso(f.created_at),
             "url": f"/api/v1/tenders/{tender.id}/documents/{f.id}"}
            for f in versions(session, "tender", tender.id) if f.created_at <= until]


def tender_release(tender: Tender, *, release_id: str, date: datetime, tags: list[str]) -> dict:
    """Build the OCDS release for the tender's public state now. Bid data only after opening."""
    parties = _Parties()
    buyer = parties.add(tender.buyer, "buyer")
    parties.add(tender.buyer, "procuringEntity")
    codes = list(tender.cpv_codes or [])
    method, method_details = METHOD.get(tender.method.value, ("open", tender.method.value))
    criteria = tender.award_criteria.value
    details = [f"Price {tender.price_weight}%, quality {tender.quality_weight}%." if criteria == "price_quality"
               else "Lowest evaluated price."]
    if tender.domestic_margin_pct:
        details.append(f"Margin of preference {tender.domestic_margin_pct:g}% for bids declaring domestic content "
                       f"of at least {tender.domestic_threshold_pct:g}%.")
    eligibility = "Set aside for small and medium-sized enterprises." if tender.sme_set_aside else None
    ocds_tender: dict[str, Any] = {
        "id": str(tender.id), "title": tender.title, "description": tender.description,
        "status": TENDER_STATUS.get(tender.status, "active"),
        "procuringEntity": buyer,
        "items": [{"id": str(lot.id), "description": lot.title,
                   "classification": _classification(codes[0]) if codes else None,
                   "additionalClassifications": [_classification(c) for c in codes[1:]],
                   "quantity": lot.quantity, "unit": {"name": lot.unit}, "relatedLot": str(lot.id)}
                  for lot in tender.lots],
        "lots": [{"id": str(lot.id), "title": lot.title, "description": lot.description,
                  "value": _money(lot.estimated_value)} for lot in tender.lots],
        "value": _money(tender.estimated_value),
        "procurementMethod": method, "procurementMethodDetails": method_details,
        "awardCriteria": "ratedCriteria" if criteria == "price_quality" else "priceOnly",
        "awardCriteriaDetails": " ".join(details),
        "eligibilityCriteria": eligibility,
        "submissionMethod": ["electronicSubmission"],
        "datePublished": iso(tender.published_at),
        "tenderPeriod": {"startDate": iso(tender.published_at), "endDate": iso(tender.tender_end)},
        "enquiryPeriod": {"startDate": iso(tender.published_at), "endDate": iso(tender.enquiry_end)},
        "awardPeriod": {"startDate": iso(tender.opening_at), "endDate": iso(tender.awarded_at)},
        "hasEnquiries": bool(tender.questions),
        "amendments": [{"id": str(c.number), "date": iso(c.changed_at), "description": c.summary}
                       for c in tender.changes if c.kind == "amend" and c.changed_at <= date],
        "deliveryAddresses": [{"region": province_name(tender.province, "vi"), "countryName": "Việt Nam"}],
        "documents": _tender_documents(tender, date),
    }
    release: dict[str, Any] = {
        "ocid": tender.ocid, "id": release_id, "date": iso(date), "tag": tags, "initiationType": "tender",
        "language": tender.language or "vi", "buyer": buyer, "tender": ocds_tender,
    }
    if tender.opened_at is not None:
        # Opening has happened: the opening record (bidders and prices) is public from now on.
        opened = [b for b in tender.bids if b.status in OPENED_BID_STATUSES and b.revealed is not None]
        ocds_tender["tenderers"] = [parties.add(b.bidder, "tenderer") for b in opened]
        ocds_tender["numberOfTenderers"] = len(opened)
        release["bids"] = {
            "statistics": [{"id": "1", "measure": "validBids",
                            "value": sum(1 for b in opened if b.status is not BidStatus.DISQUALIFIED)}],
            "details": [{"id": str(b.id), "date": iso(b.submitted_at), "status": BID_STATUS.get(b.status, "valid"),
                         "tenderers": [_ref(b.bidder)], "value": _money(b.total_price),
                         "relatedLots": [str(v.lot_id) for v in b.lot_values]} for b in opened],
        }
        release["awards"] = [{
            "id": str(a.id), "title": a.lot.title if a.lot else tender.title, "description": a.justification,
            "status": AWARD_STATUS.get(a.status, "pending"), "date": iso(a.awarded_at), "value": _money(a.value),
            "suppliers": [parties.add(a.supplier, "supplier")], "relatedLots": [str(a.lot_id)] if a.lot_id else [],
            "relatedBid": str(a.bid_id),
        } for a in tender.awards]
        release["contracts"] = [{
            "id": str(c.id), "awardID": str(c.award_id), "title": tender.title, "status": "active",
            "value": _money(c.value), "dateSigned": iso(c.signed_at),
            "period": {"startDate": iso(c.period_start), "endDate": iso(c.period_end)},
        } for c in tender.contracts]
    release["parties"] = list(parties.items.values())
    return _prune(release)


def _lock(session: Session, ocid: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": "ocds:" + ocid})


def _next_seq(session: Session, ocid: str) -> int:
    _lock(session, ocid)
    return (session.scalar(select(func.max(OcdsRelease.seq)).where(OcdsRelease.ocid == ocid)) or 0) + 1


def _ensure_ocid(session: Session, tender: Tender) -> str:
    if not tender.ocid:
        session.flush()
        tender.ocid = f"{ocid_prefix(session)}-{tender.id:06d}"
    return tender.ocid


def publish_release(session: Session, tender: Tender, tags: Iterable[str], *, date: datetime | None = None,
                    source: str | None = None) -> OcdsRelease | None:
    """Store a release of the tender's public state; flushes only. Never-published tenders are never released."""
    if not tender.is_public or tender.published_at is None:
        return None
    if source and session.scalar(select(OcdsRelease.id).where(OcdsRelease.source == source)):
        return None
    from ..models import utcnow

    ocid = _ensure_ocid(session, tender)
    seq = _next_seq(session, ocid)
    _refresh_collections(session, tender)
    when = date or utcnow()
    release_id = f"{ocid}-{seq:04d}"
    data = tender_release(tender, release_id=release_id, date=when, tags=list(tags))
    row = OcdsRelease(ocid=ocid, seq=seq, release_id=release_id, date=when, tag=list(tags), data=data,
                      tender_id=tender.id, source=source)
    session.add(row)
    session.flush()
    return row


def change_tags(change: TenderChange) -> list[str]:
    if change.kind == "status" and change.status == TenderStatus.CANCELLED.value:
        return ["tenderCancellation"]
    return list(CHANGE_TAGS.get(change.kind, ["tenderUpdate"]))


def _refresh_collections(session: Session, tender: Tender) -> None:
    """Reload the tender's collections: services may have added rows by foreign key, not through them."""
    session.flush()
    session.expire(tender, ["lots", "questions", "bids", "changes", "awards", "contracts"])
    for bid in tender.bids:
        session.expire(bid, ["lot_values"])


def publish_change(session: Session, change: TenderChange) -> OcdsRelease | None:
    """Publish the release for one TenderChange (once)."""
    return publish_release(session, change.tender, change_tags(change), date=change.changed_at,
                           source=f"tender_change:{change.id}")


def backfill(session: Session, limit: int = 200) -> int:
    """Publish releases for tender changes that have none yet (e.g. a hook failure); flushes only."""
    public = (select(TenderChange.id).join(Tender, Tender.id == TenderChange.tender_id)
              .where(Tender.published_at.is_not(None), TenderChange.changed_at >= Tender.published_at))
    expected = session.scalar(select(func.count()).select_from(public.subquery()))
    have = session.scalar(select(func.count(OcdsRelease.id)).where(OcdsRelease.source.like("tender_change:%")))
    if have >= expected:
        return 0
    published = {int(src.split(":", 1)[1]) for src in session.scalars(
        select(OcdsRelease.source).where(OcdsRelease.source.like("tender_change:%")))}
    missing = [i for i in session.scalars(public.order_by(TenderChange.id)) if i not in published]
    done = 0
    for change_id in missing[:limit]:
        change = session.get(TenderChange, change_id)
        if change is not None and publish_change(session, change) is not None:
            done += 1
    return done


# --- the hook: releases in the same transaction as the change ---------------------------------------------------

@event.listens_for(Session, "after_flush")
def _collect_changes(session: Session, _ctx) -> None:
    new = [o for o in session.new if isinstance(o, TenderChange)]
    if new:
        session.info.setdefault("ocds_pending", []).extend(new)


@event.listens_for(Session, "before_commit")
def _publish_pending(session: Session) -> None:
    if not session.info.get("ocds_pending"):
        return
    session.flush()
    pending = session.info.pop("ocds_pending", [])
    for change in sorted(pending, key=lambda c: (c.tender_id, c.number)):
        try:
            publish_change(session, change)
        except Exception:  # never break the procurement transaction; the backfill tick retries later
            log.exception("could not publish the OCDS release for tender change %s", change.id)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop("ocds_pending", None)


# --- direct orders ---------------------------------------------------------------------------------------------

def order_ocid(session: Session, order: Order) -> str:
    return f"{ocid_prefix(session)}-order-{order.id:06d}"


def order_release(order: Order, *, ocid: str, release_id: str, date: datetime, tags: list[str]) -> dict:
    """Build the release of a direct order that became a contract (a limited-method contracting process)."""
    parties = _Parties()
    buyer = parties.add(order.buyer, "buyer")
    parties.add(order.buyer, "procuringEntity")
    supplier = parties.add(order.supplier, "supplier")
    codes = list(order.cpv_codes or [])
    accepted_at = next((e.occurred_at for e in order.events if e.action in ("accepted", "counter_accepted")), date)
    contract_status = {OrderStatus.ACCEPTED: "active", OrderStatus.FULFILLED: "terminated",
                       OrderStatus.CANCELLED: "terminated"}.get(order.status, "active")
    release = {
        "ocid": ocid, "id": release_id, "date": iso(date), "tag": tags, "initiationType": "tender",
        "language": "vi", "buyer": buyer,
        "tender": {
            "id": f"order-{order.id}", "title": order.title, "description": order.description,
            "status": "complete", "procuringEntity": buyer, "procurementMethod": "limited",
            "procurementMethodDetails": "Direct order (đặt hàng)",
            "procurementMethodRationale": "Direct order with a domestic manufacturer under the environmental "
                                          "industry development programme.",
            "mainProcurementCategory": "goods" if order.kind.value == "product" else "services",
            "items": [{"id": "1", "description": order.title,
                       "classification": _classification(codes[0]) if codes else None,
                       "additionalClassifications": [_classification(c) for c in codes[1:]],
                       "quantity": float(order.quantity), "unit": {"name": order.unit}}],
            "value": _money(order.price_vnd),
            "deliveryAddresses": [{"region": province_name(order.delivery_province, "vi"), "countryName": "Việt Nam"}],
            "numberOfTenderers": 1, "tenderers": [supplier],
        },
        "awards": [{"id": f"order-{order.id}-award", "title": order.title, "status": "active",
                    "date": iso(accepted_at), "value": _money(order.price_vnd), "suppliers": [supplier]}],
        "contracts": [{"id": f"order-{order.id}-contract", "awardID": f"order-{order.id}-award", "title": order.title,
                       "status": contract_status, "value": _money(order.price_vnd), "dateSigned": iso(accepted_at),
                       "period": {"endDate": iso(order.delivery_date)}}],
        "parties": list(parties.items.values()),
    }
    return _prune(release)


def publish_order_release(session: Session, order: Order, order_event: OrderEvent) -> OcdsRelease | None:
    """Publish a release when an order becomes, is fulfilled as, or stops being a contract; flushes only."""
    tags = ORDER_EVENT_TAGS.get(order_event.action)
    if tags is None or (order_event.action == "cancelled" and order_event.from_status != "accepted"):
        return None
    session.flush()
    ocid = order_ocid(session, order)
    seq = _next_seq(session, ocid)
    release_id = f"{ocid}-{seq:04d}"
    data = order_release(order, ocid=ocid, release_id=release_id, date=order_event.occurred_at, tags=tags)
    row = OcdsRelease(ocid=ocid, seq=seq, release_id=release_id, date=order_event.occurred_at, tag=tags, data=data,
                      order_id=order.id, source=f"order_event:{order_event.id}")
    session.add(row)
    session.flush()
    return row


# --- packages --------------------------------------------------------------------------------------------------

def parse_bound(value: str | None, field: str, *, end: bool = False) -> datetime | None:
    """Parse ?since= / ?until= (a date or an ISO date-time); a bare `until` date includes that whole day."""
    if not value:
        return None
    raw = value.strip().replace(" ", "+")
    try:
        if len(raw) == 10:
            d = date.fromisoformat(raw)
            moment = datetime.combine(d, time(0, 0), tzinfo=timezone.utc)
            return moment + timedelta(days=1) - timedelta(microseconds=1) if end else moment
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError({field: str(_l("Give a date (YYYY-MM-DD) or an ISO 8601 date-time."))}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _absolute(release: dict, base_url: str) -> dict:
    """Turn the platform paths stored in document links into absolute URLs for this host."""
    docs = (release.get("tender") or {}).get("documents")
    if not docs:
        return release
    base = base_url.rstrip("/")
    tender = {**release["tender"], "documents": [
        {**d, "url": base + d["url"]} if str(d.get("url", "")).startswith("/") else d for d in docs]}
    return {**release, "tender": tender}


def publisher(base_url: str) -> dict:
    return {"name": "VN-EnviroMarket", "uri": base_url.rstrip("/") + "/"}


def release_package(session: Session, *, base_url: str, package_uri: str, since: datetime | None = None,
                    until: datetime | None = None, ocid: str | None = None, page: int = 1,
                    per_page: int = 100) -> tuple[dict, bool]:
    """Return a release package of stored releases in date order, and whether another page follows."""
    stmt = select(OcdsRelease)
    if since is not None:
        stmt = stmt.where(OcdsRelease.date >= since)
    if until is not None:
        stmt = stmt.where(OcdsRelease.date <= until)
    if ocid:
        stmt = stmt.where(OcdsRelease.ocid == ocid)
    rows = list(session.scalars(stmt.order_by(OcdsRelease.date, OcdsRelease.id)
                                .offset((page - 1) * per_page).limit(per_page + 1)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    latest = max((r.date for r in rows), default=None)
    from ..models import utcnow

    package = {
        "uri": package_uri, "version": OCDS_VERSION, "publishedDate": iso(latest or utcnow()),
        "publisher": publisher(base_url), "license": LICENSE, "extensions": EXTENSIONS,
        "releases": [_absolute(r.data, base_url) for r in rows],
    }
    return package, more


def merge(compiled: Any, new: Any) -> Any:
    """OCDS merge: objects merge field by field, arrays of objects with ids merge by id, the rest is replaced."""
    if isinstance(compiled, dict) and isinstance(new, dict):
        out = dict(compiled)
        for k, v in new.items():
            out[k] = merge(compiled.get(k), v) if k in compiled else v
        return out
    if (isinstance(compiled, list) and isinstance(new, list) and new
            and all(isinstance(x, dict) and "id" in x for x in [*compiled, *new])):
        by_id = {x["id"]: x for x in compiled}
        order = [x["id"] for x in compiled]
        for x in new:
            if x["id"] in by_id:
                by_id[x["id"]] = merge(by_id[x["id"]], x)
            else:
                by_id[x["id"]] = x
                order.append(x["id"])
        return [by_id[i] for i in order]
    return new


def compile_releases(releases: list[dict]) -> dict:
    """Compile releases (oldest first) into the compiled release of a record."""
    compiled: dict = {}
    for r in releases:
        compiled = merge(compiled, r)
    compiled["id"] = f"{compiled['ocid']}-compiled"
    compiled["tag"] = ["compiled"]
    compiled["date"] = releases[-1]["date"]
    return compiled


def record_package(session: Session, ocid: str, *, base_url: str, package_uri: str) -> dict | None:
    """Return the record package of one contracting process, or None when it has no release."""
    rows = list(session.scalars(select(OcdsRelease).where(OcdsRelease.ocid == ocid)
                                .order_by(OcdsRelease.date, OcdsRelease.seq)))
    if not rows:
        return None
    releases = [_absolute(r.data, base_url) for r in rows]
    return {
        "uri": package_uri, "version": OCDS_VERSION, "publishedDate": releases[-1]["date"],
        "publisher": publisher(base_url), "license": LICENSE, "extensions": EXTENSIONS,
        "records": [{"ocid": ocid, "releases": releases, "compiledRelease": compile_releases(releases)}],
    }
