"""Retrieval: `bm25`, `dense` and `hybrid` rankings of chunks for a question.

Hybrid is a weighted reciprocal-rank fusion whose keyword weight follows how much of the
question the keyword index knows at all (`keyword_coverage`): a Kazakh question shares most
of its words with the documents and the keyword side helps; a Russian or English one shares
almost none, and plain fusion let BM25's noise drown the dense ranking (measured: English
hit@5 fell from 1.00 to 0.36). See eval/README.md for the figures behind the choice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index import vectors as vector_index
from index.store import StoredIndex

from .config import Config
from .records import Chunk, Passage
from .text import keyword_tokens

MODES = ("bm25", "dense", "hybrid")


@dataclass
class Ranking:
    """Scores of the candidate chunks of one question, by retriever."""

    question_vector: np.ndarray
    question_tokens: list[str]
    dense: dict[int, float]  # chunk row -> cosine
    keyword: dict[int, float]  # chunk row -> BM25
    keyword_coverage: float  # IDF-weighted share of question tokens the corpus knows


class Retriever:
    def __init__(self, stored: StoredIndex, embedder, config: Config):
        self.stored = stored
        self.embedder = embedder
        self.config = config
        self.chunks = [Chunk.from_dict(r) for r in stored.records]
        self.prefix = int(stored.manifest.get("keyword", {}).get("prefix", 0))

    def tokens(self, text: str) -> list[str]:
        return keyword_tokens(text, self.prefix)

    def rank(self, question: str, modes: tuple[str, ...] = MODES) -> Ranking:
        tokens = self.tokens(question)
        n = self.config.candidates
        dense: dict[int, float] = {}
        vector = np.zeros(0, np.float32)
        if "dense" in modes or "hybrid" in modes:
            vector = self.embedder.encode_queries([question])[0]
            scores, rows = vector_index.search(self.stored.vectors, vector, n)
            dense = {int(r): float(s) for r, s in zip(rows[0], scores[0]) if r >= 0}
        keyword: dict[int, float] = {}
        if "bm25" in modes or "hybrid" in modes:
            all_scores = self.stored.keyword.scores(tokens)
            top = np.argpartition(-all_scores, min(n, len(all_scores) - 1))[:n]
            keyword = {int(r): float(all_scores[r]) for r in top if all_scores[r] > 0}
        return Ranking(vector, tokens, dense, keyword, self.coverage(tokens))

    def coverage(self, tokens: list[str]) -> float:
        if not tokens:
            return 0.0
        idf = self.stored.keyword.idf(tokens)
        # a token the corpus lacks counts with the largest IDF: it is as specific as the
        # rarest word, and its absence is what tells a cross-lingual question apart
        ceiling = max(float(idf.max()), 1.0)
        weights = np.where(idf > 0, idf, ceiling)
        return float(weights[idf > 0].sum() / weights.sum())

    def fuse(self, ranking: Ranking, mode: str) -> list[tuple[int, float]]:
        """Chunk rows with fused scores, best first."""
        if mode == "dense":
            return sorted(ranking.dense.items(), key=lambda x: -x[1])
        if mode == "bm25":
            return sorted(ranking.keyword.items(), key=lambda x: -x[1])
        k = self.config.rrf_k
        weight = self.config.keyword_weight * ranking.keyword_coverage
        fused: dict[int, float] = {}
        for rank, row in enumerate(sorted(ranking.dense, key=lambda r: -ranking.dense[r])):
            fused[row] = 1.0 / (k + rank + 1)
        for rank, row in enumerate(sorted(ranking.keyword, key=lambda r: -ranking.keyword[r])):
            fused[row] = fused.get(row, 0.0) + weight / (k + rank + 1)
        return sorted(fused.items(), key=lambda x: -x[1])

    def search(self, question: str, mode: str | None = None, top_k: int | None = None,
               ranking: Ranking | None = None) -> tuple[list[Passage], Ranking]:
        mode = mode or self.config.mode
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; choose one of {', '.join(MODES)}")
        top_k = top_k or self.config.top_k
        ranking = ranking or self.rank(question, (mode,))
        passages = [
            Passage(rank=i + 1, chunk=self.chunks[row], score=score,
                    dense_score=ranking.dense.get(row), keyword_score=ranking.keyword.get(row))
            for i, (row, score) in enumerate(self.fuse(ranking, mode)[:top_k])
        ]
        return passages, ranking
