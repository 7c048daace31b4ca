"""Markdown as people write it, read by its structure (markdown-it-py): headings (ATX and
setext) as sections, one-line paragraphs, lists, tables row by row, code kept whole, links
as their text, front matter and HTML comments skipped, citations by the file's own lines.
And no document is ever indexed with no passages. No model needed."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from kazakh_docs import NAURYZ

from kazrag.errors import DocumentError
from kazrag.rag.chunking import chunk_document, units
from kazrag.rag.config import Config
from kazrag.rag.formats import Document, load_documents
from kazrag.rag.indexing import load_corpus, read_indexable

# the commonest Markdown there is: headings and one-line paragraphs between blank lines

GUIDE = """---
title: "Ұлттық парктер нұсқаулығы"
author: Білім орталығы
date: 2024-03-01
---

<!-- Бұл түсініктеме ешқашан индекстелмеуі керек -->

Қазақстанның ұлттық парктері
============================

Бұл нұсқаулық [ұлттық парктер](https://example.kz/parks "сілтеме") туралы **қысқаша**
мәлімет береді. Мәтін _екі_ жолға бөлінген.

Бурабай
-------

Бурабай паркі Ақмола облысында орналасқан. Паркке жыл сайын көп турист келеді.

### Көрнекті жерлер

- Оқжетпес жартасы көлдің жағасында тұр
- Жұмбақтас тасы судың ортасында көрінеді
  және оның биіктігі шамамен екі метр
- *Көкше* тауы

1. Бірінші қадам: билет сатып алу.
2. Екінші қадам: жолға шығу.

## Кесте

| Парк | Құрылған жылы |
|------|---------------|
| Бурабай | 2000 |
| Алтынемел | 1996 |

## Код

```bash
kazrag index add parks.md
# бұл жол бөлім емес
```

> Ескерту: паркке кіру ақылы.
> Билетті алдын ала алыңыз.

Толығырақ [ресми сайттан][site] оқыңыз.

[site]: https://example.kz/official
"""

TOP = "Қазақстанның ұлттық парктері"


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _units(path):
    doc = load_documents(path)[0]
    return doc, units(doc)[1]


# --------------------------------------------------------------- one-line paragraphs
def test_one_line_paragraph_markdown_gives_its_passages(tmp_path):
    doc = load_documents(_write(tmp_path, "nauryz.md", NAURYZ))[0]
    chunks = chunk_document(doc, Config())
    assert [(c.section_path, c.text) for c in chunks] == [
        ("Наурыз мейрамы", "Наурыз — көктемгі күн мен түннің теңелу мерекесі."),
        (
            "Наурыз мейрамы › Тарихы",
            "Наурыз мейрамын қазақтар ежелден тойлаған. Кеңес заманында мерекеге тыйым салынды.",
        ),
        ("Наурыз мейрамы › Дастархан", "Наурыз көже жеті түрлі дәмнен жасалады."),
    ]
    assert [c.line_start for c in chunks] == [3, 7, 11]  # the file's own lines


# ------------------------------------------------------------------ real-world file
@pytest.fixture
def guide(tmp_path):
    return _write(tmp_path, "parks-guide.md", GUIDE)


def test_front_matter_gives_the_title_and_is_not_indexed(guide):
    doc, found = _units(guide)
    assert doc.title == "Ұлттық парктер нұсқаулығы"
    text = " ".join(u.text for u in found)
    for skipped in ("author", "Білім орталығы", "2024-03-01", "---"):
        assert skipped not in text


def test_setext_and_atx_headings_give_the_section_paths(guide):
    doc, found = _units(guide)
    section_of = {u.text: u.section for u in found}
    assert section_of["Паркке жыл сайын көп турист келеді."] == (TOP, "Бурабай")
    assert section_of["Көкше тауы"] == (TOP, "Бурабай", "Көрнекті жерлер")
    assert section_of["Бурабай | 2000"] == (TOP, "Кесте")
    assert section_of["Толығырақ ресми сайттан оқыңыз."] == (TOP, "Код")
    lines = doc.source.split("\n")
    assert sorted((lines[n], level) for n, level in doc.heading_lines.items()) == sorted(
        [
            (f"# {TOP}", 1),
            ("## Бурабай", 2),
            ("### Көрнекті жерлер", 3),
            ("## Кесте", 2),
            ("## Код", 2),
        ]
    )  # the `#` line inside the code block is no heading


def test_links_emphasis_and_comments_leave_only_their_text(guide):
    _, found = _units(guide)
    texts = [u.text for u in found]
    assert texts[0] == "Бұл нұсқаулық ұлттық парктер туралы қысқаша мәлімет береді."
    assert texts[1] == "Мәтін екі жолға бөлінген."
    joined = " ".join(texts)
    for markup in (
        "https://",
        "example.kz",
        "](",
        "**",
        "_екі_",
        "<!--",
        "түсініктеме",
        "[site]",
        "|---",
    ):
        assert markup not in joined


def test_list_items_are_separate_units_without_their_markers(guide):
    _, found = _units(guide)
    texts = [u.text for u in found]
    assert "Оқжетпес жартасы көлдің жағасында тұр" in texts
    # a wrapped item is one unit
    assert "Жұмбақтас тасы судың ортасында көрінеді және оның биіктігі шамамен екі метр" in texts
    assert "Бірінші қадам: билет сатып алу." in texts and "1." not in texts
    assert not any(t.startswith(("- ", "* ", "1. ")) for t in texts)


def test_table_rows_are_one_unit_each(guide):
    _, found = _units(guide)
    rows = [u.text for u in found if u.section == (TOP, "Кесте")]
    assert rows == ["Парк | Құрылған жылы", "Бурабай | 2000", "Алтынемел | 1996"]


def test_code_is_kept_whole_and_not_taken_for_headings(guide):
    _, found = _units(guide)
    code = [u for u in found if "kazrag index add" in u.text]
    assert [u.text for u in code] == ["kazrag index add parks.md # бұл жол бөлім емес"]


def test_citations_give_the_lines_of_the_file(guide):
    file_lines = GUIDE.split("\n")
    _, found = _units(guide)
    for unit in found:
        first_word = unit.text.split()[0].strip("*_[")
        assert first_word in file_lines[unit.line_start - 1], (unit.text, unit.line_start)


def test_guide_chunks_keep_sections_apart(guide):
    doc = load_documents(guide)[0]
    chunks = chunk_document(doc, Config())
    assert {c.section_path for c in chunks} == {
        TOP,
        f"{TOP} › Бурабай",
        f"{TOP} › Бурабай › Көрнекті жерлер",
        f"{TOP} › Кесте",
        f"{TOP} › Код",
    }
    assert all(c.title == "Ұлттық парктер нұсқаулығы" for c in chunks)


def test_markdown_stored_by_an_older_kazrag_still_gives_passages():
    """An index built before Markdown was parsed keeps the raw file as the source and its
    `#` lines as headings; a rebuild from it must not lose those documents' passages."""
    old = Document.from_dict(
        {
            "doc_id": "nauryz.md",
            "source": NAURYZ,
            "path": None,
            "format": "md",
            "page_of_line": None,
            "heading_lines": {"0": 1, "4": 2, "8": 2},
            "title": "",
        }
    )
    chunks = chunk_document(old, Config())
    assert [c.section_path for c in chunks] == [
        "Наурыз мейрамы",
        "Наурыз мейрамы › Тарихы",
        "Наурыз мейрамы › Дастархан",
    ]


# ------------------------------------------------------------ nothing to index = error
@pytest.mark.parametrize(
    "name, text",
    [
        ("headings-only.md", "# Тақырып\n\n## Бөлім\n\n### Тағы бөлім\n"),
        ("comments.md", "---\ntitle: Бос құжат\n---\n\n<!-- мәтін кейін жазылады -->\n"),
        ("title-only.txt", "Қазақстан\n"),
    ],
)
def test_a_document_with_nothing_to_index_is_refused_by_name(tmp_path, name, text):
    with pytest.raises(DocumentError) as caught:
        read_indexable(_write(tmp_path, name, text))
    message = str(caught.value)
    assert message.startswith(f"{name}: gave no passages") and "\n" not in message


def test_a_corpus_passage_without_text_is_refused_by_name(tmp_path):
    rows = [
        {"_id": "a", "title": "Бар", "text": "Мәтіні бар құжат."},
        {"_id": "b", "title": "Бос", "text": "   "},
    ]
    path = _write(tmp_path, "corpus.jsonl", "\n".join(json.dumps(r) for r in rows))
    with pytest.raises(DocumentError) as caught:
        read_indexable(path)
    assert str(caught.value).startswith("corpus.jsonl, passage 'b': gave no passages")


def test_the_indexer_skips_an_empty_document_with_a_line_and_keeps_the_rest(tmp_path):
    _write(tmp_path, "nauryz.md", NAURYZ)
    _write(tmp_path, "empty.md", "# Бос\n")
    documents, skipped = load_corpus([tmp_path])
    assert [d.doc_id for d in documents] == ["nauryz.md"]
    assert len(skipped) == 1 and skipped[0].startswith("empty.md: gave no passages")


# ---------------------------------------------------------------- any Markdown at all
_PIECES = [
    "# ",
    "## ",
    "Қазақ",
    "тілі",
    ".",
    " ",
    "\n",
    "\n\n",
    "- ",
    "1. ",
    "> ",
    "|",
    "---",
    "===",
    "```",
    "~~~",
    "    ",
    "`",
    "*",
    "_",
    "[",
    "](",
    ")",
    "<!--",
    "-->",
    "<br>",
    "<div>",
    "![",
    "\\",
    "&amp;",
    "+++",
    "title: Т",
    "\t",
    "Ә.",
    "\r\n",
    "[^1]",
    "[^1]: ",
    "\n[^2]: ",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join))
