"""Technology-transfer listings of every kind: create, edit, review workflow, expiry, search, anonymity."""
from __future__ import annotations

from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..authz import is_admin, orgs_where, require_user
from ..errors import Conflict, NotAuthorized, NotFound, ValidationError
from ..i18n import _l
from ..indexing import reindex
from ..models import Organisation, User, utcnow
from ..models.techtransfer import InterestThread, Listing, ListingKind, ListingStatus
from . import audit, files, outbox
from .directory import register_profile_section
from .listing_fields import Fields

DOCUMENT_OWNER = "tt_listing"
# state machine: (state, event) -> new state
TRANSITIONS: dict[tuple[ListingStatus, str], ListingStatus] = {
    (ListingStatus.DRAFT, "submit"): ListingStatus.PENDING_REVIEW,
    (ListingStatus.REJECTED, "submit"): ListingStatus.PENDING_REVIEW,
    (ListingStatus.EXPIRED, "submit"): ListingStatus.PENDING_REVIEW,
    (ListingStatus.WITHDRAWN, "submit"): ListingStatus.PENDING_REVIEW,
    (ListingStatus.PENDING_REVIEW, "approve"): ListingStatus.PUBLISHED,
    (ListingStatus.PENDING_REVIEW, "reject"): ListingStatus.REJECTED,
    (ListingStatus.PUBLISHED, "expire"): ListingStatus.EXPIRED,
    (ListingStatus.PUBLISHED, "renew"): ListingStatus.PUBLISHED,
    (ListingStatus.DRAFT, "withdraw"): ListingStatus.WITHDRAWN,
    (ListingStatus.PENDING_REVIEW, "withdraw"): ListingStatus.WITHDRAWN,
    (ListingStatus.PUBLISHED, "withdraw"): ListingStatus.WITHDRAWN,
    (ListingStatus.REJECTED, "withdraw"): ListingStatus.WITHDRAWN,
    (ListingStatus.PUBLISHED, "edit"): ListingStatus.PENDING_REVIEW,  # changes are reviewed again
}
EDITABLE = {ListingStatus.DRAFT, ListingStatus.REJECTED, ListingStatus.PENDING_REVIEW, ListingStatus.PUBLISHED}


def advance(state: ListingStatus, event: str) -> ListingStatus:
    """Return the state after the event, or raise Conflict for a move the workflow does not allow."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise Conflict(str(_l("This action is not possible while the listing is %(state)s.",
                              state=state.value))) from None


def kind_module(kind: str) -> ModuleType:
    """Return the service module that owns a kind's own fields."""
    from . import courses, experts, patents, personnel, tech_needs

    modules = {m.KIND: m for m in (patents, tech_needs, experts, courses, personnel)}
    if kind not in modules:
        raise NotFound(str(_l("Unknown kind of listing.")))
    return modules[kind]


def _config(session: Session) -> dict:
    return session.info.get("config") or {}


# ------------------------------------------------------------------ who may do what
def is_owner(user: User | None, listing: Listing) -> bool:
    """Say whether the user belongs to the organisation that owns the listing."""
    return user is not None and getattr(user, "id", None) is not None and any(
        m.organisation_id == listing.organisation_id for m in user.memberships)


def can_view(user: User | None, listing: Listing) -> bool:
    return listing.status is ListingStatus.PUBLISHED or is_owner(user, listing) or is_admin(user)


def visible_owner(session: Session, user: User | None, listing: Listing) -> Organisation | None:
    """Return the owner organisation if this user may know it, else None (anonymous listings)."""
    if not listing.anonymous or is_owner(user, listing) or is_admin(user):
        return listing.organisation
    if user is None or getattr(user, "id", None) is None:
        return None
    accepted = session.scalar(select(InterestThread.id).where(
        InterestThread.listing_id == listing.id, InterestThread.initiator_id == user.id,
        InterestThread.accepted_at.is_not(None)).limit(1))
    return listing.organisation if accepted else None


def get(session: Session, user: User | None, listing_id: int, kind: str | None = None) -> Listing:
    """Return a listing the user may see, else NotFound (drafts of others do not exist for them)."""
    listing = session.get(Listing, listing_id)
    if listing is None or (kind is not None and listing.kind != kind) or not can_view(user, listing):
        raise NotFound(str(_l("This listing does not exist or is not published.")))
    return listing


def _owned(session: Session, user: User | None, listing_id: int) -> Listing:
    user = require_user(user)
    listing = session.get(Listing, listing_id)
    if listing is None or not can_view(user, listing):
        raise NotFound(str(_l("This listing does not exist or is not published.")))
    if not is_owner(user, listing):
        raise NotAuthorized(str(_l("Only the listing's owner may do this.")))
    return listing


