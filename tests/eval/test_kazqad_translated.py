"""The Russian and English translations of KazQAD's held-out questions
(eval/sets/kazqad-translated): they load, they are the held-out part question for question, and
kazrag hears them in the language they claim."""

from __future__ import annotations

import pytest
from repo import REPO_ROOT

from kazrag.eval.questions import load_questions, select_split
from kazrag.rag.lang import detect
from kazrag.rag.text import KAZAKH_LETTERS

SETS = REPO_ROOT / "eval" / "sets" / "kazqad-translated"
KAZQAD = REPO_ROOT.parent / "shared" / "benchmarks" / "kazqad"  # CC BY-SA 4.0, kept out of the repo
LANGS = ("ru", "en")


def translated(lang: str):
    return load_questions(SETS / f"kazqad-test-{lang}.jsonl")


def source_id(question_id: str, lang: str) -> str:
    assert question_id.endswith(f"-{lang}"), question_id
    return question_id.removesuffix(f"-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_a_translated_set_loads_as_its_language(lang):
    questions = translated(lang)
    assert len(questions) == 58
    assert {(q.lang, q.kind, q.match) for q in questions} == {(lang, f"kazqad-{lang}", "doc")}
    assert all(q.answerable for q in questions)
    # proper names are spelled the Russian / English way: no Kazakh letter left to lean on
    assert not [q.question for q in questions if set(q.question) & set(KAZAKH_LETTERS)]


@pytest.mark.parametrize("lang", LANGS)
def test_kazrag_detects_each_translated_question_as_its_language(lang):
    heard = {q.question: detect(q.question) for q in translated(lang)}
    assert {text: got for text, got in heard.items() if got != lang} == {}


def test_both_translations_are_the_kazakh_held_out_part_with_its_gold():
    ru, en = translated("ru"), translated("en")
    assert [source_id(q.id, "ru") for q in ru] == [source_id(q.id, "en") for q in en]
    if not (KAZQAD / "questions-dev.jsonl").is_file():
        pytest.skip(f"KazQAD benchmark absent: expected {KAZQAD}/questions-dev.jsonl")
    held_out = {
        q.id: q for q in select_split(load_questions(KAZQAD / "questions-dev.jsonl"), "test")
    }
    for lang, questions in (("ru", ru), ("en", en)):
        assert sorted(source_id(q.id, lang) for q in questions) == sorted(held_out)
        for q in questions:
            kazakh = held_out[source_id(q.id, lang)]
            assert (q.answers, q.doc, q.match) == (kazakh.answers, kazakh.doc, kazakh.match)
            assert q.question != kazakh.question
