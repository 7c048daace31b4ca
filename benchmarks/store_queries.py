"""What one question costs each store, at corpus sizes one machine's demo never reaches.

The same synthetic index is written to the FAISS folder and to PostgreSQL (pgvector), then
every query does what `Retriever.rank` asks of a store (the question embedding left out):
the 100 nearest chunk vectors, the 100 best BM25 passages, the stored vectors and sentence
vectors of all those candidates, the tokens' IDF. Warm p50/p95 over the queries, recall@10
of each store's vector search against exact search, the write time, the memory of this
process after loading each store, and the PostgreSQL server's own memory and disk.

Synthetic, said plainly: vectors are unit vectors around 2,000 random centres (embeddings
cluster by topic; uniform random vectors would make HNSW look worse than it is), two
sentences per chunk, 60 keyword tokens per chunk drawn Zipf-like from 50,000 terms; queries
are perturbed chunk vectors and 8 tokens from the same law. Store settings are kazrag's
defaults: exact search below `Config.hnsw_threshold` (100,000) chunks, HNSW from it.

    python benchmarks/store_queries.py --sizes 10000,100000            # starts a throwaway server
    python benchmarks/store_queries.py --sizes 10000 --dsn postgresql://kazrag@db/bench
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
from common import ROOT, announce, summary_ms, write_results

from kazrag.index.base import IndexContents
from kazrag.index.folder_store import FolderStore
from kazrag.index.postgres_store import PostgresStore
from kazrag.rag.config import Config

DIM, VOCAB, TOKENS, CANDIDATES = 384, 50_000, 60, 100


def synthetic(n: int, seed: int = 0) -> tuple[IndexContents, np.random.Generator]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(2000, DIM)).astype(np.float32)
    vectors = centres[rng.integers(0, 2000, n)]
    noise(rng, vectors, 0.6)
    sentences = np.repeat(vectors, 2, axis=0)
    noise(rng, sentences, 0.1)
    terms = np.minimum(rng.zipf(1.2, size=(n, TOKENS)), VOCAB)
    names = [f"t{t}" for t in range(VOCAB + 1)]  # one string per term, shared by every chunk
    config = Config()
    return (
        IndexContents(
            manifest={
                "chunks": n,
                "sentences": 2 * n,
                "dim": DIM,
                "model": "synthetic",
                "documents": {"synthetic": {"sha256": str(seed), "chunks": n}},
                "keyword": {"k1": config.bm25_k1, "b": config.bm25_b},
            },
            records=[{"chunk_id": i, "doc": "synthetic", "text": f"chunk {i}"} for i in range(n)],
            chunk_vectors=vectors,
            sentence_vectors=sentences,
            sentence_counts=[2] * n,
            keyword_tokens=[[names[t] for t in row] for row in terms.tolist()],
            documents=[{"doc_id": "synthetic"}],
            vector_settings={
                "kind": config.vector_index,
                "hnsw_threshold": config.hnsw_threshold,
                "hnsw_m": config.hnsw_m,
                "hnsw_ef_construction": config.hnsw_ef_construction,
                "hnsw_ef_search": config.hnsw_ef_search,
            },
        ),
        rng,
    )


def noise(rng: np.random.Generator, vectors: np.ndarray, scale: float) -> None:
    """Adds `scale` times normal noise to `vectors` and normalises them, in place, a block of
    rows at a time: the same numbers as one draw of the whole (the generator's stream is
    consumed in the same order), without its float64 copy (6 GB at 1,000,000 passages)."""
    for start in range(0, len(vectors), 100_000):
        block = vectors[start : start + 100_000]
        block += scale * rng.normal(size=block.shape).astype(np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)


def query_vectors(contents: IndexContents, rng: np.random.Generator, count: int) -> np.ndarray:
    """`count` questions' vectors: chunk vectors picked at random, perturbed, normalised."""
    picks = rng.integers(0, len(contents.chunk_vectors), count)
    queries = contents.chunk_vectors[picks] + 0.3 * rng.normal(size=(count, DIM)).astype(np.float32)
    return queries / np.linalg.norm(queries, axis=1, keepdims=True)


