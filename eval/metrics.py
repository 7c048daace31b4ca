"""Relevance judgement and the figures of an evaluation, as plain functions of plain data.

Nothing here needs a model or an index: a ranking is a list of (doc id, passage text) and a
judged question is a `Judged` record, so every figure can be checked by hand (tests/test_eval.py).

Definitions (eval/README.md has the prose):
- hit@k: share of answerable questions with a relevant passage among the first k retrieved.
- mrr@10: mean over answerable questions of 1/rank of the first relevant passage (0 if none
  in the first 10).
- quote@1: share of answerable questions whose FIRST quote (what a user reads first: one
  sentence, or two adjacent ones joined) holds an evidence string, or for questions with gold
  answer spans judged by document (KazQAD), a gold span. A refusal counts as a miss; the
  quote of an "uncertain" answer is shown, and counts.
- quote_any: the same for all the quoted sentences of the answer taken together.
- extra_quote_precision: of the 2nd and later quotes of answered answerable questions, the
  share that hold evidence themselves (an extra quote is worth reading only if it does).
- quotes_mean: mean number of quotes per answered question.
- first_quote_words: mean words in the first quote of answered questions: what the user
  reads first (a first quote of two joined sentences reads longer, and a longer quote holds
  an evidence string more often by chance: compare quote@1 at equal reading).
- abstention_recall: share of unanswerable questions on which the engine abstained.
- abstention_precision: share of abstentions that were on unanswerable questions.
- false_abstention_rate: share of answerable questions on which the engine abstained.
  Abstaining is anything but a confident answer: the "uncertain" state (closest quotes,
  marked) or a refusal.
- refusal_recall / false_refusal_rate: the same for refusals alone (nothing quoted): what a
  user loses most on an answerable question.
- latency_p50_ms / latency_p95_ms: percentiles of the time `engine.ask` took per question.
A figure whose denominator is empty (no unanswerable questions in a group, say) is None.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from kazrag.rag.lang import LANGS
from kazrag.rag.text import match_key

from .questions import Question

HIT_AT = (1, 3, 5, 10)
MRR_AT = 10
METRICS = tuple(f"hit@{k}" for k in HIT_AT) + (
    f"mrr@{MRR_AT}",
    "quote@1",
    "quote_any",
    "extra_quote_precision",
    "quotes_mean",
    "first_quote_words",
    "abstention_recall",
    "abstention_precision",
    "false_abstention_rate",
    "refusal_recall",
    "false_refusal_rate",
    "latency_p50_ms",
    "latency_p95_ms",
)


class Judge:
    """Decides whether a retrieved passage is relevant to one question, exactly as the
    format README says: `evidence` -> the passage text contains one of the answers, both
    sides through `rag.text.match_key`; `doc` -> the passage's document is one of `doc`."""

    def __init__(self, question: Question):
        self.match = question.match
        self.docs = frozenset(question.doc)
        # folded once per question, not once per passage
        self.keys = tuple(k for k in (match_key(a) for a in question.answers) if k)

    def relevant(self, doc: str, text: str) -> bool:
        if self.match == "doc":
            return doc in self.docs
        passage = match_key(text)
        return any(key in passage for key in self.keys)

    def quote_holds(self, doc: str, text: str) -> bool:
        """Whether one quoted sentence answers: it holds an evidence string or gold answer
        span; a `doc` question without any answer text: it comes from a relevant document."""
        if self.keys:
            quoted = match_key(text)
            return any(key in quoted for key in self.keys)
        return self.match == "doc" and doc in self.docs

    def quotes_hold(self, quotes: Iterable[tuple[str, str]]) -> bool:
        """Whether the quoted (doc, sentence) pairs of an answer hold the answer, judged
        together: an answer may split a fact over two quotes."""
        quotes = list(quotes)
        if not self.keys:
            return any(self.quote_holds(doc, text) for doc, text in quotes)
        return bool(quotes) and self.quote_holds("", " ".join(text for _, text in quotes))

    def hit_rank(self, ranking: Iterable[tuple[str, str]]) -> int | None:
        """1-based rank of the first relevant (doc, text) in `ranking`, or None."""
        for rank, (doc, text) in enumerate(ranking, start=1):
            if self.relevant(doc, text):
                return rank
        return None


