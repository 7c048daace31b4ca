"""Kazakh as people type it, end to end with the real model and FAISS (issue 13, items 4-5):
a question typed in Latin or with Russian letters is answered as Kazakh, with Kazakh quotes;
a document written in Latin Kazakh is found by Cyrillic and Latin questions and quoted in its
own script; spelling variants of a name find each other."""

from __future__ import annotations

from pathlib import Path

import pytest

from kazrag.rag.engine import Kazrag
from kazrag.rag.keyboard_layout import to_english_layout
from kazrag.rag.lang import frame
from kazrag.rag.translit import Vocabulary

ISSUE_LATIN = "Prezident saılaýynda Nazarbaevqa neshe paıyz daýys berildi?"
ISSUE_RUSSIAN_LETTERS = "Енбек кодексине сайкес жумыска алудын ен томенги жасы канша?"

# A document as someone writing in the 2018 Latin alphabet has it (decree No. 637).
LATIN_DOC = """Qorǵaljyn qoryǵy

Qorǵaljyn memlekettik tabıǵı qoryǵy 1968 jyly quryldy. Qoryq Aqmola oblysynda, Astana \
qalasynan 130 shaqyrym jerde ornalasqan. Onyń aýmaǵy 543 myń gektarǵa jetedi.

Teńiz kólinde qyzǵylt qoqıqazdar uıa salady. Bul olardyń álemdegi eń soltústik uıalaıtyn \
jeri sanalady. Qoryqta qustardyń 350-den astam túri tirkelgen, olardyń kóbi kóktemde \
ońtústikten ushyp keledi.

2008 jyly Qorǵaljyn qoryǵy «Saryarqa» degen atpen IÝNESKO-nyń Dúnıejúzilik mura tizimine \
engizildi. Qoryqqa kelýshiler tek qyzmetkerdiń ruqsatymen jáne arnaıy joldarmen ǵana júre alady.
"""
# A surname in its Russian spelling (Габдуллин), as many Kazakh texts print it.
NAME_DOC = """Газет редакторы

Бигелді Габдуллин «Central Asia Monitor» газетінің бас редакторы болып жұмыс істеді. \
Габдуллин бұрын Алматы қаласындағы радиода жүргізуші болған. Редактор ретінде ол \
газеттің интернет нұсқасын ашты. Оның кім екенін газет оқырмандары жақсы біледі.
"""
# Other documents that share the questions' common words (кім, жыл), one of them many
# times, so only the name itself can put the right document first.
OTHER_DOCS = {
    "sot.txt": """Аудандық сот

Аудандық сотта кім куә болатынын сот өзі шешеді. Кім шағым түсірсе, сот оны бір ай ішінде \
қарайды. Сот шешіміне кім келіспесе, облыстық сотқа шағымдана алады. Кімнің ісі қаралатыны \
алдын ала жарияланады.
""",
    "domby.txt": """Домбыра

Домбыра қазақ халқының ұлттық музыкалық аспабы. Домбыраның екі ішегі бар. Құрманғазы \
Сағырбайұлы домбыраға арнап «Адай», «Сарыарқа» сияқты күйлер шығарды. Күйші 1823 жылы \
туып, 1896 жылы қайтыс болды. Құрманғазының кім болғанын әр қазақ біледі.
""",
}


@pytest.fixture(scope="module")
def typing_engine(base_config, tmp_path_factory) -> Kazrag:
    folder = tmp_path_factory.mktemp("typing-docs")
    (folder / "qorgaljyn.txt").write_text(LATIN_DOC, encoding="utf-8")
    (folder / "redaktor.txt").write_text(NAME_DOC, encoding="utf-8")
    for name, text in OTHER_DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    config = base_config.with_(index_dir=tmp_path_factory.mktemp("typing") / "index")
    return Kazrag.open(config, corpus=[folder])


# ---------------------------------------------------- the issue's two questions (bundled)
def test_latin_question_of_the_issue_is_answered_as_kazakh_with_the_election_quote(engine):
    answer = engine.ask(ISSUE_LATIN)
    assert answer.lang == "kk"
    assert not answer.abstained
    assert answer.text.startswith(frame("kk", "intro"))
    assert "Назарбаевқа 97" in answer.quotes[0].text
    assert "пайыз дауыс берілді" in answer.quotes[0].text
    # the user sees how the question was read, and the answer keeps the question as typed
    assert answer.notice == frame(
        "kk", "read_as", text="Президент сайлауында Назарбаевқа неше пайыз дауыс берілді?"
    )
    assert answer.question == ISSUE_LATIN