def top10(queries: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Exact search: the 10 best rows of each query (as a set: recall@10 ignores order), 25
    queries at a time (their scores against 1,000,000 vectors: 100 MB)."""
    return np.concatenate(
        [
            np.argpartition(-(queries[i : i + 25] @ vectors.T), 10, axis=1)[:, :10]
            for i in range(0, len(queries), 25)
        ]
    )


def one_question(version, vector: np.ndarray, tokens: list[str]) -> None:
    """The store's part of `Retriever.rank` for one question."""
    keyword = version.keyword.search(tokens, CANDIDATES)
    _, rows = version.vectors.search(vector, CANDIDATES)
    candidates = np.unique(np.concatenate([rows[0][rows[0] >= 0], np.fromiter(keyword, np.int64)]))
    version.vectors.reconstruct(candidates)
    version.sentences.of_chunks(candidates)
    version.keyword.idf(tokens)


def measure(version, queries, token_lists, exact) -> dict:
    for q, t in zip(queries[:20], token_lists[:20]):  # warm caches (and PostgreSQL's buffers)
        one_question(version, q, t)
    seconds = []
    for q, t in zip(queries, token_lists):
        started = time.perf_counter()
        one_question(version, q, t)
        seconds.append(time.perf_counter() - started)
    _, found = version.vectors.search(queries, 10)
    recall = float(np.mean([len(set(e) & set(f)) / 10 for e, f in zip(exact, found)]))
    return dict(summary_ms(seconds), recall_at_10=round(recall, 4), kind=version.vectors.kind)


def postgres_memory(port: int | None) -> dict:
    """Resident memory of the PostgreSQL server's processes (the postmaster and backends)."""
    total = 0
    for proc in psutil.process_iter(["name", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            if proc.info["name"] == "postgres" and (
                port is None
                or any(str(port) in part for part in proc.info["cmdline"] or [])
                or proc.parent()
                and str(port) in " ".join(proc.parent().cmdline())
            ):
                total += proc.memory_info().rss
    return {"postgres_rss_mb": round(total / 2**20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--dsn", help="a PostgreSQL database with pgvector (default: start one)")
    parser.add_argument(
        "--build-memory",
        default="1GB",
        help="the server's maintenance_work_mem while it builds the HNSW graph (4GB for "
        "1,000,000 passages: the graph has to fit, or pgvector builds it far more slowly)",
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    info = announce("store_queries")
    results: dict = {"sizes": {}}
    with contextlib.ExitStack() as stack:
        dsn, port = args.dsn, None
        if dsn is None:
            sys.path.insert(0, str(ROOT / "tests"))
            from infra import pg_cluster

            cluster = stack.enter_context(pg_cluster())
            cluster.replica.stop("immediate")  # not measured here
            # room for the HNSW graph while it is built, as a DBA would give
            dsn = (
                cluster.primary.dsn() + f"?options=-c%20maintenance_work_mem%3D{args.build_memory}"
            )
            port = cluster.primary.port
        tmp = Path(tempfile.mkdtemp(prefix="kazrag-bench-stores-"))
        stack.callback(shutil.rmtree, tmp, True)
        for n in [int(s) for s in args.sizes.split(",")]:
            contents, rng = synthetic(n)
            queries = query_vectors(contents, rng, args.queries)
            token_lists = [
                [f"t{t}" for t in row]
                for row in np.minimum(rng.zipf(1.2, size=(args.queries, 8)), VOCAB).tolist()
            ]
            exact = top10(queries, contents.chunk_vectors)
            row: dict = {}
            process = psutil.Process()
            for name, store in (
                ("faiss_folder", FolderStore(tmp / f"index-{n}")),
                ("postgresql", PostgresStore(dsn, schema=f"bench_{n}", connections=2)),
            ):
                started = time.perf_counter()
                store.write(contents)
                written = time.perf_counter() - started
                before = process.memory_info().rss
                version = store.load()
                loaded = process.memory_info().rss
                row[name] = dict(
                    measure(version, queries, token_lists, exact),
                    write_s=round(written, 1),
                    load_rss_mb=round((loaded - before) / 2**20, 1),
                    size_mb=round(store.describe().get("size_bytes", 0) / 2**20, 1),
                )
                print(f"{n:>9,} {name:13} {row[name]}", flush=True)
                del version
            row["postgresql"].update(postgres_memory(port))
            row["process_peak_rss_mb"] = round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
            )
            results["sizes"][str(n)] = row
    write_results("store_queries", info, results, args.out)


if __name__ == "__main__":
    main()
