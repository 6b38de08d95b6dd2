"""Tune the CPV suggester's fusion on the *.dev.jsonl tasks only (never on test).

    python -m bench.tune_dev [--sample 1500]

Needs the embedding cache (python -m bench.warm_cache --encoder minilm / e5). Prints S@10 group/exact per
configuration; chosen values are the defaults in matching/suggest.py (DEFAULT_PARAMS) and
matching/encoders.py (DEFAULT_QUERY_WEIGHTS), with the figures in README.md ("Matching quality").
"""
from __future__ import annotations

import argparse
import itertools
import random
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from matching.encoders import load_encoder, set_threads
from matching.evaluate import DEFAULT_CACHE, load_jsonl, metrics
from matching.language import detect_language
from matching.suggest import CpvSuggester, SuggestParams, combine, prior_gate

SHARED = Path("/work/shared/eval")
REPO = Path(__file__).resolve().parent.parent


class Harness:
    """Per-model score matrices computed once; every configuration is then a cheap recombination."""

    def __init__(self, sample: int = 1500, seed: int = 0) -> None:
        set_threads(1)
        self.m = load_encoder("minilm", threads=1, cache_dir=DEFAULT_CACHE)
        self.e = load_encoder("e5", threads=1, cache_dir=DEFAULT_CACHE)
        corpus = [(d["doc_id"], d["text"]) for d in load_jsonl(SHARED / "corpus_cpv_en.jsonl")]
        self.sug = CpvSuggester(self.m, corpus=corpus)
        texts = [p[1] for p in self.sug.passages]
        self.vm = self.sug.vectors
        self.ve = self.e.encode_passages(texts)
        rnd = random.Random(seed)
        es = load_jsonl(SHARED / "xling_es2en.dev.jsonl")
        self.tasks = {
            "uk": [(r["query"], r["gold"]) for r in load_jsonl(SHARED / "tender2cpv_uk.dev.jsonl")],
            "es": [(r["query"], r["gold"]) for r in rnd.sample(es, min(sample, len(es)))],
        }
        env = load_jsonl(REPO / "eval" / "env_vi_en.dev.jsonl")
        self.tasks["vi"] = [(r["query_vi"], r["gold"]) for r in env]
        self.tasks["en"] = [(r["query_en"], r["gold"]) for r in env]
        self.data = {name: self._prepare(rows) for name, rows in self.tasks.items()}

    def _prepare(self, rows):
        qs = [q for q, _ in rows]
        langs = [detect_language(q) for q in qs]
        cm = self.m.encode_queries(qs) @ self.vm.T
        ce = self.e.encode_queries(qs) @ self.ve.T
        lex = self.sug.lexical_scores(qs)
        lengths = np.asarray([len(q) for q in qs])
        return {"langs": langs, "cm": cm, "ce": ce, "lex": lex, "len": lengths, "gold": [g for _, g in rows]}

    def run(self, name: str, w: dict, params: SuggestParams) -> dict:
        d = self.data[name]
        wm = np.asarray([w.get(lg, w["other"]) for lg in d["langs"]], np.float32)[:, None]
        norm = np.sqrt(2.0) * np.sqrt(wm ** 2 + (1 - wm) ** 2)
        dense = (wm * d["cm"] + (1 - wm) * d["ce"]) / norm
        lex_w = np.asarray([params.lexical.get(lg, 0.0) for lg in d["langs"]], np.float32)
        gate = np.asarray(prior_gate(d["len"], params.prior_len), np.float32)
        mask = self.sug.pass_mask if params.vi_passages else np.asarray([p[2] != "vi" for p in self.sug.passages])
        s = combine(dense, self.sug.pass_code, len(self.sug.codes), self.sug.tree, d["lex"], lex_w, self.sug.prior,
                    gate, params, mask)
        top = np.argpartition(-s, 10, axis=1)[:, :10]
        order = np.argsort(-np.take_along_axis(s, top, 1), axis=1)
        top = np.take_along_axis(top, order, 1)
        codes = self.sug.codes
        return metrics([[codes[j] for j in row] for row in top], d["gold"])

    def summary(self, w: dict, params: SuggestParams) -> tuple[float, str]:
        r = {n: self.run(n, w, params) for n in self.data}
        g = lambda n, lv="group", m="S@10": r[n][lv][m]  # noqa: E731
        # objective: UK group+exact, Spanish group+exact, Vietnamese group (and not below English)
        obj = g("uk") + g("uk", "exact") + g("es") + g("es", "exact") + 0.5 * g("vi") + 0.5 * g("en")
        line = (f"uk {g('uk'):.3f}/{g('uk', 'exact'):.3f} mrr {g('uk', 'exact', 'MRR@10'):.3f} | "
                f"es {g('es'):.3f}/{g('es', 'exact'):.3f} | vi {g('vi'):.3f}/{g('vi', 'exact'):.3f} "
                f"en {g('en'):.3f}/{g('en', 'exact'):.3f} | obj {obj:.3f}")
        return obj, line


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=int, default=1500)
    ap.add_argument("--stage", default="ablation")
    args = ap.parse_args()
    t = time.perf_counter()
    h = Harness(args.sample)
    print(f"prepared in {time.perf_counter() - t:.0f}s", flush=True)
    base_w = {"en": 0.5, "vi": 0.1, "other": 0.1}
    base = SuggestParams(lexical={"en": 0.1}, child=0.0, parent=0.0, prior=0.0)
    if args.stage == "ablation":
        for label, w, p in [
            ("minilm only", {"other": 1.0}, replace(base, lexical={})),
            ("e5 only", {"other": 0.0}, replace(base, lexical={})),
            ("ensemble, no lex", base_w, replace(base, lexical={})),
            ("ensemble + lex(en)", base_w, base),
            ("no vi passages", base_w, replace(base, vi_passages=False)),
            ("+child .3", base_w, replace(base, child=0.3)),
            ("+parent .1", base_w, replace(base, parent=0.1)),
            ("+prior .05", base_w, replace(base, prior=0.05)),
            ("+prior .1", base_w, replace(base, prior=0.1)),
        ]:
            print(f"{label:24s} {h.summary(w, p)[1]}", flush=True)
    else:
        best = []
        grid = itertools.product((0.4, 0.5, 0.6, 0.7), (0.0, 0.1, 0.2), (0.0, 0.05, 0.1, 0.2), (0.0, 0.2, 0.4),
                                 (0.0, 0.05, 0.1), (0.0, 0.03, 0.06, 0.1), (150, 300))
        for w_en, w_other, lex, child, parent, prior, plen in grid:
            w = {"en": w_en, "vi": w_other, "other": w_other}
            p = SuggestParams(lexical={"en": lex}, child=child, parent=parent, prior=prior, prior_len=plen)
            obj, line = h.summary(w, p)
            best.append((obj, f"w_en={w_en} w_other={w_other} lex={lex} child={child} parent={parent} "
                               f"prior={prior} plen={plen} | {line}"))
        best.sort(reverse=True)
        for _, line in best[:25]:
            print(line)


if __name__ == "__main__":
    main()