# ------------------------------------------------------------------ create and edit
def _clean(kind: str, raw: dict) -> tuple[Fields, dict]:
    """Check the common and the kind's own fields; return the collector and the column values."""
    module = kind_module(kind)
    f = Fields(raw)
    values: dict[str, Any] = {
        "title": f.text("title", required=True, max_len=300),
        "description": f.text("description", max_len=10000) or "",
        "sub_sector": f.sub_sector(),
        "cpv_codes": f.cpv_codes(),
        "province": f.province(),
        "language": f.choice("language", ("vi", "en"), default="vi"),
        "anonymous": f.flag("anonymous"),
    }
    values.update(module.clean(f))
    return f, values


def _check_document(f: Fields, document: tuple[str, bytes] | None, config: dict) -> None:
    if document is None:
        return
    try:
        files.check_upload(document[0], document[1], types=files.DOCUMENT_TYPES,
                           max_bytes=files._max_bytes(config, None), field="document")
    except ValidationError as exc:
        for k, v in exc.fields.items():
            f.err(k, v)


def _pick_org(user: User, kind: str, organisation_id: Any) -> Organisation:
    eligible = orgs_where(user, *kind_module(kind).ROLES)
    if not eligible:
        raise NotAuthorized(str(_l("Your role does not allow you to publish this kind of listing.")))
    if organisation_id not in (None, ""):
        for org in eligible:
            if str(org.id) == str(organisation_id):
                return org
        raise ValidationError({"organisation_id": str(_l("You cannot publish for this organisation."))})
    return eligible[0]


def create(session: Session, user: User | None, kind: str, data: dict, *, submit: bool = False,
           document: tuple[str, bytes] | None = None) -> Listing:
    """Create a listing as a draft (or submit it for review at once); nothing is stored when a field is wrong."""
    user = require_user(user)
    module = kind_module(kind)
    org = _pick_org(user, kind, data.get("organisation_id"))
    f, values = _clean(kind, data)
    if not f.present("language"):
        values["language"] = user.language if user.language in ("vi", "en") else "vi"
    _check_document(f, document, _config(session))
    f.raise_if_errors()
    listing = module.MODEL(organisation_id=org.id, created_by_id=user.id, status=ListingStatus.DRAFT, **values)
    session.add(listing)
    session.flush()
    if document is not None:
        _store_document(session, user, listing, document)
    if submit:
        listing.status = advance(listing.status, "submit")
        listing.submitted_at = utcnow()
    audit.record(session, "techtransfer.listing_created", actor_id=user.id, subject_type=kind,
                 subject_id=listing.id, detail={"status": listing.status.value})
    reindex(session, kind, listing.id)
    session.commit()
    return listing


def _current_input(listing: Listing) -> dict:
    module = kind_module(listing.kind)
    raw: dict[str, Any] = {"title": listing.title, "description": listing.description,
                           "sub_sector": listing.sub_sector, "cpv_codes": list(listing.cpv_codes or []),
                           "province": listing.province, "language": listing.language,
                           "anonymous": listing.anonymous}
    for name, attr in module.INPUT.items():
        value = getattr(listing, attr)
        raw[name] = value.value if hasattr(value, "value") else value
    return raw


def update(session: Session, user: User | None, listing_id: int, data: dict,
           document: tuple[str, bytes] | None = None) -> Listing:
    """Change a listing (owners only); a published listing goes back to review."""
    listing = _owned(session, user, listing_id)
    if listing.status not in EDITABLE:
        raise Conflict(str(_l("This action is not possible while the listing is %(state)s.",
                              state=listing.status.value)))
    raw = _current_input(listing) | {k: v for k, v in data.items() if k != "organisation_id"}
    f, values = _clean(listing.kind, raw)
    _check_document(f, document, _config(session))
    f.raise_if_errors()
    for key, value in values.items():
        setattr(listing, key, value)
    if document is not None:
        _store_document(session, user, listing, document)
    if listing.status is ListingStatus.PUBLISHED:
        listing.status = advance(listing.status, "edit")
        listing.submitted_at = utcnow()
    audit.record(session, "techtransfer.listing_updated", actor_id=user.id, subject_type=listing.kind,
                 subject_id=listing.id, detail={"fields": sorted(data)})
    reindex(session, listing.kind, listing.id)
    session.commit()
    return listing


