"""Tenders: create, publish, amend (with bid invalidation and deadline extension), cancel, search, notices."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..authz import require, require_user
from ..errors import Conflict, NotFound, ValidationError
from ..i18n import _l
from ..indexing import reindex
from ..lifecycle import IllegalTransition, tender_advance
from ..models import Role, StoredFile, User, utcnow
from ..models.procurement import (AwardCriteria, BidStatus, Lot, Tender, TenderChange,
                                  TenderMethod, TenderStatus)
from ..provinces import normalise_province
from . import audit, files, outbox
from .idempotency import insert_once
from .procurement_authz import buyer_orgs, can_change_dates, can_create_tender, can_view_tender, is_buyer_officer

DATE_FIELDS = ("enquiry_end", "tender_end", "opening_at")
# Changing these during tendering changes what bidders offer against, so submitted bids must be re-confirmed.
MATERIAL_FIELDS = ("description", "cpv_codes", "lots", "award_criteria", "price_weight", "quality_weight",
                   "domestic_margin_pct", "domestic_threshold_pct", "sme_set_aside", "method", "province")
EDITABLE_FIELDS = ("title", "language", *MATERIAL_FIELDS, *DATE_FIELDS)


def translate(lang: str | None, message: str, **kwargs) -> str:
    """Translate a message into the recipient's language (works in requests and in the worker)."""
    try:
        from flask_babel import force_locale, gettext

        with force_locale(lang or "vi"):
            return gettext(message, **kwargs)
    except Exception:  # no application context (plain scripts): fall back to the English text
        return message % kwargs if kwargs else message


def settings(config: Mapping | None) -> dict[str, int]:
    """Return the procurement periods (seconds) from the app config, with the defaults."""
    from ..config import DEFAULTS

    config = config or {}
    return {k: int(config.get(k, DEFAULTS[k])) for k in (
        "TENDER_MIN_ENQUIRY_SECONDS", "TENDER_MIN_TENDERING_SECONDS", "TENDER_MIN_EXTENSION_SECONDS",
        "TENDER_STANDSTILL_SECONDS")}


