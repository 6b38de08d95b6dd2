"""CSV import: header and encoding errors, a few hundred mixed rows with deliberate errors, re-import updates."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from market.demo.accounts import demo_tax_code
from market.errors import NotAuthorized, ValidationError
from market.models import Organisation, Role
from market.models.catalog import ImportRun, Product, ProductCode, ProductStatus
from market.services import csv_import, exports
from tests import factories_catalog as fc

ORG_HEADER = ["tax_code", "name", "province", "size_class", "is_sme", "domestic_manufacturer", "website",
              "description"]


@pytest.fixture
def admin(make, session):
    fc.seed(session)
    return make.user(Role.ADMINISTRATOR)


def _csv(header, rows, delimiter=",") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def _good_org(i: int) -> list[str]:
    return [demo_tax_code(500_000_000 + i * 17), f"Công ty TNHH Môi trường Số {i}", "Hà Nội", "small", "yes", "yes",
            f"https://mt{i}.example.vn", "Xử lý nước thải công nghiệp"]


def test_mixed_rows_give_a_correct_report(session, admin):
    rows, expected_errors = [], {}
    for i in range(300):
        row = _good_org(i)
        line = i + 2
        kind = i % 10
        if kind == 3:
            row[0] = "12345"                       # malformed tax code
            expected_errors[line] = "tax_code"
        elif kind == 5:
            row[2] = "Atlantis"                    # unknown province
            expected_errors[line] = "province"
        elif kind == 7:
            row[3] = "huge"                        # bad size
            expected_errors[line] = "size_class"
        elif kind == 9 and i % 20 == 9:
            row[6] = "ftp://nope"                  # bad website
            expected_errors[line] = "website"
        rows.append(row)
    run = csv_import.import_organisations(session, admin, _csv(ORG_HEADER, rows), "orgs.csv")
    assert run.total_rows == 300
    assert run.error_count == len(expected_errors)
    assert run.created_count == 300 - len(expected_errors)
    bad = {r["row"]: r for r in run.report if r["status"] == "error"}
    assert set(bad) == set(expected_errors)
    for line, field in expected_errors.items():
        assert field in bad[line]["errors"], (line, bad[line])
    # admin user's org is not an enterprise; only the imported ones exist with these names
    imported = session.scalar(select(func.count()).select_from(Organisation).where(Organisation.name.like("Công ty TNHH Môi trường Số %")))
    assert imported == 300 - len(expected_errors)
    assert session.get(ImportRun, run.id).report[0]["row"] == 2


def test_reimport_updates_instead_of_duplicating(session, admin):
    data = _csv(ORG_HEADER, [_good_org(i) for i in range(5)])
    first = csv_import.import_organisations(session, admin, data)
    assert first.created_count == 5
    rows = [_good_org(i) for i in range(5)]
    rows[0][1] = "Tên mới"
    second = csv_import.import_organisations(session, admin, _csv(ORG_HEADER, rows))
    assert second.created_count == 0 and second.updated_count == 5
    assert session.scalar(select(Organisation).where(Organisation.tax_code == rows[0][0])).name == "Tên mới"


@pytest.mark.parametrize("header,needle", [
    (["tax", "name", "province", "size_class"], "tax_code"),
    (["tax_code", "name", "province", "size_class", "colour"], "colour"),
    (["tax_code", "name", "name", "province", "size_class"], "name"),
])
def test_wrong_header_is_a_clear_error_and_nothing_stored(session, admin, header, needle):
    before = _count(session, Organisation)
    with pytest.raises(ValidationError) as e:
        csv_import.import_organisations(session, admin, _csv(header, [["x"] * len(header)]))
    assert "file" in e.value.fields and needle in e.value.fields["file"]
    session.rollback()
    assert _count(session, Organisation) == before and _count(session, ImportRun) == 0


def test_broken_encoding_is_a_clear_error(session, admin):
    # What Excel on a Vietnamese Windows machine writes when "CSV (Windows-1258)" is chosen: NFD text, cp1258 bytes.
    import unicodedata
    text = "tax_code,name,province,size_class\n0101234567,Công ty Môi trường Hòa Bình,Hà Nội,small\n"
    data = unicodedata.normalize("NFD", text).encode("cp1258", errors="replace")
    with pytest.raises(ValidationError) as e:
        csv_import.import_organisations(session, admin, data)
    assert "UTF-8" in e.value.fields["file"]
    session.rollback()
    assert _count(session, ImportRun) == 0


def test_semicolon_and_bom_are_accepted(session, admin):
    data = b"\xef\xbb\xbf" + _csv(ORG_HEADER, [_good_org(1)], delimiter=";")
    run = csv_import.import_organisations(session, admin, data)
    assert run.created_count == 1


def test_only_admins_import(session, make):
    fc.seed(session)
    rep = make.user(Role.SUPPLIER_REPRESENTATIVE)
    with pytest.raises(NotAuthorized):
        csv_import.import_organisations(session, rep, _csv(ORG_HEADER, [_good_org(1)]))
    with pytest.raises(NotAuthorized):
        csv_import.import_products(session, rep, b"organisation_tax_code,name,category\n")
    assert _count(session, ImportRun) == 0


PRODUCT_HEADER = ["organisation_tax_code", "name", "category", "sku", "description", "cpv_codes", "hs_code",
                  "efficiency_pct", "price_min_vnd", "price_max_vnd", "domestic_content_pct", "made_in_vietnam",
                  "status"]


def test_product_rows_mixed_with_report_and_savepoints(session, admin, make):
    org = make.org(name="Công ty Mê Kông")
    rows, expected = [], {}
    for i in range(250):
        row = [org.tax_code, f"Máy ép bùn {i}", "wastewater.sludge", f"MEB-{i}", "Máy ép bùn băng tải",
               "42996200", "8421.29", "92", "100000000", "150000000", "65", "yes", "approved" if i % 3 == 0 else ""]
        line = i + 2
        k = i % 12
        if k == 1:
            row[6] = "84-21"; expected[line] = "hs_code"
        elif k == 3:
            row[5] = "4299620"; expected[line] = "cpv_codes"
        elif k == 5:
            row[10] = "140"; expected[line] = "domestic_content_pct"
        elif k == 7:
            row[8], row[9] = "900", "100"; expected[line] = "price_max_vnd"
        elif k == 9:
            row[0] = "0000000000"; expected[line] = "organisation_tax_code"
        elif k == 11:
            row[2] = "space"; expected[line] = "category"
        rows.append(row)
    run = csv_import.import_products(session, admin, _csv(PRODUCT_HEADER, rows), "products.csv")
    bad = {r["row"]: r["errors"] for r in run.report if r["status"] == "error"}
    assert set(bad) == set(expected)
    assert all(expected[line] in errs for line, errs in bad.items())
    good = 250 - len(expected)
    assert run.created_count == good and _count(session, Product) == good
    approved = session.scalars(select(Product).where(Product.status == ProductStatus.APPROVED)).all()
    assert approved and all(p.code is not None for p in approved)
    assert _count(session, ProductCode) == len(approved)

    again = csv_import.import_products(session, admin, _csv(PRODUCT_HEADER, rows), "products.csv")
    assert again.created_count == 0 and again.updated_count == good
    assert _count(session, Product) == good and _count(session, ProductCode) == len(approved)


def test_product_keyed_by_name_when_no_sku(session, admin, make):
    org = make.org()
    header = ["organisation_tax_code", "name", "category", "price_min_vnd"]
    csv_import.import_products(session, admin, _csv(header, [[org.tax_code, "Lò đốt rác y tế 50 kg/h", "hazardous_waste.medical", "1"]]))
    run = csv_import.import_products(session, admin, _csv(header, [[org.tax_code, "LÒ ĐỐT RÁC Y TẾ 50 KG/H", "hazardous_waste.medical", "2"]]))
    assert run.updated_count == 1 and _count(session, Product) == 1


def test_export_round_trips_through_import(session, admin, make):
    org = make.org(name="GreenTech")
    fc.product(session, org, name="Trạm quan trắc nước tự động", category="monitoring.water", hs_code="9027.80")
    text = exports.products_csv(session)
    run = csv_import.import_products(session, admin, text.encode("utf-8"))
    assert run.error_count == 0, run.report
    assert run.updated_count == 1 and _count(session, Product) == 1
    orgs_text = exports.enterprises_csv(session)
    run = csv_import.import_organisations(session, admin, orgs_text.encode("utf-8"))
    assert run.error_count == 0, run.report


def _fail_for(monkeypatch, target, attribute: str, matches, error: Exception):
    """Make target.attribute raise error whenever matches(*args) is true, and call through otherwise."""
    real = getattr(target, attribute)

    def wrapper(*args, **kwargs):
        if matches(*args, **kwargs):
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(target, attribute, wrapper)


def _outbox_for(session, kind: str, obj_id: int) -> int:
    from market.models import OutboxEvent

    return sum(1 for e in session.scalars(select(OutboxEvent).where(OutboxEvent.topic == "index.refresh"))
               if f'"kind": "{kind}"' in e.payload and f'"id": {obj_id}' in e.payload)


@pytest.mark.parametrize("error", [
    RuntimeError("disk full"),
    OperationalError("INSERT INTO product_codes", {}, Exception("database is locked")),
    ValidationError({"code": "sequence exhausted"}),
], ids=["unexpected", "database", "domain"])
def test_failure_while_writing_a_good_product_row_leaves_nothing_of_it(session, admin, make, monkeypatch, error):
    org = make.org(name="Công ty Cửu Long")
    rows = [[org.tax_code, f"Máy thổi khí {i}", "wastewater", f"MTK-{i}", "Máy thổi khí con lửng", "42996000",
             "8414.59", "", "", "", "70", "yes", "approved"] for i in range(6)]
    # The code is issued after the product row has been inserted and flushed, so the failure is mid-write.
    _fail_for(monkeypatch, csv_import.product_codes, "issue_for", lambda s, p, u: p.sku == "MTK-3", error)
    run = csv_import.import_products(session, admin, _csv(PRODUCT_HEADER, rows), "half.csv")
    session.expire_all()
    assert run.created_count == 5 and run.error_count == 1
    failed = [r for r in run.report if r["status"] == "error"]
    assert [r["row"] for r in failed] == [5] and failed[0]["key"].endswith("MTK-3") and failed[0]["errors"]
    assert session.scalar(select(Product).where(Product.sku == "MTK-3")) is None
    assert _count(session, Product) == 5 and _count(session, ProductCode) == 5
    assert sorted(p.sku for p in session.scalars(select(Product))) == ["MTK-0", "MTK-1", "MTK-2", "MTK-4", "MTK-5"]
    assert session.get(ImportRun, run.id).error_count == 1


def test_failure_while_updating_a_product_keeps_its_previous_values(session, admin, make, monkeypatch):
    org = make.org(name="Công ty Đồng Tháp")
    header = ["organisation_tax_code", "name", "category", "sku", "price_min_vnd"]
    first = csv_import.import_products(session, admin, _csv(header, [[org.tax_code, "Bể lắng Lamella", "wastewater",
                                                                      "BL-1", "100"]]))
    assert first.created_count == 1
    product_id = session.scalar(select(Product.id).where(Product.sku == "BL-1"))
    events_before = _outbox_for(session, "product", product_id)
    _fail_for(monkeypatch, csv_import, "reindex", lambda s, kind, obj_id: kind == "product", RuntimeError("queue down"))
    run = csv_import.import_products(session, admin, _csv(header, [[org.tax_code, "Bể lắng Lamella cải tiến",
                                                                    "wastewater", "BL-1", "999"]]))
    session.expire_all()
    assert run.updated_count == 0 and run.error_count == 1
    product = session.get(Product, product_id)
    assert (product.name, product.price_min_vnd) == ("Bể lắng Lamella", 100)
    assert _outbox_for(session, "product", product_id) == events_before


def test_failure_while_writing_an_organisation_row_leaves_nothing_of_it(session, admin, monkeypatch):
    rows = [_good_org(i) for i in range(5)]
    bad_tax = rows[2][0]
    _fail_for(monkeypatch, csv_import, "reindex", lambda s, kind, obj_id: s.get(Organisation, obj_id).tax_code
              == bad_tax, RuntimeError("queue down"))
    run = csv_import.import_organisations(session, admin, _csv(ORG_HEADER, rows), "orgs.csv")
    session.expire_all()
    assert run.created_count == 4 and run.error_count == 1
    assert [r["key"] for r in run.report if r["status"] == "error"] == [bad_tax]
    assert session.scalar(select(Organisation).where(Organisation.tax_code == bad_tax)) is None
    assert session.scalar(select(func.count()).select_from(Organisation)
                          .where(Organisation.name.like("Công ty TNHH Môi trường Số %"))) == 4
