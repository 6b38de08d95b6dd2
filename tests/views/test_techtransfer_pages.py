"""Techtransfer pages: browse, forms with field errors, review queue, threads, anonymity in HTML and CSV."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from market.models import Role
from market.models.techtransfer import Listing, ListingStatus
from market.services import interest
from tests.conftest import login
from tests.factories_techtransfer import PDF, publish

SLUGS = ["patents", "technology-needs", "experts", "courses", "personnel-needs"]


@pytest.mark.parametrize("slug", SLUGS)
def test_browse_pages_render_for_everyone(client, session, make, slug):
    kind = {"patents": "patent", "technology-needs": "technology_need", "experts": "expert", "courses": "course",
            "personnel-needs": "personnel_need"}[slug]
    listing, _ = publish(session, make, kind)
    r = client.get(f"/techtransfer/{slug}")
    assert r.status_code == 200 and listing.title in r.get_data(as_text=True)
    r = client.get(f"/techtransfer/listings/{listing.id}")
    assert r.status_code == 200 and listing.title in r.get_data(as_text=True)
    assert client.get(f"/techtransfer/{slug}?sub_sector=consulting").get_data(as_text=True).count(listing.title) == 0
    login(client, make.user(Role.EXPERT).email)
    assert client.get(f"/techtransfer/{slug}/new").status_code == 200


def test_index_and_bad_filter(client):
    assert client.get("/techtransfer/").status_code == 200
    assert client.get("/techtransfer/patents?trl_min=42").status_code == 200
    assert client.get("/techtransfer/nothing").status_code == 404


def test_create_patent_form_errors_then_submit(client, session, make):
    holder = make.user(Role.TECHNOLOGY_HOLDER)
    login(client, holder.email)
    form = {"title": "Công nghệ MBR", "sub_sector": "wastewater", "technology_type": "patent", "office": "VN",
            "patent_number": "999", "ipc_codes": "C02F 3/12, ZZZ", "legal_status": "granted",
            "filing_date": "2020-01-01", "expiry_date": "2019-01-01", "offer_type": "assignment", "trl": "12",
            "asking_price": "-5", "language": "vi", "action": "submit"}
    r = client.post("/techtransfer/patents/new", data=form)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    for field in ("patent_number", "ipc_codes", "trl", "asking_price", "expiry_date"):
        assert f'id="{field}-error"' in html, field
    assert session.scalar(select(func.count()).select_from(Listing)) == 0
    form.update(patent_number="1-2020-00123", legal_status="pending", ipc_codes="C02F 3/12", expiry_date="2040-01-01",
                trl="6", asking_price="900.000.000", document=(io.BytesIO(PDF), "mo-ta.pdf"))
    r = client.post("/techtransfer/patents/new", data=form, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    listing = session.scalars(select(Listing)).one()
    assert listing.status is ListingStatus.PENDING_REVIEW and listing.price_vnd == 900_000_000
    assert "mo-ta.pdf" in client.get(f"/techtransfer/listings/{listing.id}").get_data(as_text=True)


def test_review_page_is_for_admins(client, session, make):
    holder = make.user(Role.TECHNOLOGY_HOLDER)
    from market.services import listings
    from tests.factories_techtransfer import patent_data

    listing = listings.create(session, holder, "patent", patent_data(), submit=True)
    login(client, holder.email)
    assert client.get("/techtransfer/review").status_code == 403
    assert client.post(f"/techtransfer/review/{listing.id}/approve").status_code == 403
    client.post("/account/logout")
    login(client, make.user(Role.ADMINISTRATOR).email)
    assert listing.title in client.get("/techtransfer/review").get_data(as_text=True)
    r = client.post(f"/techtransfer/review/{listing.id}/reject", data={"reason": "Thiếu bản mô tả"})
    assert r.status_code == 302
    session.refresh(listing)
    assert listing.status is ListingStatus.REJECTED and listing.reject_reason == "Thiếu bản mô tả"


def test_only_owner_sees_the_edit_page(client, session, make):
    listing, owner = publish(session, make, "expert")
    login(client, make.user(Role.EXPERT).email)
    assert client.get(f"/techtransfer/listings/{listing.id}/edit").status_code == 403
    assert client.post(f"/techtransfer/listings/{listing.id}/edit", data={"title": "x"}).status_code == 403
    assert client.post(f"/techtransfer/listings/{listing.id}/withdraw").status_code == 403
    client.post("/account/logout")
    login(client, owner.email)
    assert client.get(f"/techtransfer/listings/{listing.id}/edit").status_code == 200


def test_thread_pages_for_parties_only(client, session, make):
    listing, holder = publish(session, make, "patent")
    buyer = make.user(Role.SUPPLIER_REPRESENTATIVE)
    login(client, buyer.email)
    r = client.post(f"/techtransfer/listings/{listing.id}/interest", data={"message": "Xin báo giá li-xăng"})
    assert r.status_code == 302
    thread_url = r.headers["Location"]
    assert "Xin báo giá li-xăng" in client.get(thread_url).get_data(as_text=True)
    client.post("/account/logout")
    login(client, make.user(Role.SUPPLIER_REPRESENTATIVE).email)
    assert client.get(thread_url).status_code == 404
    client.post("/account/logout")
    login(client, make.user(Role.ADMINISTRATOR).email)
    assert client.get(thread_url).status_code == 404


def test_anonymous_owner_hidden_in_pages_exports_and_errors(client, session, make):
    listing, holder = publish(session, make, "patent", anonymous=True)
    org = listing.organisation.name
    buyer = make.user(Role.SUPPLIER_REPRESENTATIVE)
    pages = ["/techtransfer/patents", f"/techtransfer/listings/{listing.id}", "/techtransfer/patents/export.csv",
             "/techtransfer/patents?q=UASB"]
    for url in pages:
        assert org not in client.get(url).get_data(as_text=True), url
    login(client, buyer.email)
    for url in pages:
        assert org not in client.get(url).get_data(as_text=True), url
    r = client.post(f"/techtransfer/listings/{listing.id}/interest", data={"message": "Quan tâm"})
    thread_url = r.headers["Location"]
    html = client.get(thread_url).get_data(as_text=True)
    assert org not in html and holder.name not in html
    errors = [client.post(f"/techtransfer/listings/{listing.id}/interest", data={"message": "Again"}),
              client.get(f"/techtransfer/listings/{listing.id}/edit"),
              client.post(thread_url.replace(thread_url.split("/techtransfer")[0], "") + "/state/accept")]
    for resp in errors:
        assert resp.status_code >= 400
        assert org not in resp.get_data(as_text=True)
    assert org not in client.get("/techtransfer/threads").get_data(as_text=True)
    # After the owner accepts, this party (only) learns who the owner is.
    t = interest.threads_for(session, buyer)[0]
    interest.move(session, holder, t.id, "accept")
    assert org in client.get(thread_url).get_data(as_text=True)
    client.post("/account/logout")
    assert org not in client.get(f"/techtransfer/listings/{listing.id}").get_data(as_text=True)


@pytest.mark.parametrize("kind", ["patent", "technology_need", "expert", "course", "personnel_need"])
def test_edit_form_round_trip(client, session, make, kind):
    from market.forms_techtransfer import initial_data
    from market.services import listings

    listing, owner = publish(session, make, kind)
    before = listings._current_input(listing) | {"title": ""}
    login(client, owner.email)
    page = client.get(f"/techtransfer/listings/{listing.id}/edit")
    assert page.status_code == 200 and listing.title in page.get_data(as_text=True)
    form = {}
    for key, value in initial_data(listings._current_input(listing)).items():
        if value is True:
            form[key] = "y"
        elif value is False or value is None:
            continue
        else:
            form[key] = value
    form["title"] = listing.title + " (2027)"
    r = client.post(f"/techtransfer/listings/{listing.id}/edit", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    session.expire_all()
    changed = session.get(Listing, listing.id)
    assert changed.title.endswith("(2027)") and changed.status is ListingStatus.PENDING_REVIEW
    assert listings._current_input(changed) | {"title": ""} == before


def test_course_enrolment_pages(client, session, make):
    course, trainer = publish(session, make, "course")
    login(client, make.user(Role.SUPPLIER_REPRESENTATIVE).email)
    assert client.post(f"/techtransfer/courses/{course.id}/enrol", data={"participants": "2"}).status_code == 302
    client.post("/account/logout")
    login(client, trainer.email)
    html = client.get(f"/techtransfer/listings/{course.id}").get_data(as_text=True)
    assert "Yêu cầu đăng ký học" in html
