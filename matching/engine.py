"""Hybrid matching engine: dense + lexical + CPV-code candidates, fused, filtered, explained."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from .language import detect_language
from .lexical import Bm25Index, tokenize
from .taxonomy import CpvTaxonomy, default_taxonomy
from .types import Document, Match, Reason
from .vector_index import VectorIndex, make_index

MAX_QUERY_CHARS = 2000  # queries are cut here: the models read ~256 tokens, longer text only costs time


class EmptyQuery(ValueError):
    """The query has no words (a ValueError, so existing `except ValueError` handlers still apply)."""


@dataclass(frozen=True)
class FusionWeights:
    """Linear fusion weights; defaults were tuned on the *.dev.jsonl tasks (see "Matching quality" in README.md)."""

    dense: float = 1.0
    lexical: float = 0.15          # BM25 normalised by the best lexical score of the query
    lexical_cross: float = 0.25    # multiplier when query and document languages differ
    code: float = 0.3              # shared CPV path, scaled by depth
    facet: float = 0.03            # each soft facet fit (province, SME, domestic, readiness, budget)
    candidates: int = 100          # per retriever, before filters


@dataclass
class DocMeta:
    """What the engine remembers about an indexed document (no text)."""

    kind: str
    ref: str
    codes: tuple[str, ...]
    facets: dict[str, Any]
    language: str | None


def _comparable(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            return v
    if isinstance(v, date) and not isinstance(v, datetime):
        return datetime(v.year, v.month, v.day)
    return v


def _cmp_ok(a: Any, b: Any, op: Callable[[Any, Any], bool]) -> bool:
    a, b = _comparable(a), _comparable(b)
    if isinstance(a, datetime) and isinstance(b, datetime) and (a.tzinfo is None) != (b.tzinfo is None):
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    try:
        return bool(op(a, b))
    except TypeError:
        return False


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _pair(prefer: Mapping[str, Any], facets: Mapping[str, Any], demand: str, supply: str) -> tuple[Any, Any]:
    """(demand value, supply value) whichever side states them: the query's preference or the candidate's facet."""
    if prefer.get(demand) is not None or facets.get(supply) is not None:
        return prefer.get(demand), facets.get(supply)
    return facets.get(demand), prefer.get(supply)


def passes_filters(facets: Mapping[str, Any], filters: Mapping[str, Any] | None) -> bool:
    """Hard filters: 'x': value (or list of values), 'x_after'/'x_before' (dates), 'x_min'/'x_max'."""
    if not filters:
        return True
    for key, want in filters.items():
        if want is None:
            continue
        for suffix, op in (("_after", lambda a, b: a > b), ("_before", lambda a, b: a < b),
                           ("_min", lambda a, b: a >= b), ("_max", lambda a, b: a <= b)):
            if key.endswith(suffix) and key[: -len(suffix)] in facets:
                if not _cmp_ok(facets[key[: -len(suffix)]], want, op):
                    return False
                break
        else:
            if key not in facets:
                return False
            have = facets[key]
            if isinstance(want, (list, tuple, set, frozenset)):
                if have not in want:
                    return False
            elif have != want:
                return False
    return True


class Engine:
    """Index documents and rank them against free text or another document."""

    def __init__(self, encoder, index_factory: Callable[[int], VectorIndex] | None = None, lexical: bool = True,
                 taxonomy: CpvTaxonomy | None = None, weights: FusionWeights | None = None) -> None:
        self.encoder = encoder
        self.index: VectorIndex = (index_factory or make_index)(encoder.dim)
        self.lexical = Bm25Index() if lexical else None
        self.taxonomy = taxonomy or default_taxonomy()
        self.weights = weights or FusionWeights()
        self._id_of: dict[str, int] = {}
        self._meta: dict[int, DocMeta] = {}
        self._by_code: dict[str, set[int]] = {}  # 4-digit class prefix -> ids
        self._next_id = 1

    # ---------------------------------------------------------------- writes
    def __len__(self) -> int:
        return len(self._meta)

    def __contains__(self, ref: object) -> bool:
        return ref in self._id_of

    def upsert(self, docs: Sequence[Document], vectors: np.ndarray | None = None) -> np.ndarray:
        """Add or replace documents; returns their vectors (computed when not given) for storage."""
        docs = list(docs)
        if not docs:
            return np.zeros((0, self.encoder.dim), np.float32)
        if vectors is None:
            vectors = self.encoder.encode_passages([d.text for d in docs])
        vectors = np.asarray(vectors, np.float32).reshape(len(docs), self.encoder.dim)
        ids = np.empty(len(docs), np.int64)
        for j, d in enumerate(docs):
            i = self._id_of.get(d.ref)
            if i is None:
                i = self._next_id
                self._next_id += 1
                self._id_of[d.ref] = i
            else:
                self._unlink_codes(i)
            ids[j] = i
            codes = self.taxonomy.valid_codes(d.codes)  # unknown codes are ignored, never fatal
            self._meta[i] = DocMeta(d.kind, d.ref, codes, dict(d.facets), d.language)
            for c in codes:
                self._by_code.setdefault(c[:4], set()).add(i)
            if self.lexical is not None:
                self.lexical.add_tokens(int(i), tokenize(d.text))
        self.index.add(ids, vectors)
        return vectors

    def _unlink_codes(self, i: int) -> None:
        meta = self._meta.get(i)
        for c in meta.codes if meta else ():
            s = self._by_code.get(c[:4])
            if s is not None:
                s.discard(i)
                if not s:
                    del self._by_code[c[:4]]

    def remove(self, refs: Iterable[str]) -> int:
        """Forget documents by ref; returns how many were indexed."""
        ids = []
        for ref in refs:
            i = self._id_of.pop(ref, None)
            if i is not None:
                self._unlink_codes(i)
                self._meta.pop(i, None)
                ids.append(i)
        if ids:
            self.index.remove(np.asarray(ids, np.int64))
            if self.lexical is not None:
                self.lexical.remove(ids)
        return len(ids)

    def vector(self, ref: str) -> np.ndarray | None:
        """Stored vector of an indexed document."""
        i = self._id_of.get(ref)
        return None if i is None else self.index.get(np.asarray([i]))[0]

    # ---------------------------------------------------------------- reads
    @staticmethod
    def _clean_query(text: str) -> str:
        if text is None or not str(text).strip():
            raise EmptyQuery("empty query: give some words describing what you need or offer")
        return str(text).strip()[:MAX_QUERY_CHARS]

    def encode_query(self, text: str, lang: str | None = None) -> np.ndarray:
        """Encode one query (language-aware for ensemble encoders)."""
        text = self._clean_query(text)
        lang = lang or detect_language(text)
        if hasattr(self.encoder, "weights_for"):
            return self.encoder.encode_queries([text], langs=[lang])[0]
        return self.encoder.encode_queries([text])[0]

    def search(self, query_text: str, kinds: Iterable[str] | None = None, filters: Mapping[str, Any] | None = None,
               k: int = 10, lang: str | None = None, prefer: Mapping[str, Any] | None = None,
               query_vector: np.ndarray | None = None, collapse: str | None = None) -> list[Match]:
        """Rank indexed documents for free text.

        Args:
            kinds: only these document kinds.
            filters: hard facet filters (see `passes_filters`).
            lang: query language ('vi', 'en', ...); detected when None.
            prefer: soft facet preferences (province, budget, trl_min) that boost but never exclude.
            query_vector: a precomputed query embedding (skips encoding).
            collapse: keep only the best document per value of this facet (e.g. 'code').
        """
        text = self._clean_query(query_text)
        lang = lang or detect_language(text)
        q = query_vector if query_vector is not None else self.encode_query(text, lang)
        return self._rank(q, tokenize(text), lang, codes=(), kinds=kinds, filters=filters, k=k,
                          prefer=prefer, exclude=None, collapse=collapse)

    def match(self, doc: Document, kinds: Iterable[str] | None = None, filters: Mapping[str, Any] | None = None,
              k: int = 10, query_vector: np.ndarray | None = None) -> list[Match]:
        """Rank indexed documents for another document (its text, CPV codes and facets)."""
        text = (doc.text or "").strip()
        codes = self.taxonomy.valid_codes(doc.codes)
        if not text and not codes:
            raise EmptyQuery("document has neither text nor valid CPV codes to match on")
        lang = doc.language or (detect_language(text) if text else "en")
        q = query_vector
        if q is None and doc.ref in self._id_of:
            q = self.vector(doc.ref)  # never re-encode an indexed document
        if q is None:
            q = self.encode_query(text, lang) if text else np.zeros(self.encoder.dim, np.float32)
        return self._rank(q, tokenize(text[:MAX_QUERY_CHARS]), lang, codes=codes, kinds=kinds, filters=filters,
                          k=k, prefer=doc.facets, exclude=self._id_of.get(doc.ref), collapse=None)

    def _rank(self, q: np.ndarray, toks: list[str], lang: str, codes: tuple[str, ...], kinds, filters, k: int,
              prefer, exclude: int | None, collapse: str | None) -> list[Match]:
        if k <= 0 or not self._meta:
            return []
        kinds = set(kinds) if kinds is not None else None
        n_cand = max(self.weights.candidates, 4 * k)
        while True:
            ranked, exhausted = self._fuse(q, toks, lang, codes, kinds, filters, n_cand, prefer, exclude)
            out, seen = [], set()
            for m in ranked:
                if collapse is not None:
                    key = self._meta_by_ref(m.ref).facets.get(collapse, m.ref)
                    if key in seen:
                        continue
                    seen.add(key)
                out.append(m)
                if len(out) == k:
                    break
            if len(out) >= k or exhausted:
                return out
            n_cand *= 4  # filters or collapsing ate the candidates: widen and retry

    def _meta_by_ref(self, ref: str) -> DocMeta:
        return self._meta[self._id_of[ref]]

    def _fuse(self, q, toks, lang, codes, kinds, filters, n_cand, prefer, exclude) -> tuple[list[Match], bool]:
        w = self.weights
        total = len(self._meta)
        n_dense = min(n_cand, total)
        exhausted = n_dense >= total
        d_scores, d_ids = self.index.search(np.asarray(q, np.float32)[None, :], n_dense)
        dense: dict[int, float] = {int(i): float(s) for s, i in zip(d_scores[0], d_ids[0]) if i >= 0}
        lex: dict[int, float] = {}
        if self.lexical is not None and toks and w.lexical > 0:
            l_scores, l_ids = self.lexical.search(toks, n_cand)
            lex = {int(i): float(s) for s, i in zip(l_scores, l_ids)}
        code_cands: set[int] = set()
        for c in codes:
            code_cands |= self._by_code.get(c[:4], set())
        if len(code_cands) > n_cand:  # keep it bounded; dense/lexical cover the rest
            code_cands = set(sorted(code_cands)[:n_cand])
        cand = [i for i in dict.fromkeys([*dense, *lex, *code_cands]) if i != exclude and i in self._meta]
        cand = [i for i in cand if (kinds is None or self._meta[i].kind in kinds)
                and passes_filters(self._meta[i].facets, filters)]
        if not cand:
            return [], exhausted
        missing = [i for i in cand if i not in dense]
        if missing:
            vecs = self.index.get(np.asarray(missing, np.int64))
            for i, s in zip(missing, vecs @ np.asarray(q, np.float32)):
                dense[i] = float(s)
        if lex and self.lexical is not None:
            not_scored = [i for i in cand if i not in lex]
            if not_scored:
                for i, s in zip(not_scored, self.lexical.score(toks, not_scored)):
                    lex[i] = float(s)
        lex_max = max(lex.values(), default=0.0) or 1.0
        idf_terms = self._ranked_terms(toks) if lex else []
        out = []
        for i in cand:
            meta = self._meta[i]
            reasons: list[Reason] = []
            sim = dense.get(i, 0.0)
            score = w.dense * sim
            reasons.append(Reason("similarity", {"score": round(sim, 4)}))
            ls = lex.get(i, 0.0)
            if ls > 0:
                same = meta.language is None or meta.language == lang
                score += w.lexical * (1.0 if same else w.lexical_cross) * ls / lex_max
                doc_terms = self.lexical.terms(i)
                shared = [t for t in idf_terms if t in doc_terms][:6]
                if shared:
                    reasons.append(Reason("terms", {"terms": shared}))
            if codes and meta.codes:
                best: tuple[str, ...] = ()
                for a in codes:
                    for b in meta.codes:
                        if a[:2] == b[:2]:
                            sp = self.taxonomy.shared_path(a, b)
                            if len(sp) > len(best) or (sp and self.taxonomy.level(sp[-1]) > self.taxonomy.level(best[-1])):
                                best = sp
                if best:
                    depth = self.taxonomy.level(best[-1])
                    score += w.code * (depth - 1) / 7.0
                    reasons.append(Reason("cpv", {"path": list(best), "depth": depth}))
            if prefer:
                score += self._facet_boosts(meta.facets, prefer, reasons)
            out.append(Match(meta.ref, meta.kind, float(score), tuple(reasons)))
        out.sort(key=lambda m: (-m.score, m.ref))
        return out, exhausted

    def _ranked_terms(self, toks: list[str]) -> list[str]:
        assert self.lexical is not None
        uniq = list(dict.fromkeys(toks))
        return sorted(uniq, key=lambda t: -self.lexical._idf(t))

    def _facet_boosts(self, facets: Mapping[str, Any], prefer: Mapping[str, Any], reasons: list[Reason]) -> float:
        """Soft fits between the query's preferences and a candidate's facets.

        Demand states `budget` and `trl_min`, supply states `price` and `trl`; either side may be the query
        (a tender looks for products, a patent looks for needs), so each pair is read both ways.
        """
        w, boost = self.weights.facet, 0.0
        province = prefer.get("province")
        if province and facets.get("province") == province:
            boost += w
            reasons.append(Reason("facet", {"name": "province", "value": province}))
        if facets.get("sme") is True:
            boost += w / 2
            reasons.append(Reason("facet", {"name": "sme", "value": True}))
        dom = facets.get("domestic_content")
        if _number(dom) and dom > 0:
            boost += w * min(1.0, float(dom))
            reasons.append(Reason("facet", {"name": "domestic_content", "value": float(dom)}))
        elif facets.get("domestic") is True:
            boost += w / 2  # a declared domestic manufacturer, without a measured share
            reasons.append(Reason("facet", {"name": "domestic", "value": True}))
        trl_min, trl = _pair(prefer, facets, "trl_min", "trl")
        if _number(trl_min) and _number(trl):
            if trl >= trl_min:
                boost += w
                reasons.append(Reason("facet", {"name": "trl", "value": trl, "required": trl_min}))
            else:
                boost -= w
        budget, price = _pair(prefer, facets, "budget", "price")
        if _number(budget) and _number(price) and budget > 0:
            if price <= budget:
                boost += w
                reasons.append(Reason("facet", {"name": "budget", "value": price, "budget": budget}))
            elif price > 1.2 * budget:
                boost -= w
        return boost

    # ---------------------------------------------------------------- state (used by matching.store)
    def meta_items(self) -> Iterable[tuple[int, DocMeta]]:
        """(id, metadata) for every indexed document."""
        return self._meta.items()

    def _restore(self, metas: dict[int, DocMeta], next_id: int) -> None:
        self._meta = metas
        self._id_of = {m.ref: i for i, m in metas.items()}
        self._by_code = {}
        for i, m in metas.items():
            for c in m.codes:
                self._by_code.setdefault(c[:4], set()).add(i)
        self._next_id = max(next_id, max(metas, default=0) + 1)
