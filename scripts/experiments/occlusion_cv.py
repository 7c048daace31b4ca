"""Experiment: which sentence does the passage's match depend on? ("occlusion").

    python scripts/experiments/occlusion_cv.py --out /tmp/occlusion.npz \
        --set eval/sets/reports-dev.jsonl=data/corpus \
        --set ../shared/benchmarks/kazqad/questions-dev.jsonl=../shared/benchmarks/kazqad/corpus.jsonl@dev

A sentence read alone loses its context ("Ол 1997 жылы…"), so its cosine to the question is a
weak guide to the answer. Another reading: embed each top passage again with one sentence left
out; the sentence whose absence lowers the passage's cosine to the question most is the one the
match rests on. For every answerable question of the pooled development sets the sentences of
its top passages are scored as in sentence_cv.py, each gets `drop` = cos(q, passage) -
cos(q, passage without it), and the first quote is chosen by cosine + shipped weights +
occlusion_weight * drop, judged as `kazrag eval` judges quote@1, the weight chosen by 5-fold CV.
`--from` re-runs the choice from a saved --out without embedding again.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from cv import choose_by_cv, numbered_questions
from sentence_cv import candidates, first_quote_holds, scored_sentences, shipped_point

from kazrag.rag.config import Config
from kazrag.rag.records import embedding_text

WEIGHTS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 1e6)  # 1e6: drop alone decides


def drops(embedder, question_vector: np.ndarray, scored) -> np.ndarray:
    """cos(q, passage) - cos(q, passage without the sentence) for each scored sentence."""
    by_passage: dict[int, list[int]] = {}
    for i, s in enumerate(scored):
        by_passage.setdefault(id(s.passage), []).append(i)
    out = np.zeros(len(scored))
    for members in by_passage.values():
        chunk = scored[members[0]].passage.chunk
        texts = [chunk.embedding_text()]
        for i in members:
            sentence = chunk.sentences[scored[i].index]
            rest = (chunk.text[: sentence.start] + chunk.text[sentence.end :]).strip()
            texts.append(embedding_text(chunk.title, chunk.section, rest))
        cos = embedder.encode_passages(texts) @ question_vector
        out[members] = cos[0] - cos[1:]
    return out


def report(rows: np.ndarray, sets: np.ndarray, names: list[str]) -> None:
    print(f"{len(rows)} answerable questions")
    for i, w in enumerate(WEIGHTS):
        by = ", ".join(f"{n} {rows[sets == k, i].mean():.3f}" for k, n in enumerate(names))
        print(f"occlusion_weight {w:g}: quote@1 {rows[:, i].mean():.3f} ({by})")
    test, shipped = [], []
    for fold, chosen in choose_by_cv(rows, shipped=0):
        print(f"  fold: chose {WEIGHTS[chosen]:g} (test {rows[fold, chosen].mean():.3f})")
        test += rows[fold, chosen].tolist()
        shipped += rows[fold, 0].tolist()
    print(f"cross-validated quote@1 {np.mean(test):.3f} (without: {np.mean(shipped):.3f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", default=[])
    parser.add_argument("--out")
    parser.add_argument("--from", dest="source")
    args = parser.parse_args(argv)
    if args.source:
        saved = np.load(args.source, allow_pickle=True)
        report(saved["rows"], saved["sets"], list(saved["names"]))
        return 0
    config = Config(answerability="none")
    point = shipped_point(config)
    rows, sets = [], []
    for n, (number, (engine, q, searched)) in enumerate(numbered_questions(args.set, config), 1):
        retriever = engine.snapshot.retriever
        scored = [
            s
            for s in scored_sentences(engine, searched, config)
            if s.passage.rank <= config.answer_passages
        ]
        c = candidates(q, searched, scored)
        vector = retriever.embedder.encode_queries([searched])[0]
        d = drops(retriever.embedder, vector, scored)
        base = c.cosine
        hits = []
        for w in WEIGHTS:
            c.cosine = d if w >= 1e6 else base + w * d
            hits.append(first_quote_holds(c, point, config.quote_join_margin))
        rows.append(hits)
        sets.append(number)
        if n % 50 == 0:
            print(f"  {n} questions", file=sys.stderr)
    rows_a, sets_a = np.array(rows, dtype=float), np.array(sets)
    if args.out:
        np.savez(args.out, rows=rows_a, sets=sets_a, names=np.array(args.set))
    report(rows_a, sets_a, [s.split("=")[0].rsplit("/", 1)[-1] for s in args.set])
    return 0


if __name__ == "__main__":
    sys.exit(main())
