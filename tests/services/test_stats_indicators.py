"""Statistical indicators computed on rows built in the test; charts are accessible SVG."""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import timedelta

from sqlalchemy import text

from market.models import OrgKind, SizeClass, utcnow
from market.services import charts, stats
from tests import factories_alerts as fa

SVG = "{http://www.w3.org/2000/svg}"


def rows_by(result, key):
    return {r[key]: r for r in result.rows}


def test_every_indicator_says_no_data_on_an_empty_database(session):
    results = stats.run_all(session)
    assert [r.indicator.name for r in results] == list(stats.INDICATORS)
    assert all(r.status == "no_data" for r in results)


def test_missing_source_model_or_table_gives_no_data_instead_of_an_error(session, make):
    make.org(OrgKind.ENTERPRISE)

    @stats.indicator("_test_missing_model", title="t", description="d", chart="bar", area="x",
                     columns=(("a", "A"),), label="a", value="a")
    def _missing_model(s):
        stats._model("no_such_area", "Thing")
        return [{"a": 1}]

    @stats.indicator("_test_missing_table", title="t", description="d", chart="bar", area="x",
                     columns=(("a", "A"),), label="a", value="a")
    def _missing_table(s):
        return [{"a": n} for n in s.execute(text("SELECT count(*) FROM table_not_created_yet")).scalars()]

    try:
        assert stats.run(session, "_test_missing_model").status == "no_data"
        assert stats.run(session, "_test_missing_table").status == "no_data"
        # The session is still usable afterwards (the failed statement was rolled back).
        assert stats.run(session, "enterprises_by_province").status == "ok"
    finally:
        stats.INDICATORS.pop("_test_missing_model")
        stats.INDICATORS.pop("_test_missing_table")


def test_enterprises_by_province_counts_verified_enterprises_only(session, make):
    make.org(OrgKind.ENTERPRISE, province="ha-noi", domestic=True)
    make.org(OrgKind.ENTERPRISE, province="ha-noi", domestic=False, size=SizeClass.LARGE)
    make.org(OrgKind.ENTERPRISE, province="can-tho")
    make.org(OrgKind.ENTERPRISE, province="can-tho", verified=False)
    make.org(OrgKind.PUBLIC_BUYER, province="can-tho")
    result = stats.run(session, "enterprises_by_province")
    assert result.status == "ok"
    by = rows_by(result, "province")
    assert by["ha-noi"] == {"province": "ha-noi", "enterprises": 2, "domestic_manufacturers": 1, "smes": 1}
    assert by["can-tho"]["enterprises"] == 1
    assert [r["province"] for r in result.rows] == ["ha-noi", "can-tho"]


def test_products_by_category_and_province_count_approved_products(session, make):
    hn = make.org(OrgKind.ENTERPRISE, province="ha-noi")
    dn = make.org(OrgKind.ENTERPRISE, province="da-nang")
    fa.product(session, hn, "wastewater")
    fa.product(session, hn, "wastewater", made_in_vietnam=False)
    fa.product(session, dn, "monitoring")
    fa.product(session, dn, "monitoring", approved=False)
    by_cat = rows_by(stats.run(session, "products_by_category"), "category")
    assert by_cat["wastewater"]["products"] == 2 and by_cat["wastewater"]["made_in_vietnam"] == 1
    assert by_cat["monitoring"]["products"] == 1
    by_prov = rows_by(stats.run(session, "products_by_province"), "province")
    assert by_prov == {"ha-noi": {"province": "ha-noi", "products": 2}, "da-nang": {"province": "da-nang", "products": 1}}
    ents = rows_by(stats.run(session, "enterprises_by_category"), "category")
    assert ents["wastewater"]["enterprises"] == 1 and ents["monitoring"]["enterprises"] == 1


