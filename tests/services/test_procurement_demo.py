"""The procurement demo loads through the services and leaves tenders in several states."""
from __future__ import annotations

from market.demo import accounts
from market.demo import procurement as demo
from market.models.procurement import TenderStatus


def test_demo_tenders_in_several_states(app, session):
    with app.app_context():
        context = accounts.load(session, {})
        made = demo.load(session, context)["tenders"]
    states = {k: session.get(type(t), t.id).status for k, t in made.items()}
    assert states["wastewater"] == TenderStatus.AWARDED
    assert states["fluegas"] == TenderStatus.TENDERING
    assert states["solidwaste"] == TenderStatus.ENQUIRIES
    assert states["monitoring"] == TenderStatus.ENQUIRIES
    assert states["draft"] == TenderStatus.DRAFT
    ww = session.get(type(made["wastewater"]), made["wastewater"].id)
    assert len(ww.bids) == 3 and all(b.hash_verified for b in ww.bids) and len(ww.awards) == 2
