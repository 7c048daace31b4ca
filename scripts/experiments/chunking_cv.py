"""Experiment: the chunk size and overlap chosen by cross-validation on what the user reads.

    K=../shared/benchmarks/kazqad
    python scripts/experiments/chunking_cv.py \\
        --set eval/sets/reports-dev.jsonl=data/corpus \\
        --set $K/questions-dev.jsonl=$K/corpus.jsonl@dev

Each (chunk_target_words, chunk_overlap_sentences) of the grid gets its own index per corpus
(seeded with the default index's embedding cache: sentences do not change with the chunking,
so only the chunks are embedded again). Every answerable question of the pooled sets is asked
as a user asks it (`Kazrag.ask`, hybrid, answerability off so every answer quotes), and judged
on its first quote (quote@1), its first passage (hit@1) and MRR@10. Larger chunks hold the
evidence more often by their size alone, so the choice is made on quote@1 -- one or two
sentences whatever the chunking -- by 5-fold CV (scripts/experiments/cv.py; a tie within half
a question goes to the shipped setting). Results: eval/README.md "chunking by CV".
"""

from __future__ import annotations

import argparse
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

TARGET_WORDS = (60, 90, 120, 150)
OVERLAPS = (0, 1)
GRID = list(itertools.product(TARGET_WORDS, OVERLAPS))


def variant_engine(corpus: Path, words: int, overlap: int) -> Kazrag:
    base = Config(answerability="none")
    default_dir = eval_index_dir(base, corpus)
    Kazrag.open(base.with_(index_dir=default_dir), [corpus])  # the cache every variant seeds from
    config = base.with_(chunk_target_words=words, chunk_overlap_sentences=overlap)
    if (words, overlap) == (base.chunk_target_words, base.chunk_overlap_sentences):
        return Kazrag.open(config.with_(index_dir=default_dir), [corpus])
    folder = default_dir.parent / f"{default_dir.name}-chunks-{words}-{overlap}"
    if not folder.exists():
        shutil.copytree(default_dir / "embeddings", folder / "embeddings")
    return Kazrag.open(config.with_(index_dir=folder), [corpus])


def judge_set(spec: str, words: int, overlap: int) -> tuple[list[str], np.ndarray]:
    """(set name per question, [hit@1, rr@10, quote@1] per answerable question)."""
    questions_path, corpus, split = parse_set(spec)
    engine = variant_engine(corpus, words, overlap)
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
    args = parser.parse_args(argv)
    shipped = GRID.index((Config.chunk_target_words, Config.chunk_overlap_sentences))
    per_variant, names = [], []
    for words, overlap in GRID:
        parts = [judge_set(spec, words, overlap) for spec in args.set]
        names = [n for part_names, _ in parts for n in part_names]
        per_variant.append(np.concatenate([m for _, m in parts]))
        print(f"  measured {words} words, overlap {overlap}", file=sys.stderr, flush=True)
    figures = np.stack(per_variant, axis=2)  # questions x (hit@1, rr, quote@1) x grid
    set_names = sorted(set(names))
    print(f"{figures.shape[0]} answerable questions")
    print("| words, overlap | hit@1 | MRR@10 | quote@1 | " + " | ".join(set_names) + " |")
    print("|---" * (4 + len(set_names)) + "|")
    for i, (words, overlap) in enumerate(GRID):
        by_set = [
            f"{figures[[n == s for n in names], 2, i].mean():.3f}" for s in set_names
        ]  # quote@1 per set
        mark = " (shipped)" if i == shipped else ""
        print(
            f"| {words}, {overlap}{mark} | {figures[:, 0, i].mean():.3f} | "
            f"{figures[:, 1, i].mean():.3f} | {figures[:, 2, i].mean():.3f} | "
            + " | ".join(by_set)
            + " |"
        )
    quote = figures[:, 2, :]
    test_quote, test_shipped = [], []
    for fold, chosen in choose_by_cv(quote, shipped):
        print(f"  fold: chose {GRID[chosen]}")
        test_quote += quote[fold, chosen].tolist()
        test_shipped += quote[fold, shipped].tolist()
    print(
        f"cross-validated quote@1 {np.mean(test_quote):.3f} "
        f"(shipped setting on the same folds {np.mean(test_shipped):.3f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
