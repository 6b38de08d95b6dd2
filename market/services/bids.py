"""Sealed bids: submit, change, re-confirm, withdraw, read (bidder only before opening), open at opening time.

Rules kept here (each has its own test in tests/services/test_procurement_sealed.py):
(a) the receipt time is the server's; a client-supplied time is refused;
(b) before opening only the bidder reads a bid or its documents; contents are a Fernet token whose key is not
    in the database, so no price is stored in plain text;
(d) at opening every bid's content hash is checked against its latest receipt;
(e) every denied read of sealed data is audited (procurement_authz.deny_sealed), anonymous attempts included
    (with where they came from, then a request to log in);
(f) no bid is accepted at or after the deadline, whatever the tender's state column says.
"""
from __future__ import annotations

import secrets
from typing import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..authz import require, require_user
from ..errors import Conflict, NotAuthenticated, NotFound, ValidationError
from ..i18n import _l
from ..lifecycle import IllegalTransition, bid_advance
from ..models import Role, StoredFile, User, utcnow
from ..models.procurement import Bid, BidLotValue, BidReceipt, BidStatus, Tender, TenderStatus
from ..sealing import SealError, content_hash, seal, unseal, with_nonce
from . import audit, files, outbox
from .idempotency import insert_once
from .procurement_authz import can_list_bids, can_read_bid, deny_sealed, is_bidder, supplier_orgs
from .tenders import _int, _num, add_change, move, translate

CLIENT_TIME_FIELDS = ("submitted_at", "received_at", "receipt_time", "date", "time", "timestamp")
OPEN_STATES = (BidStatus.PENDING, BidStatus.INVALID)


def _bid_advance(bid: Bid, event: str) -> None:
    try:
        bid.status = BidStatus(bid_advance(bid.status.value, event))
    except IllegalTransition as exc:
        raise Conflict(str(_l("This is not possible while the bid is in its current state."))) from exc


def _validate_content(tender: Tender, data: Mapping) -> dict:
    """Check the offer and return the content to seal (without nonce or documents)."""
    errors: dict[str, str] = {}
    for name in CLIENT_TIME_FIELDS:
        if name in data:
            errors[name] = str(_l("The receipt time is set by the server and cannot be supplied."))
    lots_by_id = {lot.id: lot for lot in tender.lots}
    raw = data.get("lots")
    offers: list[dict] = []
    if not isinstance(raw, list) or not raw:
        errors["lots"] = str(_l("Offer a price for at least one lot."))
    else:
        seen = set()
        for i, item in enumerate(raw):
            lot_id = _int(item.get("lot_id")) if isinstance(item, Mapping) else None
            if lot_id not in lots_by_id:
                errors[f"lots.{i}.lot_id"] = str(_l("This lot does not exist in the tender."))
                continue
            if lot_id in seen:
                errors[f"lots.{i}.lot_id"] = str(_l("Each lot may be offered only once."))
                continue
            seen.add(lot_id)
            price = _int(item.get("price"))
            if price is None or price <= 0:
                errors[f"lots.{i}.price"] = str(_l("The price must be a positive whole number of dong."))
                continue
            offers.append({"lot_id": lot_id, "price": price})
    domestic = _num(data.get("domestic_content_pct"))
    if domestic is None or not 0 <= domestic <= 100:
        errors["domestic_content_pct"] = str(_l("Give a percentage between 0 and 100."))
    days = _int(data.get("delivery_days"))
    if days is None or days <= 0 or days > 3650:
        errors["delivery_days"] = str(_l("Give the delivery time in days (a positive whole number)."))
    proposal = str(data.get("technical_proposal") or "").strip()
    if not proposal:
        errors["technical_proposal"] = str(_l("Describe your technical proposal."))
    elif len(proposal) > 20000:
        errors["technical_proposal"] = str(_l("The technical proposal is too long (at most 20,000 characters)."))
    if errors:
        raise ValidationError(errors)
    return {"lots": offers, "domestic_content_pct": domestic, "delivery_days": days, "technical_proposal": proposal}


