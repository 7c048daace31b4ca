"""Experiment: the fusion weights and the merge window chosen together, on the passages a
user is shown.

    K=../shared/benchmarks/kazqad T=eval/sets/kazqad-translated
    python scripts/experiments/merged_fusion_cv.py --set eval/sets/reports-dev.jsonl=data/corpus \
        --set $K/questions-dev.jsonl=$K/corpus.jsonl@dev \
        --set $T/kazqad-dev-ru.jsonl=$K/corpus.jsonl@all --set $T/kazqad-dev-en.jsonl=$K/corpus.jsonl@all

`fusion_cv.py` chose `sentence_weight` and `keyword_weight` on raw chunks, before
overlapping neighbour chunks were shown as one passage (`Config.merge_neighbours`), and the
merge window was chosen at the shipped weights. Here each (sentence_weight, keyword_weight,
merge_window) of the grid re-scores every question's candidates offline, groups them as
`Retriever.group_neighbours` does (window 0: no merging) and judges the merged passages'
text, as `kazrag eval` does (MRR@10, hit@1, hit@5 over the first 10 passages). The point is
chosen by 5-fold CV on MRR@10, ties within half a question going to the shipped point; the
pooled test-fold figures are reported, overall and by set (eval/README.md "Fusion and merge
window on merged passages").
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys

import numpy as np
from cv import TOP_K, choose_by_cv, numbered_questions

from kazrag.eval.metrics import Judge
from kazrag.rag import fusion
from kazrag.rag.config import Config
from kazrag.rag.records import merge_chunks

SENTENCE_WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7)
KEYWORD_WEIGHTS = (0.0, 0.025, 0.05, 0.075, 0.1, 0.15)
MERGE_WINDOWS = (0, 5, 10, 20, 30, 40)
GRID = list(itertools.product(SENTENCE_WEIGHTS, KEYWORD_WEIGHTS, MERGE_WINDOWS))


def shown_groups(ranked: list[tuple[int, float]], retriever, window: int) -> list[list[int]]:
    """The first TOP_K passages (groups of chunk rows) a ranking shows with `window`."""
    base = retriever.config
    retriever.config = dataclasses.replace(
        base, merge_neighbours=window > 0, merge_window=max(window, 1)
    )
    try:
        return [rows for rows, _ in retriever.group_neighbours(ranked, TOP_K)]
    finally:
        retriever.config = base


def first_relevant(groups: list[list[int]], retriever, judge, verdicts: dict) -> int | None:
    for rank, rows in enumerate(groups, 1):
        key = tuple(sorted(rows))
        if key not in verdicts:
            chunks = [retriever.chunk(r) for r in rows]
            chunk = merge_chunks(chunks)[0] if len(chunks) > 1 else chunks[0]
            verdicts[key] = judge.relevant(chunk.doc, chunk.text)
        if verdicts[key]:
            return rank
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True)
    parser.add_argument("--save", help="write the per-question grid (npz) here")
    args = parser.parse_args(argv)
    config = Config(answerability="none")
    shipped = GRID.index((config.sentence_weight, config.keyword_weight, config.merge_window))
    ranks, sets, langs = [], [], []
    for number, (engine, q, searched) in numbered_questions(args.set, config):
        retriever = engine.snapshot.retriever
        ranking = retriever.rank(searched, ("hybrid",))
        rows = np.fromiter(ranking.dense, dtype=np.int64)
        chunk_cos, best = retriever.cosines(ranking.question_vector, rows)
        judge = Judge(q)
        verdicts: dict = {}
        row = []
        for s, k, window in GRID:
            dense = dict(zip(rows.tolist(), (1 - s) * chunk_cos + s * best))
            fused = fusion.weighted(dense, ranking.keyword, ranking.keyword_coverage, k)
            ranked = fusion.best_first(fused)[: 4 * TOP_K]
            retriever.load_chunks([r for r, _ in ranked])
            rank = first_relevant(
                shown_groups(ranked, retriever, window), retriever, judge, verdicts
            )
            row.append(rank or 0)
        ranks.append(row)
        sets.append(number)
        langs.append(q.lang)
    r, by = np.array(ranks), np.array(sets)
    if args.save:
        np.savez(args.save, ranks=r, sets=by, langs=np.array(langs), grid=np.array(GRID))
    report(r, by, len(args.set), shipped)
    return 0


def figures(r: np.ndarray) -> tuple[float, float, float]:
    rr = np.where(r > 0, 1.0 / np.maximum(r, 1), 0.0)
    return rr.mean(), (r == 1).mean(), ((r > 0) & (r <= 5)).mean()


def report(r: np.ndarray, by: np.ndarray, n_sets: int, shipped: int) -> None:
    rr = np.where(r > 0, 1.0 / np.maximum(r, 1), 0.0)
    print(f"{len(r)} answerable questions; shipped point {GRID[shipped]}")
    best = np.argsort(-rr.mean(axis=0))[:8]
    for i in [shipped, *[b for b in best if b != shipped]]:
        m, h1, h5 = figures(r[:, i])
        print(f"  {GRID[i]}: MRR@10 {m:.4f} hit@1 {h1:.3f} hit@5 {h5:.3f}")
    chosen_of = np.zeros(len(r), dtype=int)
    for fold, chosen in choose_by_cv(rr, shipped):
        print(f"  fold: chose {GRID[chosen]}")
        chosen_of[fold] = chosen
    cv = r[np.arange(len(r)), chosen_of]
    for name, mask in [("all", np.ones(len(r), bool))] + [
        (f"set {n}", by == n) for n in range(n_sets)
    ]:
        m, h1, h5 = figures(cv[mask])
        sm, sh1, sh5 = figures(r[mask, shipped])
        print(
            f"{name} ({mask.sum()}): cross-validated MRR@10 {m:.4f} hit@1 {h1:.3f} hit@5 {h5:.3f}"
            f"  | shipped {sm:.4f} {sh1:.3f} {sh5:.3f}"
        )


if __name__ == "__main__":
    sys.exit(main())
