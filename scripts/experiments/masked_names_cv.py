"""Experiment: the question without its names, as an answerability signal.

    K=../shared/benchmarks/kazqad T=eval/sets/kazqad-translated
    python scripts/experiments/masked_names_cv.py --rows /tmp/masked.jsonl \
        --set eval/sets/reports-dev.jsonl=data/corpus --set $K/questions-dev.jsonl=$K/corpus.jsonl@dev \
        --set eval/sets/typing/offtopic.jsonl=data/corpus@dev ...   (the pool of eval/calibrate.py)

An off-topic question often names a city, a company or a person the documents mention and
asks what they never say about it ("Who won the football match in Almaty?"): the name carries
the match, in every language, and the calibrated model answers. Here the question is embedded
a second time with its names (rag/answer.py `_names`) left out, and three signals come from
that vector: its cosine with the best sentence the full question chose, its best cosine with
any candidate sentence of the top passages, and the drop from the full question's cosine. A
question without names gets the full question's values (drop 0). The shipped features and the
shipped features plus these are compared under the calibration's own cross-validation
(eval/calibrate.py `cross_validated`: 5 folds, thresholds chosen inside each fold, C by
out-of-fold log-loss), overall, by set and by language (eval/README.md "question without its
names").
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
from pathlib import Path

import numpy as np

from kazrag.eval.calibrate import (
    C_GRID,
    Row,
    by_set,
    collect_engine,
    cross_validated,
    out_of_fold,
    parse_set,
    row_of,
)
from kazrag.eval.questions import load_questions, select_split
from kazrag.rag.answer import FEATURES, _names, prefer_type, score_sentences
from kazrag.rag.config import Config

NEW = ("masked_best_cosine", "masked_max_cosine", "masked_drop")


def without_names(question: str) -> str:
    text = question
    for name in _names(question):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def collect(spec: str, config: Config) -> list[dict]:
    questions_path, corpus, split = parse_set(spec)
    engine = collect_engine(corpus, config)
    name = f"{questions_path.stem}@{split}"
    out = []
    for q in select_split(load_questions(questions_path), split):
        row = row_of(engine, q, name).to_dict()
        retriever = engine.snapshot.retriever
        searched = engine.snapshot.searched_form(q.question)[0]
        ranking = retriever.rank(searched, ("hybrid", "dense"))
        passages, _ = retriever.search(searched, "hybrid", config.top_k, ranking)
        scored = score_sentences(passages[: config.answer_passages], ranking, retriever, config)
        scored, _ = prefer_type(scored, searched, config.answer_type_bonus)
        masked = without_names(searched)
        if scored and masked and masked != searched:
            vector = retriever.embedder.encode_queries([masked])[0]
            again = score_sentences(
                passages[: config.answer_passages],
                dataclasses.replace(ranking, question_vector=vector),
                retriever,
                config,
            )
            at = {(id(s.passage), s.index): s.cosine for s in again}
            best = at[(id(scored[0].passage), scored[0].index)]
            row.update(
                masked_best_cosine=best,
                masked_max_cosine=max(at.values()),
                masked_drop=scored[0].cosine - best,
            )
        else:
            cos = scored[0].cosine if scored else 0.0
            row.update(masked_best_cosine=cos, masked_max_cosine=cos, masked_drop=0.0)
        out.append(row)
    print(f"  {name}: {len(out)}", file=sys.stderr)
    return out


def compare(rows: list[Row], features: tuple[str, ...]) -> dict:
    x = np.array([[r.signals.get(f, 0.0) for f in features] for r in rows], dtype=np.float64)
    y = np.array([r.answerable for r in rows], dtype=np.int64)
    lang = np.array([r.lang for r in rows])
    losses = {}
    for c in C_GRID:
        p = np.clip(out_of_fold(x, y, c), 1e-6, 1 - 1e-6)
        losses[c] = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    c = min(losses, key=lambda k: losses[k])
    _, state = cross_validated(x, y, lang, c, 0.04, 0.005)
    return {"C": c, "log_loss": round(losses[c], 4), **by_set(rows, state)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", default=[])
    parser.add_argument("--rows", type=Path, required=True, help="JSON Lines (reused if there)")
    args = parser.parse_args(argv)
    if not args.rows.exists():
        config = Config()
        dicts = [d for spec in args.set for d in collect(spec, config)]
        args.rows.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in dicts))
    rows = [Row.from_dict(json.loads(line)) for line in args.rows.read_text().splitlines()]
    for label, features in (("shipped", FEATURES), ("shipped + masked", FEATURES + NEW)):
        result = compare(rows, features)
        print(f"{label}: C {result.pop('C')}, out-of-fold log-loss {result.pop('log_loss')}")
        for name, f in result.items():
            keep = ("false_abstention_rate", "abstention_recall", "quote@1")
            print(f"  {name}: " + ", ".join(f"{k} {f[k]}" for k in keep if f.get(k) is not None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
