"""Suggest CPV codes for free text: multilingual label passages, language-aware fusion, CPV-tree aggregation.

How a code is scored for one query (every weight tuned on the *.dev.jsonl tasks only; figures in the README):

1. dense: the query vector (for an ensemble encoder, each model weighted by the query's language) against
   every passage of the code (its plain label, the label followed by its ancestors' labels, and the
   Vietnamese label when the team wrote one); the code keeps its best passage (max-pooling);
2. tree: a code also earns part of its best child's score and of its parent's score, so a broad code
   whose children match well ("Sewage services" for a sludge-treatment notice) and a narrow code
   inside a well-matching branch both move up;
3. lexical: BM25 over the English labels, normalised by the query's best BM25 score, added only for
   queries in the label language (most foreign queries share no word with an English label);
4. exemplars (optional): labelled example notices (tender2cpv_uk.dev in evaluation, real tagged tenders in
   the product); a code earns weight * max(0, similarity - floor) from its most similar example notice;
5. prior: long notice-like queries get a log-prior on the CPV level (publishers tag notices with broad
   division/group codes far more often than the tree's shape would suggest), learned on
   tender2cpv_uk.dev; short label-like queries get none.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np

from .engine import MAX_QUERY_CHARS, FusionWeights
from .language import detect_language
from .lexical import Bm25Index, tokenize
from .taxonomy import CpvTaxonomy, default_taxonomy
from .types import Document

# Kept for backwards compatibility (the former Engine-based suggester exported it).
CPV_WEIGHTS = FusionWeights(dense=1.0, lexical=0.10, lexical_cross=0.25, code=0.0, candidates=200)

# Share of tender2cpv_uk.dev gold codes per CPV level (2 = division ... 8), smoothed.
LEVEL_PRIOR_COUNTS = {2: 43, 3: 28, 4: 36, 5: 38, 6: 35, 7: 5, 8: 5}


@dataclass(frozen=True)
class SuggestParams:
    """Fusion parameters of the CPV suggester (defaults tuned on dev; see bench/tune_dev.py)."""

    lexical: Mapping[str, float] = field(default_factory=lambda: {"en": 0.10})  # per query language
    child: float = 0.0        # share of the best child's score a code takes when it beats its own
    parent: float = 0.0       # share of the parent's score added to a code
    prior: float = 0.0        # weight of the CPV-level log-prior for notice-like queries
    prior_len: int = 200      # query length (chars) at which the prior is at half weight
    prior_langs: tuple[str, ...] = ("en",)  # the prior was learned on English notices; it hurts tender2cpv_pt.dev
    vi_passages: bool = True  # use the Vietnamese label passages
    passage_penalty: float = 0.0  # subtracted from the enriched/other-language passages (the plain label wins ties)
    exemplar: float = 0.0     # weight of the similarity to labelled example notices (above `exemplar_floor`)
    exemplar_floor: float = 0.5


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


def cpv_passages(taxonomy: CpvTaxonomy, corpus: Sequence[tuple[str, str]], corpus_lang: str = "en",
                 extra_langs: Sequence[str] = ("vi",), enrich: bool = True) -> list[tuple[int, str, str, str]]:
    """(code index, text, language, kind) for every passage: plain label, enriched label, other languages."""
    out: list[tuple[int, str, str, str]] = []
    for j, (c, label) in enumerate(corpus):
        out.append((j, label, corpus_lang, "plain"))
        if enrich:
            rich = passage_text(taxonomy, c, label, corpus_lang, True)
            if rich != label:
                out.append((j, rich, corpus_lang, "enriched"))
        for lang in extra_langs:
            if lang != corpus_lang and taxonomy.has_label(c, lang):
                out.append((j, passage_text(taxonomy, c, taxonomy.label(c, lang), lang, enrich), lang, "label_" + lang))
    return out


class CodeTree:
    """Parent/children structure over a list of codes, for vectorised aggregation of score matrices."""

    def __init__(self, taxonomy: CpvTaxonomy, codes: Sequence[str]) -> None:
        pos = {c: i for i, c in enumerate(codes)}
        n = len(codes)
        self.parent = np.full(n, -1, np.int64)
        for i, c in enumerate(codes):
            p = taxonomy.parent(c) if c in taxonomy else None
            while p is not None and p not in pos:
                p = taxonomy.parent(p)
            if p is not None:
                self.parent[i] = pos[p]
        has = np.flatnonzero(self.parent >= 0)
        order = has[np.argsort(self.parent[has], kind="stable")]
        self.child_order = order                                   # child indexes grouped by parent
        parents_sorted = self.parent[order]
        starts = np.flatnonzero(np.r_[True, parents_sorted[1:] != parents_sorted[:-1]]) if len(order) else np.zeros(0, np.int64)
        self.child_starts = starts
        self.with_children = parents_sorted[starts] if len(order) else np.zeros(0, np.int64)
        self.level = np.asarray([CpvTaxonomy.level(c) for c in codes], np.int64)

    def best_child(self, d: np.ndarray) -> np.ndarray:
        """Per row, each code's best direct child score (-inf for leaves)."""
        out = np.full_like(d, -np.inf)
        if len(self.child_order):
            out[:, self.with_children] = np.maximum.reduceat(d[:, self.child_order], self.child_starts, axis=1)
        return out

    def parent_score(self, d: np.ndarray) -> np.ndarray:
        """Per row, each code's parent score (its own score for top-level codes)."""
        idx = np.where(self.parent >= 0, self.parent, np.arange(len(self.parent)))
        return d[:, idx]


