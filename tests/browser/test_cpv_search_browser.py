"""CPV search-as-you-type in a real headless chromium: the tender form suggests codes while the buyer types."""
from __future__ import annotations

import re

import pytest

from market.models import OrgKind, Role
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def test_typing_words_in_the_tender_form_suggests_cpv_codes(page, make):
    buyer = make.org(OrgKind.PUBLIC_BUYER, name="Sở Tài nguyên và Môi trường Đà Nẵng", province="da-nang")
    officer = make.user(Role.PROCUREMENT_OFFICER, org=buyer, email="officer@danang.gov.vn")
    log_in(page, officer.email)
    page.goto("/procurement/tenders/new")

    field = page.get_by_role("combobox", name="Mã CPV")
    field.press_sequentially("nuoc thai", delay=30)   # no accents: the search folds them
    suggestion = page.get_by_role("option", name=re.compile(r"90420000 Dịch vụ xử lý nước thải"))
    suggestion.wait_for(state="visible")
    assert field.get_attribute("aria-expanded") == "true"
    suggestion.click()
    assert field.input_value() == "90420000 "
    assert page.get_by_role("listbox").count() == 0 or not page.get_by_role("listbox").is_visible()

    # A second code by prefix, chosen with the keyboard, keeps the first one.
    field.press_sequentially("42996", delay=30)
    page.get_by_role("option", name=re.compile(r"^42996000")).wait_for(state="visible")
    field.press("ArrowDown")
    field.press("Enter")
    assert field.input_value().split() == ["90420000", "42996000"]
    assert "/procurement/tenders/new" in page.url   # Enter chose the code; it did not submit the form


@pytest.fixture
def app_config(app_config):
    """Suggestions come from the product's own suggester; a fake encoder keeps the real model out of this test."""
    from tests.fakes import FakeEncoder

    return app_config | {"ENCODER": FakeEncoder(dim=16)}


def test_the_product_form_suggests_codes_from_the_description_and_adds_the_chosen_ones(page, make):
    org = make.org(OrgKind.ENTERPRISE, name="Công ty Thiết bị Môi trường Hồng Lam", province="nghe-an")
    rep = make.user(Role.SUPPLIER_REPRESENTATIVE, org=org, email="rep@honglam.vn")
    log_in(page, rep.email)
    page.goto("/catalog/products/new")

    ask = page.get_by_role("button", name="Gợi ý mã từ phần mô tả")
    ask.click()
    page.get_by_text("Hãy viết tiêu đề hoặc mô tả trước.").wait_for(state="visible")  # nothing to go on yet

    page.get_by_label("Tên sản phẩm").fill("Dịch vụ xử lý nước thải")
    page.get_by_label("Mô tả", exact=True).fill("Vận hành trạm xử lý nước thải sinh hoạt cho khu dân cư.")
    ask.click()
    first = page.locator(".cpv-suggestions button").first
    first.wait_for(state="visible")
    codes = [b.get_attribute("data-code") for b in page.locator(".cpv-suggestions button").all()]
    assert codes and all(re.fullmatch(r"\d{8}", c) for c in codes)
    first.click()
    page.locator(".cpv-suggestions button").nth(1).click()
    field = page.get_by_role("combobox", name="Mã CPV")
    assert field.input_value() == f"{codes[0]}, {codes[1]}"  # this form separates codes with commas
    first.click()  # choosing a code twice keeps it once
    assert field.input_value() == f"{codes[0]}, {codes[1]}"
