"""A subscriber saves a search, a matching tender is published, the digest arrives; the statistics page and CSV."""
from __future__ import annotations

import csv
import io
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from market.models import EmailMessage, OrgKind, Role, utcnow
from tests.factories import PASSWORD, Factories
from tests.fakes import FakeEncoder

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config):
    # A fake encoder keeps the worker light; digest hour 0 means the digest is due at any time of day.
    return app_config | {"ENCODER": FakeEncoder(dim=16), "ALERTS_DIGEST_HOUR": 0}


def wait_for(fn, what: str, limit: float = 30.0):
    """Poll the database until the in-process worker has done its part (fails after `limit` seconds)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        value = fn()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_subscriber_gets_a_digest_for_a_new_matching_tender(page, live_app):
    import market.procurement_documents  # noqa: F401  (the tender builder, in case no view imported it yet)
    from market.services import tenders

    factory = live_app.extensions["db_sessionmaker"]
    with factory() as s:
        make = Factories(s)
        subscriber = make.user(email="tam@mekong.vn", name="Võ Thanh Tâm", language="vi")
        officer = make.user(Role.PROCUREMENT_OFFICER, email="minh@cantho.gov.vn")
        make.user(Role.ADMINISTRATOR, email="admin@san.vn")
        subscriber_id = subscriber.id

    page.goto("/account/login")
    page.get_by_label("Email").fill("tam@mekong.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("form.form").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/dashboard$"))
    assert page.get_by_test_id("unread-count").inner_text() == "0"

    # Save a search: tenders about wastewater in Can Tho, words typed without accents, daily digest.
    page.goto("/alerts")
    page.get_by_label("Theo dõi").select_option("tenders")
    page.get_by_label("Tên tìm kiếm").fill("Nước thải Cần Thơ")
    page.get_by_label("Từ khóa").fill("nuoc thai")
    page.get_by_label("Tỉnh/thành phố").select_option(["can-tho"])
    page.get_by_label("Tần suất").select_option("daily")
    page.get_by_role("button", name="Lưu tìm kiếm").click()
    page.wait_for_url(re.compile(r".*/alerts$"))
    assert page.get_by_test_id("subscriptions").get_by_text("Nước thải Cần Thơ").is_visible()

    # A buyer publishes a matching tender through the procurement service.
    now = utcnow()
    with factory() as s:
        officer = s.get(type(officer), officer.id)
        tender = tenders.create_tender(s, officer, {
            "title": "Nâng cấp trạm xử lý nước thải KCN Trà Nóc", "description": "Cung cấp và lắp đặt thiết bị",
            "cpv_codes": ["45252100"], "province": "can-tho",
            "enquiry_end": (now + timedelta(days=4)).isoformat(), "tender_end": (now + timedelta(days=14)).isoformat(),
            "opening_at": (now + timedelta(days=14, hours=1)).isoformat(),
            "lots": [{"title": "Gói 1", "quantity": 1, "unit": "gói", "estimated_value": 5_000_000_000}]},
            config=live_app.config)
        tenders.publish_tender(s, officer, tender.id, config=live_app.config)

    # The worker indexes it, the alert check records it, and the digest tick sends the email.
    def digest_mail():
        with factory() as s:
            return s.scalars(select(EmailMessage).where(EmailMessage.to_user_id == subscriber_id)).first()

    mail = wait_for(digest_mail, "the digest email")
    assert mail.subject == "Bản tin cảnh báo hằng ngày: 1 tin mới"
    assert "Nâng cấp trạm xử lý nước thải KCN Trà Nóc" in mail.body
    unsubscribe_url = re.search(r"https?://\S+(/alerts/\d+/unsubscribe\?token=\S+)", mail.body).group(1)

    page.goto("/alerts")
    assert page.get_by_test_id("unread-count").inner_text() == "1"
    page.get_by_test_id("notification-badge").click()
    item = page.get_by_test_id("notification").first
    assert "Bản tin cảnh báo hằng ngày: 1 tin mới" in item.inner_text()
    assert "Nâng cấp trạm xử lý nước thải KCN Trà Nóc" in item.inner_text()
    page.get_by_role("button", name="Đánh dấu tất cả là đã đọc").click()
    assert page.get_by_test_id("unread-count").inner_text() == "0"

    # One click from the email, logged out, stops the alert.
    page.get_by_role("button", name="Đăng xuất").click()
    page.goto(unsubscribe_url)
    assert page.get_by_test_id("unsubscribed").is_visible()

    # The digest is in the platform's email outbox.
    page.goto("/account/login")
    page.get_by_label("Email").fill("admin@san.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("form.form").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/dashboard$"))
    page.goto("/admin/outbox")
    mail_card = page.locator("article.mail", has_text="Bản tin cảnh báo hằng ngày: 1 tin mới")
    assert mail_card.get_by_text("tam@mekong.vn").is_visible()
    assert "Nâng cấp trạm xử lý nước thải KCN Trà Nóc" in mail_card.inner_text()


def test_statistics_page_shows_charts_and_downloads_csv(page, live_app):
    factory = live_app.extensions["db_sessionmaker"]
    with factory() as s:
        make = Factories(s)
        for province in ("ha-noi", "ha-noi", "da-nang"):
            make.org(OrgKind.ENTERPRISE, province=province)

    page.goto("/")
    page.get_by_role("link", name="Thống kê").first.click()
    page.wait_for_url(re.compile(r".*/stats$"))
    assert page.get_by_role("heading", name="Thống kê ngành công nghiệp môi trường").is_visible()
    chart = page.locator("svg#chart-enterprises_by_province")
    assert chart.is_visible()
    assert chart.get_attribute("role") == "img"
    assert "Thành phố Hà Nội" in chart.inner_html()
    assert page.get_by_test_id("no-data-products_by_category").is_visible()

    with page.expect_download() as info:
        page.get_by_test_id("csv-enterprises_by_province").click()
    download = info.value
    assert download.suggested_filename == "enterprises_by_province.csv"
    with open(download.path(), encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(io.StringIO(fh.read())))
    assert {r["province"]: r["enterprises"] for r in rows} == {"ha-noi": "2", "da-nang": "1"}