def _check_open_for_bids(tender: Tender) -> None:
    """Rule (f): the deadline is checked against the server clock, not only the state column."""
    if tender.status != TenderStatus.TENDERING or utcnow() >= tender.tender_end:
        raise Conflict(str(_l("The tender is not accepting bids (the submission deadline has passed or tendering has not started).")),
                       {"tender": str(_l("The tender is not accepting bids."))})


def _check_documents(documents: list[tuple[str, bytes]] | None, config: Mapping) -> None:
    for i, (name, data) in enumerate(documents or []):
        files.check_upload(name, data, max_bytes=files._max_bytes(config, None),
                           field="documents" if i == 0 else f"documents.{i}")


def _seal_into(session: Session, bid: Bid, content: dict, config: Mapping, action: str) -> BidReceipt:
    """Seal the content into the bid and write a receipt with the server's time."""
    content = with_nonce(content)
    bid.sealed, bid.content_hash = seal(config["BID_KEY"], content)
    now = utcnow()
    bid.submitted_at = now
    receipt = BidReceipt(bid_id=bid.id, version=bid.version, action=action, content_hash=bid.content_hash,
                         received_at=now, code=f"R-{bid.id}-{bid.version}-{secrets.token_hex(4).upper()}")
    session.add(receipt)
    session.flush()
    return receipt


def _document_list(session: Session, bid: Bid) -> list[dict]:
    return [{"filename": f.filename, "sha256": f.sha256, "version": f.version, "size": f.size}
            for f in files.current(session, "bid", bid.id)]


def _store_documents(session: Session, bid: Bid, user: User, documents, config: Mapping) -> None:
    for name, data in documents or []:
        files.store(session, config, data, name, owner_kind="bid", owner_id=bid.id, slot="document",
                    uploaded_by=user, encrypt=True)


def _receipt_mail(session: Session, user: User, bid: Bid, receipt: BidReceipt) -> None:
    # The receipt mail carries the time and the commitment, never the offer itself.
    outbox.send_email(session, user, translate(user.language, "Bid receipt %(code)s", code=receipt.code),
                      translate(user.language, "Your bid on \"%(title)s\" was received at %(time)s UTC (version %(v)s). Content commitment (sha256): %(hash)s",
                                title=bid.tender.title, time=receipt.received_at.strftime("%Y-%m-%d %H:%M:%S"),
                                v=receipt.version, hash=receipt.content_hash))


def bid_by_key(session: Session, user_id: int, key: str | None) -> Bid | None:
    """The bid this user submitted earlier with this idempotency key, if any."""
    if not key:
        return None
    return session.scalar(select(Bid).where(Bid.submitted_by_id == user_id, Bid.idempotency_key == key[:100]))


def submit_bid(session: Session, user: User | None, tender_id: int, data: Mapping, *, config: Mapping,
               idempotency_key: str | None = None, documents: list[tuple[str, bytes]] | None = None) -> Bid:
    """Submit a sealed bid; returns the bid (its latest receipt holds the server time and commitment)."""
    user = require_user(user)
    user_id = user.id
    orgs = supplier_orgs(user)
    require(bool(orgs), _l("Only supplier representatives may bid."))
    existing = bid_by_key(session, user_id, idempotency_key)
    if existing is not None:
        return existing
    tender = session.get(Tender, tender_id)
    if tender is None or tender.status == TenderStatus.DRAFT:
        raise NotFound(str(_l("No such tender.")))
    _check_open_for_bids(tender)
    bidder_id = _int(data.get("bidder_id")) if data.get("bidder_id") not in (None, "") else orgs[0].id
    bidder = next((o for o in orgs if o.id == bidder_id), None)
    if bidder is None:
        raise ValidationError({"bidder_id": str(_l("You do not represent this organisation."))})
    if bidder.id == tender.buyer_id:
        raise ValidationError({"bidder_id": str(_l("The buyer cannot bid on its own tender."))})
    if tender.sme_set_aside and not bidder.is_sme:
        raise ValidationError({"bidder_id": str(_l("This tender is reserved for small and medium enterprises."))})
    content = _validate_content(tender, {k: v for k, v in data.items() if k != "bidder_id"})
    duplicate = session.scalar(select(Bid.id).where(Bid.tender_id == tender.id, Bid.bidder_id == bidder.id,
                                                    Bid.status != BidStatus.WITHDRAWN))
    if duplicate is not None:
        # A retry racing its first attempt finds that bid here once it has committed: it is the answer, not a duplicate.
        existing = bid_by_key(session, user_id, idempotency_key)
        if existing is not None:
            return existing
        raise ValidationError({"tender": str(_l("Your organisation already has a bid on this tender; change that bid instead."))})
    _check_documents(documents, config)
    bid = Bid(tender_id=tender.id, bidder_id=bidder.id, submitted_by_id=user.id, status=BidStatus.PENDING,
              idempotency_key=(idempotency_key or None) and idempotency_key[:100], version=1)
    created = insert_once(session, bid, lambda: bid_by_key(session, user_id, idempotency_key))
    if created is not bid:
        return created
    _store_documents(session, bid, user, documents, config)
    content["documents"] = _document_list(session, bid)
    receipt = _seal_into(session, bid, content, config, "submitted")
    audit.record(session, "bid.submit", actor_id=user.id, subject_type="bid", subject_id=bid.id,
                 detail={"tender": tender.id, "receipt": receipt.code, "hash": receipt.content_hash})
    _receipt_mail(session, user, bid, receipt)
    session.commit()
    return bid


