"""The keyword side of the folder store: BM25 (bm25s) over token lists made by the caller.

Tokenisation is not done here: the caller passes the tokens of its keyword analyzer
(`kazrag.rag.analysis`), the same one for passages and questions, as bm25s leaves the
tokenizer pluggable.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

import bm25s
import numpy as np

from .base import KeywordIndex

# bm25s sets its own logger to DEBUG; once any library installs a root handler (ONNX Runtime's
# quantiser does) its build notes would reach the user's terminal
logging.getLogger("bm25s").setLevel(logging.WARNING)


def summed(columns: Sequence[tuple[np.ndarray, np.ndarray]], size: int) -> np.ndarray:
    """BM25 score of every passage for one question, from the (rows, scores) posting list of
    each of its known tokens, repeats counted: the sum of bm25s's stored float32 scores.
    Summed in float64, where a sum of a few float32 terms is exact whatever their order
    (unless they lie more than 2^29 apart), so both stores, adding up the same stored scores
    here, get the very same number, and passages of equal score tie, to be ordered the same
    way (`best`). bm25s's own float32 sums differed from the database's in the last bit and
    so broke such ties differently."""
    if not columns:
        return np.zeros(size, dtype=np.float64)
    # bincount adds its weights in float64
    return np.bincount(
        np.concatenate([rows for rows, _ in columns]),
        weights=np.concatenate([scores for _, scores in columns]),
        minlength=size,
    )


def best(scores: np.ndarray, k: int) -> dict[int, float]:
    """The `k` best passages with a score above 0, best first; equal scores in passage order
    (lowest row first), also at the k-th place."""
    if k <= 0:
        return {}
    kth = np.partition(scores, len(scores) - k)[len(scores) - k] if k < len(scores) else 0
    found = np.flatnonzero(scores >= kth) if kth > 0 else np.flatnonzero(scores > 0)
    order = np.lexsort((found, -scores[found]))[:k]
    return {int(r): float(scores[r]) for r in found[order]}


class Bm25Index(KeywordIndex):
    def __init__(self, retriever: bm25s.BM25):
        self._bm25 = retriever
        self.vocab: dict[str, int] = retriever.vocab_dict
        indptr = retriever.scores["indptr"]
        self._df = np.diff(indptr)  # CSC: one column per token -> the passages holding it

    @classmethod
    def build(cls, token_lists: list[list[str]], k1: float = 1.2, b: float = 0.75) -> Bm25Index:
        retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        retriever.index(token_lists, show_progress=False)
        return cls(retriever)

    @property
    def size(self) -> int:
        return int(self._bm25.scores["num_docs"])

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for one question (`summed`)."""
        data, rows, indptr = (self._bm25.scores[k] for k in ("data", "indices", "indptr"))
        columns = [
            (rows[indptr[index] : indptr[index + 1]], data[indptr[index] : indptr[index + 1]])
            for index in (self.vocab.get(token) for token in tokens)
            # unknown, or bm25s's placeholder for the empty token (it has no column)
            if index is not None and index < len(indptr) - 1
        ]
        return summed(columns, self.size)

    def search(self, tokens: Sequence[str], k: int) -> dict[int, float]:
        return best(self.scores(tokens), k)

    def idf(self, tokens: Sequence[str]) -> np.ndarray:
        n = self.size
        out = np.zeros(len(tokens), dtype=np.float32)
        for i, token in enumerate(tokens):
            index = self.vocab.get(token)
            if index is not None and self._df[index] > 0:
                df = self._df[index]
                out[i] = np.log(1 + (n - df + 0.5) / (df + 0.5))
        return out

    def postings(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """(token, rows, BM25 scores) of every token: bm25s's precomputed per-passage scores,
        so that another store can sum exactly what `scores` sums."""
        data, rows, indptr = (self._bm25.scores[k] for k in ("data", "indices", "indptr"))
        for token, index in self.vocab.items():
            if index >= len(indptr) - 1:
                continue  # bm25s's placeholder for the empty token has no column
            start, end = indptr[index], indptr[index + 1]
            yield token, rows[start:end], data[start:end]

    def save(self, directory: Path) -> None:
        self._bm25.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> Bm25Index:
        return cls(bm25s.BM25.load(str(directory), show_progress=False, verbosity=0))
