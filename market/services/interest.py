"""Expressions of interest: private threads between an interested party and a listing's owner, and deals."""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..authz import require_user
from ..errors import Conflict, NotAuthorized, NotFound
from ..i18n import _l
from ..models import User, utcnow
from ..models.techtransfer import (Deal, DealType, InterestThread, Listing, ListingKind, ListingStatus,
                                   ThreadMessage, ThreadState)
from . import audit, outbox
from .listing_fields import Fields
from .listings import is_owner

S = ThreadState
# (state, action) -> new state; who may act is checked separately (ACTORS).
TRANSITIONS: dict[tuple[ThreadState, str], ThreadState] = {
    (S.SENT, "accept"): S.ACCEPTED,
    (S.SENT, "decline"): S.DECLINED,
    (S.SENT, "close"): S.CLOSED,
    (S.ACCEPTED, "negotiate"): S.NEGOTIATING,
    (S.ACCEPTED, "close"): S.CLOSED,
    (S.NEGOTIATING, "deal"): S.DEAL,
    (S.NEGOTIATING, "close"): S.CLOSED,
}
OWNER_ONLY = {"accept", "decline"}
OPEN = {S.SENT, S.ACCEPTED, S.NEGOTIATING}
# Kinds where the listing's owner provides the technology or service; for needs the initiator provides it.
SUPPLY_KINDS = {ListingKind.PATENT.value, ListingKind.EXPERT.value, ListingKind.COURSE.value}


def advance(state: ThreadState, action: str) -> ThreadState:
    """Return the thread state after the action, or raise Conflict when the move is not allowed."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise Conflict(str(_l("This action is not possible while the thread is %(state)s.",
                              state=state.value))) from None


def is_party(user: User | None, thread: InterestThread) -> bool:
    """Only the initiator and the listing owner's members are parties (administrators are not)."""
    if user is None or getattr(user, "id", None) is None:
        return False
    return thread.initiator_id == user.id or is_owner(user, thread.listing)


def get_thread(session: Session, user: User | None, thread_id: int) -> InterestThread:
    """Return a thread the user is a party to; everyone else gets NotFound."""
    user = require_user(user)
    thread = session.get(InterestThread, thread_id)
    if thread is None or not is_party(user, thread):
        raise NotFound(str(_l("This conversation does not exist.")))
    return thread


def express_interest(session: Session, user: User | None, listing_id: int, message: str,
                     kind: str | None = None) -> InterestThread:
    """Open a private thread with a published listing's owner and send the first message."""
    user = require_user(user)
    listing = session.get(Listing, listing_id)
    if listing is None or listing.status is not ListingStatus.PUBLISHED or (kind and listing.kind != kind):
        raise NotFound(str(_l("This listing does not exist or is not published.")))
    if is_owner(user, listing):
        raise Conflict(str(_l("You cannot respond to your own listing.")))
    f = Fields({"message": message})
    body = f.text("message", required=True, max_len=5000)
    f.raise_if_errors()
    existing = session.scalar(select(InterestThread.id).where(
        InterestThread.listing_id == listing.id, InterestThread.initiator_id == user.id,
        InterestThread.state.in_([s.value for s in OPEN])))
    if existing:
        raise Conflict(str(_l("You already have an open conversation about this listing.")))
    orgs = user.organisations()
    thread = InterestThread(listing_id=listing.id, initiator_id=user.id,
                            initiator_org_id=orgs[0].id if orgs else None, state=S.SENT)
    session.add(thread)
    session.flush()
    session.add(ThreadMessage(thread_id=thread.id, author_id=user.id, from_owner=False, body=body))
    if listing.created_by is not None:
        outbox.send_email(session, listing.created_by, str(_l("New expression of interest")),
                          str(_l("Someone is interested in your listing \"%(title)s\". Read and answer it on the "
                                 "platform.", title=listing.title)))
    audit.record(session, "techtransfer.interest_expressed", actor_id=user.id, subject_type="thread",
                 subject_id=thread.id, detail={"listing": listing.id})
    session.commit()
    return thread


def _other_side(session: Session, user: User, thread: InterestThread) -> User | None:
    if thread.initiator_id == user.id:
        return thread.listing.created_by
    return session.get(User, thread.initiator_id)


def post_message(session: Session, user: User | None, thread_id: int, body: str) -> ThreadMessage:
    """Add a message to an open thread; the owner replies once it has accepted."""
    thread = get_thread(session, user, thread_id)
    owner_side = thread.initiator_id != user.id
    f = Fields({"body": body})
    text = f.text("body", required=True, max_len=5000)
    f.raise_if_errors()
    if thread.state not in OPEN:
        raise Conflict(str(_l("This conversation is closed.")))
    if owner_side and thread.state is S.SENT:
        raise Conflict(str(_l("Accept the expression of interest before replying.")))
    if thread.state is S.ACCEPTED:
        thread.state = advance(thread.state, "negotiate")
    msg = ThreadMessage(thread_id=thread.id, author_id=user.id, from_owner=owner_side, body=text)
    session.add(msg)
    thread.updated_at = utcnow()
    other = _other_side(session, user, thread)
    if other is not None:
        outbox.send_email(session, other, str(_l("New message about a listing")),
                          str(_l("You have a new message about \"%(title)s\".", title=thread.listing.title)))
    session.commit()
    return msg


