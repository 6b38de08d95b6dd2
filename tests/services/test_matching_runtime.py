"""The product's matching runtime: stored embeddings, incremental refresh both ways, rebuild, health."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from market import indexing
from market.models import Organisation, OrgKind
from market.models.matching import Embedding, MatchResult
from market.services import matching as svc
from matching import Document
from tests.fakes import FakeEncoder

TENDERS: dict[int, Document | None] = {}


@pytest.fixture
def encoder():
    return FakeEncoder(dim=32)


@pytest.fixture
def app_config(app_config, encoder):
    return app_config | {"ENCODER": encoder}


@pytest.fixture
def builders(monkeypatch):
    """Stand-in listings: organisations from the table, tenders from a dict the test fills."""

    def org_doc(session, obj_id):
        org = session.get(Organisation, obj_id)
        if org is None:
            return None
        return Document("organisation", f"organisation:{org.id}", org.name + " " + (org.description or ""),
                        codes=(), facets={"org_kind": org.kind.value, "province": org.province}, language="vi")

    TENDERS.clear()
    monkeypatch.setitem(indexing.DOCUMENT_BUILDERS, "organisation", org_doc)
    monkeypatch.setitem(indexing.DOCUMENT_BUILDERS, "tender", lambda s, i: TENDERS.get(i))
    monkeypatch.setitem(indexing.DOCUMENT_MODELS, "organisation", Organisation)
    monkeypatch.setattr(svc, "_RUNTIMES", {})
    return TENDERS


def _tender(i, text, codes=("90400000",)):
    return Document("tender", f"tender:{i}", text, codes=codes, facets={"province": "ha-noi"}, language="vi")


def test_new_supplier_appears_in_an_open_tenders_matches(app, session, make, builders):
    rt = svc.runtime_for(app.config)
    builders[1] = _tender(1, "xử lý nước thải bùn thải trạm bơm")
    rt.refresh(session, "tender", 1)
    session.commit()
    org = make.org(OrgKind.ENTERPRISE, name="Công ty xử lý nước thải Sông Hồng")
    rt.refresh(session, "organisation", org.id)
    session.commit()
    rows = svc.stored_matches(session, "tender:1")
    assert [r.target_ref for r in rows][:1] == [f"organisation:{org.id}"]


def test_public_buyers_are_not_offered_as_suppliers(app, session, make, builders):
    rt = svc.runtime_for(app.config)
    buyer = make.org(OrgKind.PUBLIC_BUYER, name="Ban quản lý xử lý nước thải")
    rt.refresh(session, "organisation", buyer.id)
    builders[1] = _tender(1, "xử lý nước thải")
    rt.refresh(session, "tender", 1)
    session.commit()
    assert svc.stored_matches(session, "tender:1") == []


def test_unchanged_text_is_never_encoded_twice(app, session, make, builders, encoder):
    rt = svc.runtime_for(app.config)
    org = make.org(name="Quan trắc khí thải ống khói")
    rt.refresh(session, "organisation", org.id)
    session.commit()
    before = encoder.encoded
    rt.refresh(session, "organisation", org.id)
    rt.rebuild(session)
    session.commit()
    assert encoder.encoded == before
    org.name = "Quan trắc khí thải và nước thải"
    session.commit()
    rt.refresh(session, "organisation", org.id)
    assert encoder.encoded == before + 1
    assert session.scalar(select(func.count(Embedding.id))) == 1


def test_withdrawn_listing_leaves_index_and_matches(app, session, make, builders):
    rt = svc.runtime_for(app.config)
    org = make.org(name="Lò đốt chất thải nguy hại")
    rt.refresh(session, "organisation", org.id)
    builders[1] = _tender(1, "lò đốt chất thải nguy hại y tế")
    rt.refresh(session, "tender", 1)
    session.commit()
    assert svc.stored_matches(session, "tender:1")
    builders[1] = None  # the tender was cancelled: its builder now says "not matchable"
    rt.refresh(session, "tender", 1)
    session.commit()
    assert session.scalar(select(func.count(MatchResult.id)).where(MatchResult.source_ref == "tender:1")) == 0
    assert "tender:1" not in rt.engine(session)


def test_missing_or_corrupt_index_folder_is_rebuilt_from_the_database(app, session, make, builders):
    rt = svc.runtime_for(app.config)
    org = make.org(name="Thiết bị lọc bụi tĩnh điện")
    rt.refresh(session, "organisation", org.id)
    session.commit()
    rt.save(force=True)
    (rt.index_dir / "manifest.json").write_text("{not json")
    fresh = svc.MatchingRuntime(rt.encoder_setting, rt.index_dir)
    assert f"organisation:{org.id}" in fresh.engine(session)


def test_worker_handles_index_refresh_events(app, session, make, builders):
    from market.indexing import reindex
    from market.jobs.worker import run_once

    org = make.org(name="Xe ép rác chuyên dụng")
    reindex(session, "organisation", org.id)
    session.commit()
    run_once(app.extensions["db_sessionmaker"])
    assert f"organisation:{org.id}" in svc.runtime_for(app.config).engine(session)
    assert svc.index_lag(session)["pending"] == 0


def test_health_reports_index_size_and_lag(app, client, session, make, builders):
    from market.indexing import reindex

    org = make.org(name="Trạm quan trắc tự động")
    reindex(session, "organisation", org.id)
    session.commit()
    body = client.get("/api/v1/health").get_json()
    assert body["index"]["pending"] == 1 and body["index"]["lag_seconds"] >= 0


def test_reasons_name_the_province_in_the_readers_language():
    from market.services.match_views import render_reasons

    raw = [{"kind": "facet", "params": {"name": "province", "value": "ha-noi"}}]
    assert render_reasons(raw, "vi") == ["Cùng tỉnh/thành: Thành phố Hà Nội"]
    assert render_reasons(raw, "en") == ["Same province: Hanoi"]
