"""Training courses and enrolment requests."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotAuthorized, NotFound
from ..i18n import _l
from ..models import Role, User
from ..models.techtransfer import Enrolment, EnrolmentStatus, ListingStatus, TrainingCourse
from ..authz import require_user
from . import audit, outbox
from .listing_fields import Fields

KIND = "course"
MODEL = TrainingCourse
ROLES = (Role.EXPERT, Role.TECHNOLOGY_HOLDER, Role.SUPPLIER_REPRESENTATIVE)
FORMATS = ("in_person", "online", "blended")
INPUT = {"topic": "topic", "format": "format", "start_date": "start_date", "end_date": "end_date", "capacity": "capacity",
         "price": "price_vnd"}


def clean(f: Fields) -> dict:
    """Check a course's own fields and return the column values."""
    values = {"topic": f.text("topic", max_len=200), "format": f.choice("format", FORMATS, default="in_person"), "start_date": f.day("start_date"),
              "end_date": f.day("end_date"), "capacity": f.integer("capacity", lo=1, hi=10000, required=True),
              "price_vnd": f.money("price")}
    if values["start_date"] and values["end_date"] and values["end_date"] < values["start_date"]:
        f.err("end_date", _l("The end date must not be before the start date."))
    return values


def public(obj: TrainingCourse) -> dict:
    return {"topic": obj.topic, "format": obj.format, "start_date": obj.start_date.isoformat() if obj.start_date else None,
            "end_date": obj.end_date.isoformat() if obj.end_date else None, "capacity": obj.capacity,
            "price": obj.price_vnd}


def request_enrolment(session: Session, user: User | None, course_id: int, data: dict) -> Enrolment:
    """Ask to enrol people in a published course; the course owner gets an email."""
    user = require_user(user)
    course = session.get(TrainingCourse, course_id)
    if course is None or course.status is not ListingStatus.PUBLISHED:
        raise NotFound(str(_l("This listing does not exist or is not published.")))
    if any(m.organisation_id == course.organisation_id for m in user.memberships):
        raise Conflict(str(_l("You cannot respond to your own listing.")))
    f = Fields(data)
    participants = f.integer("participants", lo=1, hi=course.capacity, required=True)
    message = f.text("message", max_len=2000) or ""
    f.raise_if_errors()
    enrolment = Enrolment(course_id=course.id, user_id=user.id, participants=participants, message=message)
    session.add(enrolment)
    session.flush()
    if course.created_by is not None:
        outbox.send_email(session, course.created_by, str(_l("New enrolment request")),
                          str(_l("%(n)s participant(s) asked to join the course: %(title)s", n=participants,
                                 title=course.title)))
    audit.record(session, "techtransfer.enrolment_requested", actor_id=user.id, subject_type="course",
                 subject_id=course.id, detail={"enrolment": enrolment.id, "participants": participants})
    session.commit()
    return enrolment


def respond_enrolment(session: Session, user: User | None, enrolment_id: int, accept: bool) -> Enrolment:
    """Accept or decline an enrolment request (course owners only)."""
    user = require_user(user)
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise NotFound()
    course = session.get(TrainingCourse, enrolment.course_id)
    if not any(m.organisation_id == course.organisation_id for m in user.memberships):
        raise NotAuthorized(str(_l("Only the listing's owner may do this.")))
    if enrolment.status is not EnrolmentStatus.REQUESTED:
        raise Conflict(str(_l("This request was already answered.")))
    enrolment.status = EnrolmentStatus.ACCEPTED if accept else EnrolmentStatus.DECLINED
    applicant = session.get(User, enrolment.user_id)
    outbox.send_email(session, applicant, str(_l("Your enrolment request was answered")),
                      str(_l("Course: %(title)s", title=course.title)))
    session.commit()
    return enrolment


def enrolments_for(session: Session, course_id: int) -> list[Enrolment]:
    return list(session.scalars(select(Enrolment).where(Enrolment.course_id == course_id).order_by(Enrolment.id)))
