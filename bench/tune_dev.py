"""Grid-search fusion and ensemble weights on the *.dev.jsonl tasks only (never on test).

    python bench/tune_dev.py [--sample 1000]

Prints S@10 (group/exact) per configuration; the chosen values are hard-coded as defaults in
matching/encoders.py (DEFAULT_QUERY_WEIGHTS) and matching/suggest.py (CPV_WEIGHTS).
"""
from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.encoders import EnsembleEncoder, load_encoder, set_threads  # noqa: E402
from matching.evaluate import DEFAULT_CACHE, load_jsonl, metrics  # noqa: E402
from matching.language import detect_language  # noqa: E402
from matching.suggest import CPV_WEIGHTS, CpvSuggester  # noqa: E402

SHARED = Path("/work/shared/eval")
REPO = Path(__file__).resolve().parent.parent


def run(sug, enc, tasks, field="query"):
    qs = [t[field] for t in tasks]
    langs = [detect_language(q) for q in qs]
    qv = enc.encode_queries(qs, langs=langs)
    ranks = [[c for c, _ in sug.suggest(q, k=10, lang=lg, query_vector=v)] for q, lg, v in zip(qs, langs, qv)]
    m = metrics(ranks, [t["gold"] for t in tasks])
    return m["group"]["S@10"], m["exact"]["S@10"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=int, default=800)
    ap.add_argument("--stage", default="all")
    args = ap.parse_args()
    set_threads(2)
    random.seed(0)
    base = load_encoder("ensemble", threads=2, cache_dir=DEFAULT_CACHE)
    corpus = [(d["doc_id"], d["text"]) for d in load_jsonl(SHARED / "corpus_cpv_en.jsonl")]
    uk = load_jsonl(SHARED / "tender2cpv_uk.dev.jsonl")
    es = random.sample(load_jsonl(SHARED / "xling_es2en.dev.jsonl"), args.sample)
    vi = load_jsonl(REPO / "eval" / "env_vi_en.dev.jsonl")
    for enrich in (True, False):
        sug = CpvSuggester(base, corpus=corpus, extra_langs=("vi",), enrich=enrich)
        for w_en, w_other, lex, cross in itertools.product((0.3, 0.5, 0.7), (0.0, 0.1, 0.25), (0.0, 0.1, 0.2, 0.35), (0.25,)):
            enc = base.with_weights({"en": (w_en, 1 - w_en), "vi": (w_other, 1 - w_other), "other": (w_other, 1 - w_other)})
            sug.engine.weights = replace(CPV_WEIGHTS, lexical=lex, lexical_cross=cross)
            t = time.perf_counter()
            r_uk = run(sug, enc, uk)
            r_es = run(sug, enc, es)
            r_vi = run(sug, enc, vi, "query_vi")
            r_ven = run(sug, enc, vi, "query_en")
            print(f"enrich={enrich:d} w_en={w_en} w_other={w_other} lex={lex} cross={cross} | "
                  f"uk {r_uk[0]:.3f}/{r_uk[1]:.3f} es {r_es[0]:.3f}/{r_es[1]:.3f} "
                  f"vi {r_vi[0]:.3f} en {r_ven[0]:.3f} ({time.perf_counter() - t:.0f}s)", flush=True)


if __name__ == "__main__":
    main()