def _store_document(session: Session, user: User, listing: Listing, document: tuple[str, bytes]) -> None:
    files.store(session, _config(session), document[1], document[0], owner_kind=DOCUMENT_OWNER,
                owner_id=listing.id, slot="document", uploaded_by=user, field="document")


def attach_document(session: Session, user: User | None, listing_id: int, filename: str, data: bytes):
    """Add a document (PDF, DOCX, XLSX, ODT) to a listing; owners only."""
    listing = _owned(session, user, listing_id)
    f = Fields({})
    _check_document(f, (filename, data), _config(session))
    f.raise_if_errors()
    stored = files.store(session, _config(session), data, filename, owner_kind=DOCUMENT_OWNER, owner_id=listing.id,
                         slot="document", uploaded_by=user, field="document")
    audit.record(session, "techtransfer.document_added", actor_id=user.id, subject_type=listing.kind,
                 subject_id=listing.id, detail={"file": stored.id, "version": stored.version})
    session.commit()
    return stored


def documents(session: Session, listing: Listing) -> list:
    return files.current(session, DOCUMENT_OWNER, listing.id)


def document(session: Session, user: User | None, listing_id: int, file_id: int):
    """Return (stored file, bytes) of a listing's document the user may read."""
    from ..models import StoredFile

    listing = get(session, user, listing_id)
    stored = session.get(StoredFile, file_id)
    if stored is None or stored.owner_kind != DOCUMENT_OWNER or stored.owner_id != listing.id:
        raise NotFound()
    return stored, files.read(_config(session), stored)


# ------------------------------------------------------------------ review workflow
def _move(session: Session, listing: Listing, event: str, actor: User | None, detail: dict | None = None) -> None:
    before = listing.status
    listing.status = advance(listing.status, event)
    audit.record(session, f"techtransfer.listing_{event}", actor_id=actor.id if actor else None,
                 subject_type=listing.kind, subject_id=listing.id,
                 detail={"from": before.value, "to": listing.status.value} | (detail or {}))
    reindex(session, listing.kind, listing.id)


def submit(session: Session, user: User | None, listing_id: int) -> Listing:
    """Send a draft (or a rejected, expired or withdrawn listing) to the administrators' review."""
    listing = _owned(session, user, listing_id)
    _move(session, listing, "submit", user)
    listing.submitted_at = utcnow()
    listing.reject_reason = None
    session.commit()
    return listing


def withdraw(session: Session, user: User | None, listing_id: int) -> Listing:
    """Take a listing off the market (owners only)."""
    listing = _owned(session, user, listing_id)
    _move(session, listing, "withdraw", user)
    session.commit()
    return listing


def _publish_until(session: Session, now: datetime) -> datetime:
    return now + timedelta(days=int(_config(session).get("LISTING_TTL_DAYS", 180)))


def renew(session: Session, user: User | None, listing_id: int) -> Listing:
    """Keep a published listing for another period."""
    listing = _owned(session, user, listing_id)
    _move(session, listing, "renew", user)
    listing.expires_at = _publish_until(session, utcnow())
    listing.reminder_sent_at = None
    session.commit()
    return listing


def review_queue(session: Session, user: User | None) -> list[Listing]:
    """Return the listings waiting for review, oldest first (administrators only)."""
    if not is_admin(user):
        raise NotAuthorized(str(_l("Only administrators review listings.")))
    return list(session.scalars(select(Listing).where(Listing.status == ListingStatus.PENDING_REVIEW)
                                .order_by(Listing.submitted_at, Listing.id)))


def approve(session: Session, user: User | None, listing_id: int) -> Listing:
    """Publish a listing under review for the configured period (administrators only)."""
    if not is_admin(user):
        raise NotAuthorized(str(_l("Only administrators review listings.")))
    listing = session.get(Listing, listing_id)
    if listing is None:
        raise NotFound()
    now = utcnow()
    _move(session, listing, "approve", user)
    listing.published_at = now
    listing.expires_at = _publish_until(session, now)
    listing.reminder_sent_at = None
    listing.reviewed_by_id = user.id
    listing.reject_reason = None
    if listing.created_by is not None:
        outbox.send_email(session, listing.created_by, str(_l("Your listing is published")),
                          str(_l("Your listing \"%(title)s\" is now published.", title=listing.title)))
    session.commit()
    return listing


