"""The FAISS side of an index: normalised vectors searched by inner product (= cosine).

Exact search for small corpora; HNSW above `hnsw_threshold` vectors, where exact search
stops being cheap (the threshold and HNSW settings are measured in benchmarks/).
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

# Measured on 120,000 passage vectors with 318 real questions (benchmarks/README.md): exact
# search of one question costs 3.2 ms at 50,000 vectors and 6.5 ms at 100,000, so exactness
# is cheap up to there; HNSW M=32 needs efConstruction 200 (efConstruction 80 reached recall@10 0.94 even at
# efSearch 256) and efSearch 512 gives recall@10 0.99 / recall@100 0.98 in 1.2 ms.
HNSW_THRESHOLD = 100_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 512


class VectorIndexError(Exception):
    pass


KINDS = ("auto", "flat", "hnsw")


def choose_kind(count: int, kind: str = "auto", hnsw_threshold: int = HNSW_THRESHOLD) -> str:
    """"flat" (exact) or "hnsw" for an index of `count` vectors; "auto" picks HNSW from
    `hnsw_threshold` vectors on, below which exact search is already fast enough."""
    if kind not in KINDS:
        raise VectorIndexError(f"unknown vector index kind {kind!r} ({', '.join(KINDS)})")
    if kind != "auto":
        return kind
    return "hnsw" if count >= hnsw_threshold else "flat"


def build(vectors: np.ndarray, kind: str = "auto", hnsw_threshold: int = HNSW_THRESHOLD):
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise VectorIndexError(f"expected a 2-d array of vectors, got shape {vectors.shape}")
    dim = vectors.shape[1]
    kind = choose_kind(len(vectors), kind, hnsw_threshold)
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    else:
        raise VectorIndexError(f"unknown vector index kind {kind!r} (auto, flat, hnsw)")
    index.add(vectors)
    _tune(index)
    return index


def _tune(index) -> None:
    if isinstance(index, faiss.IndexHNSWFlat):
        index.hnsw.efSearch = HNSW_EF_SEARCH


def kind_of(index) -> str:
    return "hnsw" if isinstance(index, faiss.IndexHNSWFlat) else "flat"


def write(index, path: Path) -> None:
    faiss.write_index(index, str(path))


def read(path: Path):
    try:
        index = faiss.read_index(str(path))
    except RuntimeError as exc:  # faiss reports truncation/corruption as RuntimeError
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        raise VectorIndexError(f"{path.name} is damaged ({first_line[:160]})") from None
    _tune(index)
    return index


def search(index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
    k = min(k, index.ntotal)
    if k <= 0:
        empty = np.zeros((len(queries), 0))
        return empty.astype(np.float32), empty.astype(np.int64)
    if len(queries) > 1:
        return index.search(queries, k)
    # One question: one OpenMP thread. Measured on 2 cores, exact search of 100,000 vectors
    # takes 6.6 ms on one thread and 14.7 ms on two, and in a server its threads also fight
    # ONNX Runtime's (12,000 vectors: 7 ms instead of 1 ms).
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        return index.search(queries, k)
    finally:
        faiss.omp_set_num_threads(threads)
