"""What `--ef-search` buys: HNSW recall@10 and search time by effort, at sizes past the demo.

The same synthetic chunk vectors and queries as `store_queries.py` (its `synthetic` and its
query recipe, so recall at the default effort matches that script's figure), one FAISS HNSW
index built with kazrag's defaults (`FaissVectors.build`: M 32, efConstruction 200), then
each effort in turn: recall@10 against exact search and the p50 of one query asking for the
100 candidates `Retriever.rank` asks for, one thread (as a serving process answers).

    python benchmarks/hnsw_ef_search.py --sizes 300000,1000000
"""

from __future__ import annotations

import argparse
import time

import faiss
import numpy as np
from common import announce, summary_ms, write_results
from store_queries import CANDIDATES, query_vectors, synthetic, top10

from kazrag.index.faiss_vectors import FaissVectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="300000,1000000")
    parser.add_argument("--efforts", default="512,1024,2048,4096,8192")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out")
    args = parser.parse_args()
    info = announce("hnsw_ef_search")
    results: dict = {}
    for n in [int(s) for s in args.sizes.split(",")]:
        contents, rng = synthetic(n)
        queries = query_vectors(contents, rng, args.queries)  # those of store_queries.py
        exact = top10(queries, contents.chunk_vectors)
        started = time.perf_counter()
        index = FaissVectors.build(contents.chunk_vectors, {"kind": "hnsw"})
        built = time.perf_counter() - started
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        row: dict = {"build_seconds": round(built, 1)}
        for effort in [int(e) for e in args.efforts.split(",")]:
            index.ef_search = effort
            seconds, found = [], []
            for query in queries:
                t = time.perf_counter()
                _, rows = index.search(query[None], CANDIDATES)
                seconds.append(time.perf_counter() - t)
                found.append(rows[0][:10])
            recall = float(np.mean([len(set(e) & set(f)) / 10 for e, f in zip(exact, found)]))
            row[str(effort)] = dict(summary_ms(seconds), recall_at_10=round(recall, 4))
            print(f"{n:>9,} passages  ef_search {effort:>5}  recall@10 {recall:.3f}  "
                  f"p50 {row[str(effort)]['p50_ms']} ms", flush=True)  # fmt: skip
        faiss.omp_set_num_threads(threads)
        results[str(n)] = row
        del contents, index
    print(write_results("hnsw_ef_search", info, results, args.out))


if __name__ == "__main__":
    main()