def test_domestic_share_of_products_against_the_programme_targets(session, make):
    org = make.org(OrgKind.ENTERPRISE)
    for miv in (True, True, True, False):
        fa.product(session, org, "wastewater", made_in_vietnam=miv)
    fa.product(session, org, "air", made_in_vietnam=False)
    result = stats.run(session, "domestic_share_products")
    by = rows_by(result, "category")
    assert by["wastewater"]["share_pct"] == 75.0
    assert (by["wastewater"]["target_min_pct"], by["wastewater"]["target_max_pct"]) == (70, 80)
    assert by["air"]["share_pct"] == 0.0 and by["air"]["target_min_pct"] == 60
    # Sectors with a target but no products are listed with no share, so the page shows "no data" for them.
    assert by["monitoring"]["share_pct"] is None and by["monitoring"]["target_min_pct"] == 20
    assert by["solid_waste"]["target_max_pct"] == 60 and by["hazardous_waste"]["target_min_pct"] == 50


def test_awarded_value_domestic_and_sme_shares(session, make):
    buyer = make.org(OrgKind.PUBLIC_BUYER)
    domestic_sme = make.org(OrgKind.ENTERPRISE, domestic=True, size=SizeClass.SMALL)
    foreign_large = make.org(OrgKind.ENTERPRISE, domestic=False, size=SizeClass.LARGE)
    ww = fa.tender(session, buyer, ["90481000"])           # wastewater (sewage plant operation)
    mon = fa.tender(session, buyer, ["38432000"])          # monitoring (analysis apparatus)
    fa.tender(session, buyer, ["90481000"], published=False)
    fa.award(session, ww, domestic_sme, 3_000_000_000)
    fa.award(session, ww, foreign_large, 1_000_000_000)
    fa.award(session, mon, foreign_large, 500_000_000)
    fa.award(session, mon, domestic_sme, 9_000_000_000, cancelled=True)

    shares = rows_by(stats.run(session, "domestic_share_awards"), "category")
    assert shares["wastewater"]["awarded_value"] == 4_000_000_000
    assert shares["wastewater"]["share_pct"] == 75.0
    assert shares["monitoring"]["share_pct"] == 0.0

    by_cat = rows_by(stats.run(session, "tenders_by_category"), "category")
    assert by_cat["wastewater"]["tenders_published"] == 1
    assert by_cat["wastewater"]["sme_share_pct"] == 75.0

    overall = rows_by(stats.run(session, "award_shares"), "group")
    assert overall["domestic"]["value"] == 3_000_000_000
    assert overall["domestic"]["share_pct"] == round(300 / 4.5, 1)
    assert overall["sme"]["share_pct"] == round(300 / 4.5, 1)

    figures = rows_by(stats.run(session, "key_figures"), "metric")
    assert figures["tenders_published"]["value"] == 2
    assert figures["awarded_value"]["value"] == 4_500_000_000


def test_patents_and_deals_by_category_and_per_month(session, make):
    holder = make.org(OrgKind.RESEARCH_INSTITUTE)
    buyer_user = make.user()
    p1 = fa.patent(session, holder, "wastewater")
    fa.patent(session, holder, "air")
    fa.patent(session, holder, "air", published=False)
    fa.deal(session, p1, holder, buyer_user, 250_000_000)
    by = rows_by(stats.run(session, "techtransfer_by_category"), "category")
    assert by["wastewater"] == {"category": "wastewater", "patents": 1, "needs": 0, "deals": 1,
                                "deal_value": 250_000_000}
    assert by["air"]["patents"] == 1
    months = stats.run(session, "activity_by_month")
    assert months.status == "ok" and len(months.rows) == 12
    current = months.rows[-1]
    assert current["month"] == utcnow().strftime("%Y-%m")
    assert current["patents_listed"] == 2 and current["deals_made"] == 1


def test_trend_buckets_by_month_and_ignores_older_than_a_year(session, make):
    buyer = make.org(OrgKind.PUBLIC_BUYER)
    supplier = make.org(OrgKind.ENTERPRISE)
    now = utcnow()
    last_month = (now.replace(day=1) - timedelta(days=1)).replace(day=15)
    t1 = fa.tender(session, buyer, ["90481000"], published_at=last_month)
    fa.award(session, t1, supplier, 2_000_000_000, awarded_at=last_month)
    fa.tender(session, buyer, ["90481000"], published_at=now - timedelta(days=800))
    rows = stats.run(session, "awarded_value_by_month").rows
    by = {r["month"]: r for r in rows}
    assert by[last_month.strftime("%Y-%m")]["awarded_value"] == 2_000_000_000
    activity = {r["month"]: r for r in stats.run(session, "activity_by_month").rows}
    assert activity[last_month.strftime("%Y-%m")]["tenders_published"] == 1
    assert sum(r["tenders_published"] for r in activity.values()) == 1


