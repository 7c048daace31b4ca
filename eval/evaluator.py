"""`Evaluator`: runs a question set through a kazrag engine and measures it.

In the style of sentence-transformers' InformationRetrievalEvaluator: built once from the
questions and settings, then called with the thing under test, returning a dict of figures
(and writing a CSV when given a folder):

    evaluator = Evaluator(load_questions(path), mode="hybrid", top_k=10)
    summary = evaluator(engine)             # {"overall": {...}, "by_lang": ..., "by_kind": ...}
    evaluator.results                       # one QuestionResult per question

Each question goes through `engine.ask` (what a user gets: the ranked passages and the
abstention), timed around that call alone.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kazrag.errors import ConfigError

from .metrics import HIT_AT, METRICS, Judge, Judged, hit_curve, summarise
from .questions import Question

Progress = Callable[[str, float], None]


def _quiet(message: str, fraction: float) -> None:
    pass


@dataclass
class QuestionResult:
    question: Question
    abstained: bool
    answer: str
    passages: list[dict]  # {"rank", "doc", "section", "text", "score"}, rank order
    hit_rank: int | None
    latency_ms: float
    quotes: list[dict] = field(default_factory=list)  # {"text", "doc", "holds"}, in order
    quote_any: bool = False
    state: str = ""  # "answered", "uncertain" or "refused"
    probability: float | None = None  # the answerability model's
    signals: dict = field(default_factory=dict)

    @property
    def quote_first(self) -> bool:
        return bool(self.quotes) and self.quotes[0]["holds"]

    def judged(self) -> Judged:
        q = self.question
        return Judged(
            q.id,
            q.lang,
            q.kind,
            q.answerable,
            self.abstained,
            self.hit_rank,
            self.latency_ms,
            self.quote_first,
            self.quote_any,
            len(self.quotes),
            sum(quote["holds"] for quote in self.quotes[1:]),
            self.state == "refused",
            len(self.quotes[0]["text"].split()) if self.quotes else 0,
        )

    def to_dict(self) -> dict:
        """Exactly the fields of a `--results` line."""
        q = self.question
        return {
            "id": q.id,
            "question": q.question,
            "lang": q.lang,
            "kind": q.kind,
            "state": self.state,
            "abstained": self.abstained,
            "answerable_probability": (
                None if self.probability is None else round(self.probability, 4)
            ),
            "answer": self.answer,
            "quotes": self.quotes,
            "quote@1": self.quote_first,
            "quote_any": self.quote_any,
            "passages": self.passages,
            "hit_rank": self.hit_rank,
            "latency_ms": round(self.latency_ms, 3),
            "signals": {k: round(v, 4) for k, v in self.signals.items()},
        }


def passage_row(passage) -> dict:
    """A retrieved passage as the results file shows it: the chunk text the user sees."""
    chunk = passage.chunk
    return {
        "rank": passage.rank,
        "doc": chunk.doc,
        "section": chunk.section_path,
        "text": chunk.text,
        "score": round(float(passage.score), 6),
    }


class Evaluator:
    def __init__(
        self,
        questions: Sequence[Question],
        mode: str = "hybrid",
        top_k: int = 10,
        name: str = "",
        progress: Progress = _quiet,
        write_csv: bool = True,
        warm_up: int = 3,
    ):
        if top_k < 1:
            raise ConfigError(f"top-k must be at least 1, not {top_k}")
        self.questions = list(questions)
        self.mode = mode
        self.top_k = top_k
        self.name = name
        self.progress = progress
        self.write_csv = write_csv
        # the first questions pay for lazy loading (model graph, index pages, allocator);
        # a user asks a warm engine, so a few untimed questions go first. One was not enough:
        # whichever mode ran first in --compare came out slower
        self.warm_up = warm_up
        self.results: list[QuestionResult] = []
        self.seconds = 0.0

    @property
    def csv_file(self) -> str:
        return f"eval{'_' + self.name if self.name else ''}_{self.mode}.csv"

    def __call__(self, engine, output_path: str | Path | None = None) -> dict:
        self.run(engine)
        summary = self.summary()
        if output_path is not None and self.write_csv:
            self.to_csv(Path(output_path) / self.csv_file, summary)
        return summary

    # ------------------------------------------------------------------------ running
    def run(self, engine) -> list[QuestionResult]:
        run_together([self], engine, self.progress)
        return self.results

    def ask_one(self, engine, question: Question) -> QuestionResult:
        t0 = time.perf_counter()
        answer = engine.ask(
            question.question, mode=self.mode, top_k=self.top_k, previous=question.previous
        )
        latency_ms = (time.perf_counter() - t0) * 1000.0
        passages = [passage_row(p) for p in answer.passages[: self.top_k]]
        judge = Judge(question)
        hit_rank = (
            judge.hit_rank((p["doc"], p["text"]) for p in passages) if question.answerable else None
        )
        quotes = [
            {
                "text": q.text,
                "doc": q.doc,
                "holds": question.answerable and judge.quote_holds(q.doc, q.text),
            }
            for q in answer.quotes
        ]
        quote_any = question.answerable and judge.quotes_hold(
            (q.doc, q.text) for q in answer.quotes
        )
        return QuestionResult(
            question,
            bool(answer.abstained),
            answer.text,
            passages,
            hit_rank,
            latency_ms,
            quotes,
            quote_any,
            answer.state,
            answer.probability,
            dict(answer.signals),
        )

    # ------------------------------------------------------------------------ figures
    def judged(self) -> list[Judged]:
        return [r.judged() for r in self.results]

    def summary(self) -> dict:
        return summarise(self.judged(), self.top_k)

    def hit_curve(self, lang: str | None = None) -> list[float]:
        judged = [j for j in self.judged() if lang is None or j.lang == lang]
        return hit_curve(judged, self.top_k)

    def to_csv(self, path: Path, summary: dict | None = None) -> Path:
        return write_csv(path, {self.mode: summary or self.summary()})


def run_together(evaluators: Sequence[Evaluator], engine, progress: Progress = _quiet) -> None:
    """Run several evaluators (one per mode) on the same questions, interleaved: each
    question is asked in every mode before the next, the first mode rotating. Run one mode
    after another instead and whichever ran first came out slower (measured: p50 1447 ms
    for bm25 first vs 394 ms second), so latencies compared across modes would compare the
    order and the machine's load at the time, not the modes."""
    questions = evaluators[0].questions
    for evaluator in evaluators:
        if evaluator.questions != questions:
            raise ValueError("evaluators run together must share their questions")
        for question in questions[: evaluator.warm_up]:
            engine.ask(question.question, mode=evaluator.mode, top_k=evaluator.top_k)
        evaluator.results = []
    modes = "/".join(e.mode for e in evaluators)
    for i, question in enumerate(questions):
        for j in range(len(evaluators)):
            evaluator = evaluators[(i + j) % len(evaluators)]
            evaluator.results.append(evaluator.ask_one(engine, question))
        progress(
            f"evaluating {modes}: {i + 1}/{len(questions)} questions", (i + 1) / len(questions)
        )
    for evaluator in evaluators:
        # time spent answering, the warm-up and the other modes' turns not counted
        evaluator.seconds = sum(r.latency_ms for r in evaluator.results) / 1000.0


def write_csv(path: Path, summaries: dict[str, dict]) -> Path:
    """One row per mode and group (overall, lang=…, kind=…), one column per metric."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["mode", "group", "questions", "answerable", "unanswerable", *METRICS])
        for mode, summary in summaries.items():
            for group, m in flatten(summary):
                writer.writerow(
                    [
                        mode,
                        group,
                        m["questions"],
                        m["answerable"],
                        m["unanswerable"],
                        *("" if m[k] is None else f"{m[k]:.4f}" for k in METRICS),
                    ]
                )
    return path


def flatten(summary: dict) -> list[tuple[str, dict]]:
    """("overall", m), ("lang=kk", m), …, ("kind=number", m), … in display order."""
    rows = [("overall", summary["overall"])]
    rows += [(f"lang={k}", m) for k, m in summary["by_lang"].items()]
    rows += [(f"kind={k}", m) for k, m in summary["by_kind"].items()]
    return rows


__all__ = ["Evaluator", "QuestionResult", "flatten", "run_together", "write_csv", "HIT_AT"]