def reject(session: Session, user: User | None, listing_id: int, reason: str) -> Listing:
    """Send a listing back to its owner with a reason (administrators only)."""
    if not is_admin(user):
        raise NotAuthorized(str(_l("Only administrators review listings.")))
    listing = session.get(Listing, listing_id)
    if listing is None:
        raise NotFound()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": str(_l("Give the reason for rejecting the listing."))})
    if len(reason) > 1000:
        raise ValidationError({"reason": str(_l("Must be at most %(n)s characters.", n=1000))})
    _move(session, listing, "reject", user, {"reason": reason})
    listing.reject_reason = reason
    listing.reviewed_by_id = user.id
    if listing.created_by is not None:
        outbox.send_email(session, listing.created_by, str(_l("Your listing needs changes")),
                          str(_l("Your listing \"%(title)s\" was not published: %(reason)s", title=listing.title,
                                 reason=reason)))
    session.commit()
    return listing


def expire_due(session: Session, now: datetime | None = None) -> int:
    """Expire published listings past their date and remind owners shortly before; return the work done."""
    now = now or utcnow()
    remind_days = int(_config(session).get("LISTING_REMINDER_DAYS", 14))
    done = 0
    due = session.scalars(select(Listing).where(Listing.status == ListingStatus.PUBLISHED,
                                                Listing.expires_at <= now))
    for listing in list(due):
        _move(session, listing, "expire", None)
        if listing.created_by is not None:
            outbox.send_email(session, listing.created_by, str(_l("Your listing has expired")),
                              str(_l("Your listing \"%(title)s\" has expired. Submit it again to publish it.",
                                     title=listing.title)))
        done += 1
    soon = session.scalars(select(Listing).where(
        Listing.status == ListingStatus.PUBLISHED, Listing.reminder_sent_at.is_(None),
        Listing.expires_at <= now + timedelta(days=remind_days)))
    for listing in list(soon):
        listing.reminder_sent_at = now
        if listing.created_by is not None:
            outbox.send_email(session, listing.created_by, str(_l("Renew your listing")),
                              str(_l("Your listing \"%(title)s\" expires on %(date)s. Renew it to keep it published.",
                                     title=listing.title, date=listing.expires_at.date().isoformat())))
        done += 1
    session.commit()
    return done


def mine(session: Session, user: User | None) -> list[Listing]:
    """Return the listings of the user's organisations, newest first."""
    user = require_user(user)
    org_ids = {m.organisation_id for m in user.memberships if m.organisation_id}
    if not org_ids:
        return []
    return list(session.scalars(select(Listing).where(Listing.organisation_id.in_(org_ids))
                                .order_by(Listing.id.desc())))


# ------------------------------------------------------------------ browse and search
FILTERS = ("q", "sub_sector", "ipc", "cpv", "trl_min", "trl_max", "offer_type", "price_min", "price_max",
           "province", "language")


def search(session: Session, kind: str, filters: dict | None = None, limit: int = 100) -> list[Listing]:
    """Return published listings of a kind that pass the filters, newest first."""
    from matching.lexical import fold_text

    kind_module(kind)
    f = Fields(filters or {})
    sub_sector = f.sub_sector(required=False)
    trl_min = f.integer("trl_min", lo=1, hi=9)
    trl_max = f.integer("trl_max", lo=1, hi=9)
    price_min = f.money("price_min")
    price_max = f.money("price_max")
    province = f.province()
    language = f.choice("language", ("vi", "en", "fr", "ja", "ko", "zh", "de", "ru"))
    offer_type = f.text("offer_type", max_len=40)
    ipc_prefix = (f.text("ipc", max_len=20) or "").replace(" ", "").upper()
    cpv_prefix = (f.text("cpv", max_len=10) or "").strip()
    words = fold_text(f.text("q", max_len=500) or "").split()
    f.raise_if_errors()
    model = kind_module(kind).MODEL
    q = select(model).where(Listing.status == ListingStatus.PUBLISHED)
    if sub_sector:
        q = q.where(Listing.sub_sector == sub_sector)
    if trl_min is not None:
        q = q.where(Listing.trl >= trl_min)
    if trl_max is not None:
        q = q.where(Listing.trl <= trl_max)
    if price_min is not None:
        q = q.where(Listing.price_vnd >= price_min)
    if price_max is not None:
        q = q.where(Listing.price_vnd <= price_max)
    if offer_type and kind == ListingKind.PATENT.value:
        q = q.where(model.offer_type == offer_type)
    if province and kind != ListingKind.EXPERT.value:
        q = q.where(Listing.province == province)
    if language and kind != ListingKind.EXPERT.value:
        q = q.where(Listing.language == language)
    out = []
    for item in session.scalars(q.order_by(Listing.published_at.desc(), Listing.id.desc())):
        if kind == ListingKind.EXPERT.value:
            if province and province not in (item.regions or []) and item.province != province:
                continue
            if language and language not in (item.languages or []):
                continue
        if ipc_prefix and not any(c.replace(" ", "").upper().startswith(ipc_prefix)
                                  for c in getattr(item, "ipc_codes", None) or []):
            continue
        if cpv_prefix and not any(c.startswith(cpv_prefix.rstrip("0") or cpv_prefix) for c in item.cpv_codes or []):
            continue
        if words:
            text = fold_text(" ".join([item.title, item.description or "", " ".join(_extra_text(item))]))
            if not all(w in text for w in words):
                continue
        out.append(item)
        if len(out) >= limit:
            break
    return out


