"""Fill the on-disk embedding cache for every eval text (one encoder per process, one thread).

    python -m bench.warm_cache --encoder e5
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from matching.encoders import load_encoder, set_threads
from matching.evaluate import DEFAULT_CACHE, load_jsonl
from matching.suggest import cpv_documents
from matching.taxonomy import default_taxonomy

SHARED = Path("/work/shared/eval")
REPO = Path(__file__).resolve().parent.parent
TASKS = ["tender2cpv_uk.dev", "tender2cpv_uk.test", "tender2cpv_ted.test", "xling_eu21.test", "xling_es2en.dev",
         "xling_es2en.test", "tender2cpv_pt.dev", "tender2cpv_pt.test"]


def texts_to_encode(corpus_path: Path = SHARED / "corpus_cpv_en.jsonl"):
    corpus = [(d["doc_id"], d["text"]) for d in load_jsonl(corpus_path)]
    tax = default_taxonomy()
    passages = [t for _, t in corpus]
    passages += [d.text for d in cpv_documents(tax, corpus, "en", ("vi",), True)]
    queries = []
    for f in ("dev", "test"):
        for row in load_jsonl(REPO / "eval" / f"env_vi_en.{f}.jsonl"):
            queries += [row["query_en"], row["query_vi"]]
    for name in TASKS:
        queries += [r["query"] for r in load_jsonl(SHARED / f"{name}.jsonl")]
    return list(dict.fromkeys(passages)), list(dict.fromkeys(queries))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--encoder", required=True)
    ap.add_argument("--chunk", type=int, default=1024)
    args = ap.parse_args()
    set_threads(1)
    enc = load_encoder(args.encoder, threads=1, cache_dir=DEFAULT_CACHE)
    passages, queries = texts_to_encode()
    for kind, texts in (("passages", passages), ("queries", queries)):
        fn = enc.encode_passages if kind == "passages" else enc.encode_queries
        t = time.perf_counter()
        for i in range(0, len(texts), args.chunk):
            fn(texts[i:i + args.chunk])
            print(f"{args.encoder} {kind} {min(i + args.chunk, len(texts))}/{len(texts)} {time.perf_counter() - t:.0f}s",
                  flush=True)


if __name__ == "__main__":
    main()
