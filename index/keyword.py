"""The keyword side of an index: BM25 (bm25s) over token lists made by the caller.

Tokenisation is not done here: the caller passes tokens from its one normalisation module,
the same way for passages and questions (pluggable, as in bm25s).
"""

from __future__ import annotations

import logging
from pathlib import Path

import bm25s
import numpy as np

# bm25s sets its own logger to DEBUG; once any library installs a root handler (ONNX Runtime's
# quantiser does) its build notes would reach the user's terminal
logging.getLogger("bm25s").setLevel(logging.WARNING)

K1 = 1.2
B = 0.75


class KeywordIndex:
    def __init__(self, retriever: bm25s.BM25):
        self._bm25 = retriever
        self.vocab: dict[str, int] = retriever.vocab_dict

    @classmethod
    def build(cls, token_lists: list[list[str]], k1: float = K1, b: float = B) -> "KeywordIndex":
        retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        retriever.index(token_lists, show_progress=False)
        return cls(retriever)

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every passage for one question (zeros if no token is known)."""
        known = [t for t in tokens if t in self.vocab]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return self._bm25.get_scores(known)

    def known_fraction(self, tokens: list[str]) -> float:
        return sum(t in self.vocab for t in tokens) / len(tokens) if tokens else 0.0

    def idf(self, tokens: list[str]) -> np.ndarray:
        """Lucene IDF of each token, 0 for tokens the corpus does not have."""
        n = self.size
        df = self._document_frequency()
        out = np.zeros(len(tokens), dtype=np.float32)
        for i, token in enumerate(tokens):
            index = self.vocab.get(token)
            if index is not None and df[index] > 0:
                out[i] = np.log(1 + (n - df[index] + 0.5) / (df[index] + 0.5))
        return out

    def _document_frequency(self) -> np.ndarray:
        if not hasattr(self, "_df"):
            indptr = self._bm25.scores["indptr"]
            self._df = np.diff(indptr)  # CSC: one column per token -> passages holding it
        return self._df

    @property
    def size(self) -> int:
        return int(self._bm25.scores["num_docs"])

    def save(self, directory: Path) -> None:
        self._bm25.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> "KeywordIndex":
        return cls(bm25s.BM25.load(str(directory), show_progress=False, verbosity=0))