def parse_time(value: Any) -> datetime | None:
    """Accept an aware datetime or an ISO 8601 string; naive values are taken as UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def validate_cpv(codes: Any, errors: dict[str, str], field: str = "cpv_codes") -> list[str]:
    """Check every CPV code against CPV 2008 and return the normalised 8-digit codes."""
    from matching import default_taxonomy

    if isinstance(codes, str):
        codes = [c for c in codes.replace(",", " ").split() if c]
    if not codes or not isinstance(codes, (list, tuple)):
        errors[field] = str(_l("Give at least one CPV code."))
        return []
    taxonomy = default_taxonomy()
    out: list[str] = []
    for code in codes:
        v = taxonomy.validate(str(code).strip())
        if not v.ok:
            errors[field] = str(_l("%(code)s is not a CPV 2008 code.", code=str(code)[:20]))
            return []
        if v.code not in out:
            out.append(v.code)
    return out


def _validate_lots(raw: Any, errors: dict[str, str]) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        errors["lots"] = str(_l("Give at least one lot."))
        return []
    lots = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            errors[f"lots.{i}"] = str(_l("Each lot needs a title, quantity, unit and estimated value."))
            continue
        title = str(item.get("title") or "").strip()
        qty = _num(item.get("quantity", 1))
        value = _int(item.get("estimated_value"))
        if not title or len(title) > 300:
            errors[f"lots.{i}.title"] = str(_l("Give the lot a title (at most 300 characters)."))
        if qty is None or qty <= 0:
            errors[f"lots.{i}.quantity"] = str(_l("The quantity must be a positive number."))
        if value is None or value < 0:
            errors[f"lots.{i}.estimated_value"] = str(_l("The estimated value must be a whole number of dong, 0 or more."))
        lots.append({"title": title, "description": str(item.get("description") or "").strip(),
                     "quantity": qty or 0, "unit": str(item.get("unit") or "").strip()[:40],
                     "estimated_value": value or 0})
    return lots


def _validate(data: Mapping, errors: dict[str, str], current: Tender | None = None) -> dict:
    """Validate tender fields present in data (all required when creating); return clean values."""
    creating = current is None
    clean: dict[str, Any] = {}

    def has(name: str) -> bool:
        return creating or name in data

    if has("title"):
        title = str(data.get("title") or "").strip()
        if not title or len(title) > 300:
            errors["title"] = str(_l("Give the tender a title (at most 300 characters)."))
        clean["title"] = title
    if has("description"):
        clean["description"] = str(data.get("description") or "").strip()
    if has("language"):
        lang = data.get("language") or "vi"
        if lang not in ("vi", "en"):
            errors["language"] = str(_l("Choose Vietnamese or English."))
        clean["language"] = lang
    if has("cpv_codes"):
        clean["cpv_codes"] = validate_cpv(data.get("cpv_codes"), errors)
    if has("method"):
        try:
            clean["method"] = TenderMethod(data.get("method") or "open")
        except ValueError:
            errors["method"] = str(_l("Choose one of the listed options."))
    if has("province"):
        code = normalise_province(data.get("province"))
        if code is None:
            errors["province"] = str(_l("Choose a province or city of Vietnam."))
        clean["province"] = code
    if has("award_criteria"):
        try:
            clean["award_criteria"] = AwardCriteria(data.get("award_criteria") or "lowest_price")
        except ValueError:
            errors["award_criteria"] = str(_l("Choose one of the listed options."))
    for name, default in (("price_weight", None), ("quality_weight", None)):
        if name in data and data.get(name) not in (None, ""):
            v = _int(data.get(name))
            if v is None or not 0 <= v <= 100:
                errors[name] = str(_l("Give a whole percentage between 0 and 100."))
            clean[name] = v
    for name in ("domestic_margin_pct", "domestic_threshold_pct"):
        if has(name):
            v = _num(data.get(name, 0) if data.get(name) not in (None, "") else 0)
            if v is None or not 0 <= v <= 100:
                errors[name] = str(_l("Give a percentage between 0 and 100."))
            clean[name] = v or 0.0
    if has("sme_set_aside"):
        clean["sme_set_aside"] = bool(data.get("sme_set_aside"))
    if has("lots"):
        clean["lots"] = _validate_lots(data.get("lots"), errors)
    for name in DATE_FIELDS:
        if has(name):
            dt = parse_time(data.get(name))
            if dt is None:
                errors[name] = str(_l("Give a date and time."))
            clean[name] = dt
    # Cross-field rules on the resulting values.
    criteria = clean.get("award_criteria", current.award_criteria if current else None)
    if criteria is not None and "award_criteria" not in errors:
        pw = clean.get("price_weight", current.price_weight if current and "award_criteria" not in clean else None)
        qw = clean.get("quality_weight", current.quality_weight if current and "award_criteria" not in clean else None)
        if criteria == AwardCriteria.LOWEST_PRICE:
            clean["price_weight"], clean["quality_weight"] = 100, 0
        elif "price_weight" not in errors and "quality_weight" not in errors:
            if pw is None and qw is not None:
                pw = 100 - qw
            if qw is None and pw is not None:
                qw = 100 - pw
            if pw is None or qw is None or pw + qw != 100 or qw == 0 or pw == 0:
                errors["quality_weight"] = str(_l("Price and quality weights must both be above 0 and add up to 100."))
            else:
                clean["price_weight"], clean["quality_weight"] = pw, qw
    margin = clean.get("domestic_margin_pct", current.domestic_margin_pct if current else 0)
    threshold = clean.get("domestic_threshold_pct", current.domestic_threshold_pct if current else 0)
    if margin and not threshold and "domestic_threshold_pct" not in errors:
        errors["domestic_threshold_pct"] = str(_l("Give the domestic content threshold for the margin of preference."))
    dates = {n: clean.get(n, getattr(current, n, None) if current else None) for n in DATE_FIELDS}
    if not any(n in errors for n in DATE_FIELDS) and all(dates.values()):
        if dates["tender_end"] <= dates["enquiry_end"]:
            errors["tender_end"] = str(_l("The submission deadline must be after the end of the enquiry period."))
        elif dates["opening_at"] < dates["tender_end"]:
            errors["opening_at"] = str(_l("Bids cannot be opened before the submission deadline."))
    return clean


def _check_periods(tender_dates: Mapping[str, datetime], errors: dict[str, str], cfg: Mapping[str, int],
                   now: datetime, check_enquiry: bool) -> None:
    """Enforce the minimum periods when a tender is published or its dates change."""
    if check_enquiry and tender_dates["enquiry_end"] < now + timedelta(seconds=cfg["TENDER_MIN_ENQUIRY_SECONDS"]):
        errors["enquiry_end"] = str(_l("The enquiry period must last at least %(hours)s hours from now.",
                                       hours=round(cfg["TENDER_MIN_ENQUIRY_SECONDS"] / 3600, 2)))
    gap = (tender_dates["tender_end"] - tender_dates["enquiry_end"]).total_seconds()
    if "tender_end" not in errors and gap < cfg["TENDER_MIN_TENDERING_SECONDS"]:
        errors["tender_end"] = str(_l("The submission deadline must be at least %(hours)s hours after the end of enquiries.",
                                      hours=round(cfg["TENDER_MIN_TENDERING_SECONDS"] / 3600, 2)))


def _sync_cpv(tender: Tender) -> None:
    tender.cpv_search = " " + " ".join(tender.cpv_codes or []) + " "


def add_change(session: Session, tender: Tender, kind: str, summary: str, fields: dict | None = None,
               actor: User | None = None, material: bool = False) -> TenderChange:
    """Append a published change (one OCDS release) to the tender's log; flushes only."""
    session.flush()
    number = (session.scalar(select(func.max(TenderChange.number)).where(TenderChange.tender_id == tender.id)) or 0) + 1
    change = TenderChange(tender_id=tender.id, number=number, kind=kind, summary=summary, fields=fields or {},
                          status=tender.status.value, actor_id=actor.id if actor else None, material=material,
                          changed_at=utcnow())
    session.add(change)
    session.flush()
    return change


