"""A technology holder lists a patent, an enterprise posts a need, they find each other and record a licence deal."""
from __future__ import annotations

import re

import pytest

from market.models import Role
from tests.browser.helpers import log_in as _login
from tests.browser.helpers import log_out as _logout
from tests.fakes import FakeEncoder

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config):
    """The worker indexes every listing change; a fake encoder keeps the real model out of this test."""
    return app_config | {"ENCODER": FakeEncoder(dim=32)}




def test_patent_to_licence_deal(page, make):
    from tests.factories import PASSWORD

    holder = make.user(Role.TECHNOLOGY_HOLDER, name="PGS. Trần Văn Hải")
    enterprise = make.user(Role.SUPPLIER_REPRESENTATIVE, name="Nguyễn Thị Hoa")
    admin = make.user(Role.ADMINISTRATOR)

    # The technology holder lists a patent; a malformed number is refused first.
    _login(page, holder.email, PASSWORD)
    page.goto("/techtransfer/patents/new")
    page.get_by_label("Tiêu đề", exact=True).fill("Bể UASB hai pha giảm bùn thải dệt nhuộm")
    page.get_by_label("Mô tả", exact=True).fill("Giảm 50% khối lượng bùn sinh học, thu hồi khí sinh học.")
    page.get_by_label("Lĩnh vực môi trường").select_option("wastewater")
    page.get_by_label("Cơ quan sáng chế").select_option("VN")
    page.get_by_label("Số bằng hoặc số đơn").fill("12345")
    page.get_by_label("Mã IPC").fill("C02F 3/28")
    page.get_by_label("Tình trạng pháp lý").select_option("granted")
    page.get_by_label("Ngày nộp đơn").fill("2019-03-01")
    page.get_by_label("Ngày hết hạn").fill("2039-03-01")
    page.get_by_label("Hình thức chào").select_option("exclusive_licence")
    page.get_by_label("Mức độ sẵn sàng công nghệ (1–9)").fill("7")
    page.get_by_label("Giá chào (VND)").fill("1500000000")
    page.get_by_role("button", name="Gửi duyệt").click()
    assert page.locator("#patent_number-error").is_visible()
    page.get_by_label("Số bằng hoặc số đơn").fill("1-0012345")
    page.get_by_role("button", name="Gửi duyệt").click()
    page.wait_for_url(re.compile(r".*/techtransfer/listings/\d+$"))
    assert page.get_by_test_id("status").inner_text() == "Chờ duyệt"
    _logout(page)

    # The enterprise posts its need.
    _login(page, enterprise.email, PASSWORD)
    page.goto("/techtransfer/technology-needs/new")
    page.get_by_label("Tiêu đề", exact=True).fill("Giảm thể tích bùn trạm nước thải dệt nhuộm 2.000 m3/ngày")
    page.get_by_label("Lĩnh vực môi trường").select_option("wastewater")
    page.get_by_label("Mức độ sẵn sàng mong muốn (1–9)").fill("6")
    page.get_by_label("Ngân sách từ (VND)").fill("500000000")
    page.get_by_label("Ngân sách đến (VND)").fill("2000000000")
    page.get_by_label("Chấp nhận li-xăng").check()
    page.get_by_role("button", name="Gửi duyệt").click()
    page.wait_for_url(re.compile(r".*/techtransfer/listings/\d+$"))
    _logout(page)

    # The administrator approves both from the review queue.
    _login(page, admin.email, PASSWORD)
    page.goto("/techtransfer/review")
    for _ in range(2):
        page.get_by_test_id("review-item").first.get_by_role("button", name="Duyệt và đăng").click()
        page.wait_for_url(re.compile(r".*/techtransfer/review$"))
    assert page.get_by_text("Không có tin nào chờ duyệt.").is_visible()
    _logout(page)

    # The enterprise finds the patent through search and expresses interest.
    _login(page, enterprise.email, PASSWORD)
    page.goto("/techtransfer/patents")
    page.get_by_label("Từ khóa").fill("bun det nhuom")
    page.get_by_label("Tiền tố IPC").fill("C02F")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.get_by_role("link", name="Bể UASB hai pha giảm bùn thải dệt nhuộm").click()
    page.get_by_label("Lời nhắn của bạn gửi chủ tin").fill("Chúng tôi muốn li-xăng độc quyền cho trạm ở Bắc Ninh.")
    page.get_by_role("button", name="Gửi đề nghị hợp tác").click()
    page.wait_for_url(re.compile(r".*/techtransfer/threads/\d+$"))
    thread_url = page.url
    assert page.get_by_test_id("thread-state").inner_text() == "Đã gửi"
    _logout(page)

    # The holder finds the need through search too, then accepts and replies.
    _login(page, holder.email, PASSWORD)
    page.goto("/techtransfer/technology-needs?q=bùn&sub_sector=wastewater")
    assert page.get_by_role("link", name="Giảm thể tích bùn trạm nước thải dệt nhuộm 2.000 m3/ngày").is_visible()
    page.get_by_role("link", name="Trao đổi").click()
    page.get_by_role("link", name="Bể UASB hai pha giảm bùn thải dệt nhuộm").click()
    page.get_by_role("button", name="Chấp nhận").click()
    page.get_by_label("Tin nhắn").fill("Phí li-xăng 1,2 tỷ đồng cho 5 năm, kèm hỗ trợ vận hành.")
    page.get_by_role("button", name="Gửi", exact=True).click()
    assert page.get_by_test_id("thread-state").inner_text() == "Đang đàm phán"
    _logout(page)

    # The enterprise reads the reply and records the licence deal.
    _login(page, enterprise.email, PASSWORD)
    page.goto(thread_url)
    assert page.get_by_text("Phí li-xăng 1,2 tỷ đồng").is_visible()
    page.get_by_label("Loại giao dịch").select_option("exclusive_licence")
    page.get_by_label("Giá trị (VND)").fill("-1")
    page.get_by_role("button", name="Ghi nhận giao dịch").click()
    assert page.locator("#value_vnd-error").is_visible()
    page.get_by_label("Loại giao dịch").select_option("exclusive_licence")
    page.get_by_label("Giá trị (VND)").fill("1200000000")
    page.get_by_label("Ngày giao dịch").fill("2026-12-01")
    page.get_by_role("button", name="Ghi nhận giao dịch").click()
    assert page.get_by_test_id("thread-state").inner_text() == "Giao dịch"
    assert "1.200.000.000" in page.get_by_test_id("deal").inner_text()
