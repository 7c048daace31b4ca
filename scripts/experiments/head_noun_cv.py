"""Experiment: the thing a Kazakh question asks about (`қай қала`, `қандай қасиет`), in the
sentence score, chosen by cross-validation.

    python scripts/experiments/head_noun_cv.py \
        --set eval/sets/reports-dev.jsonl=data/corpus \
        --set ../shared/benchmarks/kazqad/questions-dev.jsonl=../shared/benchmarks/kazqad/corpus.jsonl@dev

On KazQAD the rank-1 passage holds the gold span for 178 of 255 questions, but its best
sentence does for 118: the cosine prefers the sentence about the question's topic (often the
passage's definition) to the one that gives what is asked. A "which / what kind / how many X"
question names the category of its answer (X: a city, a property, a period); its word often
has a low IDF, so the shipped overlap term barely counts it. Here `weight * [the sentence has
a word starting with X's first five letters]` is added to the shipped sentence score of Kazakh
questions with such an X (rag.answer.counted_thing's patterns, widened to қай/қандай/нешінші);
each weight re-ranks the same scored sentences offline and is chosen by 5-fold CV (ties go
to 0). The words of the first quote (what the user reads) are reported beside quote@1.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from pathlib import Path

import numpy as np
from cv import choose_by_cv, saved_or_collected
from length_prior_cv import first_quote_words
from sentence_cv import candidates, first_quote_holds, scored_sentences, shipped_point

from kazrag.eval.calibrate import answerable_questions
from kazrag.rag.config import Config
from kazrag.rag.lang import detect

WEIGHTS = (0.0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05)
_ASKS_OF = re.compile(r"(?:қай|қандай|қанша|неше|нешінші)\s+([^\W\d_]{3,})", re.I)
_VERB_ENDING = re.compile(r"(?:ды|ді|ты|ті|ған|ген|қан|кен|ады|еді|йды|йді|ма|ме)$")
_WORDS = re.compile(r"[^\W_]+")


def asked_of(question: str) -> str | None:
    match = _ASKS_OF.search(question)
    if not match or _VERB_ENDING.search(match.group(1).casefold()):
        return None
    return match.group(1).casefold()[:5]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True)
    parser.add_argument("--cache", type=Path, help="pickle of the scored candidates (reused)")
    args = parser.parse_args(argv)
    config = Config(answerability="none")
    point = shipped_point(config)

    def collect() -> list:
        pool = []
        for n, (engine, q, searched) in enumerate(answerable_questions(args.set, config), 1):
            scored = scored_sentences(engine, searched, config)
            words = np.array([max(1, len(s.text.split())) for s in scored], dtype=float)
            stem = asked_of(searched) if detect(searched) == "kk" else None
            has = np.array(
                [
                    bool(stem)
                    and any(w.casefold().startswith(stem) for w in _WORDS.findall(s.text))
                    for s in scored
                ],
                dtype=float,
            )
            pool.append((q.id, candidates(q, searched, scored), words, has, stem))
            if n % 100 == 0:
                print(f"  {n} questions", file=sys.stderr)
        return pool

    cache = str(args.cache) if args.cache else None
    pool = saved_or_collected(cache if args.cache and args.cache.exists() else None, cache, collect)
    asking = np.array([stem is not None for *_, stem in pool])
    hits = np.zeros((len(pool), len(WEIGHTS)))
    read = np.zeros((len(pool), len(WEIGHTS)))
    for i, (_, c, words, has, _) in enumerate(pool):
        for k, w in enumerate(WEIGHTS):
            shifted = dataclasses.replace(c, cosine=c.cosine + w * has)
            hits[i, k] = first_quote_holds(shifted, point, config.quote_join_margin)
            read[i, k] = first_quote_words(shifted, words, point, config.quote_join_margin)
    print(f"{len(pool)} answerable questions, {asking.sum()} Kazakh ones naming what they ask of")
    for k, w in enumerate(WEIGHTS):
        print(
            f"  weight {w:.3f}: quote@1 {hits[:, k].mean():.3f} (those {hits[asking, k].mean():.3f}),"
            f" words read {read[:, k].mean():.1f}"
        )
    test, base = [], []
    for fold, best in choose_by_cv(hits, shipped=0):
        test += hits[fold, best].tolist()
        base += hits[fold, 0].tolist()
        print(f"  fold: chose {WEIGHTS[best]:.3f} (test {hits[fold, best].mean():.3f})")
    print(
        f"cross-validated quote@1 {np.mean(test):.3f} (weight 0 on the same folds {np.mean(base):.3f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
