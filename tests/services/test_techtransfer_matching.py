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
    # The patent's level 7 meets the desired 6, and its asking price fits the need's budget.
    assert {"trl", "budget"} <= {r["params"]["name"] for r in view.reason_data if r["kind"] == "facet"}
    listings.withdraw(session, holder, patent.id)
    while drain(factory):
        pass
    with app.test_request_context():
        assert f"patent:{patent.id}" not in [m.ref for m in matches_for(session, f"technology_need:{need.id}", "vi")]


def _anonymous_patent_with_a_matching_owner(app, session, make):
    """An anonymous patent whose owner organisation (and its own need) match it strongly, plus a stranger's need."""
    from market.models import Role

    patent, holder = publish(session, make, "patent", anonymous=True)
    owner_org = patent.organisation
    owner_org.description = f"{patent.title}. {patent.description}. C02F 3/28 UASB"
    session.commit()
    colleague = make.user(Role.SUPPLIER_REPRESENTATIVE, org=owner_org)
    own_need, _ = publish(session, make, "technology_need", owner=colleague,
                          title=patent.title, description=patent.description)
    stranger_need, _ = publish(session, make, "technology_need")
    factory = app.extensions["db_sessionmaker"]
    while drain(factory):
        pass
    return patent, owner_org, own_need, stranger_need


def test_a_listing_never_matches_its_own_organisation(app, session, make):
    patent, owner_org, own_need, stranger_need = _anonymous_patent_with_a_matching_owner(app, session, make)
    with app.test_request_context():
        found = matches_for(session, f"patent:{patent.id}", "vi")
    refs = [m.ref for m in found]
    assert f"technology_need:{stranger_need.id}" in refs  # matching works; only the owner's side is left out
    assert f"organisation:{owner_org.id}" not in refs
    assert f"technology_need:{own_need.id}" not in refs
    text = " ".join(f"{m.title} {m.subtitle}" for m in found)
    assert owner_org.name not in text
    assert not any((m.url or "").endswith(f"/enterprises/{owner_org.id}") for m in found)
    # The stored rows themselves leave the owner out, so every reader (recommendations too) is safe.
    stored = {r.target_ref for r in svc.stored_matches(session, f"patent:{patent.id}", limit=100)}
    assert f"organisation:{owner_org.id}" not in stored and f"technology_need:{own_need.id}" not in stored


def test_own_matches_stored_earlier_are_left_out_when_read(app, session, make):
    from sqlalchemy import delete

    from market.models import utcnow
    from market.models.matching import MatchResult

    patent, owner_org, own_need, _ = _anonymous_patent_with_a_matching_owner(app, session, make)
    # As an index computed before owners were left out would have stored them.
    session.execute(delete(MatchResult).where(MatchResult.source_ref == f"patent:{patent.id}"))
    for ref, kind in ((f"organisation:{owner_org.id}", "organisation"), (f"technology_need:{own_need.id}",
                                                                          "technology_need")):
        session.add(MatchResult(source_ref=f"patent:{patent.id}", target_ref=ref, target_kind=kind, rank=0,
                                score=99.0, reasons="[]", computed_at=utcnow()))
    session.commit()
    with app.test_request_context():
        refs = [m.ref for m in matches_for(session, f"patent:{patent.id}", "vi")]
    assert f"organisation:{owner_org.id}" not in refs and f"technology_need:{own_need.id}" not in refs


def test_every_matched_kind_has_a_known_owner(app):
    from market.indexing import DOCUMENT_BUILDERS

    kinds = set(svc.DIRECTIONS) | {t for d in svc.DIRECTIONS.values() for t in d.targets}
    assert kinds <= set(svc.owner_columns()) and set(DOCUMENT_BUILDERS) <= set(svc.owner_columns())


def test_a_patent_finds_needs_with_the_budget_and_readiness_read_from_the_need(app, session, make):
    patent, _ = publish(session, make, "patent")
    need, _ = publish(session, make, "technology_need")
    assert build(session, "technology_need", need.id).facets.items() >= {"trl_min": 6, "budget": 2_000_000_000}.items()
    assert build(session, "patent", patent.id).facets.items() >= {"trl": 7, "price": 1_500_000_000}.items()
    factory = app.extensions["db_sessionmaker"]
    while drain(factory):
        pass
    with app.test_request_context():
        found = matches_for(session, f"patent:{patent.id}", "en", kinds=["technology_need"])
    view = next(m for m in found if m.ref == f"technology_need:{need.id}")
    assert {"trl", "budget"} <= {r["params"]["name"] for r in view.reason_data if r["kind"] == "facet"}
    assert any("within budget" in r for r in view.reasons)
