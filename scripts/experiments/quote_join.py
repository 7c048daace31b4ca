"""Experiment: how close must a neighbouring sentence score to join the first quote?

    python scripts/experiments/quote_join.py \
        --set eval/sets/reports-dev.jsonl=data/corpus \
        --set ../shared/benchmarks/kazqad/questions-dev.jsonl=../shared/benchmarks/kazqad/corpus.jsonl@dev

For every answerable question of the pooled development sets, the first quote is built for
each margin of the grid from the same scored sentences (one retrieval per question), and
judged as `kazrag eval` judges quote@1. The margin is then chosen by 5-fold cross-validation
(best quote@1 on the training folds, scored on the test fold); the pooled test-fold figure is
the one to report (eval/README.md "quote join").
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from cv import choose_by_cv

from kazrag.eval.calibrate import answerable_questions
from kazrag.eval.metrics import Judge
from kazrag.rag.answer import choose_answer_quotes, prefer_type, score_sentences
from kazrag.rag.config import Config

GRID = (0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12, 0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True)
    args = parser.parse_args(argv)
    config = Config(answerability="none")
    holds, sentences = [], []
    for engine, q, searched in answerable_questions(args.set, config):
        retriever = engine.snapshot.retriever
        ranking = retriever.rank(searched, ("hybrid", "dense"))
        passages, _ = retriever.search(searched, "hybrid", config.top_k, ranking)
        scored = score_sentences(passages[: config.answer_passages], ranking, retriever, config)
        scored, _ = prefer_type(scored, searched, config.answer_type_bonus)
        row_holds, row_len = [], []
        for margin in GRID:
            quotes = choose_answer_quotes(scored, config.with_(quote_join_margin=margin))
            first = quotes[0] if quotes else None
            row_holds.append(bool(first) and Judge(q).quote_holds(first.doc, first.text))
            row_len.append(bool(first) and len(first.text) > len(scored[0].text))
        holds.append(row_holds)
        sentences.append(row_len)
    h = np.array(holds, dtype=float)
    joined = np.array(sentences, dtype=float)
    print(f"{len(h)} answerable questions")
    for i, margin in enumerate(GRID):
        print(
            f"margin {margin}: quote@1 {h[:, i].mean():.3f}, "
            f"two-sentence quotes {joined[:, i].mean():.2f}"
        )
    test_hits = []
    for fold, best in choose_by_cv(h):
        test_hits += h[fold, best].tolist()
        print(f"  fold: chose {GRID[best]}")
    print(f"cross-validated quote@1 {np.mean(test_hits):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