def _own_open_bid(session: Session, user: User | None, bid_id: int, channel: str) -> tuple[User, Bid]:
    user = require_user(user)
    bid = session.get(Bid, bid_id)
    if bid is None:
        raise NotFound(str(_l("No such bid.")))
    if not is_bidder(user, bid):
        deny_sealed(session, user, "bid", bid_id, channel, action="procurement.bid_write_denied")
    return user, bid


def change_bid(session: Session, user: User | None, bid_id: int, data: Mapping, *, config: Mapping,
               documents: list[tuple[str, bytes]] | None = None, channel: str = "service") -> Bid:
    """Replace the bid's offer before the deadline (also re-confirms an invalidated bid); new receipt."""
    user, bid = _own_open_bid(session, user, bid_id, channel)
    _check_open_for_bids(bid.tender)
    if bid.status not in OPEN_STATES:
        raise Conflict(str(_l("This bid can no longer be changed.")))
    current = unseal(config["BID_KEY"], bid.sealed)
    merged = {k: current.get(k) for k in ("lots", "domestic_content_pct", "delivery_days", "technical_proposal")}
    merged.update({k: v for k, v in data.items() if k != "bidder_id"})
    content = _validate_content(bid.tender, merged)
    _check_documents(documents, config)
    _store_documents(session, bid, user, documents, config)
    content["documents"] = _document_list(session, bid)
    was_invalid = bid.status == BidStatus.INVALID
    _bid_advance(bid, "change")
    bid.version += 1
    receipt = _seal_into(session, bid, content, config, "confirmed" if was_invalid else "changed")
    audit.record(session, "bid.change", actor_id=user.id, subject_type="bid", subject_id=bid.id,
                 detail={"receipt": receipt.code, "hash": receipt.content_hash})
    _receipt_mail(session, user, bid, receipt)
    session.commit()
    return bid


def confirm_bid(session: Session, user: User | None, bid_id: int, *, config: Mapping, channel: str = "service") -> Bid:
    """Re-confirm a bid invalidated by a material change, keeping its offer; new receipt."""
    user, bid = _own_open_bid(session, user, bid_id, channel)
    _check_open_for_bids(bid.tender)
    if bid.status != BidStatus.INVALID:
        raise Conflict(str(_l("Only a bid invalidated by a change of the tender needs re-confirming.")))
    return change_bid(session, user, bid_id, {}, config=config, channel=channel)


