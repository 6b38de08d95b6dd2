"""Catalogue journeys: a product is listed, reviewed, coded and verified; a bulk CSV import gives a correct report."""
from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from market.demo.accounts import demo_tax_code
from market.models import Organisation, Role
from market.models.catalog import Product, ProductCode
from tests import factories_catalog as fc
from tests.browser.helpers import log_in as _login
from tests.browser.helpers import log_out as _logout
from tests.fakes import FakeEncoder

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config):
    """The worker indexes every catalogue change; a fake encoder keeps the real model out of these tests."""
    return app_config | {"ENCODER": FakeEncoder(dim=16)}




def _bomb_png() -> bytes:
    """A 1-bit PNG of about 50 KB that declares 20000 x 20000 pixels."""
    from tests.services.test_catalog_products import _declared_png

    return _declared_png(20000, 20000, full=True)


def _wrong_check_character(code: str) -> str:
    """The same code with a different (hence wrong) check character."""
    check = code[-1]
    return code[:-1] + ("0" if check != "0" else "1")


def test_product_listed_reviewed_coded_and_verified(page, make, session):
    fc.seed(session)
    org = make.org(name="Công ty CP Công nghệ Môi trường Sông Hồng", province="ha-noi")
    rep = make.user(Role.SUPPLIER_REPRESENTATIVE, org=org, name="Phạm Thị Lan")
    admin = make.user(Role.ADMINISTRATOR, name="Quản trị viên")

    # The representative lists a wastewater product through the form.
    _login(page, rep.email)
    page.goto("/catalog/products/new")
    page.get_by_label("Tên sản phẩm").fill("Hệ thống xử lý nước thải MBR 300 m3/ngày")
    page.get_by_label("Lĩnh vực", exact=True).select_option("wastewater")
    page.get_by_label("Loại", exact=True).select_option("equipment")
    page.get_by_label("Mô tả", exact=True).fill("Bể sinh học màng MBR module hóa cho khu công nghiệp, "
                                                "đạt QCVN 40:2011/BTNMT cột A.")
    page.get_by_role("combobox", name="Mã CPV").fill("42996000")
    page.get_by_label("Mã HS").fill("8421.21")
    page.get_by_label("Công suất", exact=True).fill("300")
    page.get_by_label("Tỷ lệ nội địa hóa kê khai (%)").fill("72")
    page.get_by_label(re.compile(r"^Giá từ \(VN[DĐ]\)$")).fill("2500000000")
    page.get_by_label(re.compile(r"^Giá đến \(VN[DĐ]\)$")).fill("3200000000")
    page.get_by_test_id("save-product").click()
    page.wait_for_url(re.compile(r".*/catalog/products/\d+$"))
    product_id = int(page.url.rsplit("/", 1)[1])
    assert page.get_by_test_id("product-status").get_attribute("data-status") == "draft"

    # A tiny file declaring a huge canvas is refused with a clear message; a real photo is accepted.
    image_input = page.get_by_label("Ảnh (PNG, JPEG hoặc WebP)")
    image_input.set_input_files(files=[{"name": "bom.png", "mimeType": "image/png", "buffer": _bomb_png()}])
    page.get_by_role("button", name="Tải lên").click()
    assert "megapixel" in page.locator(".flash-error").inner_text()
    assert page.locator(".product-images img").count() == 0
    image_input = page.get_by_label("Ảnh (PNG, JPEG hoặc WebP)")
    image_input.set_input_files(files=[{"name": "he-thong-mbr.png", "mimeType": "image/png",
                                        "buffer": fc.png_bytes((800, 600))}])
    page.get_by_role("button", name="Tải lên").click()
    assert page.locator(".flash-success").inner_text() == "Đã thêm ảnh."
    thumb = page.locator(".product-images img").first
    thumb.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    assert thumb.evaluate("img => Math.max(img.naturalWidth, img.naturalHeight)") == 320

    page.get_by_test_id("submit-review").click()
    assert page.locator(".flash-success").inner_text() == "Đã gửi sản phẩm để thẩm định."
    assert page.get_by_test_id("product-status").get_attribute("data-status") == "pending_review"
    _logout(page)

    # The administrator finds it in the review queue and approves it; a code is issued.
    _login(page, admin.email)
    page.get_by_role("link", name="Thẩm định sản phẩm").first.click()
    page.wait_for_url(re.compile(r".*/catalog/review$"))
    page.get_by_role("link", name="Hệ thống xử lý nước thải MBR 300 m3/ngày").click()
    page.wait_for_url(re.compile(rf".*/catalog/products/{product_id}$"))
    page.get_by_test_id("approve").click()
    assert page.get_by_test_id("product-status").get_attribute("data-status") == "approved"
    code = page.get_by_test_id("product-code").inner_text().strip()
    assert re.fullmatch(r"VNEP-WW-\d{4}-000001-[0-9X]", code), code
    session.rollback()
    stored = session.scalar(select(ProductCode).where(ProductCode.product_id == product_id))
    assert stored is not None and stored.code == code
    _logout(page)

    # Anyone can verify the code on the public page; a mistyped check character is reported invalid.
    page.goto(f"/catalog/products/{product_id}")
    page.get_by_role("link", name="Kiểm tra mã này trên trang tra cứu công khai").click()
    page.wait_for_url(re.compile(r".*/catalog/verify\?code=.*"))
    result = page.get_by_test_id("verify-result")
    assert result.get_attribute("data-status") == "valid"
    assert "Mã hợp lệ" in result.inner_text()
    assert "Hệ thống xử lý nước thải MBR 300 m3/ngày" in result.inner_text()
    assert "Công ty CP Công nghệ Môi trường Sông Hồng" in result.inner_text()

    page.get_by_label("Mã định danh").fill(_wrong_check_character(code).lower())
    page.get_by_test_id("verify-code").click()
    result = page.get_by_test_id("verify-result")
    assert result.get_attribute("data-status") == "check_digit"
    assert "Mã không hợp lệ" in result.inner_text()
    assert "Hệ thống xử lý nước thải" not in result.inner_text()


