"""Experiment: the in-context sentence vectors in the retrieval's best-sentence term, with a
weight of their own, chosen by cross-validation on the passages a user is shown.

    K=../shared/benchmarks/kazqad T=eval/sets/kazqad-translated
    python scripts/experiments/context_retrieval_cv.py --set eval/sets/reports-dev.jsonl=data/corpus \
        --set $K/questions-dev.jsonl=$K/corpus.jsonl@dev \
        --set $T/kazqad-dev-ru.jsonl=$K/corpus.jsonl@all --set $T/kazqad-dev-en.jsonl=$K/corpus.jsonl@all

The shipped dense score is (1 - s) * chunk cosine + s * best own-sentence cosine. Mixing the
in-context vectors in half and half lowered reports-dev MRR@10 (eval/README.md "sentence
vectors from the chunk's pass"); here the sentence term is (1 - v) * best own + v * best
in-context cosine for small v, fused and grouped as `merged_fusion_cv.py` does (shipped
sentence and keyword weights and merge window), v chosen by 5-fold CV on MRR@10.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from cv import TOP_K, choose_by_cv, numbered_questions
from merged_fusion_cv import figures, first_relevant, shown_groups

from kazrag.eval.metrics import Judge
from kazrag.rag import fusion
from kazrag.rag.config import Config
from kazrag.rag.retrieval import sentence_parts

V = (0.0, 0.1, 0.2, 0.3, 0.5)


def best_in_context(retriever, vector: np.ndarray, rows: np.ndarray) -> np.ndarray:
    stored, counts = retriever.version.sentences.of_chunks(rows)
    _, context = sentence_parts(stored, len(vector))
    starts = np.cumsum(counts) - counts
    return np.maximum.reduceat(context @ vector, starts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True)
    args = parser.parse_args(argv)
    config = Config(answerability="none")
    s, k, window = config.sentence_weight, config.keyword_weight, config.merge_window
    ranks, sets = [], []
    for number, (engine, q, searched) in numbered_questions(args.set, config):
        retriever = engine.snapshot.retriever
        ranking = retriever.rank(searched, ("hybrid",))
        rows = np.fromiter(ranking.dense, dtype=np.int64)
        chunk_cos, own = retriever.cosines(ranking.question_vector, rows)
        context = best_in_context(retriever, ranking.question_vector, rows)
        judge, verdicts, row = Judge(q), {}, []
        for v in V:
            term = (1 - v) * own + v * context
            dense = dict(zip(rows.tolist(), (1 - s) * chunk_cos + s * term))
            fused = fusion.weighted(dense, ranking.keyword, ranking.keyword_coverage, k)
            ranked = fusion.best_first(fused)[: 4 * TOP_K]
            retriever.load_chunks([r for r, _ in ranked])
            rank = first_relevant(
                shown_groups(ranked, retriever, window), retriever, judge, verdicts
            )
            row.append(rank or 0)
        ranks.append(row)
        sets.append(number)
    r, by = np.array(ranks), np.array(sets)
    rr = np.where(r > 0, 1.0 / np.maximum(r, 1), 0.0)
    for j, v in enumerate(V):
        m, h1, h5 = figures(r[:, j])
        parts = " ".join(f"{rr[by == n, j].mean():.4f}" for n in np.unique(by))
        print(f"v {v}: MRR@10 {m:.4f} hit@1 {h1:.3f} hit@5 {h5:.3f} (MRR by set {parts})")
    for seed in (0, 1, 2):
        chosen = np.zeros(len(r), dtype=int)
        picks = []
        for fold, c in choose_by_cv(rr, 0, seed=seed):
            chosen[fold] = c
            picks.append(V[c])
        cv = r[np.arange(len(r)), chosen]
        m, h1, h5 = figures(cv)
        print(
            f"seed {seed}: folds chose {picks}; cross-validated MRR@10 {m:.4f} hit@1 {h1:.3f} hit@5 {h5:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
