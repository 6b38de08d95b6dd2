import json
import os

import numpy as np
import pytest

from matching import Document, Engine
from matching import store
from matching.store import IndexUnavailable
from matching.vector_index import NumpyIndex
from tests.fakes import FakeEncoder
from tests.matching.test_engine import tenders


def built():
    e = Engine(FakeEncoder(), index_factory=NumpyIndex)
    e.upsert(tenders())
    return e


def test_round_trip(tmp_path):
    e = built()
    folder = store.save(e, tmp_path / "idx")
    m = json.loads((folder / "manifest.json").read_text())
    assert m["count"] == 5 and m["model_id"] == "fake-encoder" and m["dim"] == 64 and m["format_version"] == 1
    e2 = store.load(folder, FakeEncoder(), index_factory=NumpyIndex)
    q = "wastewater treatment plant"
    assert [(x.ref, round(x.score, 5)) for x in e2.search(q)] == [(x.ref, round(x.score, 5)) for x in e.search(q)]
    assert e2._meta_by_ref("tender:1").facets["deadline"] == e._meta_by_ref("tender:1").facets["deadline"]
    # ids stay stable after reload: a new doc gets a fresh id, not a reused one
    e2.upsert([Document("tender", "tender:new", "new text")])
    assert e2._id_of["tender:new"] > max(e._id_of.values())


def test_missing_and_corrupt(tmp_path):
    with pytest.raises(IndexUnavailable):
        store.load(tmp_path / "nope", FakeEncoder())
    folder = store.save(built(), tmp_path / "idx")
    (folder / "vectors.npy").write_bytes(b"garbage")
    with pytest.raises(IndexUnavailable):
        store.load(folder, FakeEncoder())
    folder = store.save(built(), tmp_path / "idx2")
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(IndexUnavailable):
        store.load(folder, FakeEncoder())
    folder = store.save(built(), tmp_path / "idx3")
    np.save(folder / "ids.npy", np.asarray([1, 2], np.int64))
    with pytest.raises(IndexUnavailable):
        store.load(folder, FakeEncoder())


def test_model_mismatch(tmp_path):
    folder = store.save(built(), tmp_path / "idx")
    with pytest.raises(IndexUnavailable, match="rebuild"):
        store.load(folder, FakeEncoder(model_id="other-model"))


def test_atomic_swap_replaces_and_cleans_up(tmp_path):
    folder = store.save(built(), tmp_path / "idx")
    e = built()
    e.remove(["tender:1"])
    store.save(e, folder)
    assert json.loads((folder / "manifest.json").read_text())["count"] == 4
    assert sorted(os.listdir(tmp_path)) == ["idx"]  # no temp or old folders left


def test_failed_save_keeps_old_folder(tmp_path, monkeypatch):
    folder = store.save(built(), tmp_path / "idx")
    e = built()
    e._meta[next(iter(e._meta))].facets["bad"] = object()  # not serialisable
    with pytest.raises(TypeError):
        store.save(e, folder)
    assert json.loads((folder / "manifest.json").read_text())["count"] == 5
    assert sorted(os.listdir(tmp_path)) == ["idx"]
