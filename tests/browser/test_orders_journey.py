"""Direct-order journey in a real headless chromium: a buyer orders, the supplier counters, the buyer accepts the
counter-offer and confirms delivery; the contract then shows up in the open data."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from market.models import EmailMessage, OrgKind, Role
from market.models.orders import Order
from market.services.orders import today_in_vietnam
from tests.factories import PASSWORD, Factories
from tests.fakes import FakeEncoder

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config):
    return app_config | {"ENCODER": FakeEncoder(dim=16)}


def log_in(page, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("form.form").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/dashboard$"))


def log_out(page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()


def test_buyer_orders_supplier_counters_buyer_accepts_and_confirms_delivery(page, live_app):
    factory = live_app.extensions["db_sessionmaker"]
    with factory() as s:
        make = Factories(s)
        buyer = make.org(OrgKind.PUBLIC_BUYER, name="Sở Nông nghiệp và Môi trường Hà Nội (thử nghiệm)")
        supplier = make.org(OrgKind.ENTERPRISE, name="Công ty CP Công nghệ Môi trường Xanh", domestic=True)
        make.org(OrgKind.ENTERPRISE, name="Công ty Nhập khẩu Thiết bị ABC", domestic=False)
        make.user(Role.PROCUREMENT_OFFICER, org=buyer, email="minh@sonnmt.hanoi.gov.vn", name="Trần Văn Minh")
        make.user(Role.SUPPLIER_REPRESENTATIVE, org=supplier, email="nam@greentech.vn", name="Nguyễn Hoàng Nam")
    delivery = (today_in_vietnam() + timedelta(days=40)).isoformat()
    later = (today_in_vietnam() + timedelta(days=55)).isoformat()

    # The buyer's officer places an order from the navigation; a negative price is refused next to the field.
    # (Fields with generic labels such as "Title" are found by id: other areas translate those words too.)
    log_in(page, "minh@sonnmt.hanoi.gov.vn")
    page.get_by_role("navigation").get_by_role("link", name="Đơn hàng trực tiếp", exact=True).click()
    page.get_by_role("main").get_by_role("link", name="Đặt hàng trực tiếp", exact=True).click()
    supplier_select = page.locator("#supplier_org_id")
    options = supplier_select.locator("option").all_inner_texts()
    assert "Công ty CP Công nghệ Môi trường Xanh" in options
    assert "Công ty Nhập khẩu Thiết bị ABC" not in options  # only domestic manufacturers
    supplier_select.select_option(label="Công ty CP Công nghệ Môi trường Xanh")
    page.get_by_label("Nội dung đặt hàng").select_option("product")
    page.locator("#title").fill("Trạm xử lý nước thải hợp khối 20 m³/ngày")
    page.locator("#description").fill("Cung cấp và lắp đặt 03 trạm cho trạm y tế xã, đạt QCVN 28:2010/BTNMT.")
    page.locator("#cpv_codes").fill("42912300")
    page.locator("#quantity").fill("3")
    page.locator("#unit").fill("trạm")
    page.get_by_label("Tổng giá (VNĐ)").fill("-1350000000")
    page.get_by_label("Tỉnh/thành phố giao hàng").select_option("ha-noi")
    page.locator("#delivery_date").fill(delivery)
    page.get_by_role("button", name="Gửi đơn hàng").click()
    assert page.locator("#price_vnd-error").is_visible()
    assert page.locator("#title").input_value() == "Trạm xử lý nước thải hợp khối 20 m³/ngày"
    page.get_by_label("Tổng giá (VNĐ)").fill("1.350.000.000")
    page.get_by_role("button", name="Gửi đơn hàng").click()
    page.wait_for_url(re.compile(r".*/orders/\d+$"))
    order_url = page.url
    assert page.get_by_test_id("order-status").get_attribute("data-status") == "placed"
    assert page.get_by_test_id("order-price").inner_text() == "1.350.000.000 ₫"
    log_out(page)

    # The supplier sees the order waiting on the dashboard and makes a counter-offer.
    log_in(page, "nam@greentech.vn")
    page.get_by_role("link", name=re.compile("Trạm xử lý nước thải hợp khối")).click()
    page.get_by_text("Đề xuất lại", exact=True).first.click()
    page.get_by_label("Tổng giá mới (VNĐ)").fill("1420000000")
    page.get_by_label("Ngày giao hàng mới").fill(later)
    page.get_by_label("Ghi chú gửi bên mua").fill("Bổ sung bảo hành 24 tháng.")
    page.get_by_role("button", name="Gửi đề xuất lại").click()
    page.wait_for_url(order_url)
    assert page.get_by_test_id("order-status").get_attribute("data-status") == "countered"
    assert page.get_by_role("button", name="Chấp nhận đơn hàng").count() == 0
    log_out(page)

    # The buyer accepts the counter-offer, then confirms delivery.
    log_in(page, "minh@sonnmt.hanoi.gov.vn")
    page.goto(order_url)
    assert page.get_by_test_id("counter-offer").is_visible()
    page.get_by_role("button", name="Chấp nhận đề xuất lại").click()
    page.wait_for_url(order_url)
    assert page.get_by_test_id("order-status").get_attribute("data-status") == "accepted"
    assert page.get_by_test_id("order-price").inner_text() == "1.420.000.000 ₫"
    page.get_by_role("button", name="Xác nhận đã nhận hàng").click()
    page.wait_for_url(order_url)
    assert page.get_by_test_id("order-status").get_attribute("data-status") == "fulfilled"
    history = page.get_by_test_id("order-history").inner_text()
    for step in ("Đã đặt hàng", "Đề xuất lại", "Đề xuất lại đã được chấp nhận", "Đã xác nhận giao hàng"):
        assert step in history
    assert "Nguyễn Hoàng Nam" in history and "Trần Văn Minh" in history

    # The concluded order is public spending: it appears in the awards CSV linked from the open-data page.
    page.goto("/open-data")
    with page.expect_download() as info:
        page.get_by_role("link", name="Kết quả trao thầu và hợp đồng đặt hàng trực tiếp (CSV)").click()
    content = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert "Trạm xử lý nước thải hợp khối 20 m³/ngày" in content and "1420000000" in content

    with factory() as s:
        order = s.scalar(select(Order))
        assert [e.action for e in order.events] == ["placed", "countered", "counter_accepted", "fulfilled"]
        mails = {m.to_address for m in s.scalars(select(EmailMessage))}
        assert {"minh@sonnmt.hanoi.gov.vn", "nam@greentech.vn"} <= mails
