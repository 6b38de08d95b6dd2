"""Retrieval metrics over JSONL tasks (S@k, MRR@k, nDCG@k at exact/class/group level) and a CLI."""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np

LEVELS = {"exact": 8, "class": 4, "group": 3}
DEFAULT_CACHE = os.environ.get("MATCHING_CACHE_DIR", str(Path(__file__).resolve().parent.parent / ".cache" / "embeddings"))


def query_metrics(ranked: Sequence[str], gold: Sequence[str], digits: int, k: int = 10) -> tuple[float, float, float]:
    """(success, reciprocal rank, nDCG) of one ranking at a prefix length.

    A retrieved code is relevant when its first `digits` digits equal a gold code's. For nDCG each
    gold prefix earns its gain once (so a group with 50 codes cannot fill the top 10 with 'hits'),
    and the ideal ranking finds every distinct gold prefix first.
    """
    want = {g[:digits] for g in gold}
    found: set[str] = set()
    rr, dcg = 0.0, 0.0
    for rank, code in enumerate(ranked[:k], start=1):
        p = code[:digits]
        if p in want:
            if rr == 0.0:
                rr = 1.0 / rank
            if p not in found:
                found.add(p)
                dcg += 1.0 / math.log2(rank + 1)
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(k, len(want)) + 1))
    return (1.0 if rr > 0 else 0.0), rr, (dcg / ideal if ideal else 0.0)


def metrics(rankings: Sequence[Sequence[str]], golds: Sequence[Sequence[str]], k: int = 10) -> dict:
    """Mean S@k, MRR@k and nDCG@k per level for aligned rankings and gold lists."""
    out: dict[str, dict[str, float]] = {}
    n = len(rankings)
    for name, digits in LEVELS.items():
        rows = [query_metrics(r, g, digits, k) for r, g in zip(rankings, golds)]
        arr = np.asarray(rows, dtype=np.float64).reshape(-1, 3)
        means = arr.mean(axis=0) if n else np.zeros(3)
        out[name] = {f"S@{k}": round(float(means[0]), 4), f"MRR@{k}": round(float(means[1]), 4),
                     f"nDCG@{k}": round(float(means[2]), 4)}
    return out


def load_jsonl(path: str | os.PathLike[str]) -> list[dict]:
    """Read a JSONL file."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _dense_rank(q: np.ndarray, p: np.ndarray, codes: list[str], k: int) -> list[list[str]]:
    scores = q @ p.T
    out = []
    for row in scores:
        top = np.argsort(-row, kind="stable")
        seen: list[str] = []
        for j in top:
            if codes[j] not in seen:
                seen.append(codes[j])
                if len(seen) == k:
                    break
        out.append(seen)
    return out


def run_eval(task_path: str, corpus_path: str, encoder: str = "engine", k: int = 10, query_field: str = "query",
             limit: int | None = None, cache_dir: str | None = DEFAULT_CACHE, engine_encoder: str = "ensemble",
             extra_langs: Sequence[str] = ("vi",), enrich: bool = True, threads: int = 2) -> dict:
    """Evaluate one system on one task.

    Args:
        encoder: 'engine' (hybrid CpvSuggester), 'bm25', or an encoder name for dense-only search
            ('minilm', 'e5', 'ensemble', or a sentence-transformers folder).
        engine_encoder: the encoder inside the engine.
        extra_langs: CPV label languages added as extra passages by the engine ('es' leaks the
            xling_es2en answers, so it is off by default here).
    """
    from .encoders import EnsembleEncoder, load_encoder, set_threads
    from .language import detect_language
    from .lexical import Bm25Index

    t0 = time.perf_counter()
    tasks = load_jsonl(task_path)[: limit or None]
    corpus = load_jsonl(corpus_path)
    pairs = [(str(d["doc_id"]), d["text"]) for d in corpus]
    codes = [c for c, _ in pairs]
    corpus_lang = "es" if "_es" in Path(corpus_path).stem else "en"
    queries = [t[query_field] for t in tasks]
    golds = [t["gold"] for t in tasks]
    if encoder == "bm25":
        bm = Bm25Index()
        bm.add(list(range(len(pairs))), [t for _, t in pairs])
        rankings = [[codes[i] for i in bm.search(q, k)[1]] for q in queries]
    else:
        set_threads(threads)
        enc = load_encoder(engine_encoder if encoder == "engine" else encoder, threads=threads, cache_dir=cache_dir)
        langs = [detect_language(q) for q in queries]
        qv = enc.encode_queries(queries, langs=langs) if isinstance(enc, EnsembleEncoder) else enc.encode_queries(queries)
        if encoder == "engine":
            from .suggest import CpvSuggester

            sug = CpvSuggester(enc, corpus=pairs, corpus_lang=corpus_lang, extra_langs=extra_langs, enrich=enrich)
            rankings = [[c for c, _ in sug.suggest(q, k=k, lang=lg, query_vector=v)]
                        for q, lg, v in zip(queries, langs, qv)]
        else:
            pv = enc.encode_passages([t for _, t in pairs])
            rankings = _dense_rank(qv, pv, codes, k)
    env = [i for i, t in enumerate(tasks) if t.get("env")]
    result = {
        "task": Path(task_path).name, "corpus": Path(corpus_path).name, "encoder": encoder,
        "n": len(tasks), "n_env": len(env), "all": metrics(rankings, golds, k),
        "env": metrics([rankings[i] for i in env], [golds[i] for i in env], k) if env else None,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    if encoder == "engine":
        result["engine"] = {"encoder": engine_encoder, "extra_langs": list(extra_langs), "enrich": enrich}
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: python -m matching.evaluate --task T --corpus C [--encoder NAME]; prints JSON."""
    ap = argparse.ArgumentParser(prog="python -m matching.evaluate", description=__doc__)
    ap.add_argument("--task", required=True, help="JSONL with qid, query, gold")
    ap.add_argument("--corpus", required=True, help="JSONL with doc_id (CPV code), text")
    ap.add_argument("--encoder", default="engine", help="engine | bm25 | minilm | e5 | ensemble | <model folder>")
    ap.add_argument("--engine-encoder", default="ensemble", help="encoder used inside the engine")
    ap.add_argument("--extra-langs", default="vi", help="comma-separated CPV label languages added by the engine")
    ap.add_argument("--no-enrich", action="store_true", help="do not append ancestor labels to CPV passages")
    ap.add_argument("--query-field", default="query")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cache-dir", default=DEFAULT_CACHE, help="embedding cache ('' disables)")
    args = ap.parse_args(argv)
    res = run_eval(args.task, args.corpus, encoder=args.encoder, k=args.k, query_field=args.query_field,
                   limit=args.limit, cache_dir=args.cache_dir or None, engine_encoder=args.engine_encoder,
                   extra_langs=[x for x in args.extra_langs.split(",") if x], enrich=not args.no_enrich,
                   threads=args.threads)
    json.dump(res, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