def move(session: Session, tender: Tender, event: str, actor: User | None = None, summary: str = "",
         fields: dict | None = None) -> None:
    """Apply a lifecycle event to a tender, log the change and queue reindexing; flushes only."""
    try:
        tender.status = TenderStatus(tender_advance(tender.status.value, event))
    except IllegalTransition as exc:
        raise Conflict(str(_l("This is not possible while the tender is in its current state."))) from exc
    add_change(session, tender, "status" if event not in ("publish", "cancel") else event, summary or event,
               fields, actor)
    reindex(session, "tender", tender.id)


def public_dates(tender: Tender) -> dict:
    return {n: getattr(tender, n).isoformat() for n in DATE_FIELDS}


def _officer(session: Session, user: User | None, tender_id: int) -> Tender:
    user = require_user(user)
    tender = session.get(Tender, tender_id)
    if tender is None or not can_view_tender(user, tender):
        raise NotFound(str(_l("No such tender.")))
    require(is_buyer_officer(user, tender), _l("Only the buyer's procurement officers may do this."))
    return tender


def get_tender(session: Session, user: User | None, tender_id: int) -> Tender:
    """Return a tender the user may see (drafts only for the buyer)."""
    tender = session.get(Tender, tender_id)
    if tender is None or not can_view_tender(user, tender):
        raise NotFound(str(_l("No such tender.")))
    return tender


def tender_by_key(session: Session, user_id: int, key: str | None) -> Tender | None:
    """The tender this user created earlier with this idempotency key, if any."""
    if not key:
        return None
    return session.scalar(select(Tender).where(Tender.created_by_id == user_id, Tender.idempotency_key == key[:100]))


