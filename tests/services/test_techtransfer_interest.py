"""Expressions of interest: private threads, their state machine, deals, and anonymous owners."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from market.errors import Conflict, NotAuthorized, NotFound, ValidationError
from market.models import Role
from market.models.techtransfer import Deal, InterestThread, ThreadState
from market.services import courses, interest, listings
from tests.factories_techtransfer import admin, publish


@pytest.fixture
def offer(session, make):
    listing, holder = publish(session, make, "patent")
    buyer = make.user(Role.SUPPLIER_REPRESENTATIVE)
    return listing, holder, buyer


def test_thread_moves_sent_accepted_negotiating_deal(session, make, offer):
    listing, holder, buyer = offer
    t = interest.express_interest(session, buyer, listing.id, "Chúng tôi muốn mua li-xăng độc quyền.")
    assert t.state is ThreadState.SENT
    with pytest.raises(Conflict):
        interest.post_message(session, holder, t.id, "Reply before accepting")  # owner accepts first
    with pytest.raises(NotAuthorized):
        interest.move(session, buyer, t.id, "accept")  # only the owner accepts
    interest.move(session, holder, t.id, "accept")
    interest.post_message(session, holder, t.id, "Xin chào, chúng tôi đồng ý trao đổi.")
    assert t.state is ThreadState.NEGOTIATING
    with pytest.raises(ValidationError) as exc:
        interest.record_deal(session, buyer, t.id, {"deal_type": "exclusive_licence", "value_vnd": -3})
    assert "value_vnd" in exc.value.fields
    deal = interest.record_deal(session, buyer, t.id, {"deal_type": "exclusive_licence", "value_vnd": 1_200_000_000,
                                                       "deal_date": "2026-11-30"})
    assert t.state is ThreadState.DEAL
    assert deal.provider_org_id == listing.organisation_id and deal.recipient_org_id == buyer.organisations()[0].id
    assert deal.sub_sector == "wastewater" and deal.listing_kind == "patent"
    with pytest.raises(Conflict):
        interest.post_message(session, buyer, t.id, "After the deal")
    with pytest.raises(Conflict):
        interest.record_deal(session, buyer, t.id, {"deal_type": "assignment", "value_vnd": 1})
    assert session.scalar(select(func.count()).select_from(Deal)) == 1


def test_declined_and_closed_threads_accept_no_messages(session, make, offer):
    listing, holder, buyer = offer
    t = interest.express_interest(session, buyer, listing.id, "Hello")
    interest.move(session, holder, t.id, "decline")
    with pytest.raises(Conflict):
        interest.post_message(session, buyer, t.id, "Please?")
    with pytest.raises(Conflict):
        interest.move(session, holder, t.id, "accept")
    t2 = interest.express_interest(session, buyer, listing.id, "Second try")  # declined threads are not open
    interest.move(session, buyer, t2.id, "close")
    assert t2.state is ThreadState.CLOSED


def test_only_the_two_parties_read_a_thread(session, make, offer):
    listing, holder, buyer = offer
    t = interest.express_interest(session, buyer, listing.id, "Bí mật kinh doanh")
    colleague = make.user(Role.TECHNOLOGY_HOLDER, org=listing.organisation)
    assert interest.get_thread(session, colleague, t.id).id == t.id  # the owner organisation is a party
    for outsider in (make.user(Role.SUPPLIER_REPRESENTATIVE), make.user(Role.TECHNOLOGY_HOLDER), admin(make)):
        with pytest.raises(NotFound):
            interest.get_thread(session, outsider, t.id)
        with pytest.raises(NotFound):
            interest.post_message(session, outsider, t.id, "Let me in")
        with pytest.raises(NotFound):
            interest.record_deal(session, outsider, t.id, {"deal_type": "assignment", "value_vnd": 1})
        assert interest.threads_for(session, outsider) == []


def test_no_interest_in_own_or_unpublished_listings(session, make, offer):
    listing, holder, buyer = offer
    with pytest.raises(Conflict):
        interest.express_interest(session, holder, listing.id, "Me")
    draft = listings.create(session, holder, "patent", __import__("tests.factories_techtransfer",
                                                                  fromlist=["patent_data"]).patent_data())
    with pytest.raises(NotFound):
        interest.express_interest(session, buyer, draft.id, "Hello")
    with pytest.raises(ValidationError):
        interest.express_interest(session, buyer, listing.id, "   ")
    interest.express_interest(session, buyer, listing.id, "Hi")
    with pytest.raises(Conflict):
        interest.express_interest(session, buyer, listing.id, "Hi again")
    assert session.scalar(select(func.count()).select_from(InterestThread)) == 1


def test_anonymous_owner_revealed_only_to_the_accepted_party(session, make):
    from market.techtransfer_documents import build, show

    listing, holder = publish(session, make, "patent", anonymous=True)
    org_name = listing.organisation.name
    buyer = make.user(Role.SUPPLIER_REPRESENTATIVE)
    other = make.user(Role.SUPPLIER_REPRESENTATIVE)
    for viewer in (None, buyer, other):
        assert listings.visible_owner(session, viewer, listing) is None
        assert listings.public_dict(session, viewer, listing)["organisation"] is None
        assert org_name not in str(listings.public_dict(session, viewer, listing))
    assert org_name not in str(show(session, "patent", listing.id))
    assert org_name not in build(session, "patent", listing.id).text
    t = interest.express_interest(session, buyer, listing.id, "Interested")
    assert interest.thread_dict(session, buyer, t)["owner_organisation"] is None
    interest.move(session, holder, t.id, "accept")
    interest.post_message(session, holder, t.id, "Welcome")
    assert listings.visible_owner(session, buyer, listing).name == org_name
    assert interest.thread_dict(session, buyer, t)["owner_organisation"] == org_name
    # Still hidden from everyone else.
    assert listings.visible_owner(session, other, listing) is None
    assert listings.visible_owner(session, None, listing) is None


def test_anonymous_owner_messages_hidden_before_acceptance(session, make):
    listing, holder = publish(session, make, "patent", anonymous=True)
    buyer = make.user(Role.SUPPLIER_REPRESENTATIVE)
    t = interest.express_interest(session, buyer, listing.id, "Interested")
    msgs = interest.message_dicts(session, buyer, t)
    assert all(holder.name not in m["author"] for m in msgs)


def test_need_deal_points_provider_to_the_initiator(session, make):
    need, enterprise = publish(session, make, "technology_need")
    expert = make.user(Role.EXPERT)
    t = interest.express_interest(session, expert, need.id, "Tôi có thể tư vấn giảm bùn.")
    interest.move(session, enterprise, t.id, "accept")
    deal = interest.record_deal(session, enterprise, t.id, {"deal_type": "consulting", "value_vnd": 80_000_000})
    assert deal.provider_org_id == expert.organisations()[0].id and deal.recipient_org_id == need.organisation_id


def test_course_enrolment(session, make):
    course, trainer = publish(session, make, "course")
    learner = make.user(Role.SUPPLIER_REPRESENTATIVE)
    with pytest.raises(ValidationError):
        courses.request_enrolment(session, learner, course.id, {"participants": 31})
    e = courses.request_enrolment(session, learner, course.id, {"participants": 4, "message": "4 kỹ sư"})
    with pytest.raises(NotAuthorized):
        courses.respond_enrolment(session, learner, e.id, True)
    courses.respond_enrolment(session, trainer, e.id, True)
    assert e.status.value == "accepted"
