"""Experiment: a sentence-length term in the sentence score, chosen by cross-validation.

    python scripts/experiments/length_prior_cv.py \
        --set eval/sets/reports-dev.jsonl=data/corpus \
        --set ../shared/benchmarks/kazqad/questions-dev.jsonl=../shared/benchmarks/kazqad/corpus.jsonl@dev

The learned sentence scorer of 2026-12-01 read cosine, overlap, rank, type and position, not
length. A short sentence and a long one are not compared on equal terms by the model's
cosine; this asks whether `length_weight * log(words / 20)` added to the shipped sentence
score (rag/answer.py) picks the answering sentence more often on questions the weight was
not chosen on, and what it costs the user in words read. Each question's sentences are
scored once (sentence_cv.py); every weight re-ranks them offline; the weight is chosen by
5-fold CV (ties go to 0). Also reported: the words of the first quote, the user's reading.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np
from cv import choose_by_cv, saved_or_collected
from sentence_cv import (
    candidates,
    first_quote,
    first_quote_holds,
    scored_sentences,
    shipped_point,
)

from kazrag.eval.calibrate import answerable_questions
from kazrag.rag.config import Config

WEIGHTS = (-0.02, -0.01, 0.0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05)


def first_quote_words(c, words: np.ndarray, point: tuple, join_margin: float) -> int:
    """Words of the first quote the shipped rule builds (its sentence and the neighbour that
    joins it)."""
    chosen = first_quote(c, point, join_margin)
    if chosen is None:
        return 0
    best, neighbour = chosen
    return int(words[best] + (words[neighbour] if neighbour is not None else 0))


def sentence_pool(sets: list[str], config: Config, cache: Path | None, extra=None) -> list:
    """(question id, its Candidates, the words of each sentence, `extra(searched, scored)`)
    for every answerable question of `sets`, scored once and kept in `cache` (a pickle)."""

    def collect() -> list:
        pool = []
        for n, (engine, q, searched) in enumerate(answerable_questions(sets, config), 1):
            scored = scored_sentences(engine, searched, config)
            words = np.array([max(1, len(s.text.split())) for s in scored], dtype=float)
            more = extra(searched, scored) if extra else None
            pool.append((q.id, candidates(q, searched, scored), words, more))
            if n % 100 == 0:
                print(f"  {n} questions", file=sys.stderr)
        return pool

    saved = str(cache) if cache else None
    return saved_or_collected(saved if cache and cache.exists() else None, saved, collect)


def term_cv(pool: list, terms: list[np.ndarray], weights: tuple, config: Config) -> np.ndarray:
    """Re-rank each question's sentences with `weight * term` added to the cosine, for every
    weight; print quote@1 and the words read per weight and the cross-validated quote@1 of
    choosing the weight (ties go to 0). Returns the hits, questions x weights."""
    point = shipped_point(config)
    zero = weights.index(0.0)
    hits = np.zeros((len(pool), len(weights)))
    read = np.zeros((len(pool), len(weights)))
    for i, ((_, c, words, _), term) in enumerate(zip(pool, terms)):
        for k, w in enumerate(weights):
            shifted = dataclasses.replace(c, cosine=c.cosine + w * term)
            hits[i, k] = first_quote_holds(shifted, point, config.quote_join_margin)
            read[i, k] = first_quote_words(shifted, words, point, config.quote_join_margin)
    print(f"{len(pool)} answerable questions")
    for k, w in enumerate(weights):
        print(
            f"  weight {w:+.3f}: quote@1 {hits[:, k].mean():.3f}, words read {read[:, k].mean():.1f}"
        )
    test, base = [], []
    for fold, best in choose_by_cv(hits, shipped=zero):
        test += hits[fold, best].tolist()
        base += hits[fold, zero].tolist()
        print(f"  fold: chose {weights[best]:+.3f} (test {hits[fold, best].mean():.3f})")
    print(
        f"cross-validated quote@1 {np.mean(test):.3f} (weight 0 on the same folds {np.mean(base):.3f})"
    )
    return hits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True)
    parser.add_argument("--cache", type=Path, help="pickle of the scored candidates (reused)")
    args = parser.parse_args(argv)
    config = Config(answerability="none")
    pool = sentence_pool(args.set, config, args.cache)
    term_cv(pool, [np.log(words / 20.0) for _, _, words, _ in pool], WEIGHTS, config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
