"""A buyer and three suppliers take a tender from publication to contract in a real headless chromium.

Time is simulated by moving the tender's dates back (test arrangement); the live server's worker tick then fires
the time-driven moves. Pages never move the tender: the test waits for the worker by reloading.
"""
from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from market.models import utcnow
from market.models.procurement import Tender
from market.services import tenders as tender_service
from tests.browser.helpers import log_in as _login
from tests.factories_procurement import CPV_WASTEWATER, SHORT_SETTINGS, Procurement

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config):
    app_config.update(SHORT_SETTINGS)
    return app_config



def _logout(page):
    page.context.clear_cookies()


def _wait_for(page, url, text, tries=100):
    """Reload until the worker has done its part (no timing is asserted)."""
    for _ in range(tries):
        page.goto(url)
        if text in page.content():
            return
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared on {url}")


def _local(dt):
    return dt.strftime("%Y-%m-%dT%H:%M")


def test_buyer_and_three_suppliers_full_journey(page, make, session, live_app):
    p = Procurement(make, session, live_app)
    # Buyer: create a draft through the form, then publish it.
    _login(page, p.officer.email)
    page.get_by_role("link", name="Gói thầu của tôi").first.click()
    page.get_by_role("link", name="Gói thầu mới").click()
    now = utcnow()
    page.fill('input[name="title"]', "Thiết bị xử lý nước thải KCN Yên Phong")
    page.fill('textarea[name="description"]', "Hệ thống MBR 1.500 m³/ngày đêm, ưu tiên hàng sản xuất trong nước.")
    page.fill('input[name="cpv_codes"]', CPV_WASTEWATER)
    page.select_option('select[name="province"]', "bac-ninh")
    page.fill('input[name="enquiry_end"]', _local(now + timedelta(hours=1)))
    page.fill('input[name="tender_end"]', _local(now + timedelta(hours=2)))
    page.fill('input[name="opening_at"]', _local(now + timedelta(hours=2)))
    page.fill('input[name="lots-0-title"]', "Module MBR")
    page.fill('input[name="lots-0-quantity"]', "1")
    page.fill('input[name="lots-0-unit"]', "hệ thống")
    page.fill('input[name="lots-0-estimated_value"]', "12.000.000.000")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(r".*/workspace$"))
    page.locator("#publish").click()
    assert page.get_by_text("Đang hỏi đáp").first.is_visible()
    tender_id = session.scalar(select(Tender.id))
    notice = f"/procurement/tenders/{tender_id}"
    _logout(page)

    # Supplier 1 asks a question; the buyer answers it publicly.
    _login(page, p.suppliers[0].email)
    page.goto(notice)
    page.fill('textarea[name="text"]', "Có chấp nhận màng PVDF sản xuất trong nước không?")
    page.get_by_role("button", name="Gửi câu hỏi cho bên mời thầu").click()
    _logout(page)
    _login(page, p.officer.email)
    page.goto(f"{notice}/workspace")
    page.fill('textarea[name="answer"]', "Có, nếu đạt tiêu chuẩn tương đương.")
    page.get_by_role("button", name="Công bố câu trả lời").click()
    _logout(page)
    page.goto(notice)
    assert page.get_by_text("Có, nếu đạt tiêu chuẩn tương đương.").is_visible()
    assert p.suppliers[0].name not in page.content()

    # The enquiry period ends: the worker moves the tender to tendering.
    tender_service.shift_timeline(session, tender_id, -3601)
    _wait_for(page, notice, "Đang nhận hồ sơ dự thầu")

    # Three suppliers bid through the form; each gets a receipt with the server's time and commitment.
    prices = ["9.800.000.000", "9.500.000.000", "9.100.000.000"]
    domestic = ["70", "40", "10"]
    for supplier, price, dom in zip(p.suppliers, prices, domestic):
        _login(page, supplier.email)
        page.goto(notice)
        page.get_by_role("link", name="Nộp hồ sơ dự thầu").click()
        page.fill('input[name="lots-0-price"]', price)
        page.fill('input[name="domestic_content_pct"]', dom)
        page.fill('input[name="delivery_days"]', "120")
        page.fill('textarea[name="technical_proposal"]', "Đề xuất kỹ thuật chi tiết.")
        page.get_by_role("button", name="Nộp hồ sơ dự thầu niêm phong").click()
        page.wait_for_url(re.compile(r".*/procurement/bids/\d+$"))
        assert page.locator("#receipts code.hash").first.inner_text().strip()
        assert price in page.content()
        _logout(page)

    # Before opening the buyer sees no price, and a bid page is refused.
    _login(page, p.officer.email)
    page.goto(f"{notice}/workspace")
    assert all(price not in page.content() for price in prices)
    bid_ids = [b.id for b in session.get(Tender, tender_id).bids]
    resp = page.goto(f"/procurement/bids/{bid_ids[0]}")
    assert resp.status == 403

    # The deadline and opening time pass: the worker opens the bids and publishes the opening record.
    tender_service.shift_timeline(session, tender_id, -3601)
    _wait_for(page, f"{notice}/opening", "9.100.000.000")
    for price in prices:
        assert price in page.content()

    # Evaluation: the margin of preference makes the domestic bid win; qualify it and award.
    page.goto(f"{notice}/award")
    assert "đã áp dụng" in page.content()
    page.goto(f"{notice}/workspace")
    row = page.locator("tr", has_text=p.suppliers[1].organisations()[0].name)
    row.locator('select[name="decision"]').select_option("qualify")
    row.get_by_role("button", name="Ghi nhận").click()
    page.fill('#award-form textarea[name="justification"]', "Giá đánh giá thấp nhất sau ưu đãi hàng trong nước.")
    page.locator("#award-form button").click()
    assert page.get_by_text("Thời gian chờ đã bắt đầu").first.is_visible()

    # The standstill period ends (worker), then the contract is recorded and the tender completes.
    tender_service.shift_timeline(session, tender_id, -SHORT_SETTINGS["TENDER_STANDSTILL_SECONDS"] - 1)
    _wait_for(page, f"{notice}/workspace", "contract-form")
    page.locator("#contract-form button").click()
    assert page.get_by_text("Đã ghi nhận hợp đồng").first.is_visible()
    _logout(page)
    page.goto(f"{notice}/award")
    assert p.suppliers[1].organisations()[0].name in page.content()
    page.goto(notice)
    assert "Hoàn thành" in page.content()