def test_csv_has_the_indicator_columns_and_rows(session, make):
    make.org(OrgKind.ENTERPRISE, province="hue")
    data = stats.to_csv(stats.run(session, "enterprises_by_province"))
    assert data.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(data.lstrip("\ufeff"))))
    assert rows == [{"province": "hue", "enterprises": "1", "domestic_manufacturers": "1", "smes": "1"}]


def _parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def test_bar_chart_is_accessible_svg_with_text_labels():
    root = _parse(charts.bar_chart("x", [("Hà Nội", 12), ("Cần Thơ", 3)], title="Doanh nghiệp", desc="Theo tỉnh"))
    assert root.get("role") == "img"
    labelled = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == labelled[0] and root.find(f"{SVG}title").text == "Doanh nghiệp"
    assert root.find(f"{SVG}desc").text == "Theo tỉnh"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Hà Nội" in texts and "12" in texts and "3" in texts
    assert len(root.findall(f"{SVG}rect")) == 2
    assert "<script" not in str(charts.bar_chart("y", [("<script>", 1)], title="<b>", desc="d"))


def test_target_chart_draws_bands_and_says_no_data():
    root = _parse(charts.target_chart("t", [("Nước thải", 75.0, (70, 80)), ("Quan trắc", None, (20, 20))],
                                      title="Tỷ lệ", desc="d", no_data="chưa có dữ liệu"))
    bands = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "target"]
    assert len(bands) == 2
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "75 %" in texts and "chưa có dữ liệu" in texts


def test_line_chart_has_a_legend_and_point_titles():
    root = _parse(charts.line_chart("l", ["2026-01", "2026-02"], [("Gói thầu", [1, 4]), ("Sản phẩm", [2, 0])],
                                    title="Xu hướng", desc="d"))
    assert len(root.findall(f"{SVG}polyline")) == 2
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Gói thầu" in texts and "Sản phẩm" in texts and "2026-01" in texts
    assert any("2026-02: 4" in (c.find(f"{SVG}title").text or "") for c in root.iter(f"{SVG}circle"))


def test_chart_for_an_indicator_uses_display_labels(session, make):
    make.org(OrgKind.ENTERPRISE, province="ho-chi-minh")
    result = stats.run(session, "enterprises_by_province")
    svg = str(stats.chart(result, stats.labeler(session, "vi")))
    assert "Thành phố Hồ Chí Minh" in svg
    empty = str(stats.chart(stats.run(session, "products_by_category"), stats.labeler(session, "en")))
    assert "<svg" in empty


def test_direct_orders_by_category_count_agreed_orders_only(session, make):
    buyer = make.org(OrgKind.PUBLIC_BUYER)
    officer = make.user()
    domestic = make.org(OrgKind.ENTERPRISE, domestic=True)
    foreign = make.org(OrgKind.ENTERPRISE, domestic=False)
    fa.order(session, buyer, domestic, officer, ["42996000"], 300_000_000)
    fa.order(session, buyer, foreign, officer, ["42996000"], 100_000_000, status="fulfilled")
    fa.order(session, buyer, domestic, officer, ["42996000"], 900_000_000, status="placed")
    fa.order(session, buyer, domestic, officer, ["42996000"], 900_000_000, status="cancelled")
    by = rows_by(stats.run(session, "orders_by_category"), "category")
    assert by == {"wastewater": {"category": "wastewater", "orders": 2, "value": 400_000_000,
                                 "domestic_share_pct": 75.0}}
    figures = rows_by(stats.run(session, "key_figures"), "metric")
    assert figures["orders_agreed"]["value"] == 2 and figures["orders_value"]["value"] == 400_000_000
    assert stats.run(session, "activity_by_month").rows[-1]["orders_agreed"] == 2
