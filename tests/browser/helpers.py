"""Steps the browser journeys share."""
from __future__ import annotations

import re

from tests.factories import PASSWORD


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """Log in through the login form (Vietnamese labels) and land on the dashboard."""
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(password)
    page.locator("form.form").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/dashboard$"))


def log_out(page) -> None:
    """Log out with the header's button."""
    page.get_by_role("button", name="Đăng xuất").click()
