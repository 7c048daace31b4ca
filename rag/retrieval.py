"""Retrieval: `bm25`, `dense` and `hybrid` rankings of chunks for a question.

- dense: a chunk scores `(1 - w) * cos(question, chunk) + w * max cos(question, sentence)`.
  The sentence term rewards a chunk that holds one sentence answering the question even when
  the rest of the chunk is about something else (dev set: MRR@10 0.71 -> 0.84).
- bm25: BM25 over folded, prefix-truncated tokens (rag.text.keyword_tokens).
- hybrid: `dense + keyword_weight * coverage * BM25 / max BM25`, where `coverage` is the IDF
  share of the question's tokens that the corpus has at all. A Kazakh question shares most
  of its words with the documents and the keyword side helps; a Russian or English one shares
  almost none, and plain reciprocal-rank fusion let BM25 noise drown the dense ranking
  (measured: English hit@5 fell from 1.00 to 0.36). See eval/README.md for the figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kazrag.index import vectors as vector_index
from kazrag.index.store import StoredIndex

from .config import Config
from .records import Chunk, Passage
from .text import keyword_tokens

MODES = ("bm25", "dense", "hybrid")


@dataclass
class Ranking:
    """Candidate chunks of one question with each retriever's score."""

    question_vector: np.ndarray
    question_tokens: list[str]
    dense: dict[int, float]  # chunk row -> dense score (chunk + best sentence)
    keyword: dict[int, float]  # chunk row -> BM25
    keyword_coverage: float  # IDF-weighted share of question tokens the corpus knows


def _term_weights(idf: np.ndarray) -> np.ndarray:
    ceiling = max(float(idf.max()), 1.0) if len(idf) else 1.0
    return np.where(idf > 0, idf, ceiling)


class Retriever:
    def __init__(self, stored: StoredIndex, embedder, config: Config):
        self.stored = stored
        self.embedder = embedder
        self.config = config
        self.chunks = [Chunk.from_dict(r) for r in stored.records]
        self.prefix = int(stored.manifest.get("keyword", {}).get("prefix", 0))
        offsets = np.array([r["sentence_offset"] for r in stored.records] + [
            len(stored.sentence_vectors)])
        self._sentence_start, self._sentence_end = offsets[:-1], offsets[1:]

    def tokens(self, text: str) -> list[str]:
        """The question's keyword tokens, made exactly as the index made the passages'."""
        return keyword_tokens(text, self.prefix)

    # ---------------------------------------------------------------------- scoring
    def _dense_scores(self, vector: np.ndarray, rows: np.ndarray) -> np.ndarray:
        chunk_cos = self.stored.vectors.reconstruct_batch(rows) @ vector
        starts, ends = self._sentence_start[rows], self._sentence_end[rows]
        lengths = ends - starts
        if lengths.min(initial=1) <= 0:  # a chunk always has a sentence; guard anyway
            lengths = np.maximum(lengths, 1)
            ends = starts + lengths
        # all candidates' sentences in one gather + one matrix-vector product
        index = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        sentence_cos = self.stored.sentence_vectors[index] @ vector
        best_sentence = np.maximum.reduceat(sentence_cos, np.cumsum(lengths) - lengths)
        w = self.config.sentence_weight
        return (1 - w) * chunk_cos + w * best_sentence

    def _keyword_candidates(self, tokens: list[str]) -> dict[int, float]:
        scores = self.stored.keyword.scores(tokens)
        n = min(self.config.candidates, len(scores))
        top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
        return {int(r): float(scores[r]) for r in top if scores[r] > 0}

    def term_weights(self, tokens: list[str]) -> np.ndarray:
        """How much each question token matters: its IDF; a token the corpus lacks counts
        with the largest IDF, as it is as specific as the rarest word, and its absence is
        what tells a cross-lingual or an unanswerable question apart."""
        return _term_weights(self.stored.keyword.idf(tokens))

    def coverage(self, tokens: list[str]) -> float:
        if not tokens:
            return 0.0
        idf = self.stored.keyword.idf(tokens)
        weights = _term_weights(idf)
        return float(weights[idf > 0].sum() / weights.sum())

    def rank(self, question: str, modes: tuple[str, ...] = MODES) -> Ranking:
        tokens = self.tokens(question)
        keyword = self._keyword_candidates(tokens) if {"bm25", "hybrid"} & set(modes) else {}
        dense: dict[int, float] = {}
        vector = np.zeros(0, np.float32)
        if {"dense", "hybrid"} & set(modes):
            vector = self.embedder.encode_queries([question])[0]
            _, rows = vector_index.search(self.stored.vectors, vector, self.config.candidates)
            # keyword candidates get a dense score too, so fusion compares like with like
            candidates = np.unique(np.concatenate(
                [rows[0][rows[0] >= 0], np.fromiter(keyword, dtype=np.int64)]))
            dense = dict(zip(candidates.tolist(), self._dense_scores(vector, candidates)))
        return Ranking(vector, tokens, dense, keyword, self.coverage(tokens))

    def fuse(self, ranking: Ranking, mode: str) -> list[tuple[int, float]]:
        """Chunk rows with their score in `mode`, best first."""
        if mode == "dense":
            scores = ranking.dense
        elif mode == "bm25":
            scores = ranking.keyword
        elif self.config.fusion == "rrf":  # kept to measure against (eval/README.md)
            scores = {}
            for side in (ranking.dense, ranking.keyword):
                ordered = sorted(side.items(), key=lambda x: -x[1])
                for rank, (row, _) in enumerate(ordered, start=1):
                    scores[row] = scores.get(row, 0.0) + 1.0 / (self.config.rrf_k + rank)
        else:
            top = max(ranking.keyword.values(), default=0.0) or 1.0
            weight = self.config.keyword_weight * ranking.keyword_coverage / top
            scores = {row: d + weight * ranking.keyword.get(row, 0.0)
                      for row, d in ranking.dense.items()}
        return sorted(scores.items(), key=lambda x: -x[1])

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