# ---- bulk import -----------------------------------------------------------------------------------------

ORG_HEADER = ["tax_code", "name", "province", "size_class", "is_sme", "domestic_manufacturer", "website"]
PRODUCT_HEADER = ["organisation_tax_code", "name", "category", "sku", "description", "cpv_codes", "hs_code",
                  "efficiency_pct", "price_min_vnd", "price_max_vnd", "domestic_content_pct", "made_in_vietnam",
                  "status"]
PROVINCES = ["Hà Nội", "TP. Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Bắc Ninh", "Quảng Ninh", "Đồng Nai"]
PRODUCT_KINDS = [("wastewater", "Máy thổi khí", "42996000", "8414.59"),
                 ("air", "Tháp hấp thụ khí thải", "42514310", "8421.39"),
                 ("solid_waste", "Máy ép rác", "34144512", "8479.89"),
                 ("monitoring", "Trạm quan trắc", "38432000", "9027.80")]


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _bad_check_digit(tax_code: str) -> str:
    return tax_code[:-1] + str((int(tax_code[-1]) + 1) % 10)


def _organisation_rows() -> tuple[list[list[str]], dict[int, tuple[str, str]], list[str]]:
    """40 organisation rows; return (rows, {line: (field, message)} for the bad ones, good tax codes)."""
    rows, bad, good = [], {}, []
    for i in range(40):
        tax = demo_tax_code(710_000_000 + i * 31)
        row = [tax, f"Công ty TNHH Kỹ thuật Môi trường Số {i + 1}", PROVINCES[i % len(PROVINCES)],
               "large" if i % 9 == 0 else "small", "", "yes" if i % 4 else "no", f"https://moitruong{i}.vn"]
        line = i + 2
        if i % 10 == 3:
            row[0] = _bad_check_digit(tax)
            bad[line] = ("tax_code", "Chữ số kiểm tra của mã số thuế không khớp")
        elif i % 10 == 7:
            row[2] = "Atlantis"
            bad[line] = ("province", "Không rõ tỉnh, thành phố.")
        else:
            good.append(tax)
        rows.append(row)
    return rows, bad, good


def _product_rows(tax_codes: list[str], unknown_tax: str) -> tuple[list[list[str]], dict[int, tuple[str, str]]]:
    """300 product rows with deliberate errors; return (rows, {line: (field, message)} for the bad ones)."""
    rows, bad = [], {}
    for i in range(300):
        category, noun, cpv, hs = PRODUCT_KINDS[i % len(PRODUCT_KINDS)]
        row = [tax_codes[i % len(tax_codes)], f"{noun} model {i + 1}", category, f"SP-{i + 1:03d}",
               f"{noun} cho nhà máy, khu công nghiệp; bảo hành 24 tháng.", cpv, hs, "90",
               "150000000", "240000000", str(40 + i % 50), "yes", "approved" if i % 3 == 0 else ""]
        line = i + 2
        k = i % 20
        if k == 1:
            row[6] = "84-21"
            bad[line] = ("hs_code", "Mã HS phải có 4, 6, 8 hoặc 10 chữ số")
        elif k == 4:
            row[5] = "4299600X"
            bad[line] = ("cpv_codes", "4299600X không phải mã CPV hợp lệ")
        elif k == 7:
            row[10] = "140"
            bad[line] = ("domestic_content_pct", "Hãy nhập tỷ lệ phần trăm từ 0 đến 100.")
        elif k == 10:
            row[7] = "-3"
            bad[line] = ("efficiency_pct", "Hãy nhập tỷ lệ phần trăm từ 0 đến 100.")
        elif k == 13:
            row[0] = unknown_tax
            bad[line] = ("organisation_tax_code", "Không có tổ chức nào có mã số thuế này")
        elif k == 16:
            row[8], row[9] = "900000000", "100000000"
            bad[line] = ("price_max_vnd", "Giá tối đa không được thấp hơn giá tối thiểu.")
        elif k == 19:
            row[2] = "space_debris"
            bad[line] = ("category", "Hãy chọn một lĩnh vực của ngành công nghiệp môi trường.")
        rows.append(row)
    return rows, bad


