"""FAISS exact (flat) vs HNSW on the passage vectors of an index: recall and latency.

Ground truth is exact inner-product search. Queries are the real question embeddings of the
reports dev set and the KazQAD dev set. recall@k = share of the exact top-k found by HNSW's
top-k, averaged over questions; k = 10 (the issue's target, >= 0.95) and k = 100 (what the
retriever asks FAISS for: `Config.candidates`). Latency is one question at a time, as served.
Exact-search latency is also measured on growing prefixes of the vectors, which is what the
`hnsw_threshold` is chosen by.

    python benchmarks/vector_index.py --index-dir /tmp/kazrag-bench/synth-100k/index
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import faiss
import numpy as np
from common import announce, summary_ms, write_results
from query_latency import questions


def latencies(index, queries: np.ndarray, k: int) -> list[float]:
    """One question at a time through kazrag's own search (one OpenMP thread per search)."""
    from kazrag.index import vectors as vector_index

    out = []
    for q in queries:
        t = time.perf_counter()
        vector_index.search(index, q, k)
        out.append(time.perf_counter() - t)
    return out


def recall(found: np.ndarray, truth: np.ndarray, k: int) -> float:
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--m", default="32", help="HNSW M values")
    parser.add_argument("--ef-construction", type=int, default=200)
    parser.add_argument("--ef-search", default="128,256,512,1024")
    parser.add_argument("--out")
    args = parser.parse_args()

    import numpy as np

    from kazrag.index.folder_store import FolderStore
    from kazrag.rag.config import Config
    from kazrag.rag.embedding import load_embedder

    info = announce("vector_index")
    stored = FolderStore(Path(args.index_dir)).load()
    vectors = stored.vectors.reconstruct(np.arange(len(stored.vectors)))
    n, dim = vectors.shape
    queries = load_embedder(Config()).encode_queries(questions(0))
    print(
        f"{n} vectors ({stored.manifest.get('model')}), {len(queries)} real question vectors",
        flush=True,
    )
    results = {
        "vectors": int(n),
        "dim": int(dim),
        "questions": int(len(queries)),
        "source": stored.manifest.get("synthetic_note", stored.location),
        "flat_by_size": {},
        "hnsw": [],
    }
    for size in sorted({s for s in (10_000, 25_000, 50_000, 100_000, n) if s <= n}):
        flat = faiss.IndexFlatIP(dim)
        flat.add(vectors[:size])
        results["flat_by_size"][size] = summary_ms(latencies(flat, queries, 100))
        print(f"  flat {size:7d}: p50 {results['flat_by_size'][size]['p50_ms']} ms", flush=True)
    flat = faiss.IndexFlatIP(dim)
    flat.add(vectors)
    _, truth = flat.search(queries, 100)
    for m in map(int, args.m.split(",")):
        hnsw = faiss.IndexHNSWFlat(dim, m, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = args.ef_construction
        t = time.perf_counter()
        hnsw.add(vectors)
        build_s = time.perf_counter() - t
        for ef in map(int, args.ef_search.split(",")):
            hnsw.hnsw.efSearch = ef
            _, found = hnsw.search(queries, 100)
            row = {
                "M": m,
                "efConstruction": args.ef_construction,
                "efSearch": ef,
                "build_seconds": round(build_s, 1),
                "recall@10": round(recall(found, truth, 10), 4),
                "recall@100": round(recall(found, truth, 100), 4),
                "latency_top100": summary_ms(latencies(hnsw, queries, 100)),
            }
            results["hnsw"].append(row)
            print(
                f"  hnsw M={m} efC={args.ef_construction} efS={ef}: recall@10 {row['recall@10']} "
                f"recall@100 {row['recall@100']} p50 {row['latency_top100']['p50_ms']} ms "
                f"(build {row['build_seconds']} s)",
                flush=True,
            )
    write_results("vector_index", info, results, args.out)


if __name__ == "__main__":
    main()
