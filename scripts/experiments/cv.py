"""The k-fold choice the experiments here share: which grid column to ship, judged on
questions the choice did not see."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

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
