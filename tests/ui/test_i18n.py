"""ui.i18n: the page's words in three languages, and the browser's choice among them."""

from __future__ import annotations

import pytest

from kazrag.ui.i18n import LANGS, TEXTS, from_browser, lang_of, text


def test_every_language_has_every_word():
    keys = set(TEXTS["en"])
    for lang in LANGS:
        assert set(TEXTS[lang]) == keys, lang
        assert all(TEXTS[lang][key].strip() for key in keys), lang


@pytest.mark.parametrize(
    "header,lang",
    [
        ("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"),
        ("kk-KZ,kk;q=0.9,ru;q=0.8", "kk"),
        ("de-DE,de;q=0.9,ru;q=0.5,en;q=0.8", "en"),  # by weight, not by order
        ("kz", "kk"),
        ("fr-FR,de;q=0.5", "en"),
        ("", "en"),
        (None, "en"),
        ("en;q=bad, ru", "ru"),
    ],
)
def test_the_first_language_is_the_browsers_first_that_the_page_speaks(header, lang):
    assert from_browser(header) == lang


def test_a_forged_language_falls_back_to_english():
    assert lang_of("xx") == lang_of(None) == lang_of(3) == "en"
    assert text("xx", "tab_chat") == TEXTS["en"]["tab_chat"]


def test_what_an_upload_did_is_said_in_the_pages_language():
    from kazrag.rag.indexing import BuildReport
    from kazrag.ui.uploads import UploadJob

    job = UploadJob(["abai.txt", "photo.txt"], run=lambda say: None, cleanup=lambda: None)  # type: ignore[arg-type, return-value]
    assert job.outcome_in("kk") == "кезекте"
    job.report = BuildReport(
        index="i", reused=False, documents=3, chunks=220, sentences=900, embedded=4,
        seconds=0.1, skipped=["photo.txt: this is a binary file"], added=["abai.txt"],
    )  # fmt: skip
    assert (
        job.outcome
        == job.outcome_in("en")
        == (
            "added abai.txt: the index now has 3 documents, 220 passages\n"
            "not added: photo.txt: this is a binary file"
        )
    )
    assert job.outcome_in("kk").splitlines() == [
        "abai.txt қосылды: индексте енді 3 құжат, 220 үзінді",
        "қосылмады: photo.txt: this is a binary file",
    ]
    assert job.outcome_in("ru").startswith(
        "добавлено: abai.txt; в индексе теперь документов: 3, фрагментов: 220"
    )
