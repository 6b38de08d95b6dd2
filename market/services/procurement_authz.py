"""Who may do what in procurement, named after the action; denied reads of sealed data are audited."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..authz import has_role_in, is_admin, orgs_where
from ..errors import NotAuthorized
from ..i18n import _l
from ..models import Role, User
from ..models.procurement import Bid, Tender, TenderStatus
from . import audit


def is_buyer_officer(user: User | None, tender: Tender) -> bool:
    """The user is a procurement officer of the tender's buyer."""
    return has_role_in(user, tender.buyer_id, Role.PROCUREMENT_OFFICER)


def buyer_orgs(user: User | None) -> list:
    """Organisations in which the user may create tenders."""
    return orgs_where(user, Role.PROCUREMENT_OFFICER)


def can_create_tender(user: User | None) -> bool:
    """Procurement officers of a public buyer create tenders (and keep a tender workspace)."""
    return bool(buyer_orgs(user))


def supplier_orgs(user: User | None) -> list:
    """Organisations on whose behalf the user may ask questions and bid."""
    return orgs_where(user, Role.SUPPLIER_REPRESENTATIVE)


def is_bidder(user: User | None, bid: Bid) -> bool:
    """The user represents the bidding organisation."""
    return has_role_in(user, bid.bidder_id, Role.SUPPLIER_REPRESENTATIVE)


def can_view_tender(user: User | None, tender: Tender) -> bool:
    """Published tenders are public; drafts only for the buyer's officers and administrators."""
    return tender.status != TenderStatus.DRAFT or is_buyer_officer(user, tender) or is_admin(user)


def can_change_dates(user: User | None, tender: Tender) -> bool:
    """Only the buyer's officers set or change dates, only before the deadline states end."""
    return is_buyer_officer(user, tender) and tender.status in (
        TenderStatus.DRAFT, TenderStatus.ENQUIRIES, TenderStatus.TENDERING)


def can_read_bid(user: User | None, bid: Bid) -> bool:
    """Before opening only the bidder; after opening also the buyer's officers and administrators."""
    if is_bidder(user, bid):
        return True
    if bid.tender.opened_at is None:
        return False
    return is_buyer_officer(user, bid.tender) or is_admin(user)


def can_list_bids(user: User | None, tender: Tender) -> bool:
    """Nobody lists a tender's bids before opening; afterwards the buyer's officers and administrators."""
    return tender.opened_at is not None and (is_buyer_officer(user, tender) or is_admin(user))


def deny_sealed(session: Session, user: User | None, subject_type: str, subject_id: object, channel: str,
                action: str = "procurement.sealed_read_denied") -> None:
    """Write the denied attempt to the audit log, commit it, and raise NotAuthorized."""
    session.rollback()
    audit.record(session, action, actor_id=getattr(user, "id", None), subject_type=subject_type,
                 subject_id=subject_id, detail={"channel": channel})
    session.commit()
    raise NotAuthorized(str(_l("Sealed bids can only be read by the bidder until the opening time.")))
