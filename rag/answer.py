"""Answers: pick the sentence of the top passages that best answers the question and quote it
verbatim with its citation, then say how sure kazrag is.

Sentences are chosen by relevance (cosine to the question plus IDF-weighted term overlap),
never by their position in a passage. Whether the documents answer at all is one calibrated
probability over the answer's `signals` (rag/answerability.py): an answer, the closest quotes
marked as uncertain, or a refusal when nothing is close (eval/README.md "answerability").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .answerability import AnswerabilityModel
from .config import Config
from .lang import frame
from .records import Answer, Passage, Quote, place
from .retrieval import Ranking, Retriever
from .translit import search_form

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
    # the sentence vectors of every chunk the passages span (a merged passage spans
    # several), then each passage's sentence by where it comes from
    rows = sorted({row for p in passages for row, _ in p.sources()})
    vectors, counts = retriever.version.sentences.of_chunks(np.array(rows, dtype=np.int64))
    offset = dict(zip(rows, (np.cumsum(counts) - counts).tolist()))
    scored = []
    for passage in passages:
        chunk = passage.chunk
        for i, (sentence, (row, index)) in enumerate(zip(chunk.sentences, passage.sources())):
            text = chunk.text[sentence.start : sentence.end]
            cosine = float(vectors[offset[row] + index] @ ranking.question_vector)
            shared = q_tokens & set(retriever.tokens(text))
            overlap = sum(idf[t] for t in shared) / total
            score = cosine + config.term_overlap_weight * overlap - config.rank_prior * passage.rank
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


def prefer_type(
    scored: list[ScoredSentence], question: str, bonus: float
) -> tuple[list[ScoredSentence], bool]:
    """Re-rank sentences stating the expected answer type first; say if any does."""
    expected = expected_type(question)
    if expected is None:
        return scored, True
    _, states = expected
    stating = {id(s) for s in scored if states_type(states, s.text)}
    for sentence in scored:
        if id(sentence) in stating:
            sentence.score += bonus
    rescored = sorted(scored, key=lambda s: -s.score)
    return rescored, bool(rescored) and id(rescored[0]) in stating


def states_type(states: re.Pattern, text: str) -> bool:
    """Whether a sentence states the expected type; a Latin-script sentence ("43 paıyzy")
    is read in Cyrillic, the script the patterns are written in."""
    return bool(states.search(text)) or bool(states.search(search_form(text)))


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


def joined_neighbour(
    best: ScoredSentence, scored: list[ScoredSentence], margin: float
) -> ScoredSentence | None:
    """The sentence just before or after `best` in its chunk when it scores within `margin`
    of it: "Ол 1997 жылы..." needs the sentence that names "ол", a figure often sits one
    sentence away from what it counts."""
    for candidate in scored[1:]:
        if candidate.score < best.score - margin:
            return None
        if candidate.passage is best.passage and abs(candidate.index - best.index) == 1:
            return candidate
    return None


def make_quote(number: int, sentences: list[ScoredSentence]) -> Quote:
    """One quote of consecutive sentences of one chunk, verbatim."""
    sentences = sorted(sentences, key=lambda s: s.index)
    chunk = sentences[0].passage.chunk
    first, last = chunk.sentences[sentences[0].index], chunk.sentences[sentences[-1].index]
    return Quote(
        number,
        chunk.text[first.start : last.end],
        chunk.doc,
        chunk.section_path,
        first.line_start,
        last.line_end,
        first.page,
        sentences[0].passage.rank,
        round(float(max(s.score for s in sentences)), 4),
    )


def choose_answer_quotes(scored: list[ScoredSentence], config: Config) -> list[Quote]:
    if not scored:
        return []
    first = [scored[0]]
    neighbour = joined_neighbour(scored[0], scored, config.quote_join_margin)
    if neighbour is not None:
        first.append(neighbour)
    quotes = [make_quote(1, first)]
    if config.max_quotes > 1:
        # further quotes are measured against the first, as before
        used = {s.text.strip() for s in first}
        extra = [s for s in scored[1:] if s.text.strip() not in used]
        chosen = choose_quotes([scored[0], *extra], config.max_quotes, config.quote_margin)
        quotes += [make_quote(n, [s]) for n, s in enumerate(chosen[1:], start=2)]
    return quotes


# Words that name something: capitalised words after the first of the question, acronyms,
# and numbers (which `signals` counts on their own)
_CAPITALISED = re.compile(r"(?<![\w.])([A-ZА-ЯЁӘІҢҒҮҰҚӨҺ][\w'-]+)")


def _names(question: str) -> list[str]:
    words = _CAPITALISED.findall(question)
    first = re.match(r"\W*([\w'-]+)", question)
    if first and words and words[0] == first.group(1):
        words = words[1:]
    return words


# The thing a Kazakh quantity question counts: the word after қанша/неше (`неше орын`,
# `қанша судья`), else the one before саны/мөлшері (`тұтқындар саны қанша`), else the one
# before қанша/неше (`бағамы қанша`); a verb there (`қанша болды`) names nothing
_COUNTED_AFTER = re.compile(r"(?:қанша|неше)\s+([^\W\d_]{3,})", re.I)
_COUNTED_BEFORE = re.compile(r"([^\W\d_]{3,})\s+(?:саны|мөлшері|көлемі|ұзақтығы)(?!\w)", re.I)
_ASKED_OF = re.compile(r"([^\W\d_]{3,})\s+(?:қанша|неше)(?!\w)", re.I)  # `бағамы қанша`
_VERB_ENDING = re.compile(r"(?:ды|ді|ты|ті|ған|ген|қан|кен|ады|еді|йды|йді|ма|ме)$")
_WORDS_OF = re.compile(r"[^\W_]+")
_FIGURE_WORD = re.compile(rf"^(?:\d[\d.,]*|{_NUMBER_WORDS})$", re.I)
_FIGURE_WINDOW = 3  # words between the figure and the thing it counts, at most


def counted_thing(question: str) -> str | None:
    """The stem of what a Kazakh quantity question counts, or None."""
    for pattern in (_COUNTED_AFTER, _COUNTED_BEFORE, _ASKED_OF):
        match = pattern.search(question)
        if match and not _VERB_ENDING.search(match.group(1).casefold()):
            # its first five letters, as the keyword index cuts words (Config.keyword_prefix)
            return match.group(1).casefold()[:5]
    return None


def states_count_of(stem: str, text: str) -> bool:
    """Whether `text` gives a figure next to a word of `stem` (`84-орынды`, `32 төреші`)."""
    words = [w.casefold() for w in _WORDS_OF.findall(text)]
    figures = [i for i, w in enumerate(words) if _FIGURE_WORD.match(w)]
    return any(
        abs(i - j) <= _FIGURE_WINDOW
        for i, w in enumerate(words)
        if w.startswith(stem)
        for j in figures
    )


FEATURES = (
    "top_dense",
    "best_sentence_cosine",
    "best_sentence_overlap",
    "keyword_coverage",
    "score_margin",
    "dense_margin",
    "keyword_agrees",
    "numbers_found",
    "numbers_in_best",
    "names_found",
    "asks_quantity",
    "answer_type_found",
    "lang_ru",
    "lang_en",
    "kk_overlap",
    "kk_names",
    "ru_top_dense",
    "en_top_dense",
)


def signals(
    scored: list[ScoredSentence],
    passages: list[Passage],
    ranking: Ranking,
    retriever: Retriever,
    question: str,
    lang: str,
    type_found: bool,
) -> dict[str, float]:
    """What the answerability model reads (FEATURES) and what the eval reports beside it,
    each a plain float."""
    best = scored[0] if scored else None
    numbers = _numbers(question)
    top_text = " ".join(p.chunk.text for p in passages[:3])
    dense = sorted(ranking.dense.values(), reverse=True)
    # the dense scores of the two passages shown first: comparable in every mode (a BM25
    # score is not)
    shown = [p.dense_score or 0.0 for p in passages[:2]]
    keyword_order = [row for row, _ in sorted(ranking.keyword.items(), key=lambda kv: -kv[1])]
    top_row = passages[0].row if passages else None
    keyword_rank = keyword_order.index(top_row) + 1 if top_row in keyword_order else None
    names = _names(question)
    top_tokens = set(retriever.tokens(top_text)) if names else set()
    name_tokens = [t for name in names for t in retriever.tokens(name)[:1]]
    names_found = (
        sum(t in top_tokens for t in name_tokens) / len(name_tokens) if name_tokens else 1.0
    )
    kk, ru, en = (lang == code for code in ("kk", "ru", "en"))
    stem = counted_thing(question) if kk else None
    values = {
        "top_dense": dense[0] if dense else 0.0,
        "best_sentence_cosine": best.cosine if best else 0.0,
        "best_sentence_overlap": best.overlap if best else 0.0,
        "keyword_coverage": ranking.keyword_coverage,
        "score_margin": shown[0] - shown[1] if len(shown) == 2 else 0.0,
        "dense_margin": dense[0] - dense[1] if len(dense) > 1 else 0.0,
        # the keyword ranking puts the answer's passage near the top too
        "keyword_agrees": 1.0 / keyword_rank if keyword_rank else 0.0,
        "numbers_found": len(numbers & _numbers(top_text)) / len(numbers) if numbers else 1.0,
        "numbers_in_best": (
            len(numbers & _numbers(best.text)) / len(numbers) if numbers and best else 1.0
        ),
        "names_found": names_found,
        "asks_quantity": expected_type(question) is not None,
        "answer_type_found": type_found,
        "lang_ru": ru,
        "lang_en": en,
        # words are compared only when question and documents share a language
        "kk_overlap": kk * (best.overlap if best else 0.0),
        "kk_names": kk * names_found,
        "ru_top_dense": ru * (dense[0] if dense else 0.0),
        "en_top_dense": en * (dense[0] if dense else 0.0),
        # reported, not read by the model (measured as an input, not kept: eval/README.md
        # "Quantity questions"): a Kazakh "how many X" question's best sentence gives a
        # figure beside X
        "kk_counted_found": (states_count_of(stem, best.text) if kk and best and stem else 1.0),
    }
    return {k: float(v) for k, v in values.items()}  # numpy scalars do not serialise


def decide(probability: float | None, lang: str, config: Config) -> str:
    if probability is None:  # no model: always answer (calibration sees every signal)
        return "answered"
    if probability >= config.answer_threshold(lang):
        return "answered"
    if probability < config.refuse_threshold:
        return "refused"
    return "uncertain"


def refusal(lang: str, passages: list[Passage]) -> str:
    closest = "\n".join(
        f"- {place(p.chunk.doc, p.chunk.section_path, p.chunk.location())}" for p in passages[:3]
    )
    text = frame(lang, "abstain")
    if closest:
        text += "\n\n" + frame(lang, "closest") + "\n" + closest
    return text


def compose(
    question: str,
    lang: str,
    passages: list[Passage],
    ranking: Ranking,
    retriever: Retriever,
    config: Config,
    answerability: AnswerabilityModel | None,
    notice: str | None = None,
    quoted_by: Ranking | None = None,
) -> Answer:
    """The answer to `question` from its ranked `passages`, read through `retriever` (the
    engine's snapshot of one index version: sentence vectors, tokens, term weights).
    `quoted_by` chooses the quotes where they are not `ranking`'s (a chat follow-up's own
    question vector and words, while whether to answer is judged on `ranking`)."""
    scored = score_sentences(passages[: config.answer_passages], ranking, retriever, config)
    scored, type_found = prefer_type(scored, question, config.answer_type_bonus)
    sig = signals(scored, passages, ranking, retriever, question, lang, type_found)
    probability = answerability.probability(sig) if answerability and scored else None
    state = decide(probability, lang, config) if scored else "refused"
    if state == "refused":
        return Answer(
            question, lang, state, refusal(lang, passages), [], passages, notice, sig, probability
        )
    if quoted_by is not None:
        scored = score_sentences(passages[: config.answer_passages], quoted_by, retriever, config)
        scored, _ = prefer_type(scored, question, config.answer_type_bonus)
    quotes = choose_answer_quotes(scored, config)
    lines = [frame(lang, "intro" if state == "answered" else "uncertain")]
    lines += [f"«{q.text}» [{q.number}]" for q in quotes]
    return Answer(
        question, lang, state, "\n".join(lines), quotes, passages, notice, sig, probability
    )
