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
from cv import (
    choose_by_cv,
    first_relevant_rank,
    numbered_questions,
    reciprocal_ranks_with_term,
    report_weight_cv,
)

from kazrag.eval.metrics import Judge
from kazrag.rag import fusion
from kazrag.rag.config import Config

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0)
MIXES = (  # (chunk, sentence, pair) weights of the dense side; the first is as shipped
    (0.5, 0.5, 0.0),
    (0.5, 0.5, 0.3),
    (0.4, 0.3, 0.3),
    (0.35, 0.35, 0.3),
    (0.0, 0.5, 0.5),
    (0.0, 0.4, 0.6),
    (0.0, 0.6, 0.4),
    (0.0, 0.3, 0.7),
    (0.0, 0.0, 1.0),
)


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
    names = ("pair", "pair gain", "pair mean", "sentence (control)", "chunk (control)")
    rr: dict[str, list] = {name: [] for name in names}
    corpus_of: list[int] = []  # which set each question is from
    mixes: list[list[float]] = []
    for number, (engine, q, searched) in numbered_questions(args.set, config):
        retriever = engine.snapshot.retriever
        if number not in pairs:  # each set's engine: its pairs once
            pairs[number] = pair_vectors(engine)
        corpus_of.append(number)
        ranking = retriever.rank(searched, ("hybrid",))
        rows = np.array(list(ranking.dense))
        chunk_cos, best_sentence = retriever.cosines(ranking.question_vector, rows)
        best_pair = np.array([(pairs[number][r] @ ranking.question_vector).max() for r in rows])
        # the same pairs without embedding them: the normalised sum of the two sentence
        # vectors already in the index (free at build time)
        sentences, counts = retriever.version.sentences.of_chunks(rows)
        cos = sentences @ ranking.question_vector
        norms = np.linalg.norm(sentences[:-1] + sentences[1:], axis=1) if len(sentences) else []
        pair_mean, start = [], 0
        for count in counts:
            if count < 2:
                pair_mean.append(float(cos[start]) if count else 0.0)
            else:
                sums = cos[start : start + count - 1] + cos[start + 1 : start + count]
                pair_mean.append(float((sums / norms[start : start + count - 1]).max()))
            start += count
        fused = fusion.weighted(
            ranking.dense, ranking.keyword, ranking.keyword_coverage, config.keyword_weight
        )
        terms = {
            "pair": dict(zip(rows.tolist(), best_pair.tolist())),
            "pair gain": dict(
                zip(rows.tolist(), (np.maximum(best_pair, best_sentence) - best_sentence).tolist())
            ),
            "pair mean": dict(zip(rows.tolist(), pair_mean)),
            # controls: the same weight on what the dense score already has, so a gain of
            # "pair" over them is the pairs' and not a heavier dense side against BM25
            "sentence (control)": dict(zip(rows.tolist(), best_sentence.tolist())),
            "chunk (control)": dict(zip(rows.tolist(), chunk_cos.tolist())),
        }
        judge = Judge(q)
        for name, term in terms.items():
            rr[name].append(reciprocal_ranks_with_term(fused, term, WEIGHTS, retriever, judge))
        # the dense side re-weighted outright: a chunk + b sentence + c pair, BM25's part as
        # shipped (a = 0 would be an index without chunk vectors)
        keyword_part = {row: fused[row] - ranking.dense[row] for row in fused}
        verdicts: dict[int, bool] = {}
        line = []
        for a, b, c in MIXES:
            mixed = {
                row: keyword_part[row] + a * ch + b * se + c * pa
                for row, ch, se, pa in zip(rows.tolist(), chunk_cos, best_sentence, best_pair)
            }
            rank = first_relevant_rank(mixed, retriever, judge, verdicts)
            line.append(1 / rank if rank else 0.0)
        mixes.append(line)
    sets = np.array(corpus_of)
    m = np.array(mixes)
    print(f"== dense mixes (chunk, sentence, pair): {len(m)} answerable questions")
    for i, mix in enumerate(MIXES):
        parts = " ".join(f"{m[sets == n][:, i].mean():.4f}" for n in range(len(args.set)))
        print(
            f"  {mix}: MRR@10 {m[:, i].mean():.4f} hit@1 {(m[:, i] == 1).mean():.3f}  by set {parts}"
        )
    test = []
    for fold, chosen in choose_by_cv(m, 0):
        print(f"  fold: chose {MIXES[chosen]}")
        test += m[fold, chosen].tolist()
    print(f"cross-validated MRR@10 {np.mean(test):.4f} (shipped mix: {m[:, 0].mean():.4f})")
    for name, rows_rr in rr.items():
        m = np.array(rows_rr)
        print(f"== {name}: {len(m)} answerable questions")
        report_weight_cv(m, WEIGHTS)
        for number, spec in enumerate(args.set):
            part = m[sets == number]
            means = " ".join(f"{w}:{part[:, i].mean():.4f}" for i, w in enumerate(WEIGHTS))
            print(f"  {spec} ({len(part)}): MRR@10 by w {means}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
