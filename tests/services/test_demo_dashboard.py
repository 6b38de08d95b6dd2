"""The whole demo, loaded as `market up` loads it, fills every indicator of the public statistics dashboard."""
from __future__ import annotations

from market.demo import load_demo
from market.services import stats


def test_the_demo_fills_every_indicator_with_meaningful_rows(app, session):
    with app.app_context():
        assert load_demo(session) is True
        assert load_demo(session) is False  # once only
    results = {r.indicator.name: r for r in stats.run_all(session)}
    empty = [name for name, r in results.items() if not r.has_data]
    assert empty == []
    # Domestic shares are compared with the programme's targets for the sectors that have one.
    shares = {r["category"]: r for r in results["domestic_share_products"].rows}
    assert (shares["wastewater"]["target_min_pct"], shares["wastewater"]["target_max_pct"]) == (70, 80)
    assert shares["monitoring"]["share_pct"] < 100  # imported analysers: the sector the programme expects ~20 % in
    figures = {r["metric"]: r["value"] for r in results["key_figures"].rows}
    wanted = ("enterprises", "products_approved", "tenders_published", "awarded_value", "orders_agreed",
              "patents_listed", "deals_made")
    assert all(figures.get(k) for k in wanted), figures
