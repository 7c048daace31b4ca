"""Fit the answerability model by cross-validation over pooled development sets.

    python -m kazrag.eval.calibrate \\
        --set eval/sets/reports-dev.jsonl=data/corpus \\
        --set ../shared/benchmarks/kazqad/questions.jsonl=../shared/benchmarks/kazqad/corpus.jsonl@dev \\
        --set eval/sets/typing/offtopic.jsonl=data/corpus@dev \\
        --out rag/answerability.json --summary out/calibration.json

Each question is asked as a user asks it (`Kazrag.ask`, hybrid) with answerability off, so
every answer carries its signals; whether it is answerable is the label. Then, all by k-fold
cross-validation (stratified, fixed seed):
- the regularisation C of a scikit-learn logistic regression is the one with the lowest
  out-of-fold log-loss;
- the thresholds are chosen inside each fold on its training part (answer, per question
  language: the highest that keeps that language's false abstention within
  --max-false-abstention; refuse: the highest that keeps refusals of answerable questions
  within --max-false-refusal) and scored on its test part;
  the pooled test-part figures are the ones reported;
- the shipped model is then fitted on everything, with thresholds chosen on the out-of-fold
  probabilities by the same rule.
`QUESTIONS=CORPUS@SPLIT` takes the dev part (or test, or all) of a set; never calibrate on a
held-out part. The output file records the sets, C, thresholds and the CV figures.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from kazrag.files import read_jsonl, write_json, write_jsonl
from kazrag.rag.answer import FEATURES, decide
from kazrag.rag.answerability import AnswerabilityModel
from kazrag.rag.config import Config
from kazrag.rag.engine import Kazrag
from kazrag.rag.lang import LANGS
from kazrag.rag.records import Answer

from .corpus import eval_index_dir
from .metrics import Judge
from .questions import Question, load_questions, select_split

C_GRID = (0.1, 0.3, 1.0, 3.0)
FOLDS = 5
SEED = 0


@dataclass
class Row:
    """One question as calibration sees it (also one line of --signals)."""

    set_name: str
    id: str
    lang: str
    answerable: bool
    quote_holds: bool
    signals: dict[str, float]

    def to_dict(self) -> dict:
        return {
            "set": self.set_name,
            "id": self.id,
            "lang": self.lang,
            "answerable": self.answerable,
            "quote_holds": self.quote_holds,
            **self.signals,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Row:
        known = ("set", "id", "lang", "answerable", "quote_holds")
        signals = {k: float(v) for k, v in data.items() if k not in known}
        return cls(
            data["set"], data["id"], data["lang"], data["answerable"], data["quote_holds"], signals
        )


def parse_set(text: str) -> tuple[Path, Path, str]:
    questions, _, rest = text.partition("=")
    corpus, _, split = rest.partition("@")
    if not questions or not corpus:
        raise SystemExit(f"--set {text!r}: expected QUESTIONS=CORPUS[@dev|test|all]")
    return Path(questions), Path(corpus), split or "all"


def collect_engine(corpus: Path, config: Config) -> Kazrag:
    """The engine `kazrag eval` would use for `corpus`, answering without the model."""
    return Kazrag.open(
        config.with_(index_dir=eval_index_dir(config, corpus), answerability="none"), [corpus]
    )


def answerable_questions(
    specs: list[str], config: Config
) -> Iterator[tuple[Kazrag, Question, str]]:
    """(engine, question, the question as the engine searches it) for every answerable
    question of the given sets: what the experiments in scripts/experiments/ re-score."""
    for spec in specs:
        questions_path, corpus, split = parse_set(spec)
        engine = collect_engine(corpus, config)
        for q in select_split(load_questions(questions_path), split):
            if q.answerable:
                yield engine, q, engine.snapshot.searched_form(q.question)[0]


def row_of(engine: Kazrag, q: Question, set_name: str) -> Row:
    """`q` asked of `engine` as calibration sees it: its signals and whether the first quote
    holds the evidence."""
    return row_from(engine.ask(q.question, previous=q.previous), q, set_name)


def row_from(answer: Answer, q: Question, set_name: str) -> Row:
    """`q`'s calibration row from an answer already given to it."""
    first = answer.quotes[0] if answer.quotes else None
    holds = first is not None and q.answerable and Judge(q).quote_holds(first.doc, first.text)
    return Row(set_name, q.id, q.lang, q.answerable, holds, dict(answer.signals))


