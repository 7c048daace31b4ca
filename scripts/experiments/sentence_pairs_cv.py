"""Experiment: adjacent sentence pairs as a dense ranking term.

    K=../shared/benchmarks/kazqad
    python scripts/experiments/sentence_pairs_cv.py --set eval/sets/reports-dev.jsonl=data/corpus \
        --set $K/questions-dev.jsonl=$K/corpus.jsonl@dev

A chunk's dense score is ½ its own cosine + ½ its best sentence's. An answer often spans two
sentences ("Ол 1997 жылы…" after the sentence naming its subject), which one sentence's
vector splits and the ~90-word chunk's dilutes. Every pair of adjacent sentences of a chunk is
embedded as one passage (with the build's bf16 where the CPU has it), and each candidate's
hybrid score gains `w * term`, with two terms tried: the best pair's cosine ("pair"), and how
far it rises above the best sentence's ("pair gain", max(pair, sentence) − sentence). w chosen
by 5-fold CV on MRR@10 (scripts/experiments/cv.py). Results: eval/README.md "sentence pairs".
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

WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)


def pair_vectors(engine) -> list[np.ndarray]:
    """Per chunk row, the vectors of its adjacent sentence pairs (its one sentence if alone)."""
    retriever = engine.snapshot.retriever
    texts, owner = [], []
    for row in range(len(engine.snapshot.version.chunks)):
        chunk = retriever.chunk(row)
        spans = chunk.sentences
        pairs = [(a.start, b.end) for a, b in zip(spans, spans[1:])] or [
            (s.start, s.end) for s in spans
        ]
        for start, end in pairs:
            texts.append(chunk.text[start:end])
            owner.append(row)
    embedder = retriever.embedder
    with embedder.bulk(len(texts)):
        vectors = np.concatenate(
            [embedder.encode_passages(texts[i : i + 64]) for i in range(0, len(texts), 64)]
        )
    print(f"  {len(texts)} pairs embedded", file=sys.stderr)
    owner_a = np.array(owner)
    return [vectors[owner_a == row] for row in range(len(engine.snapshot.version.chunks))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True)
    args = parser.parse_args(argv)
    config = Config(answerability="none")
    pairs: dict[int, list[np.ndarray]] = {}
    rr: dict[str, list] = {"pair": [], "pair gain": []}
    for engine, q, searched in answerable_questions(args.set, config):
        retriever = engine.snapshot.retriever
        if id(engine) not in pairs:
            pairs[id(engine)] = pair_vectors(engine)
        ranking = retriever.rank(searched, ("hybrid",))
        rows = np.array(list(ranking.dense))
        _, best_sentence = retriever.cosines(ranking.question_vector, rows)
        best_pair = np.array([(pairs[id(engine)][r] @ ranking.question_vector).max() for r in rows])
        fused = fusion.weighted(
            ranking.dense, ranking.keyword, ranking.keyword_coverage, config.keyword_weight
        )
        terms = {
            "pair": dict(zip(rows.tolist(), best_pair.tolist())),
            "pair gain": dict(
                zip(rows.tolist(), (np.maximum(best_pair, best_sentence) - best_sentence).tolist())
            ),
        }
        judge = Judge(q)
        for name, term in terms.items():
            rr[name].append(reciprocal_ranks_with_term(fused, term, WEIGHTS, retriever, judge))
    for name, rows_rr in rr.items():
        m = np.array(rows_rr)
        print(f"== {name}: {len(m)} answerable questions")
        report_weight_cv(m, WEIGHTS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
