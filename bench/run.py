"""Speed and scale benchmark of the matching engine with the real model (one thread), printing a table.

    python -m bench.run [--sizes 10000,100000,1000000] [--encoder minilm] [--queries 200]

* ingest: documents/s through Engine.upsert (encode + BM25 + vector index) vs the raw encoder on the same texts;
* match latency p50/p99 (query encoding + dense & BM25 retrieval + fusion + hard filters + reasons) at each size,
  with FAISS (the engine's default index: exact flat below 50k, IVF above) and NumPy brute force as the reference;
* recall@10 of the FAISS index against exact search on the same query vectors, and index memory per document.

Texts are synthetic but realistic tender/product descriptions (English and Vietnamese) built from CPV labels.
Only `--pool` texts are really encoded: larger collections reuse pool texts for BM25 and get
random-but-realistic vectors (normalise(a*pool[i] + b*pool[j] + noise)), which is stated in the output.
"""
from __future__ import annotations

import argparse
import gc
import random
import resource
import time
from datetime import datetime, timezone

import numpy as np

from matching import Document, Engine
from matching.encoders import load_encoder, set_threads
from matching.taxonomy import default_taxonomy
from matching.vector_index import FaissIndex, NumpyIndex

PROVINCES = ["Hà Nội", "TP. Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Bình Dương", "Đồng Nai", "Quảng Ninh",
             "Bắc Ninh", "Khánh Hòa", "Nghệ An", "Thanh Hóa"]
EN_TEMPLATES = [
    "Supply and installation of {a} for the {org} in {prov}. Scope includes {b}, commissioning and two years of maintenance.",
    "{org} invites bids for {a}. The contractor shall provide {b} and training of operators.",
    "Framework agreement: {a} and {b} for industrial parks in {prov}.",
    "We manufacture {a} with {b}; ISO 14001 certified, delivery across Vietnam.",
]
VI_TEMPLATES = [
    "Cung cấp và lắp đặt {a} cho {org} tại {prov}. Bao gồm {b}, chạy thử và bảo trì hai năm.",
    "{org} mời thầu gói {a}. Nhà thầu cung cấp {b} và đào tạo vận hành.",
    "Doanh nghiệp sản xuất {a}, kèm {b}; giao hàng toàn quốc, đạt chứng nhận ISO 14001.",
]
ORGS = ["Ban quản lý khu công nghiệp", "Công ty Môi trường Đô thị", "Sở Tài nguyên và Môi trường", "city water utility",
        "provincial hospital", "industrial park authority", "Công ty Cấp thoát nước"]


def synthetic_texts(n: int, seed: int = 0) -> list[tuple[str, tuple[str, ...], str]]:
    """(text, codes, language) tuples built from CPV labels (Vietnamese labels where the team wrote them)."""
    tax = default_taxonomy()
    rnd = random.Random(seed)
    codes = list(tax.codes)
    vi_codes = [c for c in codes if tax.has_label(c, "vi")]
    out = []
    for i in range(n):
        if i % 3 == 0 and vi_codes:
            a, b = rnd.choice(vi_codes), rnd.choice(vi_codes)
            text = rnd.choice(VI_TEMPLATES).format(a=tax.label(a, "vi").lower(), b=tax.label(b, "vi").lower(),
                                                   org=rnd.choice(ORGS), prov=rnd.choice(PROVINCES))
            lang = "vi"
        else:
            a, b = rnd.choice(codes), rnd.choice(codes)
            text = rnd.choice(EN_TEMPLATES).format(a=tax.label(a).lower(), b=tax.label(b).lower(),
                                                   org=rnd.choice(ORGS), prov=rnd.choice(PROVINCES))
            lang = "en"
        out.append((text, (a, b), lang))
    return out


def make_docs(rows, n: int, offset: int = 0) -> list[Document]:
    rnd = random.Random(1)
    docs = []
    for i in range(n):
        text, codes, lang = rows[i % len(rows)]
        docs.append(Document("tender" if i % 2 else "product", f"doc:{offset + i}", text, codes,
                             {"province": PROVINCES[i % len(PROVINCES)], "status": "open" if i % 5 else "closed",
                              "budget": rnd.randrange(10, 10_000) * 1_000_000}, language=lang))
    return docs


