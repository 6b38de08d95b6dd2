"""A deal recorded through the real interest flow reaches the statistics, with its value."""
from __future__ import annotations

from market.models import Role, utcnow
from market.models.techtransfer import ThreadState
from market.services import interest, stats
from tests.factories_techtransfer import publish


def _rows_by(result: stats.Result, key: str) -> dict:
    return {r[key]: r for r in result.rows}


def _licence_deal(session, make, value: int):
    """Publish a patent, express interest, accept, negotiate and record a licence deal, as the users would."""
    patent, holder = publish(session, make, "patent")
    buyer = make.user(Role.SUPPLIER_REPRESENTATIVE)
    thread = interest.express_interest(session, buyer, patent.id, "Chúng tôi muốn mua li-xăng độc quyền.")
    interest.move(session, holder, thread.id, "accept")
    interest.post_message(session, buyer, thread.id, "Đề xuất phí li-xăng.")
    deal = interest.record_deal(session, buyer, thread.id, {
        "deal_type": "exclusive_licence", "value_vnd": value, "deal_date": utcnow().date().isoformat()})
    assert session.get(type(thread), thread.id).state is ThreadState.DEAL
    return patent, deal


def test_recorded_deal_is_counted_with_its_value(session, make):
    assert _rows_by(stats.run(session, "key_figures"), "metric")["deals_made"]["value"] == 0
    patent, deal = _licence_deal(session, make, 1_200_000_000)

    figures = _rows_by(stats.run(session, "key_figures"), "metric")
    assert figures["patents_listed"]["value"] == 1
    assert figures["deals_made"]["value"] == 1 and figures["deal_value"]["value"] == 1_200_000_000

    by_sector = _rows_by(stats.run(session, "techtransfer_by_category"), "category")
    assert by_sector[patent.sub_sector]["deals"] == 1
    assert by_sector[patent.sub_sector]["deal_value"] == 1_200_000_000

    this_month = stats.run(session, "activity_by_month").rows[-1]
    assert this_month["month"] == utcnow().strftime("%Y-%m") and this_month["deals_made"] == 1


def test_recorded_deal_shows_in_the_public_statistics_api(client, session, make):
    _licence_deal(session, make, 750_000_000)
    r = client.get("/api/v1/stats/key_figures")
    assert r.status_code == 200
    figures = {row["metric"]: row["value"] for row in r.get_json()["rows"]}
    assert figures["deals_made"] == 1 and figures["deal_value"] == 750_000_000
    csv = client.get("/api/v1/stats/techtransfer_by_category.csv").get_data(as_text=True)
    assert "750000000" in csv
