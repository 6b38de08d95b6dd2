"""Suggest CPV codes for free text with the same hybrid engine, over multilingual CPV labels."""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from .engine import Engine, FusionWeights
from .taxonomy import CpvTaxonomy, default_taxonomy
from .types import Document
from .vector_index import NumpyIndex

# Lexical weight is lower here than for marketplace documents: CPV labels are short, so BM25
# over-rewards a single shared word (tuned on tender2cpv_uk.dev / xling_es2en.dev).
CPV_WEIGHTS = FusionWeights(dense=1.0, lexical=0.10, lexical_cross=0.25, code=0.0, candidates=200)


def passage_text(taxonomy: CpvTaxonomy, code: str, label: str, lang: str, enrich: bool = True) -> str:
    """A CPV passage: its label, then its ancestors' labels (broad context helps short labels)."""
    if not enrich:
        return label
    ancestors = [taxonomy.label(c, lang) for c in taxonomy.path(code)[:-1]] if code in taxonomy else []
    return label if not ancestors else f"{label} | {' > '.join(ancestors)}"


def cpv_documents(taxonomy: CpvTaxonomy, corpus: Iterable[tuple[str, str]] | None = None, corpus_lang: str = "en",
                  extra_langs: Sequence[str] = ("vi",), enrich: bool = True) -> list[Document]:
    """One Document per (code, language); `corpus` overrides the main-language labels."""
    pairs = list(corpus) if corpus is not None else [(c, taxonomy.label(c, corpus_lang)) for c in taxonomy.codes]
    docs = [Document("cpv", f"{c}:{corpus_lang}", passage_text(taxonomy, c, t, corpus_lang, enrich),
                     facets={"code": c}, language=corpus_lang) for c, t in pairs]
    codes = [c for c, _ in pairs]
    for lang in extra_langs:
        if lang == corpus_lang:
            continue
        for c in codes:
            if taxonomy.has_label(c, lang):
                docs.append(Document("cpv", f"{c}:{lang}", passage_text(taxonomy, c, taxonomy.label(c, lang), lang, enrich),
                                     facets={"code": c}, language=lang))
    return docs


class CpvSuggester:
    """Rank CPV codes for a text; each code may have several passages (languages), max-pooled."""

    def __init__(self, encoder, taxonomy: CpvTaxonomy | None = None, corpus: Iterable[tuple[str, str]] | None = None,
                 corpus_lang: str = "en", extra_langs: Sequence[str] = ("es", "vi"), enrich: bool = True,
                 weights: FusionWeights | None = None, lexical: bool = True) -> None:
        self.taxonomy = taxonomy or default_taxonomy()
        # Exact search: the CPV corpus is small (< 30k passages), so no approximation is needed.
        self.engine = Engine(encoder, index_factory=NumpyIndex, lexical=lexical, taxonomy=self.taxonomy,
                             weights=weights or CPV_WEIGHTS)
        self.docs = cpv_documents(self.taxonomy, corpus, corpus_lang, extra_langs, enrich)
        self.engine.upsert(self.docs)

    def suggest(self, text: str, k: int = 10, lang: str | None = None,
                query_vector: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top-k (code, score), best first."""
        matches = self.engine.search(text, k=k, lang=lang, query_vector=query_vector, collapse="code")
        return [(m.ref.split(":", 1)[0], m.score) for m in matches]
