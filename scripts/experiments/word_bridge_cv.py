"""Experiment: a keyword side for Russian and English questions through the model's nearest
Kazakh words ("word bridge").

    K=../shared/benchmarks/kazqad T=eval/sets/kazqad-translated
    python scripts/experiments/word_bridge_cv.py --vocab-cache /tmp/kq-vocab.npz \
        --set $T/kazqad-dev-ru.jsonl=$K/corpus.jsonl@all --set $T/kazqad-dev-en.jsonl=$K/corpus.jsonl@all

A Russian or English question shares almost no keyword tokens with Kazakh documents, so its
hybrid ranking is the dense one. Here every word of 3+ letters of the corpus is embedded
alone (query prefix, once per corpus, cached in `--vocab-cache`), each question word is
mapped to its `top` nearest corpus words with cosine >= `tau`, and BM25 over those words'
keyword tokens is added to the shipped hybrid score with weight `w` (its candidates get a
dense score first, as `Retriever.rank` gives keyword candidates). (tau, top, w) is chosen
by 5-fold CV on MRR@10 of the chunk ranking, ties within half a question to w = 0, the
shipped ranking (eval/README.md "A word bridge for Russian and English questions").
All `--set`s must share one corpus: the cache holds one vocabulary.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from cv import choose_by_cv, first_relevant_rank, numbered_questions

from kazrag.eval.metrics import Judge
from kazrag.rag import fusion
from kazrag.rag.config import Config

WORD = re.compile(r"[^\W\d_]{3,}")
TAUS = (0.88, 0.90, 0.92, 0.94)
TOPS = (1, 3)
WEIGHTS = (0.0, 0.025, 0.05, 0.1, 0.2)
GRID = list(itertools.product(TAUS, TOPS, WEIGHTS))


def corpus_vocabulary(retriever, cache: Path) -> tuple[list[str], np.ndarray]:
    """Every corpus word (lower case, 3+ letters) and its vector, embedded once."""
    if cache.exists():
        saved = np.load(cache)
        return saved["words"].tolist(), saved["vectors"]
    rows = list(range(retriever.version.keyword.size))
    texts = [record["text"] for record in retriever.version.chunks.get(rows)]
    words = sorted(Counter(w.lower() for t in texts for w in WORD.findall(t)))
    vectors = retriever.embedder.encode_queries(words)
    np.savez(cache, words=np.array(words), vectors=vectors)
    return words, vectors


def bridged_tokens(similarity: np.ndarray, words: list[str], retriever, tau: float, top: int):
    tokens: list[str] = []
    for row in similarity:
        for j in np.argsort(-row)[:top]:
            if row[j] >= tau:
                tokens += retriever.tokens(words[j])
    return tokens


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True)
    parser.add_argument("--vocab-cache", type=Path, required=True)
    args = parser.parse_args(argv)
    config = Config(answerability="none")
    shipped = GRID.index((TAUS[0], TOPS[0], 0.0))
    rr, sets = [], []
    vocabulary = None
    for number, (engine, q, searched) in numbered_questions(args.set, config):
        retriever = engine.snapshot.retriever
        if vocabulary is None:
            vocabulary = corpus_vocabulary(retriever, args.vocab_cache)
        words, vectors = vocabulary
        ranking = retriever.rank(searched, ("hybrid",))
        question_words = [w.lower() for w in WORD.findall(searched)]
        similarity = (
            retriever.embedder.encode_queries(question_words) @ vectors.T
            if question_words
            else np.zeros((0, len(words)))
        )
        base = fusion.weighted(
            ranking.dense, ranking.keyword, ranking.keyword_coverage, config.keyword_weight
        )
        judge, verdicts, row = Judge(q), {}, []
        bridged: dict[tuple[float, int], tuple[dict, dict]] = {}
        for tau, top, w in GRID:
            if (tau, top) not in bridged:
                tokens = bridged_tokens(similarity, words, retriever, tau, top)
                keyword = retriever.version.keyword.search(tokens, config.candidates)
                new = np.array([r for r in keyword if r not in base], dtype=np.int64)
                dense = {}
                if len(new):  # scored as Retriever.rank scores a keyword candidate
                    scores = retriever._dense_scores(ranking.question_vector, new)
                    dense = dict(zip(new.tolist(), scores))
                bridged[(tau, top)] = keyword, dense
            keyword, dense = bridged[(tau, top)]
            scale = w / (max(keyword.values(), default=0.0) or 1.0)
            scored = {r: v + scale * keyword.get(r, 0.0) for r, v in {**base, **dense}.items()}
            rank = first_relevant_rank(scored, retriever, judge, verdicts)
            row.append(1 / rank if rank else 0.0)
        rr.append(row)
        sets.append(number)
    m, by = np.array(rr), np.array(sets)
    print(f"{len(m)} answerable questions")
    for i in range(len(GRID)):
        print(
            f"  {GRID[i]}: MRR@10 {m[:, i].mean():.4f} hit@1 {(m[:, i] == 1).mean():.3f} "
            f"hit@5 {(m[:, i] >= 0.2).mean():.3f}"
        )
    test = np.zeros(len(m))
    for fold, chosen in choose_by_cv(m, shipped):
        print(f"  fold: chose {GRID[chosen]}")
        test[fold] = m[fold, chosen]
    print(f"cross-validated MRR@10 {test.mean():.4f} hit@5 {(test >= 0.2).mean():.3f}")
    for n in range(len(args.set)):
        print(f"  set {n}: {test[by == n].mean():.4f} (shipped {m[by == n, shipped].mean():.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
