"""Evaluation after opening: margin of preference, scoring, qualification, award, standstill, contract."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..authz import require, require_user
from ..errors import Conflict, NotFound, ValidationError
from ..i18n import _l
from ..lifecycle import IllegalTransition, bid_advance
from ..models import Organisation, Role, User, utcnow
from ..models.procurement import (Award, AwardCriteria, AwardStatus, Bid, BidLotValue, BidStatus, Contract,
                                  Tender, TenderStatus)
from . import audit, outbox
from .directory import register_profile_section
from .procurement_authz import is_buyer_officer
from .tenders import _num, add_change, move, parse_time, settings, translate

RANKED = (BidStatus.OPENED, BidStatus.QUALIFIED, BidStatus.AWARDED)


def margin_applies(tender: Tender, bid: Bid) -> bool:
    """A bid earns the margin of preference when its declared domestic content reaches the threshold."""
    return bool(tender.domestic_margin_pct) and (bid.domestic_content_pct or 0) >= (tender.domestic_threshold_pct or 0)


def rescore(session: Session, tender: Tender) -> None:
    """Recompute evaluated prices, scores and ranks per lot; flushes only.

    Evaluated price = price x (1 - margin%) for qualifying domestic bids. Score (0..100): lowest price ->
    100 x best evaluated price / evaluated price; price + quality -> price weight x that + quality weight x
    quality score (0..100), weights as published.
    """
    for lot in tender.lots:
        values = [v for b in tender.bids if b.status in RANKED for v in b.lot_values if v.lot_id == lot.id]
        for b in tender.bids:
            if b.status not in RANKED:
                for v in b.lot_values:
                    v.score = v.rank = None
        for v in values:
            applies = margin_applies(tender, v.bid)
            v.margin_applied = applies
            v.evaluated_price = round(v.price * (1 - tender.domestic_margin_pct / 100)) if applies else v.price
        if not values:
            continue
        best = min(v.evaluated_price for v in values) or 1
        for v in values:
            price_score = 100.0 * best / max(v.evaluated_price, 1)
            if tender.award_criteria == AwardCriteria.PRICE_QUALITY:
                quality = v.quality_score if v.quality_score is not None else 0.0
                v.score = round((tender.price_weight * price_score + tender.quality_weight * quality) / 100, 2)
            else:
                v.score = round(price_score, 2)
        ordered = sorted(values, key=lambda v: (-(v.score or 0), v.evaluated_price, v.bid.submitted_at or utcnow()))
        for i, v in enumerate(ordered, start=1):
            v.rank = i
    session.flush()


def _officer_tender(session: Session, user: User | None, tender_id: int) -> Tender:
    user = require_user(user)
    tender = session.get(Tender, tender_id)
    if tender is None or tender.status == TenderStatus.DRAFT:
        raise NotFound(str(_l("No such tender.")))
    require(is_buyer_officer(user, tender), _l("Only the buyer's procurement officers may do this."))
    return tender


def _bid_of(session: Session, tender: Tender, bid_id: Any) -> Bid:
    bid = session.get(Bid, bid_id) if isinstance(bid_id, int) else None
    if bid is None or bid.tender_id != tender.id:
        raise ValidationError({"bid_id": str(_l("This bid does not belong to the tender."))})
    return bid


def _advance(bid: Bid, event: str) -> None:
    try:
        bid.status = BidStatus(bid_advance(bid.status.value, event))
    except IllegalTransition as exc:
        raise Conflict(str(_l("This is not possible while the bid is in its current state."))) from exc


def set_quality_scores(session: Session, user: User | None, tender_id: int, bid_id: int,
                       scores: Mapping[Any, Any]) -> Bid:
    """Record the buyer's quality score (0..100) per lot for a price + quality tender."""
    tender = _officer_tender(session, user, tender_id)
    if tender.status != TenderStatus.QUALIFICATION:
        raise Conflict(str(_l("Bids can only be evaluated after opening and before the award.")))
    bid = _bid_of(session, tender, bid_id)
    errors = {}
    by_lot = {v.lot_id: v for v in bid.lot_values}
    for lot_id, raw in scores.items():
        value = _num(raw)
        try:
            lot_key = int(lot_id)
        except (TypeError, ValueError):
            lot_key = None
        if lot_key not in by_lot:
            errors[f"scores.{lot_id}"] = str(_l("This lot does not exist in the tender."))
        elif value is None or not 0 <= value <= 100:
            errors[f"scores.{lot_id}"] = str(_l("Give a score between 0 and 100."))
        else:
            by_lot[lot_key].quality_score = value
    if errors:
        raise ValidationError(errors)
    rescore(session, tender)
    audit.record(session, "bid.quality_score", actor_id=user.id, subject_type="bid", subject_id=bid.id,
                 detail={"scores": {str(k): v for k, v in scores.items()}})
    session.commit()
    return bid


