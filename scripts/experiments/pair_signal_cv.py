"""Experiment: do the question's word pairs stand together in the passages found? An
answerability signal, chosen by cross-validation.

An unanswerable question about the reports is often made of their own words in a pairing
they never use (`өлім жазасы`, a death penalty: `өлім` and `жаза` are both common there),
so term coverage and the dense scores call it close. This signal, for Kazakh questions (as
searched), is the share of the question's adjacent keyword-token pairs (weighed by the
commoner token's IDF) that stand within WINDOW tokens of each other, in either order, in the
three passages shown first; each window is an extra input of the answerability model,
compared with the shipped inputs by the same CV as `kazrag.eval.calibrate` (and by question
form, as in quantity_prior_cv.py), then fitted on the pool and applied once to the held-out
parts. The development sets are the calibration pool of the README; the held-out parts
their test parts.

    python scripts/experiments/pair_signal_cv.py --seeds 0,1,2,3 \
        --set eval/sets/reports-dev.jsonl=data/corpus … \
        --held-out-set eval/sets/reports-dev.jsonl=data/corpus@test …
"""

from __future__ import annotations

import numpy as np
from quantity_prior_cv import compare, set_parser

from kazrag.eval.calibrate import collect_engine, parse_set, row_from
from kazrag.eval.questions import load_questions, select_split
from kazrag.rag.answer import FEATURES
from kazrag.rag.config import Config

WINDOWS = (2, 5, 10)


def pairs_found(question: list[str], text: list[str], weights: np.ndarray, window: int) -> float:
    pairs = list(zip(question, question[1:]))
    if not pairs:
        return 1.0
    near = {
        pair
        for gap in range(1, window + 1)
        for a, b in zip(text, text[gap:])
        for pair in ((a, b), (b, a))
    }
    w = np.minimum(weights[:-1], weights[1:])
    found = np.array([pair in near for pair in pairs], dtype=float)
    return float((w * found).sum() / w.sum()) if w.sum() > 0 else 1.0


def rows(specs: list[str]) -> list[dict]:
    out = []
    for spec in specs:
        questions_path, corpus, split = parse_set(spec)
        engine = collect_engine(corpus, Config())
        retriever = engine.snapshot.retriever
        for q in select_split(load_questions(questions_path), split):
            answer = engine.ask(q.question)
            row = row_from(answer, q, f"{questions_path.stem}@{split}").to_dict()
            searched = engine.snapshot.searched_form(q.question)[0]
            tokens = retriever.tokens(searched)
            text = retriever.tokens(" ".join(p.chunk.text for p in answer.passages[:3]))
            weights = retriever.term_weights(tokens)
            for window in WINDOWS:
                found = pairs_found(tokens, text, weights, window)
                row[f"kk_pairs_{window}"] = found if answer.lang == "kk" else 1.0
            out.append(row)
    return out


def main() -> None:
    args = set_parser(__doc__).parse_args()
    variants = {"shipped features": FEATURES}
    variants |= {f"+ kk_pairs_{w}": FEATURES + (f"kk_pairs_{w}",) for w in WINDOWS}
    pool = rows(args.set)
    kazakh = [r for r in pool if r["lang"] == "kk"]
    for window in WINDOWS:
        for label, answerable in (("answerable", True), ("unanswerable", False)):
            found = [r[f"kk_pairs_{window}"] for r in kazakh if r["answerable"] is answerable]
            print(f"window {window}: {len(found)} Kazakh {label}, mean {np.mean(found):.3f}")
    compare(variants, pool, rows(args.held_out_set), args)


if __name__ == "__main__":
    main()
