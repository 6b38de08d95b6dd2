"""The direct-order demo loader runs on top of the accounts and catalogue demo data."""
from __future__ import annotations

from market.demo import accounts, catalog, orders
from market.models.orders import OrderStatus


def test_demo_orders_cover_every_stage(app, session):
    context: dict = {}
    with app.app_context():  # like the CLI: an app context, no request
        context.update(accounts.load(session, context))
        context.update(catalog.load(session, context))
        made = orders.load(session, context)["orders"]
    assert {o.status for o in made.values()} == {OrderStatus.PLACED, OrderStatus.COUNTERED, OrderStatus.ACCEPTED,
                                                 OrderStatus.FULFILLED, OrderStatus.DECLINED}
    assert made["wastewater"].product_ref and made["wastewater"].product_ref.startswith("product:")
