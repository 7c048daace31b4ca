"""The FAISS side of the folder store: normalised vectors searched by inner product (= cosine).

Exact search (`IndexFlatIP`) for small corpora; HNSW (`IndexHNSWFlat`) from
`Config.hnsw_threshold` vectors on, where exact search stops being cheap. The threshold and
the HNSW parameters are Config fields, measured in benchmarks/README.md ("vector index").
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from kazrag.errors import IndexStoreError

from .base import SentenceVectors, VectorIndex

KINDS = ("flat", "hnsw")


def choose_kind(count: int, kind: str, hnsw_threshold: int) -> str:
    """ "flat" or "hnsw" for an index of `count` vectors; "auto" picks HNSW from
    `hnsw_threshold` vectors on, below which exact search is already fast enough."""
    if kind == "auto":
        return "hnsw" if count >= hnsw_threshold else "flat"
    if kind not in KINDS:
        raise IndexStoreError(f"unknown vector index kind {kind!r} (auto, {', '.join(KINDS)})")
    return kind


class FaissVectors(VectorIndex):
    def __init__(self, index: faiss.Index, ef_search: int = 512):
        self._index = index
        self.kind = "hnsw" if isinstance(index, faiss.IndexHNSWFlat) else "flat"
        if isinstance(index, faiss.IndexHNSWFlat):
            index.hnsw.efSearch = ef_search

    @classmethod
    def create(
        cls,
        dim: int,
        kind: str = "flat",
        m: int = 32,
        ef_construction: int = 200,
        ef_search: int = 512,
    ) -> FaissVectors:
        if kind == "flat":
            return cls(faiss.IndexFlatIP(dim))
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = ef_construction
            return cls(index, ef_search)
        raise IndexStoreError(f"unknown vector index kind {kind!r} ({', '.join(KINDS)})")

    @classmethod
    def build(cls, vectors: np.ndarray, settings: dict) -> FaissVectors:
        """An index of `vectors` with `settings` {kind (auto|flat|hnsw), hnsw_threshold,
        hnsw_m, hnsw_ef_construction, hnsw_ef_search}."""
        vectors = _rows(vectors)
        kind = choose_kind(
            len(vectors), settings.get("kind", "auto"), settings.get("hnsw_threshold", 100_000)
        )
        index = cls.create(
            vectors.shape[1],
            kind,
            settings.get("hnsw_m", 32),
            settings.get("hnsw_ef_construction", 200),
            settings.get("hnsw_ef_search", 512),
        )
        index.add(vectors)
        return index

    @property
    def ef_search(self) -> int | None:
        """The HNSW search effort, a query-time knob (None for an exact index, which has
        none): a larger one finds more of the true neighbours, more slowly."""
        if not isinstance(self._index, faiss.IndexHNSWFlat):
            return None
        return int(self._index.hnsw.efSearch)

    @ef_search.setter
    def ef_search(self, effort: int) -> None:
        if not isinstance(self._index, faiss.IndexHNSWFlat):
            raise IndexStoreError("an exact (flat) vector index has no search effort to set")
        if effort < 1:
            raise IndexStoreError(f"the search effort must be at least 1, not {effort}")
        self._index.hnsw.efSearch = int(effort)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        self._index.add(_rows(vectors))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        queries = _rows(np.atleast_2d(queries))
        k = min(k, len(self))
        if k <= 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        if len(queries) > 1:
            return self._index.search(queries, k)
        # One question: one OpenMP thread. Measured on 2 cores (benchmarks/README.md "FAISS
        # threads"): several threads are slower for one query, and in a server they also
        # fight ONNX Runtime's
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            return self._index.search(queries, k)
        finally:
            faiss.omp_set_num_threads(threads)

    def reconstruct(self, rows: np.ndarray) -> np.ndarray:
        return self._index.reconstruct_batch(np.asarray(rows, dtype=np.int64))

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, ef_search: int = 512) -> FaissVectors:
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:  # faiss reports truncation/corruption as RuntimeError
            lines = str(exc).strip().splitlines()
            raise IndexStoreError(
                f"{Path(path).name} is damaged ({(lines[0] if lines else 'unreadable')[:160]})"
            ) from None
        return cls(index, ef_search)


class ArraySentenceVectors(SentenceVectors):
    """Sentence vectors as one array with each chunk's first row (`offsets`, one more entry
    than chunks)."""

    def __init__(self, vectors: np.ndarray, offsets: np.ndarray):
        self.vectors = vectors
        self.offsets = np.asarray(offsets, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.vectors)

    def of_chunks(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = np.asarray(rows, dtype=np.int64)
        starts, ends = self.offsets[rows], self.offsets[rows + 1]
        counts = ends - starts
        # all the chunks' sentences in one gather: row r contributes starts[r]..ends[r]-1
        first = np.repeat(starts - np.cumsum(counts) + counts, counts)
        return self.vectors[first + np.arange(counts.sum())], counts


def _rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise ValueError(f"expected a 2-d array of vectors, got shape {vectors.shape}")
    return vectors