def test_russian_letter_question_of_the_issue_is_answered_as_kazakh(engine):
    answer = engine.ask(ISSUE_RUSSIAN_LETTERS)
    assert answer.lang == "kk"
    assert not answer.abstained
    assert answer.text.startswith(frame("kk", "intro"))
    assert "жұмысқа алудың ең төменгі жас мөлшері 16" in answer.quotes[0].text
    assert "Еңбек кодексіне сәйкес жұмысқа алудың ең төменгі жасы қанша?" in answer.notice


def test_a_name_typed_in_latin_in_a_cyrillic_question_is_read_as_the_corpus_spells_it(engine):
    answer = engine.ask("Nazarbaevqa қанша пайыз дауыс берілді?", mode="bm25")
    assert answer.notice == frame("kk", "read_as", text="Назарбаевқа қанша пайыз дауыс берілді?")
    assert "Назарбаевқа 97" in answer.quotes[0].text


@pytest.mark.parametrize("mode", ["bm25", "hybrid"])
def test_an_english_questions_name_is_read_as_the_corpus_spells_it(typing_engine, mode):
    # the keyword side matches a name only in the passages' script (eval/README.md
    # "English names read into Cyrillic"); the English words stay as typed
    answer = typing_engine.ask("Where did Gabdullin work before he became an editor?", mode=mode)
    assert answer.lang == "en"
    assert answer.notice == frame(
        "en", "read_as", text="Where did Габдуллин work before he became an editor?"
    )
    assert answer.passages[0].chunk.doc == "redaktor.txt"
    assert "Габдуллин" in answer.quotes[0].text


def test_kazakh_russian_and_english_questions_are_not_rewritten(engine):
    for question, lang in (
        ("Еңбек кодексіне сәйкес жұмысқа алудың ең төменгі жасы қанша?", "kk"),
        ("Сколько судей было наказано за нарушение судейской этики?", "ru"),
        ("What percentage of the vote did Nazarbayev receive in the 2015 election?", "en"),
    ):
        answer = engine.ask(question)
        assert answer.notice is None and answer.lang == lang


# ------------------------------------------------------------- a Latin-script document
def test_cyrillic_question_finds_the_latin_document_and_quotes_it_in_latin(typing_engine):
    answer = typing_engine.ask("Қорғалжын қорығы қай жылы құрылды?")
    assert answer.lang == "kk" and not answer.abstained
    assert answer.passages[0].chunk.doc == "qorgaljyn.txt"
    first = answer.quotes[0]
    assert first.doc == "qorgaljyn.txt"
    assert first.text == "Qorǵaljyn memlekettik tabıǵı qoryǵy 1968 jyly quryldy."
    assert first.text in LATIN_DOC  # the document's own words and script


def test_latin_question_finds_the_latin_document(typing_engine):
    answer = typing_engine.ask("Qorǵaljyn qoryǵynda qustardyń neshe túri tirkelgen?")
    # a corpus of a few short files makes the answerability model less sure: the quote is
    # shown (answered or uncertain), never refused
    assert answer.lang == "kk" and answer.state != "refused"
    assert answer.quotes[0].doc == "qorgaljyn.txt"
    assert "350-den astam túri tirkelgen" in answer.quotes[0].text


def test_the_latin_document_is_found_by_keywords_too(typing_engine):
    # bm25 alone: the Cyrillic question's words meet the Latin passage's words
    passages = typing_engine.search("Теңіз көлінде қоқиқаздар ұя сала ма?", mode="bm25")
    assert passages and passages[0].chunk.doc == "qorgaljyn.txt"
    assert "qoqıqazdar" in passages[0].chunk.text


def test_the_manifest_records_each_documents_script_and_the_corpus_words(typing_engine):
    manifest = typing_engine.snapshot.version.manifest
    assert manifest["documents"]["qorgaljyn.txt"]["script"] == "latin"
    assert manifest["documents"]["redaktor.txt"]["script"] == "cyrillic"
    vocabulary = Vocabulary.from_dict(manifest["corpus_vocabulary"])
    assert "қорғалжын" in vocabulary  # the Latin document's words, in Cyrillic
    assert "qorǵaljyn" not in vocabulary
    assert typing_engine.snapshot.vocabulary is not None


