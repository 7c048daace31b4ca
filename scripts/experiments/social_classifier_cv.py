"""Fit the courtesy model: tell a message that asks nothing from a question by its e5 vector.

The courtesy lists (rag/courtesy.py) catch the formulae they hold and miss a fresh writer's
(`бопты`, `айналайын`, `спасиба`, `helo`). The question's vector is computed anyway; a
logistic regression over it (scikit-learn), trained on the social sets against every real
question of the sets (follow-ups such as `Неге?` included), is judged writer by writer: each
social set in turn left out of training, its share caught at thresholds chosen so that no
question of the training folds passes them. The shipped threshold is the highest
out-of-fold question probability over those folds, plus 0.02, rounded up to 0.05; the model
trained on all of them is written with --out (rag/courtesy.json) and applied once to the
held-out sets named with --held-out (a social set and a set of real questions). Keyword searches
(one to three words of the documents or the questions: `Бокаев`, `суд`) are questions too,
since a name typed alone is a search. Vectors are
those the engine computes: of the question as searched (`Snapshot.reading`).

    python scripts/experiments/social_classifier_cv.py \\
        --social eval/sets/chat/social-1.jsonl --social eval/sets/chat/social-2.jsonl \\
        --social eval/sets/chat/social-3.jsonl --held-out eval/sets/chat/social-4.jsonl \\
        --held-out eval/sets/chat/courtesy-questions-4.jsonl --out rag/courtesy.json
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import random
import re
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from kazrag.eval.questions import load_questions
from kazrag.rag.config import BUNDLED_CORPUS, Config
from kazrag.rag.courtesy import FORMAT, read_courtesy
from kazrag.rag.engine import Kazrag

_WORDS = re.compile(r"[^\W\d_]+")
QUESTION_SETS = [
    *glob.glob("eval/sets/*.jsonl"),
    *glob.glob("eval/sets/typing/*.jsonl"),
    *glob.glob("eval/sets/kazqad-translated/*.jsonl"),
    *glob.glob("eval/sets/reports-unanswerable/*.jsonl"),
    "eval/sets/chat/followups.jsonl",
    "eval/sets/chat/reports-dev-polite.jsonl",
    "eval/sets/chat/courtesy-questions-2.jsonl",
    "eval/sets/chat/courtesy-questions-3.jsonl",
    "../shared/benchmarks/kazqad/questions-dev.jsonl",
]


def texts(path: str) -> list[str]:
    return [q.question for q in load_questions(Path(path))]


def keyword_queries(sources: list[str], n: int, seed: int = 0) -> list[str]:
    """Searches typed as a few words (`Бокаев`, `суд`, `жер кодексі`): one to three
    consecutive words of the documents and of the questions, which are no courtesy either."""
    rng = random.Random(seed)
    spans = []
    for _ in range(n):
        words = _WORDS.findall(rng.choice(sources))
        if not words:
            continue
        size = rng.choice((1, 1, 2, 3))
        at = rng.randrange(max(len(words) - size, 0) + 1)
        spans.append(" ".join(words[at : at + size]))
    return spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--social", action="append", required=True)
    parser.add_argument("--held-out", action="append", default=[])
    parser.add_argument("--c", type=float, default=1.0)
    parser.add_argument("--out", type=Path, help="write the fitted model here")
    parser.add_argument(
        "--keywords", type=int, default=0, help="keyword searches among the questions"
    )
    args = parser.parse_args()
    engine = Kazrag.open(Config(courtesy_model="none"))  # the vectors alone
    embedder = engine.snapshot.retriever.embedder

    def vectors(items: list[str]) -> np.ndarray:
        searched = [engine.snapshot.reading(engine.prepare(t)[0]).searched for t in items]
        return np.vstack(
            [embedder.encode_queries(searched[i : i + 64]) for i in range(0, len(items), 64)]
        )

    questions = [t for path in QUESTION_SETS for t in texts(path)]
    sentences = [
        line
        for path in sorted(BUNDLED_CORPUS.glob("*.txt"))
        for line in path.read_text("utf-8").splitlines()
        if len(line) > 40
    ]
    questions += keyword_queries(sentences + questions, args.keywords)
    qx = vectors(questions)
    social = {path: texts(path) for path in args.social}
    sx = {path: vectors(items) for path, items in social.items()}
    print(
        f"{len(questions)} questions, social: {', '.join(f'{Path(p).stem} {len(t)}' for p, t in social.items())}"
    )

    def fit(x: np.ndarray, y: np.ndarray) -> LogisticRegression:
        return LogisticRegression(C=args.c, max_iter=2000, class_weight="balanced").fit(x, y)

    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    highest: list[float] = []
    for left in args.social:
        train = [p for p in args.social if p != left]
        s_train = np.vstack([sx[p] for p in train])
        # the questions split in folds too, so the threshold is set on questions not trained on
        caught, wrong, n_q = 0, 0, 0
        q_scores = np.zeros(len(questions))
        for q_train, q_test in folds.split(qx, np.zeros(len(questions))):
            x = np.vstack([qx[q_train], s_train])
            y = np.r_[np.zeros(len(q_train)), np.ones(len(s_train))]
            model = fit(x, y)
            q_scores[q_test] = model.predict_proba(qx[q_test])[:, 1]
        highest.append(float(q_scores.max()))
        model = fit(np.vstack([qx, s_train]), np.r_[np.zeros(len(qx)), np.ones(len(s_train))])
        left_scores = model.predict_proba(sx[left])[:, 1]
        for threshold in (0.5, 0.8, 0.9, 0.95, float(q_scores.max()) + 1e-6):
            caught = int((left_scores >= threshold).sum())
            wrong = int((q_scores >= threshold).sum())
            n_q = len(questions)
            print(
                f"left out {Path(left).stem}: threshold {threshold:.3f}: caught {caught}/{len(left_scores)}, "
                f"questions passing (out of fold) {wrong}/{n_q}"
            )
        by_list = sum(bool(read_courtesy(t).kind) for t in social[left])
        either = sum(
            bool(read_courtesy(t).kind) or s >= 0.9 for t, s in zip(social[left], left_scores)
        )
        print(f"   the lists alone {by_list}/{len(left_scores)}; lists or p >= 0.9: {either}")
    model = fit(
        np.vstack([qx, *sx.values()]),
        np.r_[np.zeros(len(qx)), np.ones(sum(len(v) for v in sx.values()))],
    )
    shipped = math.ceil((max(highest) + 0.02) * 20) / 20
    print(f"highest out-of-fold question probability {max(highest):.3f}: threshold {shipped}")
    if args.out:
        args.out.write_text(
            json.dumps(
                {
                    "format": FORMAT,
                    "model": embedder.name.split("+")[0],
                    "coef": [round(float(c), 6) for c in model.coef_[0]],
                    "intercept": round(float(model.intercept_[0]), 6),
                    "fitted_on": {
                        "questions": len(questions),
                        "messages": sum(len(t) for t in social.values()),
                    },
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
    for path in args.held_out:
        items = texts(path)
        scores = model.predict_proba(vectors(items))[:, 1]
        lists = [bool(read_courtesy(t).kind) for t in items]
        for threshold in (shipped,):
            print(
                f"held out {Path(path).stem}: p >= {threshold}: {int((scores >= threshold).sum())}/{len(items)}; "
                f"lists or p: {sum(a or s >= threshold for a, s in zip(lists, scores))}; lists {sum(lists)}"
            )
        worst = sorted(zip(scores, items), reverse=True)[:5]
        print("   highest:", [(round(float(s), 3), t) for s, t in worst])


if __name__ == "__main__":
    main()
