"""The ensemble encoder: query weights per language, and models that a query does not listen to are not run."""
from __future__ import annotations

import numpy as np

from matching.encoders import EnsembleEncoder
from tests.fakes import FakeEncoder


def test_a_model_with_no_weight_for_the_querys_language_is_not_run():
    english, multilingual = FakeEncoder(8, "en-model"), FakeEncoder(8, "multi-model")
    ens = EnsembleEncoder([english, multilingual], weights={"vi": (0.0, 1.0), "en": (0.5, 0.5)})
    vi = ens.encode_queries(["xử lý nước thải"], langs=["vi"])
    assert english.encoded == 0 and multilingual.encoded == 1
    assert np.allclose(vi[0, :8], 0) and np.isclose(np.linalg.norm(vi[0]), 1.0)
    both = ens.encode_queries(["xử lý nước thải", "sewage treatment"], langs=["vi", "en"])
    assert english.encoded == 1 and multilingual.encoded == 3  # only the English query reached the English model
    assert np.allclose(both[0], vi[0]) and not np.allclose(both[1, :8], 0)
