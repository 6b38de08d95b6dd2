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
DEFAULT_EXEMPLARS = "tender2cpv_uk.dev.jsonl"  # labelled example notices (a dev file: never tune or test on it)
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


def query_fields(tasks: Sequence[dict], query_field: str | None = None) -> list[str]:
    """The query fields to evaluate: `query`, or each `query_<lang>` (e.g. env_vi_en has query_en and query_vi)."""
    if query_field:
        return [query_field]
    first = tasks[0] if tasks else {}
    if "query" in first:
        return ["query"]
    return sorted(k for k in first if k.startswith("query_")) or ["query"]


def _summary(tasks: Sequence[dict], rankings: Sequence[Sequence[str]], k: int) -> dict:
    golds = [t["gold"] for t in tasks]
    env = [i for i, t in enumerate(tasks) if t.get("env")]
    return {"n": len(tasks), "n_env": len(env), "all": metrics(rankings, golds, k),
            "env": metrics([rankings[i] for i in env], [golds[i] for i in env], k) if env else None}


def _find_exemplars(task_path: str) -> Path | None:
    """tender2cpv_uk.dev.jsonl next to the task, in $MATCHING_EVAL_DIR, or in ../shared/eval."""
    for folder in (Path(task_path).parent, Path(os.environ.get("MATCHING_EVAL_DIR", "/nonexistent")),
                   Path(__file__).resolve().parent.parent.parent / "shared" / "eval"):
        if (folder / DEFAULT_EXEMPLARS).is_file():
            return folder / DEFAULT_EXEMPLARS
    return None


def run_eval(task_path: str, corpus_path: str, encoder="engine", k: int = 10, query_field: str | None = None,
             limit: int | None = None, cache_dir: str | None = DEFAULT_CACHE, engine_encoder="ensemble",
             extra_langs: Sequence[str] = ("vi",), enrich: bool = True, threads: int = 1,
             params=None, exemplars: str | None = "auto") -> dict:
    """Evaluate one system on one task.

    Args:
        encoder: 'engine' (the hybrid CpvSuggester), 'bm25', an encoder name for dense-only exact search
            ('minilm', 'e5', 'ensemble', or a sentence-transformers folder), or an Encoder object.
        engine_encoder: the encoder inside the engine (a name or an Encoder object).
        query_field: which field holds the query; by default `query`, or every `query_<lang>` field
            (each then reported under "fields", and "all"/"env" pool them).
        extra_langs: CPV label languages added as extra passages by the engine ('es' would leak the
            xling_es2en answers, so it is off by default).
        exemplars: JSONL of labelled example notices for the engine ("auto": tender2cpv_uk.dev.jsonl next to
            the task file, when present; None/"none": no examples). Examples whose text is one of the task's
            queries are dropped, so evaluating on the examples' own file never sees its answers.
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
    fields = query_fields(tasks, query_field)
    queries = [t.get(f) or "" for f in fields for t in tasks]
    rows = [t for _ in fields for t in tasks]
    name = encoder if isinstance(encoder, str) else getattr(encoder, "model_id", "encoder")

    def _load(enc):
        return load_encoder(enc, threads=threads, cache_dir=cache_dir) if isinstance(enc, str) else enc

    if encoder == "bm25":
        bm = Bm25Index()
        bm.add(list(range(len(pairs))), [t for _, t in pairs])
        rankings = [[codes[i] for i in bm.search(q, k)[1]] for q in queries]
    else:
        if isinstance(encoder, str) or isinstance(engine_encoder, str):
            set_threads(threads)
        enc = _load(engine_encoder if encoder == "engine" else encoder)
        langs = [detect_language(q) for q in queries]
        qv = enc.encode_queries(queries, langs=langs) if isinstance(enc, EnsembleEncoder) else enc.encode_queries(queries)
        if encoder == "engine":
            from .suggest import CpvSuggester

            ex_path = _find_exemplars(task_path) if exemplars == "auto" else exemplars
            examples = []
            if ex_path and str(ex_path) != "none" and Path(ex_path).is_file():
                seen = set(queries)
                examples = [(r["query"], r["gold"]) for r in load_jsonl(ex_path) if r.get("query") not in seen]
            sug = CpvSuggester(enc, corpus=pairs, corpus_lang=corpus_lang, extra_langs=extra_langs, enrich=enrich,
                               params=params, exemplars=examples)
            rankings = [[c for c, _ in r] for r in sug.suggest_many(queries, k=k, langs=langs, query_vectors=qv)]
        else:
            pv = enc.encode_passages([t for _, t in pairs])
            rankings = _dense_rank(qv, pv, codes, k)
    result = {"task": Path(task_path).name, "corpus": Path(corpus_path).name, "encoder": name,
              **_summary(rows, rankings, k)}
    if len(fields) > 1:
        n = len(tasks)
        result["fields"] = {f: _summary(tasks, rankings[j * n:(j + 1) * n], k) for j, f in enumerate(fields)}
    result["seconds"] = round(time.perf_counter() - t0, 1)
    if encoder == "engine":
        result["engine"] = {"encoder": engine_encoder if isinstance(engine_encoder, str) else name,
                            "extra_langs": list(extra_langs), "enrich": enrich, "exemplars": len(examples)}
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
    ap.add_argument("--exemplars", default="auto", help="example notices JSONL for the engine ('none' disables)")
    ap.add_argument("--query-field", default=None, help="default: query, or every query_<lang> field")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--cache-dir", default=DEFAULT_CACHE, help="embedding cache ('' disables)")
    args = ap.parse_args(argv)
    res = run_eval(args.task, args.corpus, encoder=args.encoder, k=args.k, query_field=args.query_field,
                   limit=args.limit, cache_dir=args.cache_dir or None, engine_encoder=args.engine_encoder,
                   extra_langs=[x for x in args.extra_langs.split(",") if x], enrich=not args.no_enrich,
                   threads=args.threads, exemplars=args.exemplars)
    json.dump(res, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