def qualify_bid(session: Session, user: User | None, tender_id: int, bid_id: int, qualified: bool,
                reason: str = "") -> Bid:
    """Qualify or disqualify an opened bid; a disqualification needs a reason, which bidders see."""
    tender = _officer_tender(session, user, tender_id)
    if tender.status not in (TenderStatus.QUALIFICATION, TenderStatus.AWARDED):
        raise Conflict(str(_l("Bids can only be evaluated after opening and before the award.")))
    bid = _bid_of(session, tender, bid_id)
    reason = (reason or "").strip()
    if not qualified and not reason:
        raise ValidationError({"reason": str(_l("Give the reason for disqualifying the bid."))})
    _advance(bid, "qualify" if qualified else "disqualify")
    bid.qualification_reason = reason or None
    bid.evaluated_at = utcnow()
    rescore(session, tender)
    add_change(session, tender, "qualification", "bid qualified" if qualified else "bid disqualified",
               {"bid_id": bid.id, "bidder": bid.bidder.name, "qualified": qualified, "reason": reason}, user)
    audit.record(session, "bid.qualify" if qualified else "bid.disqualify", actor_id=user.id, subject_type="bid",
                 subject_id=bid.id, detail={"reason": reason})
    if not any(b.status in (BidStatus.OPENED, BidStatus.QUALIFIED, BidStatus.AWARDED) for b in tender.bids):
        tender.closed_at = utcnow()
        tender.close_reason = "no qualified bids"
        move(session, tender, "no_qualified_bids", user, "no qualified bids")
    session.commit()
    return bid


def award(session: Session, user: User | None, tender_id: int, bid_id: Any, justification: str, *,
          lot_id: Any = None, config: Mapping | None = None) -> Award:
    """Award a lot to a qualified bid with a justification; the standstill period starts now."""
    tender = _officer_tender(session, user, tender_id)
    if tender.status not in (TenderStatus.QUALIFICATION, TenderStatus.AWARDED):
        raise Conflict(str(_l("The tender cannot be awarded in its current state.")))
    errors: dict[str, str] = {}
    justification = (justification or "").strip()
    if not justification:
        errors["justification"] = str(_l("Give the justification for the award."))
    lots = {lot.id: lot for lot in tender.lots}
    if lot_id in (None, "") and len(lots) == 1:
        lot_id = next(iter(lots))
    try:
        lot_id = int(lot_id)
    except (TypeError, ValueError):
        lot_id = None
    if lot_id not in lots:
        errors["lot_id"] = str(_l("This lot does not exist in the tender."))
    if errors:
        raise ValidationError(errors)
    bid = _bid_of(session, tender, bid_id)
    if bid.status not in (BidStatus.QUALIFIED, BidStatus.AWARDED):
        raise ValidationError({"bid_id": str(_l("Only a qualified bid can be awarded."))})
    value: BidLotValue | None = next((v for v in bid.lot_values if v.lot_id == lot_id), None)
    if value is None:
        raise ValidationError({"lot_id": str(_l("This bid has no offer for the lot."))})
    if any(a.lot_id == lot_id and a.status != AwardStatus.CANCELLED for a in tender.awards):
        raise ValidationError({"lot_id": str(_l("This lot is already awarded."))})
    now = utcnow()
    standstill = now + timedelta(seconds=settings(config)["TENDER_STANDSTILL_SECONDS"])
    record = Award(tender_id=tender.id, lot_id=lot_id, bid_id=bid.id, supplier_id=bid.bidder_id, value=value.price,
                   justification=justification, status=AwardStatus.PENDING, awarded_at=now, standstill_end=standstill,
                   awarded_by_id=user.id)
    session.add(record)
    if bid.status == BidStatus.QUALIFIED:
        _advance(bid, "award")
    tender.awarded_at = now
    session.flush()
    session.refresh(tender)
    awarded_lots = {a.lot_id for a in tender.awards if a.status != AwardStatus.CANCELLED}
    if awarded_lots >= set(lots):
        for other in tender.bids:
            if other.status in (BidStatus.OPENED, BidStatus.QUALIFIED):
                _advance(other, "lose")
    move(session, tender, "award", user, "awarded",
         {"award": {"lot_id": lot_id, "supplier": bid.bidder.name, "supplier_id": bid.bidder_id, "value": value.price,
                    "rank": value.rank, "score": value.score, "margin_applied": value.margin_applied,
                    "justification": justification, "standstill_end": standstill.isoformat()}})
    notify = {}
    for b in tender.bids:
        if b.revealed is not None:
            for m in b.bidder.memberships:
                if m.role == Role.SUPPLIER_REPRESENTATIVE:
                    notify.setdefault(m.user_id, m.user)
    for u in notify.values():
        outbox.send_email(session, u, translate(u.language, "Award notice: %(title)s", title=tender.title),
                          translate(u.language, "Lot %(lot)s was awarded to %(supplier)s for %(value)s VND. Justification: %(why)s. Standstill period until %(until)s UTC.",
                                    lot=lots[lot_id].number, supplier=bid.bidder.name, value=f"{value.price:,}",
                                    why=justification, until=standstill.strftime("%Y-%m-%d %H:%M")))
    audit.record(session, "tender.award", actor_id=user.id, subject_type="tender", subject_id=tender.id,
                 detail={"bid": bid.id, "lot": lot_id})
    session.commit()
    return record


