"""Warm query latency of an index: bm25, dense, hybrid retrieval and the full `ask`.

Questions are the reports dev set and the KazQAD dev questions (Kazakh, Russian, English).
Every question is asked once per mode after a warm-up; p50/p95 are over the questions. The
parts are timed on their own too: the question embedding, the keyword scores (bm25s
`get_scores` over every passage) and the FAISS search. Peak resident memory of this process is reported at the end.

    python benchmarks/query_latency.py --index-dir /tmp/kazrag-bench/bundled     # builds it if missing
    python benchmarks/query_latency.py --index-dir /tmp/kazrag-bench/synth-100k/index --label synth-100k
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from common import KAZQAD, ROOT, announce, dir_size, summary_ms, write_results


def questions(limit: int) -> list[str]:
    texts = []
    for path in (ROOT / "eval/sets/reports-dev.jsonl", KAZQAD / "questions-dev.jsonl"):
        with open(path, encoding="utf-8") as handle:
            texts += [json.loads(line)["question"] for line in handle if line.strip()]
    return texts[:limit] if limit else texts


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--label", default="bundled")
    parser.add_argument("--backend", help="Config.embed_backend (default: the Config default)")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N questions")
    parser.add_argument(
        "--unmerged",
        action="store_true",
        help="every chunk its own passage (Config.merge_neighbours off), for comparison",
    )
    parser.add_argument("--out")
    args = parser.parse_args()

    from kazrag.rag.config import Config
    from kazrag.rag.embedding import load_embedder
    from kazrag.rag.engine import Kazrag

    info = announce(f"query_latency {args.label}")
    config = Config(index_dir=Path(args.index_dir)).with_(embed_backend=args.backend)
    if args.unmerged:
        config = config.with_(merge_neighbours=False)
    t = time.perf_counter()
    engine = Kazrag.open(config)  # an empty folder gets the bundled corpus
    open_s = time.perf_counter() - t
    version = engine.snapshot.version
    qs = questions(args.limit)
    for q in qs[:5]:  # warm-up: lazy loads, first FAISS pages, allocator
        engine.ask(q)
    manifest = version.manifest
    print(
        f"index {version.location}: {manifest['chunks']} chunks, "
        f"{manifest.get('vector_index')} vectors, model {manifest['model']}; "
        f"{len(qs)} questions",
        flush=True,
    )

    results = {
        "label": args.label,
        "chunks": manifest["chunks"],
        "sentences": manifest["sentences"],
        "model": manifest["model"],
        "vector_index": manifest.get("vector_index"),
        "questions": len(qs),
        "open_seconds": round(open_s, 1),
        "index_bytes_per_passage": round(dir_size(version.location) / manifest["chunks"]),
        "latency": {},
        "parts": {},
    }
    for mode in ("bm25", "dense", "hybrid"):
        results["latency"][mode] = summary_ms(
            timed(lambda q, mode=mode: engine.search(q, mode=mode), qs)
        )
    results["latency"]["ask"] = summary_ms(timed(engine.ask, qs))

    embedder = load_embedder(config)
    vectors = embedder.encode_queries(qs)
    results["parts"]["embed_query"] = summary_ms(timed(lambda q: embedder.encode_queries([q]), qs))
    tokens = [engine.snapshot.retriever.tokens(q) for q in qs]
    results["parts"]["keyword_search_top100"] = summary_ms(
        timed(lambda t: version.keyword.search(t, config.candidates), tokens)
    )
    results["parts"]["faiss_search_top100"] = summary_ms(
        timed(lambda v: version.vectors.search(v, config.candidates), vectors)
    )
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    for name, figures in {**results["latency"], **results["parts"]}.items():
        print(
            f"  {name:34s} p50 {figures['p50_ms']:8.2f} ms   p95 {figures['p95_ms']:8.2f} ms",
            flush=True,
        )
    print(f"  peak RSS {results['peak_rss_mb']} MB", flush=True)
    write_results(f"query_latency_{args.label}", info, results, args.out)


if __name__ == "__main__":
    main()