def withdraw_bid(session: Session, user: User | None, bid_id: int, *, channel: str = "service") -> Bid:
    """Withdraw a bid before the deadline; its sealed content is destroyed."""
    user, bid = _own_open_bid(session, user, bid_id, channel)
    _check_open_for_bids(bid.tender)
    _bid_advance(bid, "withdraw")
    bid.withdrawn_at = utcnow()
    bid.sealed = None
    bid.version += 1
    session.add(BidReceipt(bid_id=bid.id, version=bid.version, action="withdrawn", content_hash=None,
                           received_at=bid.withdrawn_at,
                           code=f"R-{bid.id}-{bid.version}-{secrets.token_hex(4).upper()}"))
    audit.record(session, "bid.withdraw", actor_id=user.id, subject_type="bid", subject_id=bid.id)
    session.commit()
    return bid


def _login_needed() -> NotAuthenticated:
    return NotAuthenticated(str(_l("Log in to read bids.")))


def _refuse_read(session: Session, user: User | None, subject_type: str, subject_id: object, channel: str,
                 origin: Mapping[str, str] | None) -> None:
    """Audit a refused read of sealed data and raise; an anonymous caller is then asked to log in."""
    if user is not None:
        deny_sealed(session, user, subject_type, subject_id, channel)  # raises NotAuthorized
    # Nobody to name, so keep where the attempt came from (address, route) for whoever reviews the log.
    session.rollback()
    audit.record(session, "procurement.sealed_read_denied", subject_type=subject_type, subject_id=subject_id,
                 detail={"channel": channel, **(origin or {})})
    session.commit()
    raise _login_needed()


def _missing(user: User | None, message: str) -> Exception:
    # Anonymous callers get the same answer for missing and sealed records, so probing ids reveals no bid count.
    return _login_needed() if user is None else NotFound(message)


def read_bid(session: Session, user: User | None, bid_id: int, *, config: Mapping, channel: str = "service",
             origin: Mapping[str, str] | None = None) -> tuple[Bid, dict | None]:
    """Return the bid and its content for the bidder, or (after opening) the buyer and administrators.

    Everyone else, and everyone but the bidder before opening, is refused and the attempt audited; `origin`
    (e.g. the client address and route) is kept in the log for anonymous attempts.
    """
    bid = session.get(Bid, bid_id)
    if bid is None:
        raise _missing(user, str(_l("No such bid.")))
    if not can_read_bid(user, bid):
        _refuse_read(session, user, "bid", bid_id, channel, origin)
    if bid.revealed is not None:
        return bid, bid.revealed
    if bid.sealed is None:
        return bid, None
    return bid, unseal(config["BID_KEY"], bid.sealed)


def list_bids(session: Session, user: User | None, tender_id: int, *, channel: str = "service",
              origin: Mapping[str, str] | None = None) -> list[Bid]:
    """Return a tender's bids after opening to the buyer and administrators; before that, refuse and audit."""
    tender = session.get(Tender, tender_id)
    if tender is None or tender.status == TenderStatus.DRAFT:
        raise _missing(user, str(_l("No such tender.")))
    if not can_list_bids(user, tender):
        _refuse_read(session, user, "tender_bids", tender_id, channel, origin)
    return [b for b in tender.bids if b.revealed is not None]


def my_bids(session: Session, user: User | None) -> list[Bid]:
    """Every bid of the organisations the user represents."""
    ids = [o.id for o in supplier_orgs(user)]
    if not ids:
        return []
    return list(session.scalars(select(Bid).where(Bid.bidder_id.in_(ids)).order_by(Bid.id.desc())))


def bid_documents(session: Session, user: User | None, bid_id: int, *, config: Mapping, channel: str = "service",
                  origin: Mapping[str, str] | None = None) -> list[StoredFile]:
    """List a bid's documents (all versions) for those who may read the bid."""
    read_bid(session, user, bid_id, config=config, channel=channel, origin=origin)
    return files.versions(session, "bid", bid_id)


def read_bid_document(session: Session, user: User | None, file_id: int, *, config: Mapping,
                      channel: str = "service", origin: Mapping[str, str] | None = None) -> tuple[StoredFile, bytes]:
    """Return a bid document's bytes for those who may read the bid; others are refused and audited."""
    stored = session.get(StoredFile, file_id)
    bid = session.get(Bid, stored.owner_id) if stored is not None and stored.owner_kind == "bid" else None
    if bid is None:
        raise _missing(user, str(_l("No such document.")))
    if not can_read_bid(user, bid):
        _refuse_read(session, user, "bid_document", file_id, channel, origin)
    return stored, files.read(config, stored)


