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
import re
import sys
from pathlib import Path

import numpy as np
from length_prior_cv import sentence_pool, term_cv

from kazrag.rag.answer import _VERB_ENDING  # a verb after қай/неше names nothing
from kazrag.rag.config import Config
from kazrag.rag.lang import detect

WEIGHTS = (0.0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05)
_ASKS_OF = re.compile(r"(?:қай|қандай|қанша|неше|нешінші)\s+([^\W\d_]{3,})", re.I)
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

    def has_stem(searched: str, scored: list) -> tuple[np.ndarray, str | None]:
        stem = asked_of(searched) if detect(searched) == "kk" else None
        return np.array(
            [
                bool(stem) and any(w.casefold().startswith(stem) for w in _WORDS.findall(s.text))
                for s in scored
            ],
            dtype=float,
        ), stem

    pool = sentence_pool(args.set, config, args.cache, has_stem)
    asking = np.array([stem is not None for *_, (_, stem) in pool])
    print(f"{asking.sum()} Kazakh questions name what they ask of")
    hits = term_cv(pool, [has for *_, (has, _) in pool], WEIGHTS, config)
    for k, w in enumerate(WEIGHTS):
        print(f"  weight {w:.3f}: quote@1 of those {hits[asking, k].mean():.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