def collect(spec: str, config: Config) -> list[Row]:
    questions_path, corpus, split = parse_set(spec)
    questions = select_split(load_questions(questions_path), split)
    engine = collect_engine(corpus, config)
    name = f"{questions_path.stem}@{split}"
    rows = []
    for i, q in enumerate(questions, 1):
        rows.append(row_of(engine, q, name))
        if i % 50 == 0:
            print(f"  {name}: {i}/{len(questions)}", file=sys.stderr)
    return rows


def matrix(rows: list[Row]) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([[r.signals.get(f, 0.0) for f in FEATURES] for r in rows], dtype=np.float64)
    y = np.array([r.answerable for r in rows], dtype=np.int64)
    return x, y


def fit(x: np.ndarray, y: np.ndarray, c: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    # balanced: the pooled sets hold far more answerable questions than unanswerable ones
    model = make_pipeline(
        StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    )
    return model.fit(x, y)


def folds(y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    return list(splitter.split(np.zeros(len(y)), y))


def out_of_fold(x: np.ndarray, y: np.ndarray, c: float) -> np.ndarray:
    p = np.zeros(len(y))
    for train, test in folds(y):
        p[test] = fit(x[train], y[train], c).predict_proba(x[test])[:, 1]
    return p


def threshold_within(p_answerable: np.ndarray, max_share: float) -> float:
    """The highest threshold t with share(p < t) <= max_share among answerable questions."""
    ranked = np.sort(p_answerable)
    allowed = int(np.floor(max_share * len(ranked)))  # this many may fall below t
    return float(ranked[allowed]) if allowed < len(ranked) else 1.0


def thresholds(
    p: np.ndarray, y: np.ndarray, lang: np.ndarray, max_far: float, max_frr: float
) -> tuple[dict[str, float], float]:
    """Per-language answer thresholds (each language's answerable questions keep their
    false abstention within max_far) and one refusal threshold."""
    answer = {}
    for code in LANGS:
        mask = (y == 1) & (lang == code)
        answer[code] = threshold_within(p[mask], max_far) if mask.any() else 0.5
    refuse = min(threshold_within(p[y == 1], max_frr), *answer.values())
    return answer, refuse


def states(p: np.ndarray, lang: np.ndarray, answer: dict[str, float], refuse: float) -> np.ndarray:
    """Each question's state under these thresholds, decided as the engine decides it."""
    config = Config(answer_thresholds=tuple(answer.items()), refuse_threshold=refuse)
    return np.array([decide(float(pi), code, config) for pi, code in zip(p, lang)], dtype=object)


def figures(rows: list[Row], state: np.ndarray) -> dict:
    y = np.array([r.answerable for r in rows])
    holds = np.array([r.quote_holds for r in rows])

    def share(mask: np.ndarray, of: np.ndarray) -> float | None:
        return round(float(mask[of].mean()), 3) if of.any() else None

    return {
        "questions": len(rows),
        "unanswerable": int((~y).sum()),
        "false_abstention_rate": share(state != "answered", y),
        "false_refusal_rate": share(state == "refused", y),
        "abstention_recall": share(state != "answered", ~y),
        "refusal_recall": share(state == "refused", ~y),
        "quote@1": share(holds & (state != "refused"), y),
    }


def cross_validated(x, y, lang, c, max_far, max_frr) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities and states, thresholds chosen on each fold's training part
    (from inner out-of-fold probabilities, so they are not chosen on fitted data)."""
    p = np.zeros(len(y))
    state = np.empty(len(y), dtype=object)
    for train, test in folds(y):
        inner = out_of_fold(x[train], y[train], c)
        answer, refuse = thresholds(inner, y[train], lang[train], max_far, max_frr)
        p[test] = fit(x[train], y[train], c).predict_proba(x[test])[:, 1]
        state[test] = states(p[test], lang[test], answer, refuse)
    return p, state


def by_set(rows: list[Row], state: np.ndarray) -> dict:
    names = sorted({r.set_name for r in rows})
    out = {"overall": figures(rows, state)}
    for name in names:
        mask = np.array([r.set_name == name for r in rows])
        out[name] = figures([r for r, m in zip(rows, mask) if m], state[mask])
    for lang in LANGS:
        mask = np.array([r.lang == lang for r in rows])
        if mask.any():
            out[f"lang={lang}"] = figures([r for r, m in zip(rows, mask) if m], state[mask])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kazrag.eval.calibrate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--set", action="append", default=[], metavar="Q=CORPUS[@SPLIT]")
    parser.add_argument(
        "--from-signals",
        metavar="JSONL",
        help="fit on the questions of an earlier --signals file instead of asking again",
    )
    parser.add_argument("--out", help="write the fitted model here (JSON)")
    parser.add_argument("--summary", help="write the CV figures here (JSON)")
    parser.add_argument("--signals", help="also write every question's signals (JSON Lines)")
    parser.add_argument("--max-false-abstention", type=float, default=0.04)
    parser.add_argument("--max-false-refusal", type=float, default=0.005)
    parser.add_argument("--c", type=float, help="fix C instead of choosing it by CV")
    args = parser.parse_args(argv)

    if not args.set and not args.from_signals:
        parser.error("give --set (one or more) or --from-signals")
    config = Config()
    rows = [row for spec in args.set for row in collect(spec, config)]
    if args.from_signals:
        rows += [Row.from_dict(d) for d in read_jsonl(Path(args.from_signals))]
    x, y = matrix(rows)
    if len(set(y.tolist())) < 2:
        raise SystemExit("calibration needs answerable and unanswerable questions")
    losses = {}
    for c in [args.c] if args.c else C_GRID:
        p = np.clip(out_of_fold(x, y, c), 1e-6, 1 - 1e-6)
        losses[c] = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    c = min(losses, key=lambda k: losses[k])
    lang = np.array([r.lang for r in rows])
    limits = (args.max_false_abstention, args.max_false_refusal)
    _, cv_state = cross_validated(x, y, lang, c, *limits)
    cv = by_set(rows, cv_state)
    answer, refuse = thresholds(out_of_fold(x, y, c), y, lang, *limits)
    final = fit(x, y, c)
    scaler, lr = final.named_steps["standardscaler"], final.named_steps["logisticregression"]
    model = AnswerabilityModel(
        FEATURES,
        tuple(float(v) for v in scaler.mean_),
        tuple(float(v) or 1.0 for v in scaler.scale_),
        tuple(float(v) for v in lr.coef_[0]),
        float(lr.intercept_[0]),
        {
            "fitted": date.today().isoformat(),
            "sets": sorted({r.set_name for r in rows}),
            "questions": len(rows),
            "C": c,
            "cv_log_loss": {str(k): round(v, 4) for k, v in losses.items()},
            "answer_thresholds": {k: round(v, 4) for k, v in answer.items()},
            "refuse_threshold": round(refuse, 4),
            "cross_validated": cv,
        },
    )
    print(f"C={c} (out-of-fold log-loss {losses})")
    print(
        "thresholds (set them in Config): answer "
        + ", ".join(f"{k} {v:.4f}" for k, v in answer.items())
        + f"; refuse {refuse:.4f}"
    )
    print("cross-validated (thresholds chosen inside each fold):")
    for name, f in cv.items():
        print(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in f.items()))
    if args.out:
        write_json(Path(args.out), model.to_dict())
    if args.summary:
        write_json(Path(args.summary), model.about)
    if args.signals:
        write_jsonl(Path(args.signals), (r.to_dict() for r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
