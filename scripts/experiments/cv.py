"""The k-fold choice the experiments here share: which grid column to ship, judged on
questions the choice did not see."""

from __future__ import annotations

import argparse
import pickle
from collections.abc import Callable, Iterator

import numpy as np

from kazrag.rag import fusion

FOLDS = 5


def choose_by_cv(
    hits: np.ndarray, shipped: int | None = None, folds: int = FOLDS, seed: int = 0
) -> Iterator[tuple[np.ndarray, int]]:
    """(the rows of a test fold, the column chosen on the other folds) for each fold of
    `hits` (questions x grid columns, 1 where the question was answered right). The chosen
    column has the best mean on the training folds; with `shipped`, ties within half a
    question go to that column."""
    order = np.random.default_rng(seed).permutation(len(hits))
    for fold in np.array_split(order, folds):
        train = np.setdiff1d(order, fold)
        means = hits[train].mean(axis=0)
        if shipped is not None and means[shipped] >= means.max() - 0.5 / len(train):
            yield fold, shipped
        else:
            yield fold, int(np.argmax(means))


TOP_K = 10  # the ranks judged, as `kazrag eval` judges them (MRR@10)


def first_relevant_rank(
    scores: dict[int, float], retriever, judge, verdicts: dict[int, bool]
) -> int | None:
    """The rank (from 1) of the first chunk among the top TOP_K of `scores` (chunk row ->
    score) that `judge` finds relevant, None if none is; `verdicts` keeps one question's
    judgements, as its rankings share chunks."""
    for rank, (row, _) in enumerate(fusion.best_first(scores)[:TOP_K], 1):
        if row not in verdicts:
            chunk = retriever.chunk(row)
            verdicts[row] = judge.relevant(chunk.doc, chunk.text)
        if verdicts[row]:
            return rank
    return None


def reciprocal_ranks_with_term(
    fused: dict[int, float], term: dict[int, float], weights: tuple[float, ...], retriever, judge
) -> list[float]:
    """For each w of `weights`: 1 / the first relevant rank of `fused + w * term` (0 when
    none is in the top TOP_K), the row of one question in `report_weight_cv`'s input."""
    verdicts: dict[int, bool] = {}
    out = []
    for w in weights:
        scored = {row: score + w * term.get(row, 0.0) for row, score in fused.items()}
        rank = first_relevant_rank(scored, retriever, judge, verdicts)
        out.append(1 / rank if rank else 0.0)
    return out


def report_weight_cv(rr: np.ndarray, weights: tuple[float, ...]) -> None:
    """Print MRR@10 and hit@1 per weight (columns of `rr`, reciprocal ranks; the first is
    the shipped 0) and the cross-validated MRR@10 of choosing the weight by `choose_by_cv`."""
    for i, w in enumerate(weights):
        print(f"w {w}: MRR@10 {rr[:, i].mean():.4f}, hit@1 {(rr[:, i] == 1).mean():.3f}")
    test, shipped = [], []
    for fold, chosen in choose_by_cv(rr, 0):
        print(f"  fold: chose w {weights[chosen]}")
        test += rr[fold, chosen].tolist()
        shipped += rr[fold, 0].tolist()
    print(f"cross-validated MRR@10 {np.mean(test):.4f} (without: {np.mean(shipped):.4f})")


def numbered_questions(specs: list[str], config):
    """(which of `specs` it is from, (engine, question, searched form)) for every answerable
    question of the sets, one set after another."""
    from kazrag.eval.calibrate import answerable_questions

    for number, spec in enumerate(specs):
        for item in answerable_questions([spec], config):
            yield number, item


def collected_rows(argv: list[str] | None, doc: str, collect: Callable[[list[str]], list]) -> list:
    """The command line of an experiment that collects once and scores a grid (`--set` the
    question sets, `--out` / `--from` a pickle of what was collected) and its rows."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--set", action="append", default=[])
    parser.add_argument("--out", help="save what was collected (pickle)")
    parser.add_argument("--from", dest="saved", help="re-score a saved collection")
    args = parser.parse_args(argv)
    return saved_or_collected(args.saved, args.out, lambda: collect(args.set))


def saved_or_collected(saved: str | None, out: str | None, collect: Callable[[], list]) -> list:
    """What `collect()` gathers (the slow part: the model and the indexes), read back from the
    pickle `saved` instead when one is given, and written to `out` when asked, so a grid can
    be scored again without the model."""
    if saved:
        with open(saved, "rb") as f:
            return pickle.load(f)
    rows = collect()
    if out:
        with open(out, "wb") as f:
            pickle.dump(rows, f)
    return rows
