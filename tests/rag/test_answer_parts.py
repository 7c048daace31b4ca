"""The answer's parts without the model: the answerability model file, the three states,
joining a neighbouring sentence into the first quote."""

from __future__ import annotations

import json

import pytest

from kazrag.errors import ConfigError
from kazrag.rag.answer import (
    FEATURES,
    ScoredSentence,
    counted_thing,
    decide,
    joined_neighbour,
    make_quote,
    prefer_type,
    states_count_of,
)
from kazrag.rag.answerability import AnswerabilityModel, load_answerability
from kazrag.rag.config import Config
from kazrag.rag.records import Chunk, Passage, Sentence


def test_the_bundled_model_reads_every_signal_the_answer_gives():
    model = load_answerability("bundled")
    assert model is not None and model.features == FEATURES
    assert model.about.get("cross_validated"), "the shipped model records how it was fitted"
    low = model.probability({f: 0.0 for f in FEATURES})
    assert 0.0 <= low <= 1.0


@pytest.mark.parametrize(
    "question,stem",
    [
        ("Нұр Отан Мәжілісте неше орын алды?", "орын"),
        ("Қанша судья жазаланды?", "судья"),
        ("Тұтқындар саны қанша?", "тұтқы"),
        ("Жұмыс уақыты аптасына қанша сағат?", "сағат"),
        ("Айыппұл қанша болды?", "айыпп"),  # a verb after қанша: the word before it
        ("Теңгенің доллармен бағамы қанша?", "бағам"),
        ("Соттар тәуелсіз бе?", None),
    ],
)
def test_the_thing_a_kazakh_quantity_question_counts(question, stem):
    assert counted_thing(question) == stem


def test_a_figure_beside_the_counted_thing_is_found_in_any_case_form():
    sentence = "«Нұр Отан» партиясы 84-орынды иеленсе, «Ақ жол» партиясы жеті орынды иеленді."
    assert states_count_of("орын", sentence)
    assert states_count_of("орын", "Партия жеті орынды иеленді.")  # a number word
    assert not states_count_of("орын", "Партия 2016 жылы сайлауға қатысты, орынсыз сын айтты.")
    assert not states_count_of("судья", "32 төреші жазаланды.")  # another word: not found


def test_probability_is_a_logistic_of_the_standardised_signals():
    model = AnswerabilityModel(("a", "b"), (1.0, 0.0), (2.0, 1.0), (2.0, -1.0), 0.5)
    # z = 0.5 + 2 * (3 - 1) / 2 - 1 * (1 - 0) / 1 = 1.5
    assert model.probability({"a": 3.0, "b": 1.0}) == pytest.approx(
        1 / (1 + pow(2.718281828, -1.5))
    )
    assert model.probability({"a": 1e9, "b": 0.0}) == pytest.approx(1.0)


def test_a_broken_model_file_is_a_clear_error(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"features": ["a"], "mean": [0], "scale": [1]}), "utf-8")
    with pytest.raises(ConfigError, match="not an answerability model"):
        load_answerability(str(path))
    path.write_text("{", "utf-8")
    with pytest.raises(ConfigError, match=str(path)):
        load_answerability(str(path))
    with pytest.raises(ConfigError, match="cannot read"):
        load_answerability(str(tmp_path / "missing.json"))
    assert load_answerability("none") is None


@pytest.mark.parametrize(
    "probability,state",
    [
        (0.9, "answered"),
        (0.21, "answered"),
        (0.2, "uncertain"),
        (0.05, "uncertain"),
        (0.049, "refused"),
        (None, "answered"),
    ],
)
def test_three_states_by_the_two_thresholds(probability, state):
    config = Config(answer_thresholds=(("kk", 0.21), ("ru", 0.3)), refuse_threshold=0.05)
    assert decide(probability, "kk", config) == state


def test_each_language_has_its_answer_threshold():
    config = Config(answer_thresholds=(("kk", 0.21), ("ru", 0.3)), refuse_threshold=0.05)
    assert decide(0.25, "kk", config) == "answered"
    assert decide(0.25, "ru", config) == "uncertain"
    assert config.answer_threshold("de") == 0.3  # any other language: the strictest


def test_thresholds_must_be_ordered():
    with pytest.raises(ConfigError):
        Config(answer_thresholds=(("kk", 0.1),), refuse_threshold=0.2)


TEXT = "Сот әдебін бұзғаны үшін төрешілер жазаланды. Олардың саны 32. Басқа сөйлем."


def _passage() -> Passage:
    ends = [TEXT.index(".", at) + 1 for at in (0, TEXT.index("Олардың"), TEXT.index("Басқа"))]
    starts = [0, TEXT.index("Олардың"), TEXT.index("Басқа")]
    bounds = list(zip(starts, ends))
    sentences = tuple(Sentence(a, b, 10 + i, 10 + i) for i, (a, b) in enumerate(bounds))
    chunk = Chunk(0, "doc.txt", ("1-бөлім",), TEXT, 0, len(TEXT), 0, len(TEXT), 10, 12, sentences)
    return Passage(1, chunk, 0.9)


def _scored(passage: Passage, order: list[tuple[int, float]]) -> list[ScoredSentence]:
    chunk = passage.chunk
    return [
        ScoredSentence(
            passage, i, TEXT[chunk.sentences[i].start : chunk.sentences[i].end], score, 0.0, score
        )
        for i, score in order
    ]


def test_a_close_neighbour_joins_the_first_quote_verbatim():
    passage = _passage()
    scored = _scored(passage, [(1, 0.85), (0, 0.84), (2, 0.70)])
    neighbour = joined_neighbour(scored[0], scored, margin=0.02)
    assert neighbour is scored[1]
    quote = make_quote(1, [scored[0], neighbour])
    assert quote.text == "Сот әдебін бұзғаны үшін төрешілер жазаланды. Олардың саны 32."
    assert (quote.line_start, quote.line_end) == (10, 11)


def test_a_far_or_distant_sentence_does_not_join():
    passage = _passage()
    assert (
        joined_neighbour(
            _scored(passage, [(1, 0.85), (0, 0.80)])[0],
            _scored(passage, [(1, 0.85), (0, 0.80)]),
            margin=0.02,
        )
        is None
    )
    scored = _scored(passage, [(0, 0.85), (2, 0.85)])  # not adjacent
    assert joined_neighbour(scored[0], scored, margin=0.02) is None


@pytest.mark.parametrize(
    ("question", "stating"),
    [
        ("Сайлауда неше пайыз дауыс берілді?", "Nazarbaevqa daýystardyń 97,7 paıyzy berildi."),
        ("Билет бағасы қанша теңге?", "Qoryqqa kirý 1500 teńge turady."),
    ],
)
def test_a_latin_sentence_states_the_figure_a_cyrillic_question_asks_for(question, stating):
    # the answer-type patterns are Cyrillic; a document written in Latin Kazakh states the
    # same figure in Latin letters, and must count as stating it
    other = "Saılaý 2015 jyly ótti."  # a number, but not the figure asked for
    scored = [
        ScoredSentence(None, 0, other, 0.80, 0.0, 0.80),  # type: ignore[arg-type]
        ScoredSentence(None, 1, stating, 0.79, 0.0, 0.79),  # type: ignore[arg-type]
    ]
    rescored, found = prefer_type(scored, question, bonus=0.03)
    assert found and rescored[0].text == stating
