"""The normaliser on the corpus's real quirks (rag/text.py)."""

from pathlib import Path

import pytest

from kazrag.rag.config import BUNDLED_CORPUS
from kazrag.rag.formats import load_document
from kazrag.rag.text import fold_lookalikes, keyword_tokens, match_key, sentence_spans, unshout

REPORT = BUNDLED_CORPUS / "human-rights-report-2017.kk.txt"


def test_latin_i_inside_a_kazakh_word_is_found_by_the_correct_spelling():
    source = REPORT.read_text(encoding="utf-8")
    assert "үкiметтiң" in source  # the file spells it with Latin `i`
    assert "үкіметтің" in match_key(source)
    assert "үкіметтің" in keyword_tokens(source)


def test_other_latin_lookalikes_fold_to_cyrillic_and_back_for_latin_words():
    mixed = "Пpeзидент caйлауы"  # Latin p, e, c, a inside Cyrillic words
    assert fold_lookalikes(mixed) == "Президент сайлауы"
    assert fold_lookalikes("Kazakhstаn") == "Kazakhstan"  # one Cyrillic а in an English word
    assert len(fold_lookalikes(mixed)) == len(mixed)  # offsets stay valid


def test_folding_is_idempotent_and_keeps_pure_words():
    text = "Қазақстан 2017 жылы, Nazarbayev, іс-шара"
    once = match_key(text)
    assert match_key(once) == once
    assert fold_lookalikes("Nazarbayev") == "Nazarbayev"


def test_a_wrapped_hyphen_is_joined_and_kept():
    assert match_key("іс-\nшара") == "іс-шара"
    assert match_key("зорлық-  \n  зомбылық") == "зорлық-зомбылық"
    assert match_key("бір\nекі") == "бір екі"


def test_sentences_do_not_break_at_decimals_initials_or_list_letters():
    text = (
        "Назарбаевқа 97.5 пайыз дауыс берілді. Н. Назарбаев сөз сөйледі. "
        "Жыл сайын 340.340 объектіге барды."
    )
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "Назарбаевқа 97.5 пайыз дауыс берілді.",
        "Н. Назарбаев сөз сөйледі.",
        "Жыл сайын 340.340 объектіге барды.",
    ]


def test_a_full_stop_inside_a_quoted_name_or_a_gloss_or_after_initials_ends_no_sentence():
    # a quote that began "Трибуна» газетінің…" lost its opening words and mark (reports, 2026-12-07)
    text = (
        "«Саяси қалам. Трибуна» газетінің бас редакторы тұтқынға алынды. "
        "Ядролық қаруды И.В. Курчатов басқарған топ жасады. "
        "Қарағай (лат. Pinus) мәңгі жасыл ағаш. "
        "Ол былай деді: «Бұл жолсыз. Біз келіспейміз.» Сот басталды."
    )
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "«Саяси қалам. Трибуна» газетінің бас редакторы тұтқынға алынды.",
        "Ядролық қаруды И.В. Курчатов басқарған топ жасады.",
        "Қарағай (лат. Pinus) мәңгі жасыл ағаш.",
        # a quotation of whole sentences still splits: another end comes before its close
        "Ол былай деді: «Бұл жолсыз.",
        "Біз келіспейміз.»",
        "Сот басталды.",
    ]


def test_a_note_mark_after_the_full_stop_ends_the_sentence_with_it():
    # text copied from Wikipedia: `өтті.[1] Келесі` is two sentences, the mark kept with the first
    text = "Сайлау 2015 жылы өтті.[1] Келесі сөйлем осында.[12][13] Соңғы сөйлем."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Сайлау 2015 жылы өтті.[1]",
        "Келесі сөйлем осында.[12][13]",
        "Соңғы сөйлем.",
    ]


def test_document_decoding_gives_nfc_text_with_unix_lines(tmp_path: Path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("Бірінші жол\r\nЕкінші жол\r\n".encode("utf-8-sig"))
    doc = load_document(path)
    assert doc.source == "Бірінші жол\nЕкінші жол\n"


@pytest.mark.parametrize(
    "typed,read",
    [
        ("СОТТАР ТӘУЕЛСІЗ БЕ?", "Соттар тәуелсіз бе?"),
        ("ARE COURTS INDEPENDENT??", "Are courts independent??"),
        # a new sentence starts upper-case again, after a quote mark too
        (
            "2015 ЖЫЛҒЫ САЙЛАУ. «НҰР ОТАН» НЕШЕ ОРЫН АЛДЫ?",
            "2015 жылғы сайлау. «Нұр отан» неше орын алды?",
        ),
    ],
)
def test_a_question_typed_with_caps_lock_is_read_in_sentence_case(typed, read):
    assert unshout(typed) == read


@pytest.mark.parametrize(
    "typed",
    ["ҰҚК қанша адамды ұстады?", "ҰҚК?", "What does the OSCE say?", "Соттар тәуелсіз бе?", "2015?"],
)
def test_acronyms_and_ordinary_questions_are_left_as_typed(typed):
    assert unshout(typed) == typed
