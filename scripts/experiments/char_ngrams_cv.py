"""Experiment: character n-gram TF-IDF as a third, lexical ranking term.

    K=../shared/benchmarks/kazqad
    python scripts/experiments/char_ngrams_cv.py --set eval/sets/reports-dev.jsonl=data/corpus

BM25 matches word prefixes (`keyword_prefix`); Kazakh's suffix chains and the spelling
variants of names might match better as character n-grams inside word boundaries
(scikit-learn's `TfidfVectorizer(analyzer="char_wb")`, fitted on the corpus's chunks, on the
text the keyword side reads: `rag.translit.search_form`, skeleton-folded). Each candidate's
hybrid score gains `w * coverage * cos_tfidf` (gated by keyword coverage like BM25, so a
Russian or English question is left to the dense side); candidates retrieved once per
question, w chosen by 5-fold CV on MRR@10 (scripts/experiments/cv.py). Results:
eval/README.md "character n-grams".
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from cv import reciprocal_ranks_with_term, report_weight_cv
from sklearn.feature_extraction.text import TfidfVectorizer

from kazrag.eval.calibrate import answerable_questions
from kazrag.eval.metrics import Judge
from kazrag.rag import fusion
from kazrag.rag.config import Config
from kazrag.rag.translit import search_form, skeleton

WEIGHTS = (0.0, 0.02, 0.05, 0.1, 0.2)


def folded(text: str) -> str:
    return " ".join(skeleton(w) for w in search_form(text).split())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True)
    parser.add_argument("--ngrams", default="3,5", help="smallest,largest n")
    args = parser.parse_args(argv)
    low, high = (int(n) for n in args.ngrams.split(","))
    config = Config(answerability="none")
    fitted: dict[int, tuple[TfidfVectorizer, object]] = {}
    rr = []
    for engine, q, searched in answerable_questions(args.set, config):
        retriever = engine.snapshot.retriever
        key = id(engine)
        if key not in fitted:
            texts = [
                folded(retriever.chunk(row).text)
                for row in range(len(engine.snapshot.version.chunks))
            ]
            vectorizer = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(low, high), sublinear_tf=True, min_df=1
            )
            fitted[key] = (vectorizer, vectorizer.fit_transform(texts))
        vectorizer, matrix = fitted[key]
        ranking = retriever.rank(searched, ("hybrid",))
        rows = list(ranking.dense)
        query = vectorizer.transform([folded(searched)])
        cos = (matrix[rows] @ query.T).toarray().ravel()
        # gated by the keyword coverage, as BM25 is
        term = {row: ranking.keyword_coverage * float(c) for row, c in zip(rows, cos)}
        fused = fusion.weighted(
            ranking.dense, ranking.keyword, ranking.keyword_coverage, config.keyword_weight
        )
        rr.append(reciprocal_ranks_with_term(fused, term, WEIGHTS, retriever, Judge(q)))
    m = np.array(rr)
    print(f"{len(m)} answerable questions, n-grams {low}-{high}")
    report_weight_cv(m, WEIGHTS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