@dataclass(frozen=True)
class Judged:
    """One evaluated question: what the metrics need of it."""

    id: str
    lang: str
    kind: str
    answerable: bool
    abstained: bool
    hit_rank: int | None  # None: no relevant passage in the retrieved top-k (or unanswerable)
    latency_ms: float
    quote_first: bool = False  # the first quoted sentence holds the evidence
    quote_any: bool = False  # the quoted sentences together hold it
    quotes: int = 0  # how many quotes the answer has
    extra_holding: int = 0  # of the quotes after the first, how many hold evidence
    refused: bool = False  # nothing quoted (a refusal is also an abstention)
    first_quote_words: int = 0  # words of the first quote (0: nothing quoted)


def _mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if len(values) else None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def compute(judged: Sequence[Judged], top_k: int) -> dict:
    """The metrics of one group of questions. hit@k for k > top_k and mrr@10 when top_k < 10
    are None: they would need passages that were never retrieved."""
    answerable = [j for j in judged if j.answerable]
    unanswerable = [j for j in judged if not j.answerable]
    abstained = [j for j in judged if j.abstained]
    ranks = [j.hit_rank for j in answerable]
    out: dict = {
        "questions": len(judged),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
    }
    for k in HIT_AT:
        out[f"hit@{k}"] = _mean([r is not None and r <= k for r in ranks]) if k <= top_k else None
    out[f"mrr@{MRR_AT}"] = (
        _mean([1.0 / r if r is not None and r <= MRR_AT else 0.0 for r in ranks])
        if top_k >= MRR_AT
        else None
    )
    out["quote@1"] = _mean([j.quote_first and not j.refused for j in answerable])
    out["quote_any"] = _mean([j.quote_any and not j.refused for j in answerable])
    answered = [j for j in answerable if not j.refused]
    out["extra_quote_precision"] = _share(
        sum(j.extra_holding for j in answered), sum(max(j.quotes - 1, 0) for j in answered)
    )
    out["quotes_mean"] = _mean([j.quotes for j in judged if not j.refused])
    out["first_quote_words"] = _mean([j.first_quote_words for j in judged if j.first_quote_words])
    out["abstention_recall"] = _share(sum(j.abstained for j in unanswerable), len(unanswerable))
    out["abstention_precision"] = _share(sum(not j.answerable for j in abstained), len(abstained))
    out["false_abstention_rate"] = _share(sum(j.abstained for j in answerable), len(answerable))
    out["refusal_recall"] = _share(sum(j.refused for j in unanswerable), len(unanswerable))
    out["false_refusal_rate"] = _share(sum(j.refused for j in answerable), len(answerable))
    latencies = [j.latency_ms for j in judged]
    for p in (50, 95):
        out[f"latency_p{p}_ms"] = float(np.percentile(latencies, p)) if latencies else None
    return out


def hit_curve(judged: Sequence[Judged], top_k: int) -> list[float]:
    """hit@1 .. hit@top_k over the answerable questions (for the chart)."""
    ranks = [j.hit_rank for j in judged if j.answerable]
    if not ranks:
        return []
    return [float(np.mean([r is not None and r <= k for r in ranks])) for k in range(1, top_k + 1)]


def _display_order(value: str) -> tuple:
    # Kazakh, Russian, English first, as the product ranks them; unanswerable kinds last
    lang = LANGS.index(value) if value in LANGS else len(LANGS)
    return (lang, value == "unanswerable", value)


def summarise(judged: Sequence[Judged], top_k: int) -> dict:
    """{"overall": metrics, "by_lang": {lang: metrics}, "by_kind": {kind: metrics}}."""

    def groups(field: str) -> dict:
        values = sorted({getattr(j, field) for j in judged}, key=_display_order)
        return {v: compute([j for j in judged if getattr(j, field) == v], top_k) for v in values}

    return {"overall": compute(judged, top_k), "by_lang": groups("lang"), "by_kind": groups("kind")}
