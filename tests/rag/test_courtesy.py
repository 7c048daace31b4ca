"""Greetings, polite requests and thanks in a chat message (rag/courtesy.py): left out of
what is searched, and a message of nothing else answered with a plain reply, never a quote."""

from __future__ import annotations

import json

import pytest

from kazrag.errors import ConfigError
from kazrag.rag.config import Config
from kazrag.rag.courtesy import load_courtesy_model, read_courtesy
from kazrag.rag.lang import frame


@pytest.mark.parametrize(
    ("message", "question"),
    [
        (
            "Сәлеметсіз бе! Маған айтыңызшы, 2016 жылы неше судья жазаланды?",
            "2016 жылы неше судья жазаланды?",
        ),
        ("Соттар тәуелсіз бе, айтып бересіз бе?", "Соттар тәуелсіз бе?"),
        (
            "Здравствуйте! Подскажите, пожалуйста, сколько судей было наказано?",
            "Сколько судей было наказано?",
        ),
        ("Привет, подскажите сколько судей наказали? Спасибо!", "Сколько судей наказали?"),
        ("Добрый день. Вопрос: сколько судей наказали?", "Сколько судей наказали?"),
        (
            "Hi there! Could you tell me how many judges were punished?",
            "How many judges were punished?",
        ),
        ("How many judges were punished, please?", "How many judges were punished?"),
        ("Salemetsiz be! Sottar täuelsiz be?", "Sottar täuelsiz be?"),
        (
            "Жала жапқан адам неше жыл отыруы мүмкін екенін айтып бере аласыз ба?",
            "Жала жапқан адам неше жыл отыруы мүмкін?",
        ),
        ("How many judges were punished? Thanks in advance", "How many judges were punished?"),
    ],
)
def test_courtesy_around_a_question_is_left_out_of_what_is_searched(message, question):
    read = read_courtesy(message)
    assert read.question == question and read.kind is None


@pytest.mark.parametrize(
    "question",
    [
        "Пока идёт суд, где содержат обвиняемого?",  # пока: "while", not "bye"
        "Thanks to whom was the journalist released?",
        "What are your rights as a detainee?",
        "Сау болу үшін не істеу керек?",
        "Соттар тәуелсіз бе?",
        "Рахметов қай жылы сотталды?",  # a name that begins as a word of thanks
    ],
)
def test_a_question_that_only_contains_such_words_is_left_as_it_is(question):
    assert read_courtesy(question).question == question
    assert read_courtesy(question).kind is None


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Сәлем!", "greeting"),
        ("Ассалаумағалейкум", "greeting"),
        ("Добрый день", "greeting"),
        ("hey there", "greeting"),
        ("salem", "greeting"),
        ("Привет, у меня вопрос", "greeting"),
        ("Көп рахмет!", "thanks"),
        ("спасибо большое)))", "thanks"),
        ("thanks a lot 👍", "thanks"),
        ("ок, понятно", "thanks"),
        ("Алғысымды білдіремін", "thanks"),
        ("Okay, understood.", "thanks"),
        ("Как у вас дела?", "smalltalk"),
        ("Рахмет, сау болыңыз!", "farewell"),
        ("пока", "farewell"),
        ("Қалыңыз қалай?", "smalltalk"),
        ("who are you?", "smalltalk"),
    ],
)
def test_a_message_of_courtesy_alone_asks_nothing(message, kind):
    read = read_courtesy(message)
    assert read.question == "" and read.kind == kind


def test_the_reply_is_in_the_language_of_the_courtesy():
    # `Рахмет` has no Kazakh letter, and the question detector takes it for Russian
    assert read_courtesy("Рахмет!").lang == "kk"
    assert read_courtesy("Спасибо, до свидания").lang == "ru"
    assert read_courtesy("ok, bye").lang == "en"


def test_a_greeting_gets_a_reply_in_its_language_and_no_quote(engine):
    # was answered with confidence, quoting a sentence that points to a US State Department link
    for message, lang in (("Сәлем!", "kk"), ("привет", "ru"), ("hello", "en")):
        answer = engine.ask(message)
        assert answer.state == "refused" and answer.lang == lang
        assert answer.quotes == [] and answer.passages == []
        assert answer.text == frame(lang, "greeting")
    thanks = engine.ask("thanks!")
    assert thanks.text == frame("en", "thanks") and thanks.quotes == []


def test_a_polite_question_gets_the_answer_of_the_plain_one(engine):
    polite = engine.ask("Hi! Can you tell me how many judges were punished?")
    plain = engine.ask("How many judges were punished?")
    assert polite.state == plain.state == "answered"
    assert [q.text for q in polite.quotes] == [q.text for q in plain.quotes]
    assert polite.probability == pytest.approx(plain.probability)
    assert polite.question.startswith("Hi!")  # the user's words, as typed
    kazakh = engine.ask("Сәлеметсіз бе! Соттар тәуелсіз бе, айтып бересіз бе?")
    assert "тәуелсіз сот органы" in kazakh.quotes[0].text
    assert kazakh.state == "answered" and kazakh.notice is None


def test_a_greeting_typed_in_the_wrong_layout_is_read_off_too(engine):
    # `Здравствуйте! Сколько судей наказано?` with the keyboard in the English layout
    answer = engine.ask("Plhfdcndeqnt! Crjkmrj celtq yfrfpfyj&")
    assert answer.notice == frame("ru", "read_as", text="Сколько судей наказано?")
    assert answer.quotes


def test_the_courtesy_model_file_is_checked_and_read_only_with_its_embedder(tmp_path):
    model = load_courtesy_model("bundled")
    assert model is not None and model.reads(model.model + "+onnx")
    assert not model.reads("sentence-transformers:some-other-model+torch")
    assert load_courtesy_model("none") is None
    bad = tmp_path / "courtesy.json"
    bad.write_text(json.dumps({"format": "something else"}), encoding="utf-8")
    with pytest.raises(ConfigError, match="courtesy model"):
        load_courtesy_model(str(bad))
    with pytest.raises(ConfigError, match="courtesy_threshold"):
        Config(courtesy_threshold=0.0)


def test_courtesy_no_list_holds_gets_the_reply_and_a_name_alone_stays_a_search(engine):
    # neither is in the lists; the model over the message's vector takes the first for
    # courtesy (it used to quote a sentence on a construction site with confidence)
    answer = engine.ask("спасиба огромнейшее")
    assert answer.state == "refused" and answer.quotes == []
    assert answer.text == frame("ru", "smalltalk")
    # a name the documents hold, typed alone, reads like courtesy to the model: still searched
    name = engine.ask("Бокаев")
    assert name.quotes and "Бокаев" in name.quotes[0].text