def level_log_prior(levels: np.ndarray, counts: Mapping[int, int] = LEVEL_PRIOR_COUNTS) -> np.ndarray:
    """log(P_task(level) / P_tree(level)) per code: how much more often publishers pick that level."""
    total = sum(counts.values())
    tree = {lv: int((levels == lv).sum()) for lv in range(2, 9)}
    n = max(1, len(levels))
    out = np.zeros(len(levels), np.float32)
    for lv in range(2, 9):
        p_task = (counts.get(lv, 0) + 1.0) / (total + 7.0)
        p_tree = (tree[lv] + 1.0) / (n + 7.0)
        out[levels == lv] = math.log(p_task / p_tree)
    return out


def prior_gate(length: int | np.ndarray, half: int) -> np.ndarray | float:
    """0 for short label-like queries, 1 for long notices (logistic in the length, half weight at `half`)."""
    return 1.0 / (1.0 + np.exp(-(np.asarray(length, np.float32) - half) / max(1.0, half / 4)))


def combine(dense_pass: np.ndarray, pass_code: np.ndarray, n_codes: int, tree: CodeTree, lex: np.ndarray | None,
            lex_w: np.ndarray, prior: np.ndarray | None, gate: np.ndarray, params: SuggestParams,
            pass_mask: np.ndarray | None = None, pass_offset: np.ndarray | None = None) -> np.ndarray:
    """Code scores (queries x codes) from passage scores; passages must be grouped by code (pass_code sorted)."""
    if pass_mask is not None:
        dense_pass = np.where(pass_mask[None, :], dense_pass, -np.inf)
    if pass_offset is not None and params.passage_penalty:
        dense_pass = dense_pass - params.passage_penalty * pass_offset[None, :]
    starts = np.flatnonzero(np.r_[True, pass_code[1:] != pass_code[:-1]])
    d = np.maximum.reduceat(dense_pass, starts, axis=1)
    assert d.shape[1] == n_codes
    s = d
    if params.child:
        bc = tree.best_child(d)
        s = s + params.child * np.maximum(bc - d, 0.0)
    if params.parent:
        s = s + params.parent * tree.parent_score(d)
    if lex is not None:
        s = s + lex_w[:, None] * lex
    if prior is not None and params.prior:
        s = s + params.prior * gate[:, None] * prior[None, :]
    return s


class LexicalCpvSuggester:
    """BM25 over every code's English and Vietnamese labels, accents folded: suggestions without any model.

    Used while the semantic suggester is being built (its label passages take a while to encode on first start)
    and wherever no encoder is available; a long description still finds the codes that share its rarest words.
    """

    def __init__(self, taxonomy: CpvTaxonomy | None = None, langs: Sequence[str] = ("en", "vi")) -> None:
        self.taxonomy = taxonomy or default_taxonomy()
        self.codes = list(self.taxonomy.codes)
        self.index = Bm25Index()
        for i, code in enumerate(self.codes):
            labels = [self.taxonomy.label(code, lang) for lang in langs if self.taxonomy.has_label(code, lang)]
            self.index.add_tokens(i, tokenize(" ".join(labels)))

    def suggest(self, text: str, k: int = 10) -> list[tuple[str, float]]:
        """Return up to k (code, BM25 score) pairs, best first; nothing when no word is shared."""
        toks = tokenize((text or "")[:MAX_QUERY_CHARS])
        if not toks or k <= 0:
            return []
        scores, ids = self.index.search(toks, k)
        return [(self.codes[int(i)], float(sc)) for sc, i in zip(scores, ids) if sc > 0]


