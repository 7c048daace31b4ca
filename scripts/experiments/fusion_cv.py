"""Experiment: the fusion weights chosen by cross-validation.

    python scripts/experiments/fusion_cv.py \
        --set eval/sets/reports-dev.jsonl=data/corpus \
        --set ../shared/benchmarks/kazqad/questions-dev.jsonl=../shared/benchmarks/kazqad/corpus.jsonl@dev

For every answerable question of the pooled development sets the candidates are retrieved
once (dense and keyword, as `Retriever.rank`); then each (sentence_weight, keyword_weight)
pair of the grid re-scores them offline: dense = (1 - s) * chunk cosine + s * best sentence
cosine, hybrid = dense + k * coverage * BM25 / max BM25 (rag/fusion.py). The pair is chosen
by 5-fold CV on MRR@10 (best on the training folds, scored on the test fold); the pooled
test-fold figures are reported (eval/README.md "fusion by CV").
"""

from __future__ import annotations

import argparse
import itertools
import sys

import numpy as np
from cv import first_relevant_rank

from kazrag.eval.calibrate import answerable_questions
from kazrag.eval.metrics import Judge
from kazrag.rag import fusion
from kazrag.rag.config import Config

SENTENCE_WEIGHTS = (0.25, 0.5, 0.75)
KEYWORD_WEIGHTS = (0.0, 0.025, 0.05, 0.1, 0.2)
GRID = list(itertools.product(SENTENCE_WEIGHTS, KEYWORD_WEIGHTS))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True)
    args = parser.parse_args(argv)
    config = Config(answerability="none")
    rr, hit1, hit5 = [], [], []
    for engine, q, searched in answerable_questions(args.set, config):
        retriever = engine.snapshot.retriever
        ranking = retriever.rank(searched, ("hybrid",))
        rows = np.fromiter(ranking.dense, dtype=np.int64)
        chunk_cos, best = retriever.cosines(ranking.question_vector, rows)
        judge = Judge(q)
        relevant: dict[int, bool] = {}
        row_rr, row_h1, row_h5 = [], [], []
        for s, k in GRID:
            dense = dict(zip(rows.tolist(), (1 - s) * chunk_cos + s * best))
            fused = fusion.weighted(dense, ranking.keyword, ranking.keyword_coverage, k)
            rank = first_relevant_rank(fused, retriever, judge, relevant)
            row_rr.append(1 / rank if rank else 0.0)
            row_h1.append(rank == 1)
            row_h5.append(bool(rank) and rank <= 5)
        rr.append(row_rr)
        hit1.append(row_h1)
        hit5.append(row_h5)
    m, h1, h5 = (np.array(a, dtype=float) for a in (rr, hit1, hit5))
    print(f"{len(m)} answerable questions")
    for i, (s, k) in enumerate(GRID):
        print(
            f"sentence_weight {s}, keyword_weight {k}: MRR@10 {m[:, i].mean():.3f}, "
            f"hit@1 {h1[:, i].mean():.3f}, hit@5 {h5[:, i].mean():.3f}"
        )
    order = np.random.default_rng(0).permutation(len(m))
    test_rr, test_h1, test_h5 = [], [], []
    for fold in np.array_split(order, 5):
        train = np.setdiff1d(order, fold)
        best_i = int(np.argmax(m[train].mean(axis=0)))
        print(f"  fold: chose {GRID[best_i]}")
        test_rr += m[fold, best_i].tolist()
        test_h1 += h1[fold, best_i].tolist()
        test_h5 += h5[fold, best_i].tolist()
    print(
        f"cross-validated MRR@10 {np.mean(test_rr):.3f}, hit@1 {np.mean(test_h1):.3f}, "
        f"hit@5 {np.mean(test_h5):.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