def synthetic_vectors(pool: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """Random but realistic unit vectors: mixtures of two real embeddings plus a little noise."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, pool.shape[1]), np.float32)
    for s in range(0, n, 100_000):
        m = min(100_000, n - s)
        i, j = rng.integers(0, len(pool), m), rng.integers(0, len(pool), m)
        a = rng.uniform(0.6, 1.0, (m, 1)).astype(np.float32)
        v = a * pool[i] + (1 - a) * pool[j] + rng.normal(0, 0.02, (m, pool.shape[1])).astype(np.float32)
        out[s:s + m] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


def pct(xs, p) -> float:
    return float(np.percentile(np.asarray(xs) * 1000, p))


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_ingest(enc, rows, n: int, batch: int = 1000) -> dict:
    texts = [t for t, _, _ in rows[:n]]
    enc.encode_passages(texts[:64])  # warm-up
    t = time.perf_counter()
    enc.encode_passages(texts)
    raw = n / (time.perf_counter() - t)
    engine = Engine(enc)
    docs = make_docs(rows, n, offset=10_000_000)
    t = time.perf_counter()
    for s in range(0, n, batch):
        engine.upsert(docs[s:s + batch])
    ing = n / (time.perf_counter() - t)
    return {"raw_docs_s": raw, "ingest_docs_s": ing, "ratio": ing / raw}


def measure_size(enc, rows, pool_vecs, size: int, queries: list[str], nprobe_grid) -> list[dict]:
    docs = make_docs(rows, size)
    real = min(size, len(pool_vecs))
    vecs = pool_vecs[:real] if size <= len(pool_vecs) else np.vstack(
        [pool_vecs, synthetic_vectors(pool_vecs, size - len(pool_vecs))])
    qv = enc.encode_queries(queries)
    out = []
    exact_ids = None
    for backend in ("numpy", "faiss"):
        gc.collect()
        before = rss_mb()
        t = time.perf_counter()
        factory = NumpyIndex if backend == "numpy" else (lambda d: FaissIndex(d))
        engine = Engine(enc, index_factory=factory)
        for s in range(0, size, 200_000):
            engine.upsert(docs[s:s + 200_000], vectors=vecs[s:s + 200_000]) if size > 200_000 else None
        if size <= 200_000:
            engine.upsert(docs, vectors=vecs)
        build = time.perf_counter() - t
        mem = (rss_mb() - before) * 2**20 / size
        idx = engine.index
        ids = idx.search(qv, 10)[1]
        if backend == "numpy":
            exact_ids = ids
        settings = [None] if backend == "numpy" or getattr(idx, "kind", "flat") == "flat" else nprobe_grid
        for nprobe in settings:
            if nprobe is not None:
                idx._index.nprobe = nprobe
                ids = idx.search(qv, 10)[1]
            recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, exact_ids)]))
            lat = []
            for q in queries:
                t = time.perf_counter()
                engine.search(q, k=10, filters={"status": "open"}, kinds=("tender", "product"))
                lat.append(time.perf_counter() - t)
            enc_lat = []
            for q in queries[:50]:
                t = time.perf_counter()
                enc.encode_queries([q])
                enc_lat.append(time.perf_counter() - t)
            label = backend if nprobe is None else f"faiss-{getattr(idx, 'kind', '')} nprobe={nprobe}"
            if backend == "faiss" and nprobe is None:
                label = f"faiss-{idx.kind}"
            row = {"size": size, "index": label, "p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99),
                   "encode_p50_ms": pct(enc_lat, 50), "recall@10": recall, "build_s": build,
                   "index_bytes_per_doc": idx.memory_bytes() / size, "rss_bytes_per_doc": mem,
                   "synthetic_vectors": max(0, size - len(pool_vecs))}
            out.append(row)
            print(fmt_row(row), flush=True)
        del engine, idx
        gc.collect()
    return out


HEADER = ("| docs | index | p50 ms | p99 ms | query encode p50 ms | recall@10 vs exact | build s | index B/doc | RSS B/doc |"
          "\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |")


def fmt_row(r: dict) -> str:
    return (f"| {r['size']:,} | {r['index']} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['encode_p50_ms']:.1f} | "
            f"{r['recall@10']:.3f} | {r['build_s']:.0f} | {r['index_bytes_per_doc']:.0f} | {r['rss_bytes_per_doc']:.0f} |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run")
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--encoder", default="minilm")
    ap.add_argument("--pool", type=int, default=10000, help="texts really encoded (the rest reuse them)")
    ap.add_argument("--ingest", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--ingest-batch", type=int, default=1000, help="documents per Engine.upsert call")
    ap.add_argument("--nprobe", default="16,32,64,128")
    args = ap.parse_args(argv)
    set_threads(1)
    enc = load_encoder(args.encoder, threads=1)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rows = synthetic_texts(max(args.pool, args.ingest))
    print(f"# matching bench {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, encoder {enc.model_id}, 1 thread", flush=True)
    ing = measure_ingest(enc, rows, args.ingest, args.ingest_batch)
    print(f"ingest ({args.ingest} docs, upsert batches of {args.ingest_batch}): raw encoder {ing['raw_docs_s']:.1f} docs/s, Engine.upsert "
          f"{ing['ingest_docs_s']:.1f} docs/s = {100 * ing['ratio']:.1f} % of raw", flush=True)
    t = time.perf_counter()
    pool = enc.encode_passages([t for t, _, _ in rows[:args.pool]])
    print(f"pool: {args.pool} texts encoded in {time.perf_counter() - t:.0f}s; sizes above the pool use "
          f"synthetic vectors (mixtures of pool embeddings + noise) and reuse pool texts for BM25", flush=True)
    qrows = synthetic_texts(args.queries, seed=99)
    queries = [t.split(".")[0] for t, _, _ in qrows]  # a title-like sentence, as typed in search
    print(HEADER, flush=True)
    allrows = []
    for size in sizes:
        allrows += measure_size(enc, rows, pool, size, queries, [int(x) for x in args.nprobe.split(",")])
    print("\n" + HEADER)
    for r in allrows:
        print(fmt_row(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
