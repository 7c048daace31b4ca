"""Experiment: `Config.sentence_context_weight` chosen by cross-validation, the whole pipeline
as `kazrag eval` runs it.

    K=../shared/benchmarks/kazqad T=eval/sets/kazqad-translated
    python scripts/experiments/context_weight_cv.py eval/sets/reports-dev.jsonl=data/corpus \
        $K/questions-dev.jsonl=$K/corpus.jsonl@dev \
        $T/kazqad-dev-ru.jsonl=$K/corpus.jsonl@all $T/kazqad-dev-en.jsonl=$K/corpus.jsonl@all

A sentence's score mixes its own vector's cosine with the question and its in-context vector's
(pooled from its chunk's pass, stored beside it by every build): (1 - w) * own + w * in-context
(rag/answer.py). For each w the sets' answerable questions are asked with no answerability
model (every question answered), the first quote judged as `kazrag eval` judges quote@1, and w
chosen by 5-fold CV (three seeds; ties to w 0). The weight is read at question time, so one
index serves every w (eval/README.md "sentence vectors from the chunk's pass").
"""

from __future__ import annotations

import sys

import numpy as np
from cv import choose_by_cv

from kazrag.eval.calibrate import collect_engine, parse_set
from kazrag.eval.evaluator import Evaluator
from kazrag.eval.questions import load_questions, select_split
from kazrag.rag.config import Config

WEIGHTS = (0.0, 0.25, 0.4, 0.5, 0.6, 0.75, 1.0)


def main(argv: list[str]) -> int:
    columns, sets = [], []
    for number, spec in enumerate(argv):
        path, corpus, split = parse_set(spec)
        questions = [q for q in select_split(load_questions(path), split) if q.answerable]
        per_weight = []
        for w in WEIGHTS:
            engine = collect_engine(corpus, Config(answerability="none", sentence_context_weight=w))
            evaluator = Evaluator(questions, write_csv=False, warm_up=0)
            evaluator.run(engine)
            per_weight.append([r.quote_first for r in evaluator.results])
        columns.append(np.array(per_weight).T)
        sets += [number] * len(questions)
    hits, by = np.vstack(columns).astype(float), np.array(sets)
    for j, w in enumerate(WEIGHTS):
        parts = " ".join(f"{hits[by == n, j].mean():.3f}" for n in np.unique(by))
        print(f"w {w}: quote@1 {hits[:, j].mean():.3f} (by set {parts})")
    for seed in (0, 1, 2):
        test, chosen = np.zeros(len(hits)), []
        for fold, column in choose_by_cv(hits, 0, seed=seed):
            test[fold] = hits[fold, column]
            chosen.append(WEIGHTS[column])
        print(f"seed {seed}: folds chose {chosen}, cross-validated quote@1 {test.mean():.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
