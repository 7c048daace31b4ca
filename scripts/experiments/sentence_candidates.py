"""Experiment: candidates found by their best sentence, not only by the chunk vector.

    K=../shared/benchmarks/kazqad
    python scripts/experiments/sentence_candidates.py --set $K/questions-dev.jsonl=$K/corpus.jsonl@dev

The dense score is half chunk cosine, half best-sentence cosine, but the candidates come from
the chunk vectors' nearest neighbours (and BM25): a chunk whose one answering sentence is
buried in an unrelated body may never be scored. Here the chunks of the question's nearest
N sentences (exact search over every sentence vector) join the candidates, everything else as
shipped, and the ranking is judged by hit@k and MRR@10 for each N.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from cv import first_relevant_rank

from kazrag.eval.calibrate import answerable_questions
from kazrag.eval.metrics import Judge
from kazrag.rag import fusion
from kazrag.rag.config import Config

EXTRA = (0, 20, 50, 100, 200)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True)
    args = parser.parse_args(argv)
    config = Config(answerability="none")
    every: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    rr, h1, h5 = [], [], []
    for engine, q, searched in answerable_questions(args.set, config):
        retriever = engine.snapshot.retriever
        version = engine.snapshot.version
        if id(engine) not in every:
            rows = np.arange(len(version.chunks), dtype=np.int64)
            vectors, counts = version.sentences.of_chunks(rows)
            every[id(engine)] = (vectors, np.repeat(rows, counts))
        sentence_vectors, owner = every[id(engine)]
        ranking = retriever.rank(searched, ("hybrid",))
        cos = sentence_vectors @ ranking.question_vector
        order = np.argsort(-cos)
        judge = Judge(q)
        relevant: dict[int, bool] = {}
        row_rr, row_h1, row_h5 = [], [], []
        for extra in EXTRA:
            added: list[int] = []
            for i in order:
                if len(added) >= extra:
                    break
                row = int(owner[i])
                if row not in ranking.dense and row not in added:
                    added.append(row)
            dense = dict(ranking.dense)
            if added:
                new = np.array(added, dtype=np.int64)
                dense.update(zip(added, retriever._dense_scores(ranking.question_vector, new)))
            fused = fusion.weighted(
                dense, ranking.keyword, ranking.keyword_coverage, config.keyword_weight
            )
            rank = first_relevant_rank(fused, retriever, judge, relevant)
            row_rr.append(1 / rank if rank else 0.0)
            row_h1.append(rank == 1)
            row_h5.append(bool(rank) and rank <= 5)
        rr.append(row_rr)
        h1.append(row_h1)
        h5.append(row_h5)
    m, a, b = (np.array(x, dtype=float) for x in (rr, h1, h5))
    print(f"{len(m)} answerable questions")
    for i, extra in enumerate(EXTRA):
        print(
            f"{extra} sentence-found chunks added: hit@1 {a[:, i].mean():.3f}, "
            f"hit@5 {b[:, i].mean():.3f}, MRR@10 {m[:, i].mean():.4f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