def _extra_text(item: Listing) -> list[str]:
    parts: list[str] = []
    for attr in ("ipc_codes", "skills", "certifications", "services", "expertise_areas"):
        parts.extend(getattr(item, attr, None) or [])
    for attr in ("patent_number", "royalty_terms", "availability", "topic"):
        value = getattr(item, attr, None)
        if value:
            parts.append(value)
    return parts


# ------------------------------------------------------------------ one serialisation for API, exports, pages
def public_dict(session: Session, user: User | None, listing: Listing) -> dict:
    """Describe a listing for this viewer; the owner is None when the listing is anonymous to them."""
    owner = visible_owner(session, user, listing)
    data = {
        "id": listing.id, "kind": listing.kind, "status": listing.status.value, "title": listing.title,
        "description": listing.description, "sub_sector": listing.sub_sector,
        "cpv_codes": list(listing.cpv_codes or []), "province": listing.province, "language": listing.language,
        "anonymous": listing.anonymous,
        "organisation": ({"id": owner.id, "name": owner.name, "province": owner.province} if owner else None),
        "published_at": listing.published_at.isoformat() if listing.published_at else None,
        "expires_at": listing.expires_at.isoformat() if listing.expires_at else None,
    }
    if is_owner(user, listing) or is_admin(user):
        data["reject_reason"] = listing.reject_reason
    data.update(kind_module(listing.kind).public(listing))
    return data


# ------------------------------------------------------------------ the enterprise directory profile
def published_by(session: Session, org_id: int, kind: str, limit: int = 50) -> list[Listing]:
    """Return an organisation's published listings of a kind that name it, newest first.

    Anonymous listings are left out: a public profile listing them would reveal who owns them.
    """
    model = kind_module(kind).MODEL
    return list(session.scalars(
        select(model).where(Listing.organisation_id == org_id, Listing.status == ListingStatus.PUBLISHED,
                            Listing.anonymous.is_(False))
        .order_by(Listing.published_at.desc(), Listing.id.desc()).limit(limit)))


def _profile_item(listing: Listing, *details: object) -> dict:
    """One profile row: the listing's title and link, its facts joined as the subtitle, and the data itself."""
    from flask import url_for

    item = {"id": listing.id, "kind": listing.kind, "title": listing.title,
            "url": url_for("techtransfer.detail", listing_id=listing.id),
            "subtitle": " · ".join(str(d) for d in details if d), "sub_sector": listing.sub_sector}
    item.update(kind_module(listing.kind).public(listing))
    return item


@register_profile_section("technology_offers", _l("Patents and technologies"), order=30)
def _technology_offers_section(session: Session, org: Organisation) -> list[dict]:
    """Patents and technology offers the organisation publishes under its name."""
    return [_profile_item(p, " ".join(x for x in (p.office, p.patent_number) if x),
                          _l("TRL %(n)s", n=p.trl) if p.trl else None, p.sub_sector)
            for p in published_by(session, org.id, ListingKind.PATENT.value)]


@register_profile_section("experts", _l("Experts"), order=40)
def _experts_section(session: Session, org: Organisation) -> list[dict]:
    """Expert profiles the organisation publishes under its name."""
    return [_profile_item(e, ", ".join(e.expertise_areas or []),
                          _l("%(rate)s VND a day", rate=f"{e.price_vnd:,}") if e.price_vnd else None)
            for e in published_by(session, org.id, ListingKind.EXPERT.value)]


@register_profile_section("courses", _l("Training courses"), order=45)
def _courses_section(session: Session, org: Organisation) -> list[dict]:
    """Training courses the organisation publishes under its name."""
    return [_profile_item(c, " – ".join(d.isoformat() for d in (c.start_date, c.end_date) if d),
                          _l("%(n)s places", n=c.capacity))
            for c in published_by(session, org.id, ListingKind.COURSE.value)]