def create_tender(session: Session, user: User | None, data: Mapping, *, config: Mapping | None = None,
                  idempotency_key: str | None = None) -> Tender:
    """Create a draft tender with its lots; a retried idempotency key returns the first tender."""
    user = require_user(user)
    user_id = user.id
    require(can_create_tender(user), _l("Only procurement officers of a public buyer may create tenders."))
    orgs = buyer_orgs(user)
    existing = tender_by_key(session, user_id, idempotency_key)
    if existing is not None:
        return existing
    errors: dict[str, str] = {}
    buyer_id = _int(data.get("buyer_id")) if data.get("buyer_id") not in (None, "") else orgs[0].id
    if buyer_id not in {o.id for o in orgs}:
        errors["buyer_id"] = str(_l("You are not a procurement officer of this organisation."))
    clean = _validate(data, errors)
    if not errors:
        _check_periods(clean, errors, settings(config), utcnow(), check_enquiry=False)
    if errors:
        raise ValidationError(errors)
    lots = clean.pop("lots")
    tender = Tender(buyer_id=buyer_id, created_by_id=user.id, idempotency_key=(idempotency_key or None) and idempotency_key[:100],
                    status=TenderStatus.DRAFT, **clean)
    _sync_cpv(tender)
    tender.lots = [Lot(number=i + 1, **lot) for i, lot in enumerate(lots)]
    created = insert_once(session, tender, lambda: tender_by_key(session, user_id, idempotency_key))
    if created is not tender:
        return created
    tender.ocid = f"{(config or {}).get('OCID_PREFIX', 'ocds-vnenv1')}-{tender.id:06d}"
    audit.record(session, "tender.create", actor_id=user.id, subject_type="tender", subject_id=tender.id)
    session.commit()
    return tender


def publish_tender(session: Session, user: User | None, tender_id: int, *, config: Mapping | None = None) -> Tender:
    """Publish a draft: it opens for enquiries; the periods must respect the minimums from now."""
    tender = _officer(session, user, tender_id)
    if tender.status != TenderStatus.DRAFT:
        raise Conflict(str(_l("Only a draft can be published.")))
    errors: dict[str, str] = {}
    _check_periods({n: getattr(tender, n) for n in DATE_FIELDS}, errors, settings(config), utcnow(), check_enquiry=True)
    if errors:
        raise ValidationError(errors)
    tender.published_at = utcnow()
    move(session, tender, "publish", user, "published", {"dates": public_dates(tender)})
    audit.record(session, "tender.publish", actor_id=user.id, subject_type="tender", subject_id=tender.id)
    session.commit()
    return tender


def _bidder_users(tender: Tender, statuses: tuple[BidStatus, ...]) -> list[User]:
    users: dict[int, User] = {}
    for bid in tender.bids:
        if bid.status in statuses:
            for m in bid.bidder.memberships:
                if m.role == Role.SUPPLIER_REPRESENTATIVE and m.user is not None:
                    users.setdefault(m.user.id, m.user)
    return list(users.values())


def update_tender(session: Session, user: User | None, tender_id: int, data: Mapping, *,
                  config: Mapping | None = None) -> Tender:
    """Amend a tender; during tendering a material change invalidates submitted bids, and a change close to
    the deadline extends it so that at least TENDER_MIN_EXTENSION_SECONDS remain."""
    tender = _officer(session, user, tender_id)
    now = utcnow()
    cfg = settings(config)
    if not can_change_dates(user, tender) or now >= tender.tender_end:
        raise Conflict(str(_l("This tender can no longer be changed.")))
    unknown = [k for k in data if k not in EDITABLE_FIELDS and k not in ("buyer_id",)]
    errors: dict[str, str] = {k: str(_l("This field cannot be changed.")) for k in unknown}
    clean = _validate(data, errors, current=tender)
    for name in DATE_FIELDS:
        if name in clean and clean[name] != getattr(tender, name) and tender.status != TenderStatus.DRAFT:
            # Dates may move only forward once published, and never into the past.
            if clean[name] < getattr(tender, name):
                errors[name] = str(_l("Once published, dates can only be moved later."))
            if name == "enquiry_end" and tender.status != TenderStatus.ENQUIRIES:
                errors[name] = str(_l("The enquiry period is over; its end cannot change."))
    if not errors:
        dates = {n: clean.get(n, getattr(tender, n)) for n in DATE_FIELDS}
        _check_periods(dates, errors, cfg, now, check_enquiry=False)
    if errors:
        raise ValidationError(errors)
    changed: dict[str, Any] = {}
    lots = clean.pop("lots", None)
    for name, value in clean.items():
        if getattr(tender, name) != value:
            changed[name] = value
            setattr(tender, name, value)
    if lots is not None:
        old = [(l.title, l.description, l.quantity, l.unit, l.estimated_value) for l in tender.lots]
        new = [(l["title"], l["description"], l["quantity"], l["unit"], l["estimated_value"]) for l in lots]
        if old != new:
            changed["lots"] = lots
            if tender.status == TenderStatus.DRAFT or len(lots) >= len(tender.lots):
                for i, lot in enumerate(lots):
                    if i < len(tender.lots):
                        for k, v in lot.items():
                            setattr(tender.lots[i], k, v)
                    else:
                        tender.lots.append(Lot(number=i + 1, **lot))
                for extra in tender.lots[len(lots):]:
                    session.delete(extra)
            else:
                raise ValidationError({"lots": str(_l("Lots cannot be removed once the tender is published."))})
    _sync_cpv(tender)
    if not changed:
        return tender
    if tender.status == TenderStatus.DRAFT:
        session.commit()
        return tender
    material = any(k in MATERIAL_FIELDS for k in changed)
    _publish_amendment(session, user, tender, changed, material, cfg)
    session.commit()
    return tender


