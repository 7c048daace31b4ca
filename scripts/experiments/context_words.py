"""Experiment: score sentences against the question without the words its passage's heading
already says.

    python scripts/experiments/context_words.py \
        --set eval/sets/reports-dev.jsonl=data/corpus \
        --set ../shared/benchmarks/kazqad/questions-dev.jsonl=../shared/benchmarks/kazqad/corpus.jsonl@dev

Why: in the right passage the first quote often repeats the question's subject («Ақан сері —
… кітап.») while the answering sentence words it away («Кітап авторы — …»); the subject is
what the passage's title or section heading already names. For each of the top passages the
question is embedded once more with the words its title and section path share (by keyword
token) left out, and a sentence's cosine becomes (1 - b) * cos(question) + b * cos(reduced
question); the rest of the score is rag/answer.py's, as shipped. b is chosen by 5-fold CV
over the pooled sets, as in sentence_cv.py (eval/README.md "Context words left out").
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import replace

import numpy as np
from cv import choose_by_cv
from sentence_cv import candidates, first_quote_holds, scored_sentences

from kazrag.eval.calibrate import answerable_questions
from kazrag.rag.config import Config

BLENDS = (0.0, 0.25, 0.5, 0.75, 1.0)
_WORD = re.compile(r"\w+(?:-\w+)*")


def reduced(question: str, context: set[str], tokens) -> str | None:
    """The question without the words whose tokens all occur in `context`; None when no word
    goes or none would be left."""
    words = _WORD.findall(question)
    kept = [w for w in words if not (tokens(w) and set(tokens(w)) <= context)]
    if len(kept) == len(words) or not kept:
        return None
    return " ".join(kept) + ("?" if question.rstrip().endswith("?") else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True)
    args = parser.parse_args(argv)
    config = Config(answerability="none")
    point = (config.term_overlap_weight, config.rank_prior, config.answer_type_bonus,
             config.answer_passages)  # fmt: skip
    rows, changed, corpus_of = [], 0, []
    for n, (engine, q, searched) in enumerate(answerable_questions(args.set, config), 1):
        scored = scored_sentences(engine, searched, config)
        c = candidates(q, searched, scored)
        retriever = engine.snapshot.retriever
        red_cos = c.cosine.copy()
        any_change = False
        for p in {id(s.passage): s.passage for s in scored}.values():
            context = set(retriever.tokens(" ".join([p.chunk.title, *p.chunk.section])))
            text = reduced(searched, context, retriever.tokens)
            if text is None:
                continue
            any_change = True
            qv = retriever.embedder.encode_queries([text])[0]
            vectors, _ = retriever.version.sentences.of_chunks(np.array([p.chunk.chunk_id]))
            for i, s in enumerate(scored):
                if s.passage is p:
                    red_cos[i] = float(vectors[s.index] @ qv)
        changed += any_change
        corpus_of.append(id(engine))
        rows.append(
            [
                first_quote_holds(
                    replace(c, cosine=(1 - b) * c.cosine + b * red_cos),
                    point,
                    config.quote_join_margin,
                )  # fmt: skip
                for b in BLENDS
            ]
        )
        if n % 100 == 0:
            print(f"  {n} questions", file=sys.stderr)
    h = np.array(rows, dtype=float)
    print(f"{len(h)} answerable questions, {changed} with a word left out for some passage")
    for b, m in zip(BLENDS, h.mean(axis=0)):
        print(f"  blend {b}: quote@1 {m:.3f}")
    corpora = np.array(corpus_of)
    for k, corpus in enumerate(dict.fromkeys(corpus_of), 1):
        part = h[corpora == corpus].mean(axis=0)
        print(
            f"  set {k} ({int((corpora == corpus).sum())}): " + " / ".join(f"{m:.3f}" for m in part)
        )
    test_hits = []
    for fold, best in choose_by_cv(h, shipped=0):  # ties go to the shipped blend, 0
        test_hits += h[fold, best].tolist()
        print(f"  fold: chose blend {BLENDS[best]} (test {h[fold, best].mean():.3f})")
    print(f"cross-validated quote@1 {np.mean(test_hits):.3f} (shipped {h[:, 0].mean():.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
