"""Answers: pick the sentences of the top passages that best answer the question, quote them
verbatim with numbered citations, or abstain when nothing answers it.

Sentences are chosen by relevance (cosine to the question plus IDF-weighted term overlap),
never by their position in a passage. The abstention rule and its calibration are in
`should_abstain` and eval/README.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .config import Config
from .lang import frame
from .records import Answer, Passage, Quote, place
from .retrieval import Ranking, Retriever

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_DIGIT_GROUP = re.compile(r"(?<=\d)[,\s\u00a0.](?=\d{3}(?!\d))")  # 1,460 / 1 460 -> 1460


def _numbers(text: str) -> set[str]:
    return set(_NUMBER.findall(_DIGIT_GROUP.sub("", text)))


# Expected answer types. A question asking "how many", "what percentage" or "how much money"
# is answered only by a sentence that states such a thing; when none of the candidate
# sentences does, the documents do not answer it (the commonest unanswerable question is a
# plausible figure the report never gives). Number words count as numbers; Kazakh `бір` only
# before a unit of time, since it is also the indefinite article.
_NUMBER_WORDS = (
    r"екі|үш|төрт|бес|алты|жеті|сегіз|тоғыз|он|жиырма|отыз|қырық|елу|алпыс|"
    r"жетпіс|сексен|тоқсан|жүз|мың|миллион|миллиард|жарты|жартысы|"
    r"бір\s+(?:жыл|ай|апта|күн|сағат|рет)"
)
_ASKS_QUANTITY = re.compile(
    r"қанша|неше|how many|how much|what percentage|what share|"
    r"сколько|какой процент|какая доля",
    re.I,
)
ANSWER_TYPES = (  # (name, the question mentions, a sentence of that type states)
    (
        "percent",
        re.compile(r"пайыз|процент|percent|%|доля|share|proportion", re.I),
        re.compile(r"пайыз|%|процент", re.I),
    ),
    (
        "money",
        re.compile(
            r"теңге|ақша|доллар|tenge|money|dollar|salary|wage|жалақы|"
            r"зарплат|стоимост|сумм|бюджет|budget|cost|денег|деньг",
            re.I,
        ),
        re.compile(r"теңге|доллар|\$|евро|рубл|ақша", re.I),
    ),
    ("count", re.compile(r""), re.compile(rf"\d|(?<!\w)({_NUMBER_WORDS})", re.I)),
)


@dataclass
class ScoredSentence:
    passage: Passage
    index: int  # in the passage's chunk
    text: str
    cosine: float
    overlap: float
    score: float


def score_sentences(
    passages: list[Passage], ranking: Ranking, retriever: Retriever, config: Config
) -> list[ScoredSentence]:
    """Every sentence of the given passages, scored against the question, best first."""
    q_tokens = set(ranking.question_tokens)
    q_list = sorted(q_tokens)
    idf = dict(zip(q_list, retriever.term_weights(q_list))) if q_list else {}
    total = sum(idf.values()) or 1.0
    rows = np.array([p.chunk.chunk_id for p in passages], dtype=np.int64)
    vectors, _ = retriever.version.sentences.of_chunks(rows)
    scored = []
    at = 0
    for passage in passages:
        chunk = passage.chunk
        for i, sentence in enumerate(chunk.sentences):
            text = chunk.text[sentence.start : sentence.end]
            cosine = float(vectors[at + i] @ ranking.question_vector)
            shared = q_tokens & set(retriever.tokens(text))
            overlap = sum(idf[t] for t in shared) / total
            score = cosine + config.term_overlap_weight * overlap - config.rank_prior * passage.rank
            scored.append(ScoredSentence(passage, i, text, cosine, overlap, score))
        at += len(chunk.sentences)
    return sorted(scored, key=lambda s: -s.score)


def expected_type(question: str) -> tuple[str, re.Pattern] | None:
    """The kind of figure a quantity question asks for, or None for other questions."""
    if not _ASKS_QUANTITY.search(question):
        return None
    for name, mentions, states in ANSWER_TYPES:
        if mentions.search(question):
            return name, states
    return None


def prefer_type(
    scored: list[ScoredSentence], question: str, bonus: float
) -> tuple[list[ScoredSentence], bool]:
    """Re-rank sentences stating the expected answer type first; say if any does."""
    expected = expected_type(question)
    if expected is None:
        return scored, True
    _, states = expected
    for sentence in scored:
        if states.search(sentence.text):
            sentence.score += bonus
    rescored = sorted(scored, key=lambda s: -s.score)
    return rescored, bool(rescored) and bool(states.search(rescored[0].text))


def choose_quotes(
    scored: list[ScoredSentence], max_quotes: int, margin: float
) -> list[ScoredSentence]:
    chosen: list[ScoredSentence] = []
    seen: set[str] = set()
    for candidate in scored:
        if len(chosen) == max_quotes:
            break
        if chosen and candidate.score < chosen[0].score - margin:
            break
        key = candidate.text.strip()
        if key in seen:  # overlapping chunks share sentences
            continue
        seen.add(key)
        chosen.append(candidate)
    return chosen


def signals(
    scored: list[ScoredSentence],
    passages: list[Passage],
    ranking: Ranking,
    question: str,
    lang: str,
    type_found: bool,
) -> dict:
    best = scored[0] if scored else None
    numbers = _numbers(question)
    top_numbers = _numbers(" ".join(p.chunk.text for p in passages[:3]))
    values = {
        "best_sentence_cosine": best.cosine if best else 0.0,
        "best_sentence_overlap": best.overlap if best else 0.0,
        "best_score": best.score if best else 0.0,
        "keyword_coverage": ranking.keyword_coverage,
        "top_dense": max(ranking.dense.values()) if ranking.dense else 0.0,
        "numbers_found": len(numbers & top_numbers) / len(numbers) if numbers else 1.0,
        "answer_type_found": type_found,
        # term overlap means something only when question and documents share a language
        "kazakh_quantity_question": lang == "kk" and expected_type(question) is not None,
    }
    return {k: float(v) for k, v in values.items()}  # numpy scalars do not serialise


def should_abstain(s: dict, config: Config, lang: str) -> bool:
    """The abstention rule, calibrated on eval/sets/reports-dev.jsonl (eval/README.md).

    Cosine alone cannot separate unanswerable questions (their best cosine lies inside the
    range of answerable ones), so the rule also asks that the question's own terms and
    numbers appear in what would be quoted.
    """
    if s["top_dense"] < config.abstain_threshold(lang):  # nothing in the documents is close
        return True
    if s["numbers_found"] < 0.5:
        return True
    if not s["answer_type_found"]:
        return True
    if s["kazakh_quantity_question"] and s["best_sentence_overlap"] < config.min_quantity_overlap:
        return True
    return False


def compose(
    question: str,
    lang: str,
    passages: list[Passage],
    ranking: Ranking,
    retriever: Retriever,
    config: Config,
    notice: str | None = None,
) -> Answer:
    """The answer to `question` from its ranked `passages`, read through `retriever` (the
    engine's snapshot of one index version: sentence vectors, tokens, term weights)."""
    scored = score_sentences(passages[: config.answer_passages], ranking, retriever, config)
    scored, type_found = prefer_type(scored, question, config.answer_type_bonus)
    sig = signals(scored, passages, ranking, question, lang, type_found)
    if not scored or should_abstain(sig, config, lang):
        closest = "\n".join(
            f"- {place(p.chunk.doc, p.chunk.section_path, p.chunk.location())}"
            for p in passages[:3]
        )
        text = frame(lang, "abstain")
        if closest:
            text += "\n\n" + frame(lang, "closest") + "\n" + closest
        return Answer(question, lang, True, text, [], passages, notice, sig)
    quotes = []
    chosen_quotes = choose_quotes(scored, config.max_quotes, config.quote_margin)
    for number, chosen in enumerate(chosen_quotes, start=1):
        chunk = chosen.passage.chunk
        sentence = chunk.sentences[chosen.index]
        quotes.append(
            Quote(
                number,
                chosen.text,
                chunk.doc,
                chunk.section_path,
                sentence.line_start,
                sentence.line_end,
                sentence.page,
                chosen.passage.rank,
                round(float(chosen.score), 4),
            )
        )
    lines = [frame(lang, "intro")]
    lines += [f"«{q.text}» [{q.number}]" for q in quotes]
    lines += ["", frame(lang, "sources")] + [q.citation() for q in quotes]
    return Answer(question, lang, False, "\n".join(lines), quotes, passages, notice, sig)
