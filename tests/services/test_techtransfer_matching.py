"""Technology listings in the matching index: published only, needs find offers, anonymous owners stay hidden."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from market.jobs.worker import drain
from market.models import OutboxEvent
from market.services import listings
from market.services import matching as svc
from market.services.match_views import matches_for
from market.techtransfer_documents import build, show
from tests.factories_techtransfer import patent_data, publish
from tests.fakes import FakeEncoder


@pytest.fixture
def app_config(app_config):
    return app_config | {"ENCODER": FakeEncoder(dim=32)}


@pytest.fixture(autouse=True)
def fresh_runtime(monkeypatch):
    monkeypatch.setattr(svc, "_RUNTIMES", {})


def test_only_published_listings_become_documents(session, make):
    holder = make.user(__import__("market.models", fromlist=["Role"]).Role.TECHNOLOGY_HOLDER)
    draft = listings.create(session, holder, "patent", patent_data())
    assert build(session, "patent", draft.id) is None and show(session, "patent", draft.id) is None
    events = session.scalars(select(OutboxEvent).where(OutboxEvent.topic == "index.refresh")).all()
    assert any(f'"id": {draft.id}' in e.payload for e in events)  # every change queues a refresh
    listing, _ = publish(session, make, "patent")
    doc = build(session, "patent", listing.id)
    assert doc.ref == f"patent:{listing.id}" and doc.codes == ("90481000",) and doc.facets["trl"] == 7
    assert "C02F 3/28" in doc.text


def test_need_finds_the_patent_and_anonymous_owner_is_hidden(app, session, make):
    patent, holder = publish(session, make, "patent", anonymous=True)
    need, _ = publish(session, make, "technology_need")
    factory = app.extensions["db_sessionmaker"]
    while drain(factory):
        pass
    with app.test_request_context():
        found = matches_for(session, f"technology_need:{need.id}", "vi")
    refs = [m.ref for m in found]
    assert f"patent:{patent.id}" in refs
    view = found[refs.index(f"patent:{patent.id}")]
    assert patent.organisation.name not in f"{view.title} {view.subtitle} {view.url}"
    listings.withdraw(session, holder, patent.id)
    while drain(factory):
        pass
    with app.test_request_context():
        assert f"patent:{patent.id}" not in [m.ref for m in matches_for(session, f"technology_need:{need.id}", "vi")]
