"""A buyer invites suppliers that matching found to bid on an open tender."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import authz
from ..errors import NotFound, ValidationError
from ..i18n import _l
from ..models import Organisation, OrgKind, Role, User
from ..models.invitations import TenderInvitation
from ..models.procurement import Tender, TenderStatus
from . import audit, outbox

OPEN_STATES = (TenderStatus.ENQUIRIES, TenderStatus.TENDERING)


def can_invite(user: User | None, tender: Tender) -> bool:
    """Only the buyer's procurement officers invite suppliers to its tenders."""
    return authz.has_role_in(user, tender.buyer_id, Role.PROCUREMENT_OFFICER)


def invite(session: Session, actor: User, tender_id: int, org_id: int, note: str = "",
           tender_url: str | None = None) -> TenderInvitation:
    """Invite a verified enterprise to bid, email its representatives and record it; once per tender."""
    tender = session.get(Tender, tender_id)
    if tender is None or tender.status == TenderStatus.DRAFT:
        raise NotFound(str(_l("No such tender.")))
    authz.require(can_invite(actor, tender), str(_l("Only the buyer's procurement officers can invite suppliers.")))
    errors: dict[str, str] = {}
    org = session.get(Organisation, org_id)
    if tender.status not in OPEN_STATES:
        errors["tender"] = str(_l("Suppliers can only be invited while the tender is open."))
    if org is None or org.kind is not OrgKind.ENTERPRISE or org.verified_at is None:
        errors["organisation_id"] = str(_l("Choose a verified enterprise."))
    elif tender.sme_set_aside and not org.is_sme:
        errors["organisation_id"] = str(_l("This tender is reserved for small and medium enterprises."))
    elif session.scalar(select(TenderInvitation.id).where(TenderInvitation.tender_id == tender.id,
                                                          TenderInvitation.organisation_id == org.id)):
        errors["organisation_id"] = str(_l("This supplier has already been invited."))
    note = (note or "").strip()
    if len(note) > 1000:
        errors["note"] = str(_l("At most 1,000 characters."))
    if errors:
        raise ValidationError(errors)
    invitation = TenderInvitation(tender_id=tender.id, organisation_id=org.id, invited_by_id=actor.id, note=note or None)
    session.add(invitation)
    link = tender_url or f"/tenders/{tender.id}"
    for m in org.memberships:
        if m.role is Role.SUPPLIER_REPRESENTATIVE:
            body = str(_l("%(buyer)s invites %(org)s to bid on the tender \"%(title)s\". Read the notice: %(link)s",
                          buyer=tender.buyer.name, org=org.name, title=tender.title, link=link))
            if note:
                body += "\n\n" + note
            outbox.send_email(session, m.user, str(_l("Invitation to bid: %(title)s", title=tender.title)), body)
    audit.record(session, "tender.invitation_sent", actor_id=actor.id, subject_type="tender", subject_id=tender.id,
                 detail={"organisation_id": org.id})
    session.commit()
    return invitation


def invited_ids(session: Session, tender_id: int) -> set[int]:
    """Return the organisations already invited to a tender."""
    return set(session.scalars(select(TenderInvitation.organisation_id).where(TenderInvitation.tender_id == tender_id)))
