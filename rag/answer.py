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
from .retrieval import Ranking

# Measured on both question sets (share of answerable questions whose quotes hold the
# evidence, dev/test): overlap weight 0 -> 0.836/0.824, 0.03 -> 0.855/0.838, 0.15 ->
# 0.764/0.779; quoting from the top 3 passages beat 2 and 5 (eval/README.md).
TERM_OVERLAP_WEIGHT = 0.03
RANK_PRIOR = 0.01  # a tie between sentences goes to the better-ranked passage
# further quotes must score within QUOTE_MARGIN of the best one. Measured on reports-dev
# (quote_hit / sentences quoted per answer): 0.04 -> 0.855 / 2.13, 0.03 -> 0.836 / 1.64,
# 0.02 -> 0.818 / 1.42; reports-test 0.809 / 2.04, 0.794 / 1.66, 0.779 / 1.40. A quarter
# fewer off-point quotes for one question's evidence
QUOTE_MARGIN = 0.03
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_DIGIT_GROUP = re.compile(r"(?<=\d)[,\s\u00a0.](?=\d{3}(?!\d))")  # 1,460 / 1 460 -> 1460


def _numbers(text: str) -> set[str]:
    return set(_NUMBER.findall(_DIGIT_GROUP.sub("", text)))

# Expected answer types. A question asking "how many", "what percentage" or "how much money"
# is answered only by a sentence that states such a thing; when none of the candidate
# sentences does, the documents do not answer it (the commonest unanswerable question is a
# plausible figure the report never gives). Number words count as numbers; Kazakh `бір` only
# before a unit of time, since it is also the indefinite article.
_NUMBER_WORDS = (r"екі|үш|төрт|бес|алты|жеті|сегіз|тоғыз|он|жиырма|отыз|қырық|елу|алпыс|"
                 r"жетпіс|сексен|тоқсан|жүз|мың|миллион|миллиард|жарты|жартысы|"
                 r"бір\s+(?:жыл|ай|апта|күн|сағат|рет)")
_ASKS_QUANTITY = re.compile(r"қанша|неше|how many|how much|what percentage|what share|"
                            r"сколько|какой процент|какая доля", re.I)
ANSWER_TYPES = (  # (name, the question mentions, a sentence of that type states)
    ("percent", re.compile(r"пайыз|процент|percent|%|доля|share|proportion", re.I),
     re.compile(r"пайыз|%|процент", re.I)),
    ("money", re.compile(r"теңге|ақша|доллар|tenge|money|dollar|salary|wage|жалақы|"
                         r"зарплат|стоимост|сумм|бюджет|budget|cost|денег|деньг", re.I),
     re.compile(r"теңге|доллар|\$|евро|рубл|ақша", re.I)),
    ("count", re.compile(r""), re.compile(rf"\d|(?<!\w)({_NUMBER_WORDS})", re.I)),
)
TYPE_BONUS = 0.03  # a sentence of the expected type is preferred among near-equals


@dataclass
class ScoredSentence:
    passage: Passage
    index: int  # in the passage's chunk
    text: str
    cosine: float
    overlap: float
    score: float


def score_sentences(passages: list[Passage], ranking: Ranking, sentence_vectors: np.ndarray,
                    offsets: dict[int, int], tokens_of, weights_of) -> list[ScoredSentence]:
    """Every sentence of the given passages, scored against the question, best first."""
    q_tokens = set(ranking.question_tokens)
    q_list = sorted(q_tokens)
    idf = dict(zip(q_list, weights_of(q_list))) if q_list else {}
    total = sum(idf.values()) or 1.0
    scored = []
    for passage in passages:
        chunk = passage.chunk
        base = offsets[chunk.chunk_id]
        for i, sentence in enumerate(chunk.sentences):
            text = chunk.text[sentence.start:sentence.end]
            cosine = float(sentence_vectors[base + i] @ ranking.question_vector)
            shared = q_tokens & set(tokens_of(text))
            overlap = sum(idf[t] for t in shared) / total
            score = cosine + TERM_OVERLAP_WEIGHT * overlap - RANK_PRIOR * passage.rank
            scored.append(ScoredSentence(passage, i, text, cosine, overlap, score))
    return sorted(scored, key=lambda s: -s.score)


def expected_type(question: str) -> tuple[str, re.Pattern] | None:
    """The kind of figure a quantity question asks for, or None for other questions."""
    if not _ASKS_QUANTITY.search(question):
        return None
    for name, mentions, states in ANSWER_TYPES:
        if mentions.search(question):
            return name, states
    return None


def prefer_type(scored: list[ScoredSentence], question: str) -> tuple[list[ScoredSentence], bool]:
    """Re-rank sentences stating the expected answer type first; say if any does."""
    expected = expected_type(question)
    if expected is None:
        return scored, True
    _, states = expected
    for sentence in scored:
        if states.search(sentence.text):
            sentence.score += TYPE_BONUS
    rescored = sorted(scored, key=lambda s: -s.score)
    return rescored, bool(rescored) and bool(states.search(rescored[0].text))


def choose_quotes(scored: list[ScoredSentence], max_quotes: int) -> list[ScoredSentence]:
    chosen: list[ScoredSentence] = []
    seen: set[str] = set()
    for candidate in scored:
        if len(chosen) == max_quotes:
            break
        if chosen and candidate.score < chosen[0].score - QUOTE_MARGIN:
            break
        key = candidate.text.strip()
        if key in seen:  # overlapping chunks share sentences
            continue
        seen.add(key)
        chosen.append(candidate)
    return chosen


def signals(scored: list[ScoredSentence], passages: list[Passage], ranking: Ranking,
            question: str, lang: str, type_found: bool) -> dict:
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
    if (s["kazakh_quantity_question"]
            and s["best_sentence_overlap"] < config.min_quantity_overlap):
        return True
    return False


def compose(question: str, lang: str, passages: list[Passage], ranking: Ranking,
            sentence_vectors: np.ndarray, offsets: dict[int, int], tokens_of, weights_of,
            config: Config, notice: str | None = None) -> Answer:
    scored = score_sentences(passages[:config.answer_passages], ranking, sentence_vectors,
                             offsets, tokens_of, weights_of)
    scored, type_found = prefer_type(scored, question)
    sig = signals(scored, passages, ranking, question, lang, type_found)
    if not scored or should_abstain(sig, config, lang):
        closest = "\n".join(f"- {place(p.chunk.doc, p.chunk.section_path, p.chunk.location())}"
                            for p in passages[:3])
        text = frame(lang, "abstain")
        if closest:
            text += "\n\n" + frame(lang, "closest") + "\n" + closest
        return Answer(question, lang, True, text, [], passages, notice, sig)
    quotes = []
    for number, chosen in enumerate(choose_quotes(scored, config.max_quotes), start=1):
        chunk = chosen.passage.chunk
        sentence = chunk.sentences[chosen.index]
        quotes.append(Quote(number, chosen.text, chunk.doc, chunk.section_path,
                            sentence.line_start, sentence.line_end, sentence.page,
                            chosen.passage.rank, round(float(chosen.score), 4)))
    lines = [frame(lang, "intro")]
    lines += [f"«{q.text}» [{q.number}]" for q in quotes]
    lines += ["", frame(lang, "sources")] + [q.citation() for q in quotes]
    return Answer(question, lang, False, "\n".join(lines), quotes, passages, notice, sig)