def _publish_amendment(session: Session, user: User, tender: Tender, changed: dict[str, Any], material: bool,
                       cfg: Mapping[str, int]) -> None:
    """Log a published amendment: extend a close deadline, invalidate bids on a material change, notify."""
    now = utcnow()
    extended = False
    if tender.status == TenderStatus.TENDERING:
        minimum = now + timedelta(seconds=cfg["TENDER_MIN_EXTENSION_SECONDS"])
        if tender.tender_end < minimum:
            delta = minimum - tender.tender_end
            tender.tender_end = minimum
            tender.opening_at = tender.opening_at + delta
            extended = True
            changed["tender_end"] = tender.tender_end
            changed["opening_at"] = tender.opening_at
    tender.amendment += 1
    invalidated = []
    if material and tender.status == TenderStatus.TENDERING:
        for bid in tender.bids:
            if bid.status == BidStatus.PENDING:
                bid.status = BidStatus.INVALID
                bid.invalidated_at = now
                invalidated.append(bid)
    public = {k: (v.isoformat() if isinstance(v, datetime) else getattr(v, "value", v)) for k, v in changed.items()}
    add_change(session, tender, "amend", "amendment %d" % tender.amendment, public, user, material=material)
    for u in _bidder_users(tender, (BidStatus.PENDING, BidStatus.INVALID)):
        subject = translate(u.language, "Tender changed: %(title)s", title=tender.title)
        body = translate(u.language, "The buyer changed the tender \"%(title)s\" (amendment %(n)s). Submission deadline: %(deadline)s UTC.",
                         title=tender.title, n=tender.amendment, deadline=tender.tender_end.strftime("%Y-%m-%d %H:%M"))
        if material:
            body += "\n" + translate(u.language, "Your bid was invalidated by this material change. Please review and re-confirm it before the deadline.")
        outbox.send_email(session, u, subject, body)
    audit.record(session, "tender.amend", actor_id=user.id, subject_type="tender", subject_id=tender.id,
                 detail={"fields": sorted(changed), "material": material, "extended": extended,
                         "invalidated_bids": [b.id for b in invalidated]})
    reindex(session, "tender", tender.id)


def add_tender_document(session: Session, config: Mapping, user: User | None, tender_id: int, data: bytes,
                        filename: str) -> StoredFile:
    """Attach a tender document (a same-named upload becomes a new version); during tendering it is a
    material amendment."""
    tender = _officer(session, user, tender_id)
    if not can_change_dates(user, tender) or utcnow() >= tender.tender_end:
        raise Conflict(str(_l("This tender can no longer be changed.")))
    stored = files.store(session, config, data, filename, owner_kind="tender", owner_id=tender.id,
                         uploaded_by=user)
    if tender.status != TenderStatus.DRAFT:
        _publish_amendment(session, user, tender, {"documents": [stored.filename]},
                           tender.status == TenderStatus.TENDERING, settings(config))
    session.commit()
    return stored