class CpvSuggester:
    """Rank CPV codes for a text (any language): see the module docstring for the scoring."""

    def __init__(self, encoder, taxonomy: CpvTaxonomy | None = None, corpus: Iterable[tuple[str, str]] | None = None,
                 corpus_lang: str = "en", extra_langs: Sequence[str] = ("vi",), enrich: bool = True,
                 weights: FusionWeights | None = None, lexical: bool = True, params: SuggestParams | None = None,
                 exemplars: Sequence[tuple[str, Sequence[str]]] | None = None) -> None:
        self.taxonomy = taxonomy or default_taxonomy()
        self.encoder = encoder
        self.params = params or DEFAULT_PARAMS
        self.corpus_lang = corpus_lang
        pairs = list(corpus) if corpus is not None else [(c, self.taxonomy.label(c, corpus_lang))
                                                          for c in self.taxonomy.codes]
        self.codes = [str(c) for c, _ in pairs]
        self.passages = cpv_passages(self.taxonomy, pairs, corpus_lang, extra_langs, enrich)
        self.pass_code = np.asarray([p[0] for p in self.passages], np.int64)
        self.pass_mask = np.asarray([self.params.vi_passages or p[2] != "vi" for p in self.passages], bool)
        self.pass_offset = np.asarray([p[3] != "plain" for p in self.passages], np.float32)
        self.vectors = np.asarray(encoder.encode_passages([p[1] for p in self.passages]), np.float32)
        self.tree = CodeTree(self.taxonomy, self.codes)
        self.prior = level_log_prior(self.tree.level)
        self._slices = _member_slices(encoder)
        self.set_exemplars(exemplars or ())
        self.bm25: Bm25Index | None = None
        if lexical:
            self.bm25 = Bm25Index()
            self.bm25.add(list(range(len(pairs))), [t for _, t in pairs])

    def set_exemplars(self, exemplars: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Labelled example texts (text, CPV codes); unknown codes are ignored."""
        pos = {c: i for i, c in enumerate(self.codes)}
        rows = [(t, [pos[c] for c in self.taxonomy.valid_codes(codes) if c in pos]) for t, codes in exemplars]
        rows = [(str(t)[:MAX_QUERY_CHARS], cols) for t, cols in rows if cols and str(t).strip()]
        self.exemplar_cols = [np.asarray(cols, np.int64) for _, cols in rows]
        if rows:
            texts = [t for t, _ in rows]
            self.exemplar_vectors = np.asarray(self.query_vectors(texts, [detect_language(t) for t in texts]), np.float32)
        else:
            self.exemplar_vectors = np.zeros((0, self.vectors.shape[1]), np.float32)

    def exemplar_scores(self, q: np.ndarray) -> np.ndarray:
        """Per code, max(0, similarity of its best example - floor) (queries x codes)."""
        out = np.zeros((len(q), len(self.codes)), np.float32)
        if not len(self.exemplar_cols):
            return out
        sims = _member_cosines(q, self.exemplar_vectors, self._slices) - self.params.exemplar_floor
        sims = np.maximum(sims, 0.0)
        for j, cols in enumerate(self.exemplar_cols):
            out[:, cols] = np.maximum(out[:, cols], sims[:, j:j + 1])
        return out

    def lexical_scores(self, texts: Sequence[str]) -> np.ndarray:
        """BM25 of each query against each label, normalised by the query's best score (queries x codes)."""
        out = np.zeros((len(texts), len(self.codes)), np.float32)
        if self.bm25 is None:
            return out
        for r, t in enumerate(texts):
            s, ids = self.bm25.search(tokenize(t), 200)
            if len(s) and s[0] > 0:
                out[r, ids] = s / s[0]
        return out

    def query_vectors(self, texts: Sequence[str], langs: Sequence[str]) -> np.ndarray:
        """Encode queries (language-weighted for ensemble encoders)."""
        if hasattr(self.encoder, "weights_for"):
            return self.encoder.encode_queries(list(texts), langs=list(langs))
        return self.encoder.encode_queries(list(texts))

    def score(self, texts: Sequence[str], langs: Sequence[str] | None = None,
              query_vectors: np.ndarray | None = None) -> np.ndarray:
        """Scores of every code for every text (rows follow `texts`, columns follow `self.codes`)."""
        texts = [str(t).strip()[:MAX_QUERY_CHARS] for t in texts]
        langs = list(langs) if langs is not None else [detect_language(t) for t in texts]
        q = query_vectors if query_vectors is not None else self.query_vectors(texts, langs)
        dense = np.asarray(q, np.float32).reshape(len(texts), -1) @ self.vectors.T
        lex = self.lexical_scores(texts) if self.bm25 is not None else None
        lex_w = np.asarray([self.params.lexical.get(lg, 0.0) for lg in langs], np.float32)
        gate = np.asarray(prior_gate(np.asarray([len(t) for t in texts]), self.params.prior_len), np.float32)
        prior_gate_lang = gate * np.asarray([lg in self.params.prior_langs for lg in langs], np.float32)
        s = combine(dense, self.pass_code, len(self.codes), self.tree, lex, lex_w, self.prior, prior_gate_lang,
                    self.params, self.pass_mask, self.pass_offset)
        if self.params.exemplar and len(self.exemplar_cols):
            s += self.params.exemplar * gate[:, None] * self.exemplar_scores(np.asarray(q, np.float32).reshape(len(texts), -1))
        return s

    def suggest(self, text: str, k: int = 10, lang: str | None = None,
                query_vector: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top-k (code, score), best first; [] for empty text."""
        if text is None or not str(text).strip() or k <= 0:
            return []
        text = str(text).strip()[:MAX_QUERY_CHARS]
        lang = lang or detect_language(text)
        qv = None if query_vector is None else np.asarray(query_vector, np.float32)[None, :]
        s = self.score([text], [lang], qv)[0]
        return top_codes(s, self.codes, k)

    def suggest_many(self, texts: Sequence[str], k: int = 10, langs: Sequence[str] | None = None,
                     query_vectors: np.ndarray | None = None, batch: int = 256) -> list[list[tuple[str, float]]]:
        """Batch version of `suggest` (used by evaluation)."""
        texts = list(texts)
        langs = list(langs) if langs is not None else [detect_language(t) for t in texts]
        out: list[list[tuple[str, float]]] = []
        for i in range(0, len(texts), batch):
            qv = None if query_vectors is None else query_vectors[i:i + batch]
            s = self.score(texts[i:i + batch], langs[i:i + batch], qv)
            out += [top_codes(row, self.codes, k) for row in s]
        return out


def _member_slices(encoder) -> list[slice]:
    """Column ranges of each member model in an ensemble vector (one range for a plain encoder)."""
    members = getattr(encoder, "encoders", None)
    if not members:
        return [slice(0, int(encoder.dim))]
    out, at = [], 0
    for e in members:
        out.append(slice(at, at + int(e.dim)))
        at += int(e.dim)
    return out


def _member_cosines(q: np.ndarray, x: np.ndarray, slices: Sequence[slice]) -> np.ndarray:
    """Mean over member models of the cosine between query and example parts (members weighted 0 skipped)."""
    total = np.zeros((len(q), len(x)), np.float32)
    count = np.zeros((len(q), 1), np.float32)
    for sl in slices:
        qa, xa = q[:, sl], x[:, sl]
        qn = np.linalg.norm(qa, axis=1, keepdims=True)
        xn = np.linalg.norm(xa, axis=1, keepdims=True)
        ok = (qn > 1e-6).astype(np.float32)
        total += ok * ((qa / np.maximum(qn, 1e-12)) @ (xa / np.maximum(xn, 1e-12)).T)
        count += ok
    return total / np.maximum(count, 1.0)


def top_codes(row: np.ndarray, codes: Sequence[str], k: int) -> list[tuple[str, float]]:
    """Top-k (code, score) of one score row, best first (ties by code)."""
    k = min(k, len(codes))
    part = np.argpartition(-row, k - 1)[:k] if k < len(codes) else np.arange(len(codes))
    part = sorted(part.tolist(), key=lambda j: (-row[j], codes[j]))
    return [(codes[j], float(row[j])) for j in part]


# Tuned on tender2cpv_uk.dev (leave-one-out for the examples), xling_es2en.dev and env_vi_en.dev (README figures).
DEFAULT_PARAMS = SuggestParams(lexical={"en": 0.1}, child=0.3, parent=0.0, prior=0.03, prior_len=200,
                               exemplar=0.5, exemplar_floor=0.5)
