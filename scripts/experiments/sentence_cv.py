"""Experiment: the sentence-scoring weights chosen by cross-validation.

    python scripts/experiments/sentence_cv.py \
        --set eval/sets/reports-dev.jsonl=data/corpus \
        --set ../shared/benchmarks/kazqad/questions-dev.jsonl=../shared/benchmarks/kazqad/corpus.jsonl@dev

The first quote is the best-scoring sentence of the top `answer_passages` passages, with
score = cosine + term_overlap_weight * overlap - rank_prior * rank (+ answer_type_bonus
when it states the figure a quantity question asks for), joined with a neighbour within
quote_join_margin (rag/answer.py). For every answerable question of the pooled development
sets the passages are retrieved and their sentences scored once; each grid point then
re-ranks those sentences offline and the first quote is judged as `kazrag eval` judges
quote@1. The weights are chosen by 5-fold CV (best mean quote@1 on the training folds, scored
on the test fold; ties go to the shipped values); the pooled test-fold figure is the one to
report (eval/README.md "sentence weights by CV").
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import dataclass

import numpy as np
from cv import choose_by_cv

from kazrag.eval.calibrate import answerable_questions
from kazrag.eval.metrics import Judge
from kazrag.rag.answer import ScoredSentence, expected_type, score_sentences, states_type
from kazrag.rag.config import Config

OVERLAP_WEIGHTS = (0.0, 0.015, 0.03, 0.06, 0.1)
RANK_PRIORS = (0.0, 0.005, 0.01, 0.02, 0.04)
TYPE_BONUSES = (0.0, 0.015, 0.03, 0.06)
PASSAGES = (1, 2, 3, 5)
# a passage scoring more than this below the first is not quoted from (adaptive depth)
SCORE_GAPS = (np.inf, 0.01, 0.02, 0.04, 0.08)
# quote only from the first passage's document
TOP_DOCUMENT = (False, True)
GRID = list(
    itertools.product(
        OVERLAP_WEIGHTS, RANK_PRIORS, TYPE_BONUSES, PASSAGES, SCORE_GAPS, TOP_DOCUMENT
    )
)


@dataclass
class Candidates:
    """One question's sentences from its top passages, with what a grid point needs."""

    cosine: np.ndarray
    overlap: np.ndarray
    rank: np.ndarray  # of the sentence's passage, 1-based
    typed: np.ndarray  # states the expected answer type (all False for other questions)
    holds: np.ndarray  # the sentence alone holds the evidence
    gap: np.ndarray  # how far its passage's score is below the first passage's
    same_doc: np.ndarray  # its passage is from the first passage's document
    pair_holds: dict[tuple[int, int], bool]  # (i, j) neighbours in one chunk, judged joined
    neighbours: list[list[int]]  # candidate indices adjacent to each one in its chunk


def shipped_point(config: Config) -> tuple:
    """The grid point `config` ships: its weights, no score gap, every document."""
    return (
        config.term_overlap_weight,
        config.rank_prior,
        config.answer_type_bonus,
        config.answer_passages,
        np.inf,
        False,
    )


def scored_sentences(engine, searched: str, config: Config) -> list[ScoredSentence]:
    """The sentences of the question's top max(PASSAGES) passages, scored as rag/answer.py
    scores them but without the rank prior (a grid dimension here), best first."""
    retriever = engine.snapshot.retriever
    ranking = retriever.rank(searched, ("hybrid", "dense"))
    passages, _ = retriever.search(searched, "hybrid", config.top_k, ranking)
    shown = passages[: max(PASSAGES)]
    return score_sentences(shown, ranking, retriever, config.with_(rank_prior=0.0))


def candidates(q, searched: str, scored: list[ScoredSentence]) -> Candidates:
    expected = expected_type(searched)
    judge = Judge(q)
    top = min((s.passage for s in scored), key=lambda p: p.rank, default=None)
    at = {(id(s.passage), s.index): i for i, s in enumerate(scored)}
    pair_holds, neighbours = {}, []
    for i, s in enumerate(scored):
        near = []
        for step in (-1, 1):
            j = at.get((id(s.passage), s.index + step))
            if j is None:
                continue
            near.append(j)
            if (j, i) not in pair_holds:
                chunk = s.passage.chunk
                lo, hi = sorted((s.index, s.index + step))
                text = chunk.text[chunk.sentences[lo].start : chunk.sentences[hi].end]
                pair_holds[(i, j)] = pair_holds[(j, i)] = judge.quote_holds(chunk.doc, text)
        neighbours.append(near)
    return Candidates(
        np.array([s.cosine for s in scored]),
        np.array([s.overlap for s in scored]),
        np.array([s.passage.rank for s in scored]),
        np.array([bool(expected) and states_type(expected[1], s.text) for s in scored]),
        np.array([judge.quote_holds(s.passage.chunk.doc, s.text) for s in scored]),
        np.array([top.score - s.passage.score for s in scored]),
        np.array([s.passage.chunk.doc == top.chunk.doc for s in scored]),
        pair_holds,
        neighbours,
    )


def first_quote(c: Candidates, point: tuple, join_margin: float) -> tuple[int, int | None] | None:
    """(the best sentence, the neighbour that joins it or None) of the first quote `point`
    builds, None when no sentence is allowed; the neighbour joins when it is the best-scoring
    sentence after `best` within the margin that is adjacent to it
    (rag.answer.joined_neighbour)."""
    overlap_weight, rank_prior, type_bonus, passages, score_gap, top_document = point
    keep = (c.rank <= passages) & (c.gap <= score_gap)
    if top_document:
        keep &= c.same_doc
    if not keep.any():
        return None
    score = c.cosine + overlap_weight * c.overlap - rank_prior * c.rank + type_bonus * c.typed
    score = np.where(keep, score, -np.inf)
    best = int(np.argmax(score))
    order = np.argsort(-score, kind="stable")
    for j in order[1:]:
        if score[j] < score[best] - join_margin:
            break
        if j in c.neighbours[best]:
            return best, int(j)
    return best, None


def first_quote_holds(c: Candidates, point: tuple, join_margin: float) -> bool:
    chosen = first_quote(c, point, join_margin)
    if chosen is None:
        return False
    best, neighbour = chosen
    return c.pair_holds[(best, neighbour)] if neighbour is not None else bool(c.holds[best])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True)
    args = parser.parse_args(argv)
    config = Config(answerability="none")
    shipped = shipped_point(config)
    rows = []
    for n, (engine, q, searched) in enumerate(answerable_questions(args.set, config), 1):
        c = candidates(q, searched, scored_sentences(engine, searched, config))
        rows.append([first_quote_holds(c, point, config.quote_join_margin) for point in GRID])
        if n % 100 == 0:
            print(f"  {n} questions", file=sys.stderr)
    h = np.array(rows, dtype=float)
    means = h.mean(axis=0)
    ship = GRID.index(shipped)
    print(f"{len(h)} answerable questions; {len(GRID)} grid points")
    print(f"shipped {shipped}: quote@1 {means[ship]:.3f}")
    for i in np.argsort(-means)[:8]:
        print(f"  {GRID[i]}: quote@1 {means[i]:.3f}")
    test_hits, shipped_hits = [], []
    for fold, best in choose_by_cv(h, shipped=ship):  # ties go to the shipped point
        test_hits += h[fold, best].tolist()
        shipped_hits += h[fold, ship].tolist()
        print(f"  fold: chose {GRID[best]} (test {h[fold, best].mean():.3f})")
    print(
        f"cross-validated quote@1 {np.mean(test_hits):.3f} "
        f"(shipped on the same folds {np.mean(shipped_hits):.3f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
