"""Where a question's time goes in the PostgreSQL store: each statement it runs, timed and
explained.

For an index written by `store_queries.py` (schema `bench_N`, synthetic rows), each of the
store calls one question makes in `Retriever.rank` (the BM25 candidates, the vector search,
the candidates' vectors and sentence vectors, the tokens' IDF) is timed alone over the
queries, and PostgreSQL's `EXPLAIN (ANALYZE, BUFFERS)` of its statement is printed for the
first query: what grows with the corpus shows there (a scan, an aggregate, a sort).

    python benchmarks/store_profile.py --dsn postgresql://…/db --size 100000
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import announce, summary_ms, write_results
from psycopg import sql
from store_queries import CANDIDATES, DIM, VOCAB, synthetic

from kazrag.index.postgres_store import PostgresStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--out")
    args = parser.parse_args()
    info = announce("store_profile")
    n = args.size
    contents, rng = synthetic(n)
    store = PostgresStore(args.dsn, schema=f"bench_{n}", connections=2)
    if store.state() != "index":
        store.write(contents)
    version = store.load()
    # the queries store_queries.py asks, drawn the same way
    picks = rng.integers(0, n, args.queries)
    vectors = contents.chunk_vectors[picks] + 0.3 * rng.normal(size=(args.queries, DIM)).astype(
        np.float32
    )
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    tokens = [
        [f"t{t}" for t in row]
        for row in np.minimum(rng.zipf(1.2, size=(args.queries, 8)), VOCAB).tolist()
    ]
    del contents
    candidates = []
    for q, t in zip(vectors, tokens):
        _, rows = version.vectors.search(q, CANDIDATES)
        found = np.fromiter(version.keyword.search(t, CANDIDATES), np.int64)
        candidates.append(np.unique(np.concatenate([rows[0], found])))
    steps = {
        "keyword.search": lambda i: version.keyword.search(tokens[i], CANDIDATES),
        "vectors.search": lambda i: version.vectors.search(vectors[i], CANDIDATES),
        "vectors.reconstruct": lambda i: version.vectors.reconstruct(candidates[i]),
        "sentences.of_chunks": lambda i: version.sentences.of_chunks(candidates[i]),
        "keyword.idf": lambda i: version.keyword.idf(tokens[i]),
    }
    results: dict = {"size": n, "steps": {}}
    for name, step in steps.items():
        for i in range(min(10, args.queries)):
            step(i)  # warm
        seconds = []
        for i in range(args.queries):
            started = time.perf_counter()
            step(i)
            seconds.append(time.perf_counter() - started)
        results["steps"][name] = summary_ms(seconds)
        print(f"{name:22} {results['steps'][name]}", flush=True)
    number = int(version.id)
    chunks = store._t("chunks", number)
    plans = {
        "vectors.search": (
            sql.SQL(
                "SELECT row, -(embedding <#> %s) FROM {} ORDER BY embedding <#> %s LIMIT %s"
            ).format(chunks),
            (vectors[0], vectors[0], CANDIDATES),
        ),
        "vectors.reconstruct": (
            sql.SQL("SELECT row, embedding FROM {} WHERE row = ANY(%s)").format(chunks),
            (candidates[0].tolist(),),
        ),
        "sentences.of_chunks": (
            sql.SQL("SELECT row, sentence_vectors FROM {} WHERE row = ANY(%s)").format(chunks),
            (candidates[0].tolist(),),
        ),
    }
    terms = store._t("terms", number)
    plans["keyword.search"] = (
        sql.SQL("SELECT term, rows, scores FROM {} WHERE term = ANY(%s)").format(terms),
        (sorted(set(tokens[0])),),
    )
    plans["keyword.idf"] = (
        sql.SQL("SELECT term, df FROM {} WHERE term = ANY(%s)").format(terms),
        (tokens[0],),
    )
    results["plans"] = {}
    for name, (statement, params) in plans.items():
        plan = store.read(
            lambda conn, s=statement, p=params: [
                r[0] for r in conn.execute(sql.SQL("EXPLAIN (ANALYZE, BUFFERS) ") + s, p)
            ]
        )
        results["plans"][name] = plan
        print(f"--- {name}\n" + "\n".join(plan), flush=True)
    write_results("store_profile", info, results, args.out)


if __name__ == "__main__":
    main()