def _upload(page, kind: str, filename: str, data: bytes) -> None:
    page.goto("/catalog/import")
    page.get_by_label("Nội dung của tệp").select_option(kind)
    page.get_by_label("Tệp CSV (UTF-8)").set_input_files(files=[{"name": filename, "mimeType": "text/csv",
                                                                  "buffer": data}])
    page.get_by_test_id("import-csv").click()
    page.wait_for_url(re.compile(r".*/catalog/import/\d+$"), timeout=60_000)


def _summary(page) -> dict[str, int]:
    return {k: int(page.get_by_test_id(f"import-{k}").inner_text()) for k in ("total", "created", "updated", "errors")}


def _check_reasons(page, bad: dict[int, tuple[str, str]], lines: list[int]) -> None:
    """The report's row for each line says which field is wrong and why."""
    report_rows = page.get_by_test_id("import-report").locator("tbody tr")
    for line in lines:
        row = report_rows.nth(line - 2)
        field, message = bad[line]
        assert row.locator("td").first.inner_text() == str(line)
        assert row.get_attribute("data-status") == "error"
        reasons = row.locator("ul.reasons").inner_text()
        assert field in reasons and message in reasons, (line, reasons)


def _count(session, model, *where) -> int:
    """Count rows as committed by the live server (a fresh read, not the session's earlier snapshot)."""
    session.rollback()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_csv_import_of_hundreds_of_rows_reports_errors_and_reimport_updates(page, make, session):
    fc.seed(session)
    admin = make.user(Role.ADMINISTRATOR, name="Quản trị viên")
    org_rows, org_bad, good_taxes = _organisation_rows()
    product_rows, product_bad = _product_rows(good_taxes, unknown_tax=demo_tax_code(790_000_001))
    orgs_csv, products_csv = _csv_bytes(ORG_HEADER, org_rows), _csv_bytes(PRODUCT_HEADER, product_rows)
    _login(page, admin.email)

    # Organisations first: bad tax codes and unknown provinces are reported, the rest go in.
    _upload(page, "organisations", "to-chuc.csv", orgs_csv)
    assert _summary(page) == {"total": 40, "created": 40 - len(org_bad), "updated": 0, "errors": len(org_bad)}
    _check_reasons(page, org_bad, [5, 9, 15])
    assert _count(session, Organisation, Organisation.name.like("Công ty TNHH Kỹ thuật Môi trường Số %")) == 32

    # Then 300 products with malformed HS and CPV codes, percentages out of range, unknown organisations, ...
    _upload(page, "products", "san-pham.csv", products_csv)
    accepted = 300 - len(product_bad)
    assert len(product_bad) == 105 and accepted == 195
    assert _summary(page) == {"total": 300, "created": accepted, "updated": 0, "errors": len(product_bad)}
    _check_reasons(page, product_bad, [3, 6, 9, 12, 15, 18, 21, 43])
    good_row = page.get_by_test_id("import-report").locator("tbody tr").nth(0)
    assert good_row.get_attribute("data-status") == "created" and good_row.locator("ul.reasons").count() == 0
    page.get_by_role("link", name="Chỉ hiện các dòng bị lỗi").click()
    assert page.get_by_test_id("import-report").locator("tbody tr").count() == len(product_bad)
    assert _count(session, Product) == accepted
    approved = sum(1 for i in range(0, 300, 3) if i + 2 not in product_bad)
    assert _count(session, ProductCode) == approved

    # The same file again updates every good row instead of duplicating it, and issues no new codes.
    _upload(page, "products", "san-pham.csv", products_csv)
    assert _summary(page) == {"total": 300, "created": 0, "updated": accepted, "errors": len(product_bad)}
    assert _count(session, Product) == accepted and _count(session, ProductCode) == approved
    _upload(page, "organisations", "to-chuc.csv", orgs_csv)
    assert _summary(page) == {"total": 40, "created": 0, "updated": 32, "errors": len(org_bad)}
    assert _count(session, Organisation, Organisation.name.like("Công ty TNHH Kỹ thuật Môi trường Số %")) == 32
