"""What a user sees for a laid-out PDF and for plain Markdown, end to end through the CLI with
the real model: quotes free of page headers and footers, cited by their own page, the same
page in the answer and its source; Markdown indexed with passages; a file with nothing to
index refused by name, the index left as it was."""

from __future__ import annotations

import json

import pytest
from kazakh_docs import NAURYZ
from pdf_samples import BOOK_SENTENCES, make_book

from kazrag.ui.cli import main

pytestmark = pytest.mark.slow


def cli(capsys, config, *args: str) -> tuple[int, str, str]:
    code = main(
        list(args)
        + [
            "--index-dir",
            str(config.resolved_index_dir()),
            "--model-dir",
            str(config.resolved_model_dir()),
        ]
    )
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture(scope="module")
def config(base_config, tmp_path_factory):
    folder = tmp_path_factory.mktemp("laid-out")
    make_book(folder / "parks.pdf")
    (folder / "nauryz.md").write_text(NAURYZ, encoding="utf-8")
    config = base_config.with_(index_dir=tmp_path_factory.mktemp("layout-index") / "index")
    code = main(
        [
            "index",
            "build",
            str(folder),
            "--index-dir",
            str(config.resolved_index_dir()),
            "--model-dir",
            str(config.resolved_model_dir()),
        ]
    )
    assert code == 0
    return config


@pytest.mark.parametrize(
    "question, sentence",
    [
        ("Туристер үшін не салынған?", "Туристер үшін жаяу жүретін жолдар салынған."),
        ("Құландар саны қалай өзгерді?", "Құландар саны соңғы жылдары өсті."),
        ("Жұмбақтас тасы қайда көрінеді?", "Жұмбақтас тасы судың ортасында көрінеді."),
    ],
)
def test_pdf_quotes_have_no_furniture_and_cite_their_own_page(capsys, config, question, sentence):
    code, out, _ = cli(capsys, config, "ask", question, "--json")
    answer = json.loads(out)
    # a tiny corpus makes the model less sure; the quote is still shown, never refused
    assert code == 0 and answer["state"] != "refused", answer["answer"]
    quote = answer["quotes"][0]
    assert quote["doc"] == "parks.pdf" and quote["text"] == sentence
    assert quote["page"] == BOOK_SENTENCES[sentence]
    for q in answer["quotes"]:
        assert "анықтамалық" not in q["text"] and "-бет" not in q["text"]
    # the passage the quote came from covers the page the answer cites
    source = next(p for p in answer["passages"] if sentence in p["text"])
    assert source["pages"][0] <= quote["page"] <= source["pages"][1]


def test_markdown_is_indexed_with_passages(capsys, config):
    code, out, _ = cli(capsys, config, "index", "info", "--json")
    documents = json.loads(out)["documents"]
    assert documents["nauryz.md"] == {"chunks": 3, "format": "md"}
    code, out, _ = cli(capsys, config, "ask", "Наурыз көже неше дәмнен жасалады?")
    assert code == 0 and "nauryz.md, Наурыз мейрамы › Дастархан, line 11" in out


def test_a_file_with_nothing_to_index_is_refused_and_the_index_kept(capsys, config, tmp_path):
    empty = tmp_path / "draft.md"
    empty.write_text("# Жоба\n\n## Кейін жазылады\n\n<!-- мәтін жоқ -->\n", encoding="utf-8")
    before = json.loads(cli(capsys, config, "index", "info", "--json")[1])["documents"]
    code, _, err = cli(capsys, config, "index", "add", str(empty))
    assert code == 1
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith("kazrag: error: nothing added: draft.md: gave no passages")
    )
    assert json.loads(cli(capsys, config, "index", "info", "--json")[1])["documents"] == before
