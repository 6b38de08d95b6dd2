"""Listings: field rules (nothing stored on error), owners only, review workflow, expiry and reminders."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from market.errors import Conflict, NotAuthorized, NotFound, ValidationError
from market.models import EmailMessage, OutboxEvent, Role, StoredFile, utcnow
from market.models.techtransfer import Listing, ListingStatus
from market.services import ipc, listings, patent_numbers
from tests.factories_techtransfer import DATA, PDF, admin, docx_bytes, patent_data, publish


def _count(session, model=Listing) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("kind", list(DATA))
def test_each_kind_goes_draft_review_published(session, make, kind):
    listing, owner = publish(session, make, kind)
    assert listing.status is ListingStatus.PUBLISHED
    assert listing.expires_at > utcnow() + timedelta(days=170)
    assert [x.id for x in listings.search(session, kind, {})] == [listing.id]


@pytest.mark.parametrize("office,number,kind", [
    ("VN", "1-0012345", "granted"), ("VN", "1-2019-01234", "application"), ("WO", "WO2019/123456", "application"),
    ("WO", "PCT/VN2019/000001", "application"), ("EP", "EP1234567", "granted"), ("US", "US10123456B2", "granted"),
    ("JP", "JP6543210B2", "granted"), ("CN", "CN109876543B", "granted"), ("KR", "KR102012345B1", "granted"),
])
def test_patent_number_formats_per_office(office, number, kind):
    assert patent_numbers.classify(office, number) == kind


@pytest.mark.parametrize("office,number", [("VN", "12345"), ("VN", "1-19-0001"), ("WO", "WO19/1234"),
                                           ("EP", "US10123456B2"), ("US", "EP1234567"), ("VN", "WO2019/123456")])
def test_malformed_patent_numbers_are_refused(office, number):
    assert patent_numbers.classify(office, number) is None


def test_ipc_codes_come_from_the_scheme():
    assert ipc.normalise("c02f3/28") == "C02F 3/28"
    assert ipc.normalise("C02F0003280000") == "C02F 3/28"
    assert "Anaerobic" in ipc.title("C02F 3/28")
    assert ipc.normalise("C02F 99/999") is None
    assert ipc.normalise("Z99Z") is None


BAD_PATENTS = [
    ({"patent_number": "12345"}, "patent_number"),
    ({"office": "EP", "patent_number": "1-0012345"}, "patent_number"),
    ({"ipc_codes": ["C02F 3/28", "X99Y 1/00"]}, "ipc_codes"),
    ({"trl": 0}, "trl"),
    ({"trl": 10}, "trl"),
    ({"asking_price": -1}, "asking_price"),
    ({"filing_date": "2020-01-01", "expiry_date": "2019-01-01"}, "expiry_date"),
    ({"cpv_codes": ["99999999"]}, "cpv_codes"),
    ({"sub_sector": "mining"}, "sub_sector"),
    ({"offer_type": None}, "offer_type"),
    ({"legal_status": "pending"}, "legal_status"),  # a granted VN number cannot be pending
    ({"technology_type": "know_how"}, "patent_number"),  # know-how carries no number
    ({"title": ""}, "title"),
]


@pytest.mark.parametrize("change,field", BAD_PATENTS)
def test_bad_patent_input_gives_a_field_error_and_stores_nothing(session, make, change, field):
    holder = make.user(Role.TECHNOLOGY_HOLDER)
    with pytest.raises(ValidationError) as exc:
        listings.create(session, holder, "patent", patent_data(**change))
    assert field in exc.value.fields
    session.rollback()
    assert _count(session) == 0
    assert _count(session, OutboxEvent) == 0


def test_know_how_offer_needs_no_number(session, make):
    holder = make.user(Role.TECHNOLOGY_HOLDER)
    offer = listings.create(session, holder, "patent", patent_data(
        technology_type="know_how", patent_number=None, office=None, legal_status=None, filing_date=None,
        expiry_date=None, offer_type="know_how"))
    assert offer.patent_number is None and offer.number_kind is None


def test_need_budget_range_and_trl(session, make):
    user = make.user(Role.SUPPLIER_REPRESENTATIVE)
    with pytest.raises(ValidationError) as exc:
        listings.create(session, user, "technology_need", DATA["technology_need"](budget_min=5, budget_max=1,
                                                                                  desired_trl=12))
    assert set(exc.value.fields) >= {"budget_max", "desired_trl"}
    session.rollback()
    assert _count(session) == 0


def test_course_and_personnel_rules(session, make):
    expert = make.user(Role.EXPERT)
    with pytest.raises(ValidationError) as exc:
        listings.create(session, expert, "course", DATA["course"](start_date="2027-03-05", end_date="2027-03-01",
                                                                  capacity=0, price=-5))
    assert set(exc.value.fields) >= {"end_date", "capacity", "price"}
    with pytest.raises(ValidationError) as exc:
        listings.create(session, expert, "personnel_need", DATA["personnel_need"](skills=[], headcount="many"))
    assert set(exc.value.fields) >= {"skills", "headcount"}
    with pytest.raises(ValidationError) as exc:
        listings.create(session, expert, "expert", DATA["expert"](services=["dancing"], regions=["atlantis"]))
    assert set(exc.value.fields) >= {"services", "regions"}
    session.rollback()
    assert _count(session) == 0


def test_oversized_or_mistyped_document_stores_nothing(session, make, app):
    holder = make.user(Role.TECHNOLOGY_HOLDER)
    with pytest.raises(ValidationError) as exc:
        listings.create(session, holder, "patent", patent_data(), document=("brochure.pdf", b"MZ\x90\x00not a pdf"))
    assert "document" in exc.value.fields
    session.rollback()
    assert _count(session) == 0 and _count(session, StoredFile) == 0
    listing = listings.create(session, holder, "patent", patent_data())
    app.config["MAX_UPLOAD_MB"] = 0.0001  # about 100 bytes
    with pytest.raises(ValidationError) as exc:
        listings.attach_document(session, holder, listing.id, "spec.pdf", PDF + b"0" * 500)
    assert "document" in exc.value.fields
    session.rollback()
    assert _count(session, StoredFile) == 0
    app.config["MAX_UPLOAD_MB"] = 20
    stored = listings.attach_document(session, holder, listing.id, "spec.docx", docx_bytes())
    assert stored.version == 1 and listings.documents(session, listing)[0].filename == "spec.docx"


def test_only_owners_edit(session, make):
    listing, owner = publish(session, make, "patent")
    stranger = make.user(Role.TECHNOLOGY_HOLDER)
    with pytest.raises(NotAuthorized):
        listings.update(session, stranger, listing.id, {"title": "Hijacked"})
    with pytest.raises(NotAuthorized):
        listings.withdraw(session, stranger, listing.id)
    session.rollback()
    assert session.get(Listing, listing.id).title != "Hijacked"
    colleague = make.user(Role.TECHNOLOGY_HOLDER, org=listing.organisation)
    listings.update(session, colleague, listing.id, {"title": "Cải tiến bể UASB"})
    # Changes to a published listing are reviewed again.
    assert session.get(Listing, listing.id).status is ListingStatus.PENDING_REVIEW


def test_drafts_are_invisible_to_others(session, make):
    holder = make.user(Role.TECHNOLOGY_HOLDER)
    draft = listings.create(session, holder, "patent", patent_data())
    with pytest.raises(NotFound):
        listings.get(session, make.user(), draft.id)
    with pytest.raises(NotFound):
        listings.get(session, None, draft.id)
    assert listings.get(session, holder, draft.id).id == draft.id
    assert listings.search(session, "patent", {}) == []


def test_review_needs_an_admin_and_a_reason(session, make):
    holder = make.user(Role.TECHNOLOGY_HOLDER)
    listing = listings.create(session, holder, "patent", patent_data(), submit=True)
    with pytest.raises(NotAuthorized):
        listings.approve(session, holder, listing.id)
    with pytest.raises(NotAuthorized):
        listings.review_queue(session, holder)
    boss = admin(make)
    assert [x.id for x in listings.review_queue(session, boss)] == [listing.id]
    with pytest.raises(ValidationError) as exc:
        listings.reject(session, boss, listing.id, "  ")
    assert "reason" in exc.value.fields
    listings.reject(session, boss, listing.id, "Thiếu tài liệu mô tả sáng chế")
    assert listing.status is ListingStatus.REJECTED and listing.reject_reason
    with pytest.raises(Conflict):
        listings.approve(session, boss, listing.id)  # rejected listings go back through submit
    listings.submit(session, holder, listing.id)
    listings.approve(session, boss, listing.id)
    assert listing.status is ListingStatus.PUBLISHED
    listings.withdraw(session, holder, listing.id)
    assert listing.status is ListingStatus.WITHDRAWN
    assert listings.search(session, "patent", {}) == []


def test_expiry_and_renewal_reminder_by_the_tick(session, make, app):
    from market.jobs.techtransfer import expire_listings

    app.config["LISTING_TTL_DAYS"] = 30
    app.config["LISTING_REMINDER_DAYS"] = 7
    listing, owner = publish(session, make, "technology_need")
    assert listing.expires_at <= utcnow() + timedelta(days=30)
    now = utcnow()
    assert expire_listings(session, now) == 0
    assert expire_listings(session, now + timedelta(days=25)) == 1  # the reminder
    session.refresh(listing)
    assert listing.status is ListingStatus.PUBLISHED and listing.reminder_sent_at is not None
    assert session.scalar(select(func.count()).select_from(EmailMessage).where(
        EmailMessage.to_address == owner.email, EmailMessage.subject.like("%"))) >= 2
    assert expire_listings(session, now + timedelta(days=26)) == 0  # reminded once only
    listings.renew(session, owner, listing.id)
    assert listing.reminder_sent_at is None
    assert expire_listings(session, now + timedelta(days=31)) == 1
    assert expire_listings(session, now + timedelta(days=60)) == 0
    session.refresh(listing)
    assert listing.status is ListingStatus.EXPIRED
    assert listings.search(session, "technology_need", {}) == []


def test_search_filters(session, make):
    a, _ = publish(session, make, "patent", trl=4, asking_price=100, ipc_codes=["B01D 53/34"], sub_sector="air",
                   province="ho-chi-minh", title="Lọc bụi tĩnh điện", offer_type="assignment")
    b, _ = publish(session, make, "patent")
    ids = lambda f: [x.id for x in listings.search(session, "patent", f)]  # noqa: E731
    assert ids({"ipc": "C02F"}) == [b.id]
    assert ids({"ipc": "B01D 53"}) == [a.id]
    assert ids({"sub_sector": "air"}) == [a.id]
    assert ids({"trl_min": "6"}) == [b.id]
    assert ids({"price_max": "1000"}) == [a.id]
    assert ids({"province": "ho-chi-minh"}) == [a.id]
    assert ids({"offer_type": "assignment"}) == [a.id]
    assert ids({"cpv": "9048"}) == [a.id, b.id] or ids({"cpv": "9048"}) == [b.id, a.id]
    assert ids({"q": "loc bui"}) == [a.id]  # accent-insensitive words
    with pytest.raises(ValidationError):
        listings.search(session, "patent", {"trl_min": "12"})
    e, _ = publish(session, make, "expert")
    assert [x.id for x in listings.search(session, "expert", {"province": "hue", "language": "en"})] == [e.id]
    assert listings.search(session, "expert", {"province": "ca-mau"}) == []
