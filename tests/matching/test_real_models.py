"""The real encoders, loaded offline from their PyPI packages, on environmental procurement text."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matching import Document, Engine
from matching.encoders import E5Encoder, SentenceTransformerEncoder, load_encoder
from matching.suggest import CpvSuggester
from matching.taxonomy import default_taxonomy

pytestmark = pytest.mark.slow

# Environmental groups (905 waste, 904 sewage, 907 environmental services, 4525 treatment plants) and
# unrelated ones as distractors: the slice a supplier of these sectors meets in practice.
PREFIXES = ("904", "905", "907", "4525", "4232", "4299", "3843", "391", "301", "331", "551", "603", "794")


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, str]]:
    tax = default_taxonomy()
    return [(c, tax.label(c, "en")) for c in tax.codes if c.startswith(PREFIXES)]


@pytest.fixture(scope="module", autouse=True)
def offline(monkeypatch_module):
    # Weights must come from the installed packages; a hub download would fail here, and must not be tried.
    monkeypatch_module.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch_module.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def minilm():
    return load_encoder("minilm", threads=1)


@pytest.fixture(scope="module")
def e5():
    return load_encoder("e5", threads=1)


@pytest.fixture(scope="module")
def suggester(minilm, e5, corpus):
    """One suggester over the slice; its label passages are memoised like the product's (by model and text)."""
    from matching.cache import CachedEncoder
    from matching.encoders import EnsembleEncoder

    cache = Path(__file__).resolve().parents[2] / ".cache" / "embeddings"
    return CpvSuggester(EnsembleEncoder([CachedEncoder(minilm, cache), CachedEncoder(e5, cache)]), corpus=corpus)


def _cos(enc, a: str, b: str) -> float:
    return float(enc.encode_queries([a])[0] @ enc.encode_passages([b])[0])


def test_minilm_loads_from_its_package_and_relates_synonyms(minilm):
    assert isinstance(minilm, SentenceTransformerEncoder) and minilm.dim == 384
    v = minilm.encode_passages(["Sewage treatment plant", "Wastewater treatment works", "Office furniture"])
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_e5_relates_vietnamese_to_english(e5):
    assert isinstance(e5, E5Encoder) and e5.dim == 384
    query = "Cung cấp máy ép bùn cho trạm xử lý nước thải"
    assert _cos(e5, query, "Sludge treatment and wastewater treatment plant equipment") > \
        _cos(e5, query, "Office furniture and school desks") + 0.05


def test_minilm_alone_barely_relates_vietnamese(minilm, e5):
    # Why the product needs a multilingual encoder: the same pair, much weaker under MiniLM.
    q, p = "Thu gom và xử lý chất thải rắn sinh hoạt", "Refuse collection and household waste disposal services"
    assert _cos(e5, q, p) > _cos(minilm, q, p)


@pytest.mark.parametrize("query, group", [
    ("Xây dựng nhà máy xử lý nước thải công suất 5.000 m3/ngày đêm cho khu công nghiệp", "452"),
    ("Dịch vụ thu gom và vận chuyển rác thải sinh hoạt", "905"),
    ("Quan trắc môi trường định kỳ nước mặt, nước ngầm và không khí", "907"),
    ("Construction of a 5,000 m3/day wastewater treatment plant for an industrial park", "452"),
    ("Collection and transport of household refuse", "905"),
])
def test_suggester_finds_the_environmental_group_in_both_languages(suggester, query, group):
    top = [code for code, _ in suggester.suggest(query, k=10)]
    assert any(code.startswith(group) for code in top), top


def test_engine_matches_a_vietnamese_tender_to_an_english_supplier_with_reasons(minilm, e5):
    from matching.encoders import EnsembleEncoder

    engine = Engine(EnsembleEncoder([minilm, e5]))
    engine.upsert([
        Document("organisation", "org:1", "We design and build biological wastewater treatment plants and supply "
                 "sludge dewatering presses.", codes=("45252127",), facets={"province": "da-nang"}, language="en"),
        Document("organisation", "org:2", "Office furniture, school desks and chairs.", codes=("39130000",),
                 facets={"province": "ha-noi"}, language="en"),
        Document("organisation", "org:3", "Continuous emission monitoring systems for stacks.", codes=("38432100",),
                 facets={"province": "ha-noi"}, language="en"),
    ])
    tender = Document("tender", "tender:1", "Gói thầu cung cấp máy ép bùn và cải tạo trạm xử lý nước thải tập trung",
                      codes=("45252100",), facets={"province": "da-nang"}, language="vi")
    matches = engine.match(tender, kinds=["organisation"], k=3)
    assert matches[0].ref == "org:1"
    kinds = {r.kind for r in matches[0].reasons}
    assert {"similarity", "cpv"} <= kinds
