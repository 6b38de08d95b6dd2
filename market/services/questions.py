"""Questions in the enquiry period and the buyer's public answers; askers appear only as pseudonyms."""
from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..authz import require, require_user
from ..errors import Conflict, NotFound, ValidationError
from ..i18n import _l
from ..models import User, utcnow
from ..models.procurement import Question, Tender, TenderStatus
from . import audit, outbox
from .procurement_authz import is_buyer_officer, supplier_orgs
from .tenders import add_change, translate


def _pseudonym(session: Session, tender_id: int, org_id: int) -> str:
    """The same opaque name for one organisation within one tender, unrelated across tenders."""
    found = session.scalar(select(Question.pseudonym).where(Question.tender_id == tender_id,
                                                             Question.asker_org_id == org_id).limit(1))
    return found or f"#{secrets.token_hex(3).upper()}"


def ask_question(session: Session, user: User | None, tender_id: int, text: str) -> Question:
    """Ask the buyer a question during the enquiry period."""
    user = require_user(user)
    orgs = supplier_orgs(user)
    require(bool(orgs), _l("Only supplier representatives may ask questions."))
    tender = session.get(Tender, tender_id)
    if tender is None or tender.status == TenderStatus.DRAFT:
        raise NotFound(str(_l("No such tender.")))
    if tender.status != TenderStatus.ENQUIRIES or utcnow() >= tender.enquiry_end:
        raise Conflict(str(_l("Questions can only be asked during the enquiry period.")),
                       {"text": str(_l("Questions can only be asked during the enquiry period."))})
    text = (text or "").strip()
    if not text or len(text) > 4000:
        raise ValidationError({"text": str(_l("Write your question (at most 4,000 characters)."))})
    org = orgs[0]
    q = Question(tender_id=tender.id, asker_id=user.id, asker_org_id=org.id,
                 pseudonym=_pseudonym(session, tender.id, org.id), text=text, created_at=utcnow())
    session.add(q)
    session.flush()
    audit.record(session, "tender.question", actor_id=user.id, subject_type="question", subject_id=q.id)
    for m in tender.buyer.memberships:
        if m.role.value == "procurement_officer":
            outbox.send_email(session, m.user, translate(m.user.language, "New question: %(title)s", title=tender.title),
                              translate(m.user.language, "A supplier asked a question about your tender. Answer it in your tender workspace."))
    session.commit()
    return q


def answer_question(session: Session, user: User | None, question_id: int, answer: str) -> Question:
    """Answer a question publicly (before the submission deadline); the asker is emailed."""
    user = require_user(user)
    q = session.get(Question, question_id)
    if q is None:
        raise NotFound(str(_l("No such question.")))
    tender = q.tender
    require(is_buyer_officer(user, tender), _l("Only the buyer's procurement officers may do this."))
    if tender.status not in (TenderStatus.ENQUIRIES, TenderStatus.TENDERING) or utcnow() >= tender.tender_end:
        raise Conflict(str(_l("Questions can no longer be answered.")))
    answer = (answer or "").strip()
    if not answer or len(answer) > 8000:
        raise ValidationError({"answer": str(_l("Write the answer (at most 8,000 characters)."))})
    q.answer = answer
    q.answered_at = utcnow()
    q.answered_by_id = user.id
    add_change(session, tender, "answer", "question answered",
               {"question": {"id": q.id, "pseudonym": q.pseudonym, "text": q.text, "answer": answer}}, user)
    asker = session.get(User, q.asker_id) if q.asker_id else None
    if asker is not None:
        outbox.send_email(session, asker, translate(asker.language, "Your question was answered: %(title)s", title=tender.title),
                          translate(asker.language, "Answer: %(answer)s", answer=answer))
    audit.record(session, "tender.answer", actor_id=user.id, subject_type="question", subject_id=q.id)
    session.commit()
    return q


def public_questions(tender: Tender) -> list[dict]:
    """Questions and answers as the public sees them (pseudonym only)."""
    return [{"id": q.id, "asker": q.pseudonym, "text": q.text, "answer": q.answer,
             "asked_at": q.created_at.isoformat(), "answered_at": q.answered_at.isoformat() if q.answered_at else None}
            for q in tender.questions]