def move(session: Session, user: User | None, thread_id: int, action: str) -> InterestThread:
    """Accept, decline, start negotiating or close a thread."""
    thread = get_thread(session, user, thread_id)
    if action not in {a for _, a in TRANSITIONS} or action == "deal":
        raise Conflict(str(_l("Unknown action.")))
    if action in OWNER_ONLY and not is_owner(user, thread.listing):
        raise NotAuthorized(str(_l("Only the listing's owner may do this.")))
    before = thread.state
    thread.state = advance(thread.state, action)
    if action == "accept":
        thread.accepted_at = utcnow()
    audit.record(session, f"techtransfer.thread_{action}", actor_id=user.id, subject_type="thread",
                 subject_id=thread.id, detail={"from": before.value, "to": thread.state.value})
    other = _other_side(session, user, thread)
    if other is not None:
        outbox.send_email(session, other, str(_l("A conversation about a listing changed")),
                          str(_l("The conversation about \"%(title)s\" is now: %(state)s.", title=thread.listing.title,
                                 state=thread.state.value)))
    session.commit()
    return thread


def record_deal(session: Session, user: User | None, thread_id: int, data: dict) -> Deal:
    """Record the deal a thread ended in (type, value in VND, date); either party may record it."""
    thread = get_thread(session, user, thread_id)
    f = Fields(data)
    deal_type = f.choice("deal_type", [d.value for d in DealType], required=True)
    value = f.money("value_vnd", required=True)
    when = f.day("deal_date") or date.today()
    f.raise_if_errors()
    if thread.state is S.ACCEPTED:
        thread.state = advance(thread.state, "negotiate")
    thread.state = advance(thread.state, "deal")
    listing = thread.listing
    supply = listing.kind in SUPPLY_KINDS
    deal = Deal(thread_id=thread.id, listing_id=listing.id, listing_kind=listing.kind, sub_sector=listing.sub_sector,
                deal_type=DealType(deal_type), value_vnd=value, deal_date=when,
                provider_org_id=listing.organisation_id if supply else (thread.initiator_org_id or
                                                                         listing.organisation_id),
                recipient_org_id=thread.initiator_org_id if supply else listing.organisation_id,
                recorded_by_id=user.id, listing_anonymous=listing.anonymous)
    session.add(deal)
    session.flush()
    audit.record(session, "techtransfer.deal_recorded", actor_id=user.id, subject_type="thread",
                 subject_id=thread.id, detail={"deal": deal.id, "type": deal_type, "value_vnd": value})
    other = _other_side(session, user, thread)
    if other is not None:
        outbox.send_email(session, other, str(_l("A deal was recorded")),
                          str(_l("A deal was recorded for \"%(title)s\".", title=listing.title)))
    session.commit()
    return deal


def threads_for(session: Session, user: User | None) -> list[InterestThread]:
    """Return the threads the user started or received, most recent first."""
    user = require_user(user)
    org_ids = [m.organisation_id for m in user.memberships if m.organisation_id]
    cond = InterestThread.initiator_id == user.id
    if org_ids:
        cond = or_(cond, InterestThread.listing_id.in_(select(Listing.id).where(Listing.organisation_id.in_(org_ids))))
    return list(session.scalars(select(InterestThread).where(cond).order_by(InterestThread.updated_at.desc(),
                                                                            InterestThread.id.desc())))


def deal_for(session: Session, thread_id: int) -> Deal | None:
    return session.scalar(select(Deal).where(Deal.thread_id == thread_id))


def owner_label(session: Session, user: User, thread: InterestThread) -> str | None:
    """Return the owner organisation's name if this party may know it (anonymous listings stay hidden)."""
    from .listings import visible_owner

    org = visible_owner(session, user, thread.listing)
    return org.name if org else None


def thread_dict(session: Session, user: User, thread: InterestThread) -> dict:
    """Describe a thread for one of its parties."""
    from .listings import visible_owner

    owner = visible_owner(session, user, thread.listing)
    deal = deal_for(session, thread.id)
    return {
        "id": thread.id, "state": thread.state.value, "listing": {"id": thread.listing_id, "kind": thread.listing.kind,
                                                                   "title": thread.listing.title},
        "owner_organisation": owner.name if owner else None,
        "initiator": {"name": thread.initiator.name,
                      "organisation": thread.initiator_org.name if thread.initiator_org else None},
        "created_at": thread.created_at.isoformat(),
        "deal": ({"id": deal.id, "deal_type": deal.deal_type.value, "value_vnd": deal.value_vnd,
                  "deal_date": deal.deal_date.isoformat()} if deal else None),
    }


def message_dicts(session: Session, user: User, thread: InterestThread) -> list[dict]:
    """Messages for a party; the owner side is named only when the owner is visible to the reader."""
    owner_name = owner_label(session, user, thread)
    out = []
    for m in thread.messages:
        if m.from_owner:
            author = session.get(User, m.author_id) if m.author_id else None
            name = (author.name if author else "") if owner_name else str(_l("Listing owner"))
        else:
            name = thread.initiator.name
        out.append({"id": m.id, "from_owner": m.from_owner, "author": name, "body": m.body,
                    "created_at": m.created_at.isoformat()})
    return out