def tender_documents(session: Session, user: User | None, tender_id: int) -> list[StoredFile]:
    """Every version of a visible tender's documents, newest version of each name first."""
    tender = get_tender(session, user, tender_id)
    return files.versions(session, "tender", tender.id)


def read_tender_document(session: Session, config: Mapping, user: User | None, tender_id: int,
                         file_id: int) -> tuple[StoredFile, bytes]:
    """Return a tender document's bytes (public once the tender is published)."""
    tender = get_tender(session, user, tender_id)
    stored = session.get(StoredFile, file_id)
    if stored is None or stored.owner_kind != "tender" or stored.owner_id != tender.id:
        raise NotFound(str(_l("No such document.")))
    return stored, files.read(config, stored)


def cancel_tender(session: Session, user: User | None, tender_id: int, reason: str) -> Tender:
    """Cancel a draft or active tender with a public reason; bidders are told."""
    tender = _officer(session, user, tender_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": str(_l("Give the reason for cancelling."))})
    tender.closed_at = utcnow()
    tender.close_reason = reason
    move(session, tender, "cancel", user, "cancelled", {"reason": reason})
    for u in _bidder_users(tender, (BidStatus.PENDING, BidStatus.INVALID, BidStatus.OPENED, BidStatus.QUALIFIED)):
        outbox.send_email(session, u, translate(u.language, "Tender cancelled: %(title)s", title=tender.title),
                          translate(u.language, "The buyer cancelled the tender. Reason: %(reason)s", reason=reason))
    audit.record(session, "tender.cancel", actor_id=user.id, subject_type="tender", subject_id=tender.id)
    session.commit()
    return tender


def search_tenders(session: Session, *, words: str | None = None, cpv: str | None = None,
                   province: str | None = None, status: str | None = None, page: int = 1,
                   per_page: int = 20) -> tuple[list[Tender], int]:
    """Search published tenders by words, CPV prefix, province and status; return (page of tenders, total)."""
    q = select(Tender).where(Tender.status != TenderStatus.DRAFT)
    if words:
        for w in words.split()[:8]:
            like = f"%{w.lower()}%"
            q = q.where(or_(func.lower(Tender.title).like(like), func.lower(Tender.description).like(like)))
    if cpv:
        digits = "".join(ch for ch in cpv if ch.isdigit())[:8].rstrip("0") or "x"
        q = q.where(Tender.cpv_search.like(f"% {digits}%"))
    if province:
        q = q.where(Tender.province == (normalise_province(province) or province))
    if status:
        if status == "active":
            q = q.where(Tender.status.in_([TenderStatus.ENQUIRIES, TenderStatus.TENDERING,
                                           TenderStatus.QUALIFICATION, TenderStatus.AWARDED]))
        else:
            try:
                q = q.where(Tender.status == TenderStatus(status))
            except ValueError:
                raise ValidationError({"status": str(_l("Choose one of the listed options."))}) from None
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    page = max(1, page)
    per_page = max(1, min(100, per_page))
    items = list(session.scalars(q.order_by(Tender.published_at.desc(), Tender.id.desc())
                                 .offset((page - 1) * per_page).limit(per_page)))
    return items, total


def buyer_tenders(session: Session, user: User | None) -> list[Tender]:
    """Every tender of the organisations where the user is a procurement officer (drafts included)."""
    ids = [o.id for o in buyer_orgs(user)]
    if not ids:
        return []
    return list(session.scalars(select(Tender).where(Tender.buyer_id.in_(ids)).order_by(Tender.id.desc())))


def shift_timeline(session: Session, tender_id: int, seconds: float) -> None:
    """Move all of a tender's dates by `seconds` (tests and demos simulate the passing of time with this)."""
    tender = session.get(Tender, tender_id)
    delta = timedelta(seconds=seconds)
    for name in DATE_FIELDS:
        setattr(tender, name, getattr(tender, name) + delta)
    for award in tender.awards:
        award.standstill_end = award.standstill_end + delta
    session.commit()

