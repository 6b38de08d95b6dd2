"""The techtransfer demo data loads through the services: published listings, one anonymous, one deal."""
from __future__ import annotations

from sqlalchemy import func, select

from market.demo import accounts, techtransfer
from market.models.techtransfer import Deal, Listing, ListingStatus
from market.services import listings


def test_demo_loads(session):
    context = accounts.load(session, {})
    result = techtransfer.load(session, context)
    assert result["techtransfer_deal"].value_vnd == 1_650_000_000
    assert session.scalar(select(func.count()).select_from(Deal)) == 1
    published = session.scalars(select(Listing).where(Listing.status == ListingStatus.PUBLISHED)).all()
    assert len(published) >= 10 and {x.kind for x in published} == {"patent", "technology_need", "expert", "course",
                                                                     "personnel_need"}
    anon = [x for x in published if x.anonymous]
    assert len(anon) == 1 and listings.visible_owner(session, None, anon[0]) is None
    assert {x.language for x in published} == {"vi", "en"}