def opening_record(tender: Tender) -> list[dict]:
    """The public opening record: bidders, prices per lot, receipt times and commitments (after opening only)."""
    if tender.opened_at is None:
        return []
    lots = {lot.id: lot.number for lot in tender.lots}
    rows = []
    for bid in tender.bids:
        if bid.revealed is None:
            continue
        receipt = next((r for r in reversed(bid.receipts) if r.content_hash), None)
        rows.append({"bid_id": bid.id, "bidder": bid.bidder.name, "bidder_id": bid.bidder_id,
                     "received_at": bid.submitted_at.isoformat() if bid.submitted_at else None,
                     "receipt": receipt.code if receipt else None, "content_hash": bid.content_hash,
                     "hash_verified": bid.hash_verified, "total_price": bid.total_price,
                     "domestic_content_pct": bid.domestic_content_pct, "delivery_days": bid.delivery_days,
                     "lots": [{"lot_id": v.lot_id, "lot_number": lots.get(v.lot_id), "price": v.price}
                              for v in bid.lot_values]})
    return rows


def open_bids(session: Session, tender: Tender, config: Mapping) -> int:
    """Decrypt every submitted bid at the opening time (worker only), check its commitment, publish the record.

    Returns the number of bids opened. Flushes only; the worker commits.
    """
    opened = 0
    now = utcnow()
    for bid in tender.bids:
        if bid.status != BidStatus.PENDING or bid.sealed is None:
            continue
        try:
            content = unseal(config["BID_KEY"], bid.sealed)
            digest = content_hash(content)
        except SealError:
            content, digest = None, None
        receipt = next((r for r in reversed(bid.receipts) if r.content_hash), None)
        verified = content is not None and receipt is not None and digest == receipt.content_hash == bid.content_hash
        bid.hash_verified = verified
        _bid_advance(bid, "open")
        if not verified:
            bid.revealed = {"error": "content does not match its receipt"}
            _bid_advance(bid, "disqualify")
            bid.qualification_reason = "The bid content does not match the commitment on its receipt."
            audit.record(session, "bid.hash_mismatch", subject_type="bid", subject_id=bid.id)
            continue
        bid.revealed = content
        bid.total_price = sum(o["price"] for o in content["lots"])
        bid.domestic_content_pct = content["domestic_content_pct"]
        bid.delivery_days = content["delivery_days"]
        for offer in content["lots"]:
            session.add(BidLotValue(bid_id=bid.id, lot_id=offer["lot_id"], price=offer["price"]))
        opened += 1
    session.flush()
    tender.opened_at = now
    if opened == 0:
        move(session, tender, "no_bids", None, "no bids to open")
        tender.closed_at = now
        tender.close_reason = "no valid bids"
    else:
        move(session, tender, "open_bids", None, "bids opened")
        session.flush()
        session.refresh(tender)
        add_change(session, tender, "opening", "opening record", {"bids": opening_record(tender)})
        from .evaluation import rescore
        rescore(session, tender)
    recipients: dict[int, User] = {}
    for bid in tender.bids:
        if bid.revealed is not None:
            for m in bid.bidder.memberships:
                if m.role == Role.SUPPLIER_REPRESENTATIVE:
                    recipients.setdefault(m.user_id, m.user)
    for m in tender.buyer.memberships:
        if m.role == Role.PROCUREMENT_OFFICER:
            recipients.setdefault(m.user_id, m.user)
    for u in recipients.values():
        outbox.send_email(session, u, translate(u.language, "Bids opened: %(title)s", title=tender.title),
                          translate(u.language, "%(n)s bid(s) were opened at %(time)s UTC. The opening record is public on the tender notice.",
                                    n=opened, time=now.strftime("%Y-%m-%d %H:%M")))
    audit.record(session, "tender.open_bids", subject_type="tender", subject_id=tender.id, detail={"opened": opened})
    return opened

