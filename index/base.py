"""The interfaces every storage engine of kazrag implements.

`rag/` sees an index only through these: a `Store` writes and loads whole versions, and a
loaded `IndexVersion` answers with a `VectorIndex` (chunk vectors), `SentenceVectors` (the
vectors of each chunk's sentences), a `KeywordIndex` (BM25) and a `ChunkTable` (the chunk
records). The FAISS folder (`folder_store`) is the embedded default; a database store plugs
in behind the same classes.

Rows: chunk `i` of a version is row `i` everywhere (vectors, keyword postings, records).
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


class VectorIndex(ABC):
    """L2-normalised vectors searched by inner product (= cosine)."""

    kind: str  # "flat" (exact) or "hnsw", recorded in the manifest

    @property
    @abstractmethod
    def dim(self) -> int: ...

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def add(self, vectors: np.ndarray) -> None:
        """Append rows (a build adds every chunk once, in row order)."""

    @abstractmethod
    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows) of the k best rows per query, best first; rows -1 pad short lists."""

    @abstractmethod
    def reconstruct(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of `rows`, in that order."""

    @abstractmethod
    def save(self, path: Path) -> None: ...


class SentenceVectors(ABC):
    """The vectors of every chunk's sentences, looked up by chunk row."""

    @abstractmethod
    def __len__(self) -> int:
        """The number of sentence vectors."""

    @abstractmethod
    def of_chunks(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(vectors, counts): the sentence vectors of `rows` one chunk after another, and how
        many belong to each chunk."""


class KeywordIndex(ABC):
    """BM25 over the keyword tokens a `rag` analyzer made of each chunk."""

    @property
    @abstractmethod
    def size(self) -> int:
        """The number of chunks (rows)."""

    @abstractmethod
    def search(self, tokens: Sequence[str], k: int) -> dict[int, float]:
        """row -> BM25 score of the k best rows with a score above 0."""

    @abstractmethod
    def idf(self, tokens: Sequence[str]) -> np.ndarray:
        """Lucene IDF of each token, 0 for a token no chunk holds."""


class ChunkTable(ABC):
    """The chunk records of a version (plain dicts; `kazrag.rag.records.Chunk` reads them)."""

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def get(self, rows: Sequence[int]) -> list[dict]: ...


@dataclass(frozen=True)
class IndexVersion:
    """One complete, checked version of an index, read-only."""

    id: str  # which version: a folder name, a database version number
    location: str  # where it lives, for messages
    manifest: dict
    chunks: ChunkTable
    vectors: VectorIndex
    sentences: SentenceVectors
    keyword: KeywordIndex
    notes: tuple[str, ...] = ()  # what loading had to repair, for the user


@dataclass
class IndexContents:
    """Everything a build hands a store to write as a new version."""

    manifest: dict  # settings, documents, counts: what the index is
    records: list[dict]  # one per chunk, in row order
    chunk_vectors: np.ndarray
    sentence_vectors: np.ndarray  # the sentences of chunk 0, then of chunk 1, …
    sentence_counts: list[int]  # sentences per chunk
    keyword_tokens: list[list[str]]  # per chunk, made by the analyzer named in the manifest
    documents: list[dict]  # the documents themselves, so the corpus can change without files
    vector_settings: dict = field(default_factory=dict)  # kind, HNSW parameters


class Store(ABC):
    """Where an index lives: whole versions, written atomically, one writer at a time."""

    location: str
    format_version: int  # of what this store writes; an index of another format is rebuilt

    @abstractmethod
    def state(self) -> str:
        """ "empty" (nothing there: a first build may use it), "index" (a current version to
        load), or raises IndexStoreError when the place holds something that is no index."""

    @abstractmethod
    def current_id(self) -> str | None:
        """The current version's id, cheaply (a reader compares it to notice a new one)."""

    @abstractmethod
    def read_manifest(self) -> dict | None:
        """The current version's manifest (its own integrity checked, not yet its files), or
        None when there is no index. Enough to decide whether the index fits the settings."""

    @abstractmethod
    def load(self) -> IndexVersion: ...

    @abstractmethod
    def write(self, contents: IndexContents) -> str:
        """Write a new version and make it current in one step; return its id."""

    @abstractmethod
    def load_documents(self) -> list[dict]:
        """The documents stored with the current version (read only when the corpus
        changes or the index is rebuilt from them)."""

    @abstractmethod
    def writer_lock(self) -> contextlib.AbstractContextManager[None]:
        """Held around read-modify-write of the corpus: writers queue, readers never wait."""

    def describe(self) -> dict:
        """Facts for `kazrag index info` beyond the manifest (size on disk, say)."""
        return {}
