"""Bad input in the library: empty/huge queries, unknown codes, broken index folders, unloadable models."""
import json

import numpy as np
import pytest

from matching import MAX_QUERY_CHARS, Document, EmptyQuery, Engine, store
from matching.encoders import EncoderLoadError, load_encoder
from matching.evaluate import run_eval
from matching.language import detect_language
from matching.store import IndexUnavailable
from matching.suggest import CodeTree, CpvSuggester, SuggestParams
from matching.taxonomy import default_taxonomy
from matching.vector_index import NumpyIndex
from tests.fakes import FakeEncoder

CORPUS = [("90400000", "Sewage services"), ("90410000", "Sewage removal services"),
          ("90420000", "Sewage treatment services"), ("90500000", "Refuse and waste related services"),
          ("90511000", "Refuse collection services"), ("45000000", "Construction work"),
          ("45252127", "Wastewater treatment plant construction work"), ("34144512", "Refuse-compaction vehicles")]


class RecordingEncoder(FakeEncoder):
    def __init__(self):
        super().__init__()
        self.longest = 0

    def _encode(self, texts):
        self.longest = max([self.longest, *(len(t) for t in texts)])
        return super()._encode(texts)


@pytest.fixture(scope="module")
def suggester():
    return CpvSuggester(FakeEncoder(), corpus=CORPUS)


def test_suggester_empty_and_huge_queries():
    enc = RecordingEncoder()
    sug = CpvSuggester(enc, corpus=CORPUS)
    assert sug.suggest("") == [] and sug.suggest("   \n") == [] and sug.suggest(None) == []
    assert sug.suggest("sewage", k=0) == []
    res = sug.suggest("refuse collection " * 10_000, k=3)
    assert res and res[0][0] == "90511000"
    assert enc.longest <= MAX_QUERY_CHARS


def test_suggester_ranks_and_batches_agree(suggester):
    one = suggester.suggest("sewage treatment services", k=3)
    assert one[0][0] == "90420000"
    many = suggester.suggest_many(["sewage treatment services", "refuse collection"], k=3)
    assert [c for c, _ in many[0]] == [c for c, _ in one]
    assert many[1][0][0] == "90511000"
    assert suggester.suggest("x", k=100) and len(suggester.suggest("x", k=100)) == len(CORPUS)


def test_suggester_vietnamese_label_passages():
    sug = CpvSuggester(FakeEncoder(), corpus=CORPUS)
    tax = default_taxonomy()
    assert tax.has_label("34144512", "vi")
    # "Xe ép rác" shares no word with the English label "Refuse-compaction vehicles": only the vi passage finds it
    assert sug.suggest(tax.label("34144512", "vi"), k=1)[0][0] == "34144512"


def test_exemplars_ignore_unknown_codes_and_help():
    ex = [("municipal bins emptying weekly", ["90511000", "99999999", "garbage"]), ("", ["90400000"]),
          ("only unknown codes here", ["12345678"])]
    sug = CpvSuggester(FakeEncoder(), corpus=CORPUS, exemplars=ex,
                       params=SuggestParams(exemplar=5.0, exemplar_floor=0.1, prior_len=1))
    assert len(sug.exemplar_cols) == 1  # the empty text and the unknown-code example are dropped
    assert sug.suggest("municipal bins emptying weekly", k=1, lang="en")[0][0] == "90511000"


def test_code_tree_aggregation():
    codes = ["90400000", "90410000", "90420000", "90500000"]
    tree = CodeTree(default_taxonomy(), codes)
    d = np.asarray([[0.1, 0.5, 0.9, 0.2]], np.float32)
    assert tree.best_child(d)[0, 0] == pytest.approx(0.9)
    assert np.isneginf(tree.best_child(d)[0, 1])
    assert tree.parent_score(d)[0].tolist() == pytest.approx([0.1, 0.1, 0.1, 0.2])


