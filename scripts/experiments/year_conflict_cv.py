"""Experiment: the question names a year and the sentence quoted first states another one.
An answerability signal, chosen by cross-validation.

A common unanswerable question about the reports asks of a year they do not cover, in
the reports' own words (`2015 жылы полиция … неше жағдайды тексерді?`, where the text
gives the figure for 2016): keyword coverage and the dense scores call it close, and the
first quote answers the question for the other year. `numbers_in_best` already reads a
question's number missing from the best sentence; this signal is stricter: the first
quote states a year, and none of the question's years. Two inputs are tried, each added
to the shipped ones and compared by calibrate's CV (and by question form, as in
quantity_prior_cv.py), then fitted on the pool and applied once to the held-out parts:
`year_contradicted` (the first quote) and `year_contradicted_top` (every year of the
three passages shown first differs from the question's).

    python scripts/experiments/year_conflict_cv.py --seeds 0,1,2,3 \
        --set eval/sets/reports-dev.jsonl=data/corpus … \
        --held-out-set eval/sets/reports-test.jsonl=data/corpus@all …
"""

from __future__ import annotations

import re

import numpy as np
from quantity_prior_cv import compare, set_parser

from kazrag.eval.calibrate import collect_engine, parse_set, row_from
from kazrag.eval.questions import load_questions, select_split
from kazrag.rag.answer import FEATURES
from kazrag.rag.config import Config

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
SIGNALS = ("year_contradicted", "year_contradicted_top")


def contradicted(question: set[str], text: str) -> float:
    stated = set(_YEAR.findall(text))
    return float(bool(question) and bool(stated) and not (question & stated))


def rows(specs: list[str]) -> list[dict]:
    out = []
    for spec in specs:
        questions_path, corpus, split = parse_set(spec)
        engine = collect_engine(corpus, Config())
        for q in select_split(load_questions(questions_path), split):
            answer = engine.ask(q.question)
            row = row_from(answer, q, f"{questions_path.stem}@{split}").to_dict()
            years = set(_YEAR.findall(q.question))
            first = answer.quotes[0].text if answer.quotes else ""
            top = " ".join(p.chunk.text for p in answer.passages[:3])
            row["year_contradicted"] = contradicted(years, first)
            row["year_contradicted_top"] = contradicted(years, top)
            out.append(row)
    return out


def main() -> None:
    args = set_parser(__doc__).parse_args()
    variants = {"shipped features": FEATURES}
    variants |= {f"+ {name}": FEATURES + (name,) for name in SIGNALS}
    pool = rows(args.set)
    for name in SIGNALS:
        for label, answerable in (("answerable", True), ("unanswerable", False)):
            values = [r[name] for r in pool if r["answerable"] is answerable]
            print(f"{name}: {len(values)} {label}, {int(np.sum(values))} set")
    compare(variants, pool, rows(args.held_out_set), args)


if __name__ == "__main__":
    main()
