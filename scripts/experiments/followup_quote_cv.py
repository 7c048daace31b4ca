"""Experiment: which question vector chooses the quoted sentence of a follow-up question?

A follow-up (`Оларға қандай жаза берілді?`) is searched together with the question before it
(rag/followup.py), which finds the passage; but the sentence quoted first is then chosen by
the vector of the two questions together, and it is often the one that answered the question
before. Variants, each choosing the sentence by its own vector over the same passages:
`together` (the two questions' vector), `alone` (the follow-up's own), `alone-words` (its
vector and its words for the term overlap: shipped), `alone-words-1` / `-2` (the same from the
first one or two passages only), `alone-words-prior-X` (the same with a rank prior of X
instead of Config.rank_prior's 0.01), `sum` / `sum-words` (together + alone) and `contrast`
(together + alone - before). The answerability model is not applied (every answer is
answered), so the figure is the sentence choice alone. Judged by quote@1 on a follow-up set's part (`--split`).

    python scripts/experiments/followup_quote_cv.py out/fu/with.jsonl --corpus data/corpus --split dev
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import replace

import numpy as np

from kazrag.eval.calibrate import collect_engine
from kazrag.eval.evaluator import Judge
from kazrag.eval.questions import load_questions, select_split
from kazrag.rag.answer import compose
from kazrag.rag.config import Config
from kazrag.rag.followup import follows_on, with_context

VARIANTS = (
    "together",
    "alone",
    "alone-words",
    "alone-words-1",
    "alone-words-2",
    "alone-words-prior-0.03",
    "alone-words-prior-0.05",
    "alone-words-prior-0.1",
    "sum",
    "sum-words",
    "contrast",
)


def variant_config(config: Config, name: str) -> Config:
    """`alone-words-N`: quotes from the first N passages; `…-prior-X`: rank_prior X."""
    if "-prior-" in name:
        return replace(config, rank_prior=float(name.rsplit("-", 1)[1]))
    if name[-1].isdigit():
        return replace(config, answer_passages=int(name[-1]))
    return config


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("questions")
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--forms", help="a JSON Lines file of {id, form}: figures by form too")
    args = parser.parse_args()
    engine = collect_engine(args.corpus, Config())
    config = engine.config
    snapshot = engine.snapshot
    retriever = snapshot.retriever
    encode = retriever.embedder.encode_queries
    held = {v: 0 for v in VARIANTS}
    by_form: dict = {}
    forms = {}
    if args.forms:
        forms = {
            json.loads(line)["id"]: json.loads(line)["form"]
            for line in open(args.forms, encoding="utf-8")
        }
    states = {v: Counter() for v in VARIANTS}
    n = 0
    for q in select_split(load_questions(args.questions), args.split):
        if not q.answerable or not q.previous:
            continue
        n += 1
        _, lang, _ = engine.prepare(q.question)
        asked = snapshot.reading(q.question).searched
        before = snapshot.reading(q.previous).searched
        searched = with_context(asked, before) if follows_on(asked, lang) else asked
        ranking = retriever.rank(searched, ("hybrid", "dense"))
        passages, _ = retriever.search(searched, "hybrid", config.top_k, ranking)
        together = ranking.question_vector
        alone, prev = (unit(v) for v in encode([asked, before]))
        vectors = {
            "together": together,
            "alone": alone,
            "sum": unit(together + alone),
            "contrast": unit(together + alone - prev),
            "alone-words": alone,
            "alone-words-1": alone,
            "alone-words-2": alone,
            "alone-words-prior-0.03": alone,
            "alone-words-prior-0.05": alone,
            "alone-words-prior-0.1": alone,
            "sum-words": unit(together + alone),
        }
        judge = Judge(q)
        for name, vector in vectors.items():
            answer = compose(
                searched,
                lang,
                passages,
                replace(
                    ranking,
                    question_vector=vector.astype(np.float32),
                    question_tokens=(
                        retriever.tokens(asked) if "words" in name else ranking.question_tokens
                    ),
                ),
                retriever,
                variant_config(config, name),
                engine.answerability,
            )
            quotes = answer.quotes
            states[name][answer.state] += 1
            ok = bool(quotes) and judge.quote_holds(quotes[0].doc, quotes[0].text)
            held[name] += ok
            form = by_form.setdefault(forms.get(q.id, "-"), {v: [0, 0] for v in VARIANTS})
            form[name][0] += ok
            form[name][1] += 1
    for form, figures in sorted(by_form.items()):
        print(form, {v: f"{a}/{b}" for v, (a, b) in figures.items()})
    for name in VARIANTS:
        print(f"{name:11s} quote@1 {held[name]}/{n} = {held[name] / n:.3f}  {dict(states[name])}")


if __name__ == "__main__":
    main()
