"""Retrieval: `bm25`, `dense` and `hybrid` rankings of chunks for a question.

- dense: a chunk scores `(1 - w) * cos(question, chunk) + w * max cos(question, sentence)`.
  The sentence term rewards a chunk that holds one sentence answering the question even when
  the rest of the chunk is about something else (eval/README.md "sentence weight").
- bm25: BM25 over the tokens of the index's keyword analyzer (rag/analysis.py).
- hybrid: the two fused (rag/fusion.py).

The retriever reads an index only through `kazrag.index.base` (a store's loaded version).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kazrag.errors import ConfigError
from kazrag.index.base import IndexVersion

from . import fusion
from .analysis import KeywordAnalyzer
from .config import MODES, Config
from .embedding import Embedder
from .records import Chunk, Passage, merge_chunks


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
    def __init__(self, version: IndexVersion, embedder: Embedder, config: Config):
        self.version = version
        self.embedder = embedder
        self.config = config
        self.analyzer = KeywordAnalyzer.from_manifest(version.manifest.get("keyword", {}))
        self._chunks: dict[int, Chunk] = {}

    def chunk(self, row: int) -> Chunk:
        chunk = self._chunks.get(row)
        if chunk is None:
            chunk = self._chunks[row] = Chunk.from_dict(self.version.chunks.get([row])[0])
        return chunk

    def load_chunks(self, rows: list[int]) -> None:
        """Read the records of `rows` not read yet in one call (one query for a database
        store, rather than one per chunk)."""
        missing = [row for row in dict.fromkeys(rows) if row not in self._chunks]
        if missing:
            for row, record in zip(missing, self.version.chunks.get(missing)):
                self._chunks[row] = Chunk.from_dict(record)

    def tokens(self, text: str) -> list[str]:
        """The question's keyword tokens, made exactly as the index made the passages'."""
        return self.analyzer.tokens(text)

    # ---------------------------------------------------------------------- scoring
    def cosines(self, vector: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(cosine of each chunk, cosine of its best sentence) with the question vector."""
        chunk_cos = self.version.vectors.reconstruct(rows) @ vector
        sentences, counts = self.version.sentences.of_chunks(rows)
        best_sentence = chunk_cos.copy()  # a chunk always has a sentence; guard anyway
        held = counts > 0
        if sentences.size:
            starts = (np.cumsum(counts) - counts)[held]
            best_sentence[held] = np.maximum.reduceat(sentences @ vector, starts)
        return chunk_cos, best_sentence

    def _dense_scores(self, vector: np.ndarray, rows: np.ndarray) -> np.ndarray:
        chunk_cos, best_sentence = self.cosines(vector, rows)
        w = self.config.sentence_weight
        return (1 - w) * chunk_cos + w * best_sentence

    def term_weights(self, tokens: list[str]) -> np.ndarray:
        """How much each question token matters: its IDF; a token the corpus lacks counts
        with the largest IDF, as it is as specific as the rarest word, and its absence is
        what tells a cross-lingual or an unanswerable question apart."""
        return _term_weights(self.version.keyword.idf(tokens))

    def coverage(self, tokens: list[str]) -> float:
        if not tokens:
            return 0.0
        idf = self.version.keyword.idf(tokens)
        weights = _term_weights(idf)
        return float(weights[idf > 0].sum() / weights.sum())

    def rank(self, question: str, modes: tuple[str, ...] = MODES) -> Ranking:
        tokens = self.tokens(question)
        keyword: dict[int, float] = {}
        if {"bm25", "hybrid"} & set(modes):
            keyword = self.version.keyword.search(tokens, self.config.candidates)
        dense: dict[int, float] = {}
        vector = np.zeros(0, np.float32)
        if {"dense", "hybrid"} & set(modes):
            vector = self.embedder.encode_queries([question])[0]
            _, rows = self.version.vectors.search(vector, self.config.candidates)
            # keyword candidates get a dense score too, so fusion compares like with like
            candidates = np.unique(
                np.concatenate([rows[0][rows[0] >= 0], np.fromiter(keyword, dtype=np.int64)])
            )
            dense = dict(zip(candidates.tolist(), self._dense_scores(vector, candidates)))
        return Ranking(vector, tokens, dense, keyword, self.coverage(tokens))

    def fuse(self, ranking: Ranking, mode: str) -> list[tuple[int, float]]:
        """Chunk rows with their score in `mode`, best first."""
        if mode == "dense":
            return fusion.best_first(ranking.dense)
        if mode == "bm25":
            return fusion.best_first(ranking.keyword)
        if self.config.fusion == "rrf":
            return fusion.best_first(
                fusion.reciprocal_rank(ranking.dense, ranking.keyword, self.config.rrf_k)
            )
        return fusion.best_first(
            fusion.weighted(
                ranking.dense, ranking.keyword, ranking.keyword_coverage, self.config.keyword_weight
            )
        )

    def search(
        self,
        question: str,
        mode: str | None = None,
        top_k: int | None = None,
        ranking: Ranking | None = None,
    ) -> tuple[list[Passage], Ranking]:
        mode = mode or self.config.mode
        if mode not in MODES:
            raise ConfigError(f"unknown retrieval mode {mode!r}; choose one of {', '.join(MODES)}")
        top_k = top_k or self.config.top_k
        ranking = ranking or self.rank(question, (mode,))
        ranked = self.fuse(ranking, mode)
        # what grouping reads first: the passages asked for and, when neighbours join, the
        # window before them
        first = top_k + (self.config.merge_window if self.config.merge_neighbours else 0)
        self.load_chunks([row for row, _ in ranked[:first]])
        groups = self.group_neighbours(ranked, top_k)
        passages = []
        for i, (rows, score) in enumerate(groups):
            lead = rows[0]
            chunk: Chunk
            sources: tuple[tuple[int, int], ...]
            if len(rows) > 1:
                chunk, sources = merge_chunks([self.chunk(r) for r in rows])
            else:
                chunk, sources = self.chunk(lead), ()
            passages.append(
                Passage(
                    rank=i + 1,
                    chunk=chunk,
                    score=score,
                    dense_score=ranking.dense.get(lead),
                    keyword_score=ranking.keyword.get(lead),
                    rows=tuple(rows),
                    sentence_sources=sources,
                )
            )
        return passages, ranking

    def group_neighbours(
        self, ranked: list[tuple[int, float]], top_k: int
    ) -> list[tuple[list[int], float]]:
        """The best `top_k` passages of a ranking (chunk rows, best first). A chunk among
        the first `merge_window` that overlaps a better-ranked one (the next or previous
        chunk of its section) joins its passage instead of taking a place of its own: the
        same text is not shown twice, and the passage shows both (eval/README.md "neighbour
        chunks"); one further down is left out. Each passage keeps its best chunk's score;
        its rows start with that chunk."""
        if not self.config.merge_neighbours:
            return [([row], score) for row, score in ranked[:top_k]]
        groups: list[tuple[list[int], float]] = []
        # no cap on the passages inside the window: a chunk joining two passages frees a
        # place, which goes to the next best-ranked chunk, not to one seen later
        for i, (row, score) in enumerate(ranked):
            if len(groups) >= top_k and i >= self.config.merge_window:
                break
            chunk = self.chunk(row)
            homes = [
                g
                for g, (rows, _) in enumerate(groups)
                if any(self._overlapping(self.chunk(r), chunk) for r in rows)
            ]
            if not homes:
                groups.append(([row], score))
            elif i < self.config.merge_window:
                # it joins the best passage it overlaps, and so does any other it bridges to
                first = groups[homes[0]][0]
                first.append(row)
                for g in reversed(homes[1:]):
                    first.extend(groups.pop(g)[0])
            # below the window it is left out: most of it is shown, and taking it in would
            # make the first passages depend on how many are asked for
        return groups[:top_k]

    @staticmethod
    def _overlapping(a: Chunk, b: Chunk) -> bool:
        """Consecutive chunks of one section that share text."""
        return (
            abs(a.chunk_id - b.chunk_id) == 1
            and a.doc == b.doc
            and a.section == b.section
            and a.start < b.end
            and b.start < a.end
        )
