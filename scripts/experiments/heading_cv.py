"""Experiment: a passage's heading matched on its own, as a dense term of the ranking.

    K=../shared/benchmarks/kazqad
    python scripts/experiments/heading_cv.py \\
        --set eval/sets/reports-dev.jsonl=data/corpus \\
        --set $K/questions-dev.jsonl=$K/corpus.jsonl@dev

A chunk is embedded with its document title and section path in front of its text, where
~90 words of body outweigh them. Here the heading (title and section path) is embedded alone
as a passage, and each candidate's hybrid score gains `w * cos(question, heading)`. The
candidates of every answerable question are retrieved once (as `Retriever.rank`), re-scored
for each w, judged by MRR@10, and w is chosen by 5-fold CV (scripts/experiments/cv.py).
Results: eval/README.md "headings as a dense term".
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from cv import reciprocal_ranks_with_term, report_weight_cv

from kazrag.eval.calibrate import answerable_questions
from kazrag.eval.metrics import Judge
from kazrag.rag import fusion
from kazrag.rag.config import Config
from kazrag.rag.records import SECTION_SEPARATOR

WEIGHTS = (0.0, 0.02, 0.05, 0.1, 0.2)


def heading(chunk) -> str:
    return SECTION_SEPARATOR.join(([chunk.title] if chunk.title else []) + list(chunk.section))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True)
    args = parser.parse_args(argv)
    config = Config(answerability="none")
    vectors: dict[str, np.ndarray] = {}
    rr = []
    for engine, q, searched in answerable_questions(args.set, config):
        retriever = engine.snapshot.retriever
        ranking = retriever.rank(searched, ("hybrid",))
        rows = list(ranking.dense)
        headings = [heading(retriever.chunk(row)) for row in rows]
        missing = sorted({h for h in headings if h and h not in vectors})
        if missing:
            for h, v in zip(missing, engine.embedder.encode_passages(missing)):
                vectors[h] = v
        cos = {
            row: float(vectors[h] @ ranking.question_vector) if h else 0.0
            for row, h in zip(rows, headings)
        }
        fused = fusion.weighted(
            ranking.dense, ranking.keyword, ranking.keyword_coverage, config.keyword_weight
        )
        rr.append(reciprocal_ranks_with_term(fused, cos, WEIGHTS, retriever, Judge(q)))
    m = np.array(rr)
    print(f"{len(m)} answerable questions, {len(vectors)} headings")
    report_weight_cv(m, WEIGHTS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
