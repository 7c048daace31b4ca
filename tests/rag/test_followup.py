"""Follow-up questions of a chat (rag/followup.py): a question that reads as a continuation
is searched with the one before it; one that names its own subject is searched alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kazrag.rag.followup import follows_on, questions_in, with_context
from kazrag.rag.lang import frame

SETS = Path(__file__).resolve().parents[2] / "eval" / "sets"


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("Ал 2016 жылы ше?", "kk"),
        ("Оларға қандай жаза берілді?", "kk"),
        ("Неге?", "kk"),
        ("Тағы қандай шектеулер бар?", "kk"),
        ("Сарапшылар бұған келісті ме?", "kk"),  # бұған: "to this"
        ("Судья оны қанша күнде қарайды?", "kk"),  # short: оны cannot point inside it
        ("А за что?", "ru"),
        ("Где его держали?", "ru"),
        ("Что ещё?", "ru"),
        ("What was his sentence?", "en"),
        ("How long was he held?", "en"),
        ("And in Almaty?", "en"),
        ("What about women?", "en"),
        ("Who else was arrested?", "en"),
    ],
)
def test_a_continuation_follows_on(question, lang):
    assert follows_on(question, lang)


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("Соттар тәуелсіз бе?", "kk"),
        ("Он төрт жасар бала жазғы демалыста жұмыс істей ала ма?", "kk"),  # он: "ten"
        ("Босқын мәртебесі қанша мерзімге беріледі және оны жаңарту керек пе?", "kk"),
        ("Заңда азаптауға тыйым бар ма, ал іс жүзінде ше?", "kk"),
        ("А. Байтұрсынов қай газетте бас редактор болған?", "kk"),  # an initial, not а
        ("Что стало с газетой «Трибуна» после ареста её главреда?", "ru"),
        ("Is it true that judges are appointed by the President?", "en"),
        ("What happened to private Urazgaliev after he got into an argument?", "en"),
    ],
)
def test_a_question_that_names_its_own_subject_does_not(question, lang):
    assert not follows_on(question, lang)


def test_almost_no_question_of_the_sets_reads_as_a_follow_up():
    # every set question stands alone: one read as a follow-up in a chat would be searched
    # with an unrelated question before it
    rows = [
        json.loads(line)
        for path in SETS.rglob("*.jsonl")
        if path.parent.name != "chat"  # the chat sets: follow-ups and courtesy on purpose
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    standalone = [r for r in rows if "previous" not in r]
    taken = [r["question"] for r in standalone if follows_on(r["question"], r["lang"])]
    assert len(standalone) > 1000 and len(taken) <= 3, taken


@pytest.mark.parametrize(
    ("message", "questions"),
    [
        (
            "Макс Бокаев кім? Оған қандай жаза берілді?",
            ["Макс Бокаев кім?", "Оған қандай жаза берілді?"],
        ),
        ("Соттар тәуелсіз бе? Рахмет!", ["Соттар тәуелсіз бе? Рахмет!"]),  # thanks: no question
        ("Сәлем! Соттар тәуелсіз бе?", ["Сәлем! Соттар тәуелсіз бе?"]),
        ("Бір? Екі? Үш? Төрт?", ["Бір?", "Екі?", "Үш? Төрт?"]),  # three at most
        ("«Жаза» деген не?", ["«Жаза» деген не?"]),
    ],
)
def test_a_message_is_cut_into_its_questions(message, questions):
    assert questions_in(message, 3) == questions


def test_the_new_questions_year_replaces_the_old_ones():
    searched = with_context("Ал 2015 жылы ше?", "2016 жылы полиция неше жағдайды тексерді?")
    assert "2015" in searched and "2016" not in searched and "полиция" in searched


def test_a_follow_up_is_answered_about_what_the_question_before_it_named(engine):
    first = engine.ask("В чём в итоге обвинили Ларису Харькову?")
    alone = engine.ask("А поначалу ей что вменяли?")
    followed = engine.ask("А поначалу ей что вменяли?", previous=first.searched)
    # alone, `ей` is anyone: it quoted a sentence on a beating
    assert "Харьков" not in alone.quotes[0].text
    # with the question before, the passage on Kharkova, and in it the sentence on the first
    # charge, not the one that answered the question before
    assert "Бастапқыда Харьковаға" in followed.quotes[0].text
    assert followed.quotes[0].text != first.quotes[0].text
    assert followed.notice == frame("ru", "read_with", text=first.searched)
    assert followed.question == "А поначалу ей что вменяли?"  # the user's words, as typed
    kazakh_first = engine.ask(
        "Әскердегі сарбаздар өлімі бойынша ресми тергеу қандай қорытынды жасайды?"
    )
    relatives = engine.ask("Ал туыстары не дейді?", previous=kazakh_first.searched)
    assert "Отбасы мүшелері" in relatives.quotes[0].text


def test_a_question_that_stands_alone_is_not_read_with_the_one_before(engine):
    first = engine.ask("Who is Max Bokayev?")
    question = "Полиция ұсталған адамды айып тақпай тұрып қанша сағат ұстай алады?"
    after = engine.ask(question, previous=first.searched)
    alone = engine.ask(question)
    assert after.notice is None and after.searched == alone.searched == question
    assert [q.text for q in after.quotes] == [q.text for q in alone.quotes]


def test_a_greeting_before_gives_a_follow_up_no_context(engine):
    hello = engine.ask("Сәлем!")
    assert hello.searched == ""
    answer = engine.ask("Неге?", previous="Сәлем!")
    assert answer.notice is None
