"""An enterprise's public profile lists its technology offers, experts, courses and awards won, page and API."""
from __future__ import annotations

import pytest

from market.models import Role
from market.services import evaluation, listings
from tests.factories_procurement import SHORT_SETTINGS, Procurement
from tests.factories_techtransfer import patent_data, publish


@pytest.fixture
def app_config(app_config):
    app_config.update(SHORT_SETTINGS)
    return app_config


@pytest.fixture
def profile(make, session, app):
    """A supplier that won one tender, lost nothing else, and publishes technology under its name and anonymously."""
    p = Procurement(make, session, app)
    org = p.suppliers[0].organisations()[0]
    won = p.tendering(title="Hệ thống xử lý nước thải KCN Quế Võ")
    p.bid(won, 0, price=1_000_000_000)
    p.bid(won, 1, price=1_100_000_000)
    p.open(won)
    best = next(b for b in won.bids if b.bidder_id == org.id)
    evaluation.qualify_bid(session, p.officer, won.id, best.id, True)
    evaluation.award(session, p.officer, won.id, best.id, "Giá đánh giá thấp nhất.", config=p.config)
    pending = p.tendering(title="Trạm quan trắc khí thải tự động")  # bid on, never awarded
    p.bid(pending, 0, price=700_000_000)

    holder = make.user(Role.TECHNOLOGY_HOLDER, org=org)
    expert = make.user(Role.EXPERT, org=org)
    named, _ = publish(session, make, "patent", owner=holder, title="Bể UASB công khai", patent_number="1-0012345")
    hidden, _ = publish(session, make, "patent", owner=holder, anonymous=True, title="Công nghệ ẩn danh XYZ",
                        patent_number="1-0099999")
    draft = listings.create(session, holder, "patent", patent_data(title="Bản nháp chưa duyệt"))
    hidden_expert, _ = publish(session, make, "expert", owner=expert, anonymous=True, title="Chuyên gia ẩn danh QRS")
    shown_expert, _ = publish(session, make, "expert", owner=expert, title="Chuyên gia vận hành MBR")
    course, _ = publish(session, make, "course", owner=expert, title="Khóa học vận hành lò hơi sạch")
    withdrawn, _ = publish(session, make, "course", owner=expert, title="Khóa học đã rút")
    listings.withdraw(session, expert, withdrawn.id)
    return {"org": org, "won": won, "pending": pending, "buyer": p.buyer_org, "named": named, "hidden": hidden,
            "draft": draft, "hidden_expert": hidden_expert, "expert": shown_expert, "course": course,
            "withdrawn": withdrawn}


def _absent(text: str, profile: dict) -> None:
    for key in ("hidden", "draft", "hidden_expert", "withdrawn", "pending"):
        assert profile[key].title not in text, key
    assert "1-0099999" not in text


def test_profile_page_shows_each_section_with_real_rows(client, profile):
    html = client.get(f"/catalog/enterprises/{profile['org'].id}").get_data(as_text=True)
    for key in ("technology_offers", "experts", "courses", "awards"):
        assert f'data-section="{key}"' in html, key
    assert profile["named"].title in html and "VN 1-0012345" in html
    assert f'/techtransfer/listings/{profile["named"].id}"' in html
    assert profile["expert"].title in html and profile["course"].title in html and "2027-03-01" in html
    assert profile["won"].title in html and profile["buyer"].name in html and "1.000.000.000 ₫" in html
    assert f'/procurement/tenders/{profile["won"].id}/award"' in html
    _absent(html, profile)


def test_directory_api_lists_the_sections(client, profile):
    r = client.get(f"/api/v1/enterprises/{profile['org'].id}")
    assert r.status_code == 200
    sections = r.get_json()["sections"]
    assert [x["id"] for x in sections["technology_offers"]] == [profile["named"].id]
    assert sections["technology_offers"][0]["patent_number"] == "1-0012345"
    assert [x["id"] for x in sections["experts"]] == [profile["expert"].id]
    assert [x["id"] for x in sections["courses"]] == [profile["course"].id]
    course = sections["courses"][0]
    assert course["start_date"] == "2027-03-01" and course["capacity"] == 30 and course["format"] == "blended"
    [award] = sections["awards"]
    assert award["tender_id"] == profile["won"].id and award["buyer"] == profile["buyer"].name
    assert award["value_vnd"] == 1_000_000_000 and award["date"] and award["title"] == profile["won"].title
    _absent(r.get_data(as_text=True), profile)


def test_anonymous_listings_never_on_the_owners_profile(client, make, session):
    holder = make.user(Role.TECHNOLOGY_HOLDER)
    org = holder.organisations()[0]
    hidden, _ = publish(session, make, "patent", owner=holder, anonymous=True, title="Bí mật công nghệ ABC")
    assert listings.published_by(session, org.id, "patent") == []
    for url in (f"/catalog/enterprises/{org.id}", f"/api/v1/enterprises/{org.id}"):
        r = client.get(url)
        assert r.status_code == 200 and hidden.title not in r.get_data(as_text=True), url
