"""Saved searches: validation, matching, immediate alerts, the daily digest, notifications and unsubscribe links."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from market.errors import NotFound, ValidationError
from market.indexing import reindex
from market.jobs.worker import drain, run_ticks
from market.models import EmailMessage, OrgKind
from market.models.alerts import AlertHit, DigestRun, Notification, Subscription
from market.services import alerts, notifications
from matching import Document
from tests import factories_alerts as fa
from tests.fakes import FakeEncoder

SECRET = "test-secret"
CONFIG = {"SECRET_KEY": SECRET, "SITE_URL": "https://san.example.vn", "ALERTS_DIGEST_HOUR": 7}
# 01:30 UTC is 08:30 in Vietnam (after the digest hour); 23:00 UTC is 06:00 the next morning (before it).
MORNING = datetime(2026, 3, 2, 1, 30, tzinfo=timezone.utc)
NEXT_MORNING = datetime(2026, 3, 3, 1, 30, tzinfo=timezone.utc)
BEFORE_HOUR = datetime(2026, 3, 2, 23, 0, tzinfo=timezone.utc)


@pytest.fixture
def app_config(app_config):
    return app_config | {"ENCODER": FakeEncoder(dim=16), "SITE_URL": "https://san.example.vn"}


def tender_doc(n: int, text: str = "Xử lý nước thải khu công nghiệp", codes=("90481000",), province="can-tho"):
    return Document("tender", f"tender:{n}", text, codes=codes, facets={"province": province}, language="vi")


def publish(session, make, title: str = "Xử lý nước thải khu công nghiệp", *, cpv=("90481000",),
            province: str = "can-tho", published: bool = True) -> tuple[int, int]:
    """Create a real tender (through the procurement model) and announce it; return (tender id, hits)."""
    import market.procurement_documents  # noqa: F401  (the tender builder and displayer)

    buyer = make.org(OrgKind.PUBLIC_BUYER)
    tender = fa.tender(session, buyer, list(cpv), title=title, province=province, published=published)
    return tender.id, alerts.listing_published(session, "tender", tender.id, config=CONFIG)


def subscribe(session, user, **data):
    return alerts.create_subscription(session, user, {"kind": "tenders", **data})


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


# ---------------------------------------------------------------- validation

def test_a_subscription_is_saved_normalised(session, make):
    user = make.user()
    sub = alerts.create_subscription(session, user, {
        "kind": "tenders", "words": "  xử lý   nước thải ", "cpv_prefixes": ["90400000-1", "4299*", "904"],
        "provinces": "Cần Thơ, ha-noi", "categories": ["wastewater"], "frequency": "immediate"})
    assert sub.words == "xử lý nước thải"
    assert sub.cpv_prefixes == ["4299", "904"]
    assert sub.provinces == ["can-tho", "ha-noi"]
    assert sub.categories == ["wastewater"] and sub.frequency.value == "immediate" and sub.active
    assert sub.name.startswith("tenders:")


@pytest.mark.parametrize("data, field", [
    ({"cpv_prefixes": ["9999"]}, "cpv_prefixes"),
    ({"cpv_prefixes": ["90-40"]}, "cpv_prefixes"),
    ({"cpv_prefixes": ["9"]}, "cpv_prefixes"),
    ({"cpv_prefixes": ["90400000-7"]}, "cpv_prefixes"),  # wrong check digit (90400000-1 is right)
    ({"provinces": ["Atlantis"]}, "provinces"),
    ({"categories": ["no-such-category"]}, "categories"),
    ({}, "filters"),
    ({"words": "   "}, "filters"),
    ({"words": "x", "kind": "weather"}, "kind"),
    ({"words": "x", "frequency": "hourly"}, "frequency"),
])
def test_bad_subscriptions_give_field_errors_and_store_nothing(session, make, data, field):
    user = make.user()
    with pytest.raises(ValidationError) as exc:
        alerts.create_subscription(session, user, {"kind": "tenders", **data})
    assert field in exc.value.fields
    assert count(session, Subscription) == 0


def test_only_the_owner_reads_changes_or_deletes_a_subscription(session, make):
    owner, other = make.user(), make.user()
    sub = subscribe(session, owner, words="bùn")
    for action in (lambda: alerts.get_own(session, other, sub.id),
                   lambda: alerts.update_subscription(session, other, sub.id, {"kind": "tenders", "words": "x"}),
                   lambda: alerts.delete_subscription(session, other, sub.id),
                   lambda: alerts.set_active(session, other, sub.id, False)):
        with pytest.raises(NotFound):
            action()
    session.expire_all()
    assert session.get(Subscription, sub.id).words == "bùn" and session.get(Subscription, sub.id).active
    assert alerts.list_subscriptions(session, other) == []


# ---------------------------------------------------------------- matching

def test_words_match_without_diacritics_and_every_filter_must_pass(session, make):
    user = make.user()
    doc = tender_doc(1)
    assert alerts.matches(subscribe(session, user, words="xu ly nuoc thai"), doc)
    assert alerts.matches(subscribe(session, user, words="NƯỚC THẢI"), doc)
    assert not alerts.matches(subscribe(session, user, words="khí thải"), doc)
    assert alerts.matches(subscribe(session, user, cpv_prefixes=["9048"], provinces=["can-tho"]), doc)
    assert not alerts.matches(subscribe(session, user, cpv_prefixes=["9048"], provinces=["ha-noi"]), doc)
    assert not alerts.matches(subscribe(session, user, cpv_prefixes=["3843"]), doc)
    # Category from the CPV codes when the document carries none.
    assert alerts.matches(subscribe(session, user, categories=["wastewater"]), doc,
                          alerts_matcher(session))
    assert not alerts.matches(subscribe(session, user, categories=["monitoring"]), doc, alerts_matcher(session))
    # Another kind of listing never matches a tender subscription.
    product = Document("product", "product:1", "Xử lý nước thải", codes=("90481000",), facets={})
    assert not alerts.matches(subscribe(session, user, words="nuoc thai"), product)


def alerts_matcher(session):
    from market.services.stats import SectorMatcher, sectors

    return SectorMatcher(sectors(session))


# ---------------------------------------------------------------- immediate alerts

def test_an_immediate_alert_sends_one_email_and_notification_once(session, make):
    user = make.user(language="vi", name="Chị Hoa")
    sub = subscribe(session, user, words="nuoc thai", frequency="immediate")
    subscribe(session, make.user(), words="khí thải", frequency="immediate")
    tender_id, hits = publish(session, make)
    assert hits == 1
    session.commit()
    mail = session.scalars(select(EmailMessage)).one()
    assert mail.to_user_id == user.id and "Xử lý nước thải" in mail.subject
    assert f"https://san.example.vn/alerts/item/tender:{tender_id}" in mail.body
    assert f"https://san.example.vn/alerts/{sub.id}/unsubscribe?token=" in mail.body
    assert "Xin chào Chị Hoa" in mail.body
    assert notifications.unread_count(session, user) == 1
    # The listing is edited and indexed again: nobody hears about it twice.
    assert alerts.listing_published(session, "tender", tender_id, config=CONFIG) == 0
    session.commit()
    assert count(session, EmailMessage) == 1 and notifications.unread_count(session, user) == 1


def test_the_same_listing_through_two_searches_is_told_once(session, make):
    user = make.user()
    subscribe(session, user, words="nuoc thai", frequency="immediate")
    subscribe(session, user, provinces=["can-tho"], frequency="immediate")
    assert publish(session, make)[1] == 2
    session.commit()
    assert count(session, EmailMessage) == 1
    assert count(session, AlertHit, AlertHit.delivered_at.is_not(None)) == 2


def test_paused_subscriptions_and_non_public_listings_send_nothing(session, make):
    user = make.user()
    sub = subscribe(session, user, words="nuoc thai", frequency="immediate")
    alerts.set_active(session, user, sub.id, False)
    assert publish(session, make)[1] == 0
    alerts.set_active(session, user, sub.id, True)
    # A draft has no public document: nothing to say. Nor for kinds nobody can subscribe to.
    assert publish(session, make, published=False)[1] == 0
    assert alerts.check_listing(session, CONFIG, "no_such_kind", 1) == 0
    # A document given directly still needs the listing to be publicly displayable.
    assert alerts.listing_published(session, "tender", 999, doc=tender_doc(999), config=CONFIG) == 0
    assert count(session, EmailMessage) == 0


# ---------------------------------------------------------------- daily digest

def test_the_daily_digest_is_sent_once_per_day_after_the_hour_and_never_repeats_items(session, make):
    user = make.user(language="en", name="Ms Lan")
    subscribe(session, user, words="nuoc thai")  # daily by default
    publish(session, make, "Xử lý nước thải Cần Thơ")
    publish(session, make, "Nhà máy nước thải Hà Nội", province="ha-noi")
    session.commit()
    assert count(session, EmailMessage) == 0  # daily: nothing before the digest

    assert alerts.run_digests(session, CONFIG, BEFORE_HOUR) == 0
    assert alerts.run_digests(session, CONFIG, MORNING) == 1
    mail = session.scalars(select(EmailMessage)).one()
    assert mail.subject == "Your daily alerts: 2 new listings"
    assert "Xử lý nước thải Cần Thơ" in mail.body and "Nhà máy nước thải Hà Nội" in mail.body
    assert "/unsubscribe?token=" in mail.body
    assert notifications.unread_count(session, user) == 1
    assert session.scalars(select(DigestRun)).one().day == "2026-03-02"

    # Running again the same day, or the next day with nothing new, sends nothing.
    assert alerts.run_digests(session, CONFIG, MORNING) == 0
    assert alerts.run_digests(session, CONFIG, NEXT_MORNING) == 0
    # A listing caught after today's digest waits for tomorrow's, and only it is sent.
    publish(session, make, "Bể lắng nước thải")
    session.commit()
    assert alerts.run_digests(session, CONFIG, MORNING) == 0
    assert alerts.run_digests(session, CONFIG, NEXT_MORNING) == 1
    last = session.scalars(select(EmailMessage).order_by(EmailMessage.id.desc())).first()
    assert "Bể lắng nước thải" in last.body and "Cần Thơ" not in last.body


def test_the_digest_tick_runs_in_the_worker(app, session, make):
    app.config["ALERTS_DIGEST_HOUR"] = 0  # any time of day
    user = make.user()
    subscribe(session, user, words="nuoc thai")
    publish(session, make)
    session.commit()
    run_ticks(app.extensions["db_sessionmaker"])
    session.expire_all()
    assert count(session, EmailMessage, EmailMessage.to_user_id == user.id) == 1
    run_ticks(app.extensions["db_sessionmaker"])
    assert count(session, EmailMessage, EmailMessage.to_user_id == user.id) == 1


# ---------------------------------------------------------------- the indexing hook

def test_a_product_indexed_by_the_worker_alerts_matching_subscribers(app, session, make):
    user = make.user()
    sub = alerts.create_subscription(session, user, {"kind": "products", "words": "loc bui tui vai",
                                                     "categories": ["air"], "frequency": "immediate"})
    org = make.org(OrgKind.ENTERPRISE, province="ho-chi-minh")
    product = fa.product(session, org, "air", name="Thiết bị lọc bụi túi vải", description="Lọc bụi cho lò hơi")
    draft = fa.product(session, org, "air", name="Lọc bụi túi vải bản nháp", approved=False)
    reindex(session, "product", product.id)
    reindex(session, "product", draft.id)
    session.commit()
    drain(app.extensions["db_sessionmaker"])
    session.expire_all()
    hits = list(session.scalars(select(AlertHit)))
    assert [(h.subscription_id, h.ref) for h in hits] == [(sub.id, f"product:{product.id}")]
    assert hits[0].title == "Thiết bị lọc bụi túi vải"
    assert notifications.unread_count(session, user) == 1
    assert count(session, EmailMessage, EmailMessage.to_user_id == user.id) == 1


# ---------------------------------------------------------------- notifications and unsubscribe

def test_notifications_are_read_only_by_their_owner(session, make):
    owner, other = make.user(), make.user()
    mine = notifications.notify(session, owner.id, "Một", url="/x")
    notifications.notify(session, owner.id, "Hai")
    session.commit()
    with pytest.raises(NotFound):
        notifications.mark_read(session, other, [mine.id])
    assert notifications.unread_count(session, owner) == 2
    assert notifications.list_for(session, other) == []
    assert notifications.mark_read(session, owner, [mine.id]) == 1
    assert notifications.unread_count(session, owner) == 1
    assert notifications.mark_read(session, owner) == 1
    assert notifications.unread_count(session, owner) == 0


def test_an_unsubscribe_token_stops_only_its_own_subscription(session, make):
    user = make.user()
    a = subscribe(session, user, words="a")
    b = subscribe(session, user, words="b")
    token_a = alerts.unsubscribe_token(SECRET, a)
    with pytest.raises(NotFound):
        alerts.unsubscribe(session, SECRET, b.id, token_a)
    with pytest.raises(NotFound):
        alerts.unsubscribe(session, "another-secret", a.id, token_a)
    with pytest.raises(NotFound):
        alerts.unsubscribe(session, SECRET, a.id, token_a[:-2] + "xx")
    session.expire_all()
    assert session.get(Subscription, b.id).active and session.get(Subscription, a.id).active
    assert alerts.unsubscribe(session, SECRET, a.id, token_a).active is False
    assert alerts.unsubscribe(session, SECRET, a.id, token_a, active=True).active is True


def test_no_notification_rows_for_unmatched_users(session, make):
    make.user()
    assert count(session, Notification) == 0


def test_a_tender_published_through_procurement_reaches_the_daily_digest(app, session, make):
    from datetime import timedelta

    import market.procurement_documents  # noqa: F401  (the tender builder, in case no view imported it yet)
    from market.models import Role, utcnow
    from market.services import tenders

    app.config["ALERTS_DIGEST_HOUR"] = 0
    subscriber = make.user(language="vi")
    alerts.create_subscription(session, subscriber, {"kind": "tenders", "words": "nuoc thai",
                                                     "provinces": ["can-tho"], "categories": ["wastewater"]})
    officer = make.user(Role.PROCUREMENT_OFFICER)
    now = utcnow()
    tender = tenders.create_tender(session, officer, {
        "title": "Nâng cấp trạm xử lý nước thải KCN Trà Nóc", "description": "Thiết bị và lắp đặt",
        "cpv_codes": ["45252100"], "province": "can-tho",
        "enquiry_end": (now + timedelta(days=4)).isoformat(), "tender_end": (now + timedelta(days=14)).isoformat(),
        "opening_at": (now + timedelta(days=14, hours=1)).isoformat(),
        "lots": [{"title": "Gói 1", "quantity": 1, "unit": "gói", "estimated_value": 5_000_000_000}]},
        config=app.config)
    factory = app.extensions["db_sessionmaker"]
    drain(factory)
    assert count(session, AlertHit) == 0  # a draft alerts nobody
    tenders.publish_tender(session, officer, tender.id, config=app.config)
    drain(factory)
    run_ticks(factory)
    session.expire_all()
    hit = session.scalars(select(AlertHit)).one()
    assert hit.ref == f"tender:{tender.id}" and hit.delivered_at is not None
    mail = session.scalars(select(EmailMessage).where(EmailMessage.to_user_id == subscriber.id)).one()
    assert mail.subject == "Bản tin cảnh báo hằng ngày: 1 tin mới"
    assert "Nâng cấp trạm xử lý nước thải KCN Trà Nóc" in mail.body
    assert notifications.unread_count(session, subscriber) == 1


def test_technology_needs_and_offers_are_caught_through_their_builders(session, make):
    import market.techtransfer_documents  # noqa: F401  (registers the techtransfer builders)
    from market.models.techtransfer import ListingStatus, TechnologyNeed

    needs_fan = make.user()
    offers_fan = make.user()
    alerts.create_subscription(session, needs_fan, {"kind": "technology_needs", "categories": ["air"],
                                                    "frequency": "immediate"})
    alerts.create_subscription(session, offers_fan, {"kind": "technology_offers", "words": "mang loc sinh hoc",
                                                     "frequency": "immediate"})
    org = make.org(OrgKind.ENTERPRISE)
    need = TechnologyNeed(organisation_id=org.id, title="Cần công nghệ khử NOx cho lò hơi", sub_sector="air",
                          status=ListingStatus.PUBLISHED, published_at=utcnow_())
    draft = TechnologyNeed(organisation_id=org.id, title="Khử NOx (nháp)", sub_sector="air")
    session.add_all([need, draft])
    session.commit()
    patent = fa.patent(session, org, "wastewater", title="Màng lọc sinh học MBR")
    assert alerts.check_listing(session, CONFIG, "technology_need", need.id) == 1
    assert alerts.check_listing(session, CONFIG, "technology_need", draft.id) == 0
    assert alerts.check_listing(session, CONFIG, "patent", patent.id) == 1
    session.commit()
    assert [h.user_id for h in session.scalars(select(AlertHit).order_by(AlertHit.id))] == [needs_fan.id, offers_fan.id]
    assert count(session, EmailMessage) == 2


def utcnow_():
    from market.models import utcnow

    return utcnow()
