from datetime import datetime, timedelta

import numpy as np
import pytest

from matching import Document, Engine, render_reason
from matching.engine import MAX_QUERY_CHARS, passes_filters
from matching.vector_index import FaissIndex, NumpyIndex
from tests.fakes import FakeEncoder

NOW = datetime(2026, 1, 1)


def tenders():
    return [
        Document("tender", "tender:1", "Construction of a wastewater treatment plant for an industrial park",
                 codes=("45252127",), facets={"status": "active", "province": "Đồng Nai", "deadline": NOW + timedelta(days=10)}),
        Document("tender", "tender:2", "Collection of household refuse and street sweeping",
                 codes=("90511200",), facets={"status": "active", "province": "Hà Nội", "deadline": NOW + timedelta(days=3)}),
        Document("tender", "tender:3", "Supply of air quality monitoring stations",
                 codes=("38344000",), facets={"status": "closed", "province": "Hà Nội", "deadline": NOW - timedelta(days=3)}),
        Document("product", "product:1", "Sludge dewatering screw press for wastewater treatment plant",
                 codes=("42996200", "99999999"), facets={"province": "Đồng Nai", "sme": True, "price": 90_000, "trl": 8,
                                                           "domestic_content": 0.6}, language="en"),
        Document("product", "product:2", "Máy ép bùn trục vít cho trạm xử lý nước thải",
                 codes=("42996200",), facets={"province": "Bình Dương", "price": 200_000, "trl": 5}, language="vi"),
    ]


@pytest.fixture(params=["numpy", "faiss"])
def engine(request):
    factory = NumpyIndex if request.param == "numpy" else (lambda d: FaissIndex(d))
    e = Engine(FakeEncoder(), index_factory=factory)
    e.upsert(tenders())
    return e


def test_search_ranks_relevant_first_with_reasons(engine):
    res = engine.search("wastewater treatment plant", k=3)
    assert res[0].ref in ("tender:1", "product:1")
    kinds = {r.kind for r in res[0].reasons}
    assert {"similarity", "terms"} <= kinds
    terms = next(r for r in res[0].reasons if r.kind == "terms").params["terms"]
    assert "wastewater" in terms


def test_vietnamese_query_folds_accents(engine):
    res = engine.search("xu ly nuoc thai", k=1)
    assert res[0].ref == "product:2"


def test_kinds_and_filters(engine):
    res = engine.search("treatment plant", kinds=["tender"], filters={"status": "active"}, k=10)
    assert {m.ref for m in res} <= {"tender:1", "tender:2"}
    res = engine.search("refuse monitoring plant", kinds=["tender"],
                        filters={"deadline_after": (NOW + timedelta(days=5)).isoformat()}, k=10)
    assert [m.ref for m in res] == ["tender:1"]
    res = engine.search("refuse", filters={"province": ["Hà Nội"]}, k=10)
    assert {m.ref for m in res} == {"tender:2", "tender:3"}
    assert engine.search("refuse", filters={"province": "Nowhere"}, k=10) == []


def test_passes_filters_rules():
    f = {"price": 10, "deadline": "2026-02-01T00:00:00"}
    assert passes_filters(f, {"price_max": 10, "price_min": 5})
    assert not passes_filters(f, {"price_max": 9})
    assert passes_filters(f, {"deadline_after": datetime(2026, 1, 1)})
    assert not passes_filters(f, {"deadline_before": "2026-01-01"})
    assert not passes_filters(f, {"status": "active"})  # missing facet fails a hard filter
    assert passes_filters(f, {"status": None})


def test_match_uses_codes_and_facets(engine):
    tender = Document("tender", "tender:9", "Sludge handling equipment for the municipal sewage plant",
                      codes=("42996900",), facets={"province": "Đồng Nai", "budget": 100_000, "trl_min": 7})
    res = engine.match(tender, kinds=["product"], k=2)
    assert res[0].ref == "product:1"
    kinds = [r.kind for r in res[0].reasons]
    assert "cpv" in kinds
    cpv = next(r for r in res[0].reasons if r.kind == "cpv")
    assert cpv.params["path"][-1] == "42996000" and cpv.params["depth"] == 5
    facets = {r.params["name"] for r in res[0].reasons if r.kind == "facet"}
    assert {"province", "sme", "budget", "trl", "domestic_content"} <= facets
    assert res[0].score > res[1].score


def test_match_indexed_doc_excludes_itself_and_does_not_reencode(engine):
    enc = engine.encoder
    before = enc.encoded
    res = engine.match(tenders()[0], k=10)
    assert "tender:1" not in [m.ref for m in res]
    assert enc.encoded == before


def test_empty_and_huge_query(engine):
    with pytest.raises(ValueError, match="empty query"):
        engine.search("   ")
    huge = "wastewater " * 5000
    assert len(huge) > MAX_QUERY_CHARS
    assert engine.search(huge, k=1)


