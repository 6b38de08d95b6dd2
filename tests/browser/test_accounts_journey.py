"""Register, log in, switch language and log out in a real headless chromium."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_register_login_switch_language_logout(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_role("link", name="Đăng ký").first.click()

    # A malformed tax code is refused with a message next to the field, and the form keeps its values.
    page.get_by_label("Họ và tên").fill("Phạm Thị Thu")
    page.get_by_label("Email").fill("thu@nuocsach.vn")
    page.get_by_label("Mật khẩu").fill("Nuoc-sach-2026")
    page.get_by_label("Tên tổ chức").fill("Công ty TNHH Nước Sạch Miền Trung")
    page.get_by_label("Loại tổ chức").select_option("enterprise")
    page.get_by_label("Mã số thuế (MST)").fill("12345")
    page.get_by_label("Tỉnh/thành phố").select_option("da-nang")
    page.get_by_label("Quy mô").select_option("small")
    page.get_by_label("Vai trò của bạn").select_option("supplier_representative")
    page.get_by_role("button", name="Đăng ký").click()
    assert page.locator("#tax_code-error").is_visible()
    assert page.get_by_label("Tên tổ chức").input_value() == "Công ty TNHH Nước Sạch Miền Trung"

    page.get_by_label("Mật khẩu").fill("Nuoc-sach-2026")
    page.get_by_label("Mã số thuế (MST)").fill("0100109106")
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_url(re.compile(r".*/dashboard$"))
    assert page.get_by_text("Công ty TNHH Nước Sạch Miền Trung").is_visible()

    # Log out, then log in again with the new account.
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("link", name="Đăng nhập").first.click()
    page.get_by_label("Email").fill("thu@nuocsach.vn")
    page.get_by_label("Mật khẩu").fill("Nuoc-sach-2026")
    page.locator("form.form").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/dashboard$"))

    # Switch to English: the page is now in English and remembers it.
    page.get_by_label("Ngôn ngữ").select_option("en")
    page.get_by_test_id("switch-language").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    page.goto("/")
    assert page.get_by_role("button", name="Log out").is_visible()

    page.get_by_role("button", name="Log out").click()
    assert page.get_by_role("link", name="Log in").first.is_visible()
    page.goto("/dashboard")
    assert "/account/login" in page.url