# ------------------------------------------------------------------- name variants
@pytest.mark.parametrize("mode", ["bm25", "hybrid"])
def test_a_name_typed_with_kazakh_letters_finds_its_russian_spelling(typing_engine, mode):
    passages = typing_engine.search("Ғабдуллин кім?", mode=mode)
    assert passages[0].chunk.doc == "redaktor.txt"


@pytest.mark.parametrize("mode", ["bm25", "hybrid"])
def test_a_name_typed_with_russian_letters_finds_its_kazakh_spelling(typing_engine, mode):
    passages = typing_engine.search("Курмангазы кай жылы туды?", mode=mode)
    assert passages[0].chunk.doc == "domby.txt"


def test_an_index_keeps_answering_when_opened_again(typing_engine, tmp_path: Path):
    # a second engine on the same folder loads the index as it is (no rebuild): the
    # vocabulary and analyzer recorded in it are what the settings expect
    again = Kazrag.open(typing_engine.config)
    assert again.last_build is None
    assert again.ask("Qorǵaljyn qoryǵy qaı jyly quryldy?").quotes[0].doc == "qorgaljyn.txt"


# ------------------------------------------------------------------- caps lock
def test_a_question_typed_with_caps_lock_gets_the_answer_of_the_same_question_typed_plainly(
    engine,
):
    # upper-case words are other tokens to the model: this question was left uncertain,
    # quoting a sentence on judges' pay
    shouted = engine.ask("СОТТАР ТӘУЕЛСІЗ БЕ?")
    plain = engine.ask("Соттар тәуелсіз бе?")
    assert shouted.state == plain.state == "answered"
    assert shouted.quotes[0].text == plain.quotes[0].text
    assert "тәуелсіз сот органы" in shouted.quotes[0].text
    assert shouted.question == "СОТТАР ТӘУЕЛСІЗ БЕ?"  # the user's words, as typed
    assert shouted.notice is None  # nothing was read differently enough to say so


# ------------------------------------------------------- Russian in Latin letters
def test_russian_typed_in_latin_letters_is_answered_as_russian(engine):
    # was taken for English, searched letter for letter, and quoted a sentence on another
    # subject
    answer = engine.ask("skolko protsentov golosov poluchil Nazarbayev na vyborakh 2015 goda?")
    assert answer.lang == "ru" and answer.state == "answered"
    assert answer.notice == frame(
        "ru", "read_as", text=("сколко процентов голосов получил Назарбаев на выборах 2015 года?")
    )
    assert "97,5 пайыз" in answer.quotes[0].text
    assert answer.text.startswith(frame("ru", "intro"))


# ------------------------------------------------ the keyboard left in the English layout
def test_a_question_typed_in_the_english_layout_is_answered_as_meant(engine):
    # `Сколько процентов голосов получил Назарбаев на выборах 2015 года?` typed with the
    # keyboard in the English layout: was searched as Latin gibberish
    answer = engine.ask("Crjkmrj ghjwtynjd ujkjcjd gjkexbk Yfpfh,ftd yf ds,jhf[ 2015 ujlf&")
    assert answer.lang == "ru" and answer.state == "answered"
    assert answer.notice == frame(
        "ru", "read_as", text="Сколько процентов голосов получил Назарбаев на выборах 2015 года?"
    )
    assert "97,5 пайыз" in answer.quotes[0].text


def test_english_typed_in_the_russian_layout_gets_the_english_questions_answer(engine):
    # `How many judges were punished?` with the keyboard in the Russian layout: was taken
    # for Russian and searched as Cyrillic gibberish
    typed = engine.ask("Рщц ьфтн огвпуы цуку згтшырув,")
    plain = engine.ask("How many judges were punished?")
    assert typed.lang == "en" and typed.state == plain.state != "refused"
    assert [q.text for q in typed.quotes] == [q.text for q in plain.quotes]
    assert typed.notice == frame("en", "read_as", text="How many judges were punished?")


def test_kazakh_typed_in_the_english_layout_from_the_kazakh_one_gets_the_kazakh_answer(engine):
    # the Kazakh layout's number row gives ә і ң ғ ү ұ қ ө һ: in the English layout they come
    # out as digits (`0fyif` = `қанша`); was searched as Latin gibberish
    question = "Соттар тәуелсіз бе?"
    typed = engine.ask(to_english_layout(question, "kazakh"))
    plain = engine.ask(question)
    assert typed.lang == "kk" and typed.state == plain.state == "answered"
    assert typed.quotes[0].text == plain.quotes[0].text
    assert typed.notice == frame("kk", "read_as", text=question)
