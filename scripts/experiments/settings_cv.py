"""Experiment: `Config` settings that shape the index, chosen by cross-validation.

    K=../shared/benchmarks/kazqad
    python scripts/experiments/settings_cv.py \\
        --set eval/sets/reports-dev.jsonl=data/corpus \\
        --set $K/questions-dev.jsonl=$K/corpus.jsonl@dev \\
        --vary chunk_target_words=60,90,120,150 --vary chunk_overlap_sentences=0,1

Each point of the grid (the product of the --vary values) gets its own index per corpus,
seeded with the default index's embedding cache, so only texts the point changes are
embedded again (none for keyword settings, only the chunks for chunking ones). Every
answerable question of the pooled sets is asked as a user asks it (`Kazrag.ask`, hybrid,
answerability off so every answer quotes) and judged on its first passage (hit@1), MRR@10
and its first quote (quote@1). The point is chosen by 5-fold CV (scripts/experiments/cv.py;
a tie within half a question goes to the shipped point) on `--choose`: quote@1 for chunking,
since larger chunks hold the evidence more often by their size alone while the quote is one
or two sentences whatever the chunking. Results: eval/README.md "chunking by
cross-validation", "keyword settings by cross-validation".
"""

from __future__ import annotations

import argparse
import ast
import itertools
import shutil
import sys
from pathlib import Path

import numpy as np
from cv import choose_by_cv

from kazrag.eval.calibrate import parse_set
from kazrag.eval.corpus import eval_index_dir
from kazrag.eval.metrics import Judge
from kazrag.eval.questions import load_questions, select_split
from kazrag.rag.config import Config
from kazrag.rag.engine import Kazrag

CHOICES = ("hit@1", "mrr@10", "quote@1")  # the columns judge_set returns, in order


def parse_vary(text: str) -> tuple[str, list]:
    name, _, values = text.partition("=")
    if not hasattr(Config, name) or not values:
        raise SystemExit(f"--vary {text!r}: expected FIELD=V1,V2,… with a Config field")
    return name, [ast.literal_eval(v) for v in values.split(",")]


def variant_engine(corpus: Path, point: dict) -> Kazrag:
    base = Config(answerability="none")
    default_dir = eval_index_dir(base, corpus)
    Kazrag.open(base.with_(index_dir=default_dir), [corpus])  # the cache every variant seeds from
    config = base.with_(**point)
    if all(getattr(base, k) == v for k, v in point.items()):
        return Kazrag.open(config.with_(index_dir=default_dir), [corpus])
    name = "-".join(f"{k}-{v}" for k, v in point.items())
    folder = default_dir.parent / f"{default_dir.name}-{name}"
    if not folder.exists():
        shutil.copytree(default_dir / "embeddings", folder / "embeddings")
    return Kazrag.open(config.with_(index_dir=folder), [corpus])


def judge_set(spec: str, point: dict) -> tuple[list[str], np.ndarray]:
    """(set name per question, [hit@1, rr@10, quote@1] per answerable question)."""
    questions_path, corpus, split = parse_set(spec)
    engine = variant_engine(corpus, point)
    names, rows = [], []
    for q in select_split(load_questions(questions_path), split):
        if not q.answerable:
            continue
        answer = engine.ask(q.question)
        judge = Judge(q)
        rank = next(
            (p.rank for p in answer.passages if judge.relevant(p.chunk.doc, p.chunk.text)), None
        )
        first = answer.quotes[0] if answer.quotes else None
        holds = first is not None and judge.quote_holds(first.doc, first.text)
        names.append(f"{questions_path.stem}@{split}")
        rows.append((rank == 1, 1.0 / rank if rank else 0.0, holds))
    return names, np.array(rows, dtype=float)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True)
    parser.add_argument("--vary", action="append", required=True, metavar="FIELD=V1,V2")
    parser.add_argument("--choose", choices=CHOICES, default="quote@1")
    args = parser.parse_args(argv)
    varied = [parse_vary(v) for v in args.vary]
    fields = [name for name, _ in varied]
    grid = [dict(zip(fields, values)) for values in itertools.product(*(v for _, v in varied))]
    shipped_point = {name: getattr(Config, name) for name in fields}
    if shipped_point not in grid:
        raise SystemExit(f"the grid must hold the shipped point {shipped_point}")
    shipped = grid.index(shipped_point)
    per_point, names = [], []
    for point in grid:
        parts = [judge_set(spec, point) for spec in args.set]
        names = [n for part_names, _ in parts for n in part_names]
        per_point.append(np.concatenate([m for _, m in parts]))
        print(f"  measured {point}", file=sys.stderr, flush=True)
    figures = np.stack(per_point, axis=2)  # questions x (hit@1, rr, quote@1) x grid
    column = CHOICES.index(args.choose)
    set_names = sorted(set(names))
    print(f"{figures.shape[0]} answerable questions; per set: {args.choose}")
    print(f"| {', '.join(fields)} | hit@1 | MRR@10 | quote@1 | " + " | ".join(set_names) + " |")
    print("|---" * (4 + len(set_names)) + "|")
    for i, point in enumerate(grid):
        by_set = [f"{figures[[n == s for n in names], column, i].mean():.3f}" for s in set_names]
        mark = " (shipped)" if i == shipped else ""
        print(
            f"| {', '.join(map(str, point.values()))}{mark} | {figures[:, 0, i].mean():.3f} | "
            f"{figures[:, 1, i].mean():.3f} | {figures[:, 2, i].mean():.3f} | "
            + " | ".join(by_set)
            + " |"
        )
    chosen_metric = figures[:, column, :]
    test_chosen, test_shipped = [], []
    for fold, chosen in choose_by_cv(chosen_metric, shipped):
        print(f"  fold: chose {grid[chosen]}")
        test_chosen += chosen_metric[fold, chosen].tolist()
        test_shipped += chosen_metric[fold, shipped].tolist()
    print(
        f"cross-validated {args.choose} {np.mean(test_chosen):.3f} "
        f"(shipped point on the same folds {np.mean(test_shipped):.3f})"
    )
    # what to ship: the same rule on every question (the folds only tell whether it holds)
    everything = np.arange(len(chosen_metric))
    means = chosen_metric[everything].mean(axis=0)
    best = int(np.argmax(means))
    if means[shipped] >= means[best] - 0.5 / len(everything):
        best = shipped
    print(f"on all questions: {grid[best]} ({means[best]:.4f}; shipped {means[shipped]:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