def end_standstill(session: Session, tender: Tender) -> int:
    """Worker: activate awards whose standstill period has passed; flushes only."""
    done = 0
    now = utcnow()
    for a in tender.awards:
        if a.status == AwardStatus.PENDING and a.standstill_end <= now:
            a.status = AwardStatus.ACTIVE
            add_change(session, tender, "award", "standstill ended", {"award_id": a.id, "status": "active"})
            done += 1
    return done


def sign_contract(session: Session, user: User | None, award_id: int, data: Mapping) -> Contract:
    """Record the signed contract for an award once its standstill period is over."""
    user = require_user(user)
    record = session.get(Award, award_id)
    if record is None:
        raise NotFound(str(_l("No such award.")))
    tender = _officer_tender(session, user, record.tender_id)
    if record.status != AwardStatus.ACTIVE or utcnow() < record.standstill_end:
        raise Conflict(str(_l("The contract can be signed only after the standstill period.")))
    if any(c.award_id == record.id for c in tender.contracts):
        raise Conflict(str(_l("The contract for this award is already recorded.")))
    errors = {}
    start, end = parse_time(data.get("period_start")), parse_time(data.get("period_end"))
    if data.get("period_start") and start is None:
        errors["period_start"] = str(_l("Give a date and time."))
    if data.get("period_end") and end is None:
        errors["period_end"] = str(_l("Give a date and time."))
    if start and end and end <= start:
        errors["period_end"] = str(_l("The end must be after the start."))
    raw_value = data.get("value")
    value = record.value if raw_value in (None, "") else _num(raw_value)
    if value is None or value <= 0 or int(value) != value:
        errors["value"] = str(_l("The price must be a positive whole number of dong."))
    if errors:
        raise ValidationError(errors)
    contract = Contract(tender_id=tender.id, award_id=record.id, supplier_id=record.supplier_id, value=int(value),
                        signed_at=utcnow(), period_start=start, period_end=end, created_by_id=user.id)
    session.add(contract)
    session.flush()
    session.refresh(tender)
    done = {c.award_id for c in tender.contracts}
    active = [a for a in tender.awards if a.status != AwardStatus.CANCELLED]
    add_change(session, tender, "contract", "contract signed",
               {"contract": {"award_id": record.id, "supplier": record.supplier.name, "value": int(value),
                             "period_start": start.isoformat() if start else None,
                             "period_end": end.isoformat() if end else None}}, user)
    if tender.status == TenderStatus.AWARDED and {a.id for a in active} <= done and \
            {a.lot_id for a in active} >= {lot.id for lot in tender.lots}:
        tender.closed_at = utcnow()
        move(session, tender, "complete", user, "complete")
    audit.record(session, "tender.contract", actor_id=user.id, subject_type="tender", subject_id=tender.id,
                 detail={"award": record.id, "value": int(value)})
    session.commit()
    return contract


# Tenders whose award notice is public and whose awards stand.
AWARD_NOTICE_STATES = (TenderStatus.AWARDED, TenderStatus.COMPLETE)


def awards_won(session: Session, org_id: int, limit: int = 50) -> list[Award]:
    """Return the awards an organisation won on published award notices, newest first (cancelled ones left out)."""
    return list(session.scalars(
        select(Award).join(Tender, Tender.id == Award.tender_id)
        .where(Award.supplier_id == org_id, Award.status != AwardStatus.CANCELLED,
               Tender.status.in_(AWARD_NOTICE_STATES))
        .order_by(Award.awarded_at.desc(), Award.id.desc()).limit(limit)))


@register_profile_section("awards", _l("Awards won"), order=50)
def _awards_section(session: Session, org: Organisation) -> list[dict]:
    """Tender history on the directory profile: what the organisation won, from whom, for how much, when."""
    from flask import url_for

    out = []
    for a in awards_won(session, org.id):
        tender = a.tender
        day = a.awarded_at.date().isoformat()
        out.append({"title": tender.title, "url": url_for("procurement.award_notice", tender_id=tender.id),
                    "subtitle": f"{tender.buyer.name} · {a.value:,} VND · {day}", "tender_id": tender.id,
                    "buyer": tender.buyer.name, "value_vnd": int(a.value), "date": day,
                    "status": a.status.value})
    return out
