import numpy as np
import pytest

from matching.vector_index import FaissIndex, NumpyIndex, VectorIndex

DIM = 16


def unit(n, seed=0):
    v = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture(params=["numpy", "faiss-flat", "faiss-ivf"])
def index(request) -> VectorIndex:
    if request.param == "numpy":
        return NumpyIndex(DIM)
    if request.param == "faiss-flat":
        return FaissIndex(DIM, mode="flat")
    # tiny threshold so the approximate (IVF) path is exercised; nprobe = all lists keeps it exact
    return FaissIndex(DIM, ivf_threshold=200, nprobe=64)


def test_protocol(index):
    assert isinstance(index, VectorIndex)
    assert index.dim == DIM


def test_empty_index_search(index):
    s, i = index.search(unit(2), 3)
    assert s.shape == (2, 3) and i.shape == (2, 3)
    assert (i == -1).all() and len(index) == 0


def test_add_and_search_finds_itself(index):
    v = unit(500)
    ids = np.arange(500, dtype=np.int64) * 10 + 7
    index.add(ids, v)
    assert len(index) == 500
    s, i = index.search(v[:5], 3)
    assert list(i[:, 0]) == list(ids[:5])
    assert np.allclose(s[:, 0], 1.0, atol=1e-4)
    assert (s[:, 0] >= s[:, 1]).all()


def test_remove_and_update_keep_ids_stable(index):
    v = unit(300)
    ids = np.arange(300, dtype=np.int64) + 1000
    index.add(ids, v)
    index.remove(ids[:3])
    index.remove(np.asarray([999999]))  # unknown id: ignored
    assert len(index) == 297
    _, i = index.search(v[:3], 5)
    assert not set(i.ravel()) & set(ids[:3])
    # update: id 1010 now points at vector 0
    index.add(ids[10:11], v[:1])
    assert len(index) == 297
    _, i = index.search(v[:1], 1)
    assert i[0, 0] == 1010
    assert np.allclose(index.get(np.asarray([1010])), v[:1], atol=1e-6)
    assert sorted(index.ids().tolist()) == sorted(set(ids.tolist()) - set(ids[:3].tolist()))


def test_k_larger_than_size(index):
    index.add(np.asarray([5, 6]), unit(2))
    s, i = index.search(unit(1, seed=3), 4)
    assert sorted(i[0, :2].tolist()) == [5, 6]
    assert (i[0, 2:] == -1).all() and np.isneginf(s[0, 2:]).all()


def test_get_unknown_raises(index):
    index.add(np.asarray([1]), unit(1))
    with pytest.raises(KeyError):
        index.get(np.asarray([2]))


def test_matches_numpy_reference(index):
    v = unit(400, seed=1)
    q = unit(10, seed=2)
    ids = np.arange(400, dtype=np.int64)
    ref = NumpyIndex(DIM)
    for idx in (ref, index):
        idx.add(ids, v)
    rs, ri = ref.search(q, 5)
    s, i = index.search(q, 5)
    assert np.allclose(rs, s, atol=1e-4)


def test_faiss_switches_to_ivf_above_threshold():
    idx = FaissIndex(DIM, ivf_threshold=200)
    idx.add(np.arange(100), unit(100))
    assert idx.kind == "flat"
    idx.add(np.arange(100, 300), unit(200, seed=5))
    assert idx.kind == "ivf" and len(idx) == 300