def test_unknown_codes_are_ignored(engine):
    doc = Document("tender", "tender:x", "", codes=("12345678", "nonsense"))
    with pytest.raises(ValueError):
        engine.match(doc)
    engine.upsert([Document("tender", "tender:y", "refuse trucks", codes=("12345678",))])
    res = engine.match(Document("tender", "q", "refuse trucks", codes=("00000000",)), k=1)
    assert res[0].ref == "tender:y"


def test_upsert_returns_vectors_and_accepts_stored_ones():
    enc = FakeEncoder()
    e = Engine(enc, index_factory=NumpyIndex)
    vecs = e.upsert(tenders())
    assert vecs.shape == (5, enc.dim) and enc.encoded == 5
    e2 = Engine(enc, index_factory=NumpyIndex)
    e2.upsert(tenders(), vectors=vecs)
    assert enc.encoded == 5  # nothing re-encoded
    assert [m.ref for m in e2.search("refuse", k=2)] == [m.ref for m in e.search("refuse", k=2)]


def test_update_and_remove(engine):
    engine.upsert([Document("tender", "tender:2", "Solar panels for the town hall", codes=("09331200",))])
    assert len(engine) == 5
    assert engine.search("solar panels", k=1)[0].ref == "tender:2"
    assert engine.remove(["tender:2", "missing"]) == 1
    assert "tender:2" not in [m.ref for m in engine.search("solar panels refuse", k=10)]
    assert engine.match(Document("tender", "z", "screw press", codes=("42996200",)), k=10)


def test_filters_widen_candidates():
    e = Engine(FakeEncoder(), index_factory=NumpyIndex)
    docs = [Document("tender", f"t:{i}", f"refuse collection lot {i}", facets={"rare": i == 299}) for i in range(300)]
    e.upsert(docs)
    e.weights = type(e.weights)(candidates=10)
    res = e.search("refuse collection", filters={"rare": True}, k=1)
    assert [m.ref for m in res] == ["t:299"]


def test_collapse_keeps_best_per_facet():
    e = Engine(FakeEncoder(), index_factory=NumpyIndex)
    e.upsert([Document("cpv", "a:en", "sewage services", facets={"code": "a"}),
              Document("cpv", "a:vi", "dịch vụ nước thải", facets={"code": "a"}),
              Document("cpv", "b:en", "sewage trucks", facets={"code": "b"})])
    res = e.search("sewage", k=5, collapse="code")
    assert len(res) == 2 and len({m.ref[0] for m in res}) == 2


def test_render_reasons_both_languages(engine):
    tender = Document("tender", "tender:9", "sludge press", codes=("42996900",), facets={"province": "Đồng Nai"})
    for m in engine.match(tender, k=3):
        for r in m.reasons:
            assert render_reason(r, "vi")
            assert render_reason(r, "en")
    from matching import Reason
    assert "42996000" in render_reason(Reason("cpv", {"path": ["42000000", "42996000"], "depth": 5}), "vi")
    assert "nước thải" in render_reason(Reason("cpv", {"path": ["42996000"], "depth": 5}), "vi")
    assert render_reason(Reason("similarity", {"score": 0.71}), "en") == "Text similarity 71%"


def test_empty_engine_returns_nothing():
    e = Engine(FakeEncoder(), index_factory=NumpyIndex)
    assert e.search("anything") == []
    assert np.asarray(e.upsert([])).shape == (0, 64)


def test_an_offer_reads_budget_and_readiness_from_the_needs_it_ranks():
    engine = Engine(FakeEncoder())
    engine.upsert([
        Document("technology_need", "need:1", "Reduce sludge volume at a textile wastewater plant",
                 facets={"budget": 2_000_000, "trl_min": 6}),
        Document("technology_need", "need:2", "Reduce sludge volume at a dyeing wastewater plant",
                 facets={"budget": 500_000, "trl_min": 9}),
    ])
    offer = Document("patent", "patent:1", "Anaerobic sludge reduction for textile wastewater",
                     facets={"price": 1_500_000, "trl": 7})
    res = {m.ref: m for m in engine.match(offer, k=2)}
    fits = {r.params["name"] for r in res["need:1"].reasons if r.kind == "facet"}
    assert fits == {"budget", "trl"}
    assert not [r for r in res["need:2"].reasons if r.kind == "facet"]  # too dear, not ready enough


def test_a_domestic_manufacturer_flag_is_a_soft_fit():
    engine = Engine(FakeEncoder())
    engine.upsert([Document("organisation", "org:1", "Sludge presses", facets={"domestic": True}),
                   Document("organisation", "org:2", "Sludge presses", facets={"domestic": False})])
    res = {m.ref: m for m in engine.search("Sludge presses", k=2, prefer={"province": "ha-noi"})}
    assert any(r.params.get("name") == "domestic" for r in res["org:1"].reasons)
    assert res["org:1"].score > res["org:2"].score
    assert render_reason(next(r for r in res["org:1"].reasons if r.kind == "facet"), "vi") == "Nhà sản xuất trong nước"