@example("Қазақ![\r\n`]()")  # an image whose alt text runs over a line break
def test_any_markdown_keeps_its_lines_and_chunks_without_error(text):
    from kazrag.rag.formats.markdown import read_markdown

    text = text.replace("\r\n", "\n")
    markdown = read_markdown(text)
    assert markdown.source.count("\n") == text.count("\n")  # line n stays line n
    last = -1
    for first, end, kind in markdown.blocks:
        assert last < first <= end <= text.count("\n") and kind in (
            "text",
            "heading",
            "row",
            "code",
        )
        last = end
    doc = Document(
        "x.md",
        markdown.source,
        format="md",
        heading_lines=markdown.headings,
        blocks=markdown.blocks,
    )
    for chunk in chunk_document(doc, Config()):
        assert chunk.text.strip()


def test_footnote_marks_leave_the_sentence_and_every_note_keeps_its_text_and_line(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(
        "# Сайлау\n\n"
        "Назарбаевқа 97,5 пайыз дауыс берілді[^1]. Бұл туралы комиссия хабарлады[^осk].\n\n"
        "[^1]: Орталық сайлау комиссиясының хабарламасы.\n"
        "[^осk]: Комиссия 2015 жылғы 27 сәуірде хабарлады.\n\n"
        "[^3]: Ешбір сөйлем сілтемейтін ескерту де жоғалмайды.\n\n"
        "Соңғы абзац.\n",
        encoding="utf-8",
    )
    [doc] = load_documents(path)
    _, found = units(doc)
    texts = [u.text for u in found]
    assert texts[:2] == [
        "Назарбаевқа 97,5 пайыз дауыс берілді.",
        "Бұл туралы комиссия хабарлады.",
    ]
    assert not any("[^" in t for t in texts)
    lines = {u.text: u.line_start for u in found}
    assert lines["Орталық сайлау комиссиясының хабарламасы."] == 5
    assert lines["Комиссия 2015 жылғы 27 сәуірде хабарлады."] == 6
    assert lines["Ешбір сөйлем сілтемейтін ескерту де жоғалмайды."] == 8
    assert lines["Соңғы абзац."] == 10


def test_an_image_whose_alt_text_runs_over_a_line_break_keeps_the_lines_after_it_in_place():
    from kazrag.rag.formats.markdown import read_markdown

    text = "# Парк\n\nКөл ![Бурабай\nкөлі](lake.png) суреті.\nКөлдің ұзындығы 3 шақырым.\n"
    lines = read_markdown(text).source.split("\n")
    assert len(lines) == len(text.split("\n"))
    assert lines[4] == "Көлдің ұзындығы 3 шақырым."  # cited as the file's line 5
    assert "Бурабай" in lines[2] and "көлі" in lines[3]