def test_engine_query_errors_are_value_errors():
    e = Engine(FakeEncoder(), index_factory=NumpyIndex)
    e.upsert([Document("tender", "t:1", "sewage sludge", codes=("90400000", "bogus", "12345678-0"))])
    assert e._meta_by_ref("t:1").codes == ("90400000",)
    with pytest.raises(EmptyQuery):
        e.search("")
    with pytest.raises(ValueError):
        e.search(None)
    assert e.search("!!! ???", k=1)  # no words for BM25, still a dense answer
    with pytest.raises(EmptyQuery):
        e.match(Document("tender", "q", "  ", codes=("not-a-code",)))


def _saved(tmp_path):
    e = Engine(FakeEncoder(), index_factory=NumpyIndex)
    e.upsert([Document("tender", f"t:{i}", f"text {i}") for i in range(3)])
    return store.save(e, tmp_path / "idx")


@pytest.mark.parametrize("damage", ["no_manifest", "folder_is_file", "docs_garbage", "vectors_dim", "lexical_garbage",
                                    "format_version", "docs_missing"])
def test_store_load_broken_folder_raises_index_unavailable(tmp_path, damage):
    folder = _saved(tmp_path)
    if damage == "no_manifest":
        (folder / "manifest.json").unlink()
    elif damage == "folder_is_file":
        import shutil

        shutil.rmtree(folder)
        folder.write_text("not a folder")
    elif damage == "docs_garbage":
        (folder / "docs.jsonl").write_text('{"id": 1, "kind"\n')
    elif damage == "vectors_dim":
        np.save(folder / "vectors.npy", np.zeros((3, 7), np.float32))
    elif damage == "lexical_garbage":
        (folder / "lexical.json").write_text("[1, 2")
    elif damage == "format_version":
        m = json.loads((folder / "manifest.json").read_text())
        m["format_version"] = 999
        (folder / "manifest.json").write_text(json.dumps(m))
    elif damage == "docs_missing":
        (folder / "docs.jsonl").unlink()
    with pytest.raises(IndexUnavailable) as err:
        store.load(folder, FakeEncoder(), index_factory=NumpyIndex)
    assert str(folder) in str(err.value) or "rebuild" in str(err.value)


def test_model_folder_that_does_not_load_names_the_setting(tmp_path):
    with pytest.raises(EncoderLoadError, match="MARKET_ENCODER"):
        load_encoder(str(tmp_path / "missing-model"))
    empty = tmp_path / "empty-model"
    empty.mkdir()
    with pytest.raises(EncoderLoadError, match="MARKET_ENCODER"):
        load_encoder(str(empty))
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{this is not json")
    (broken / "modules.json").write_text("[]")
    with pytest.raises(EncoderLoadError, match="MARKET_ENCODER"):
        load_encoder(str(broken))


def test_detect_language_short_foreign_labels_are_not_english():
    assert detect_language("Servicios de limpieza") == "other"
    assert detect_language("Servizi di pulizia") == "other"
    assert detect_language("Refuse collection services") == "en"
    assert detect_language("Truro Town Deal - Lemon Quay Supply & Install Raised Planters Corserv Ltd") == "en"
    assert detect_language("Xử lý bùn thải") == "vi"
    assert detect_language("") == "en" and detect_language("12345") == "en"


def test_run_eval_engine_with_fake_encoder_and_two_query_fields(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps({"doc_id": c, "text": t}) for c, t in CORPUS))
    task = tmp_path / "task.jsonl"
    task.write_text("\n".join(json.dumps(d) for d in [
        {"qid": "1", "query_en": "refuse collection services", "query_vi": "thu gom rác", "gold": ["90511000"], "env": True},
        {"qid": "2", "query_en": "sewage treatment", "query_vi": "xử lý nước thải", "gold": ["90420000"], "env": True},
    ]))
    res = run_eval(str(task), str(corpus), encoder="engine", engine_encoder=FakeEncoder(), cache_dir=None,
                   exemplars=None)
    assert res["n"] == 4 and set(res["fields"]) == {"query_en", "query_vi"}
    assert res["fields"]["query_en"]["all"]["exact"]["S@10"] == 1.0
    assert res["engine"]["exemplars"] == 0
