"""The chat in a real browser: Playwright driving Debian's Chromium against the real server.

A browser that cannot start fails the test; only outside CI (no CI variable) does a missing
/usr/bin/chromium skip it instead (`apt-get install chromium`).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from gradio_server import serving
from repo import REPO_ROOT

from kazrag.rag.lang import frame

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = REPO_ROOT / "docs" / "screenshot.png"
QUESTION = "Полиция ұсталған адамды айып тақпай тұрып қанша сағат ұстай алады?"
TIMEOUT_MS = 60_000
ANSWER_COMPLETE = """n => document.querySelectorAll('#chat .thought-group').length === n
    && document.querySelector('#chat [data-testid="status-tracker"]').classList.contains('hide')"""


@pytest.fixture(scope="module")
def browser():
    in_ci = bool(os.environ.get("CI"))
    if not CHROMIUM.exists() and not in_ci:
        pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Exception as exc:  # installed (or in CI) but broken: a finding, not a skip
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {exc}")
        yield chromium
        chromium.close()


def wait_for_lines(path: Path, n: int, seconds: float = 10) -> list[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        if len(lines) >= n:
            return lines
        time.sleep(0.1)
    raise AssertionError(f"{path} did not reach {n} lines in {seconds} s")


def test_a_kazakh_question_gets_a_quoted_answer_whose_sources_open(browser, engine, tmp_path):
    expected = engine.ask(QUESTION)
    assert not expected.abstained
    quote = expected.quotes[0].text
    cited_passages = len({q.passage_rank for q in expected.quotes})
    feedback = tmp_path / "feedback.jsonl"

    with serving(engine, engine.config.with_(feedback_path=feedback)) as url:
        page = browser.new_page(viewport={"width": 1100, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        box = page.locator("#question textarea")
        box.fill(QUESTION)
        box.press("Enter")

        chat = page.locator("#chat")
        bot = chat.locator('[data-testid="bot"]')
        bot.filter(has_text=f"«{quote}» [1]").first.wait_for()
        sources = chat.locator(".thought-group")
        # the answer is complete when all its source boxes are in and the chat's status
        # tracker is hidden again (a box opened before the last update would close again)
        page.wait_for_function(ANSWER_COMPLETE, arg=cited_passages)
        text = chat.inner_text()
        assert frame("kk", "intro") in text and f"«{quote}» [1]" in text
        # each citation's place is shown once, as its box's title, with the quote's own
        # lines (not the passage's); no raw scores
        assert frame("kk", "sources") not in text
        assert text.count(expected.quotes[0].citation()) == 1, text
        assert text.count("[1] human-rights-report-2017.kk.txt") == 1, text
        assert "score" not in text

        # a source box starts closed; a click opens it on the passage, quote marked
        first = sources.first
        assert first.locator("mark").count() == 0 or not first.locator("mark").is_visible()
        first.locator(".title").click()
        mark = first.locator("mark").first
        mark.wait_for(state="visible")
        assert mark.inner_text().strip() == quote
        assert "72 сағат" in first.inner_text()

        page.wait_for_timeout(500)
        assert mark.is_visible()  # still open: the screenshot shows the passage
        mark.click()  # and the reader beside it, the quote in its document
        page.locator("#reader-text mark").first.wait_for(state="visible")
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        assert SCREENSHOT.stat().st_size > 20_000

        # a like lands in the feedback file; clicking it again takes the vote back
        page.get_by_role("button", name="Like", exact=True).click()
        wait_for_lines(feedback, 1)
        page.get_by_role("button", name="Liked", exact=True).click()
        records = [json.loads(line) for line in wait_for_lines(feedback, 2)]
        assert [r["liked"] for r in records] == [True, None]
        assert records[0]["question"] == QUESTION and quote in records[0]["answer"]
        assert records[0]["sources"][0].startswith("[1] human-rights-report-2017.kk.txt")
        page.close()


def ask_in_mode(page, mode: str, question: str) -> str:
    """Choose `mode` in the Settings, ask `question`, return the answer's text."""
    if not page.locator("#mode").is_visible():
        page.locator("#settings").get_by_role("button").first.click()
    page.locator("#mode").get_by_label(mode, exact=True).check()
    return ask(page, question)


def ask(page, question: str) -> str:
    """Ask `question` in the chat, return the answer's text once it is complete."""
    answers = page.locator('#chat [data-testid="bot"]').count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        """n => document.querySelectorAll('#chat [data-testid="bot"]').length > n
        && document.querySelector('#chat [data-testid="status-tracker"]').classList.contains('hide')""",
        arg=answers,
    )
    return page.locator('#chat [data-testid="bot"]').nth(answers).inner_text()


def test_a_mode_other_than_the_default_is_named_and_keywords_refuse_english(browser, engine):
    with serving(engine, engine.config) as url:
        page = browser.new_page(viewport={"width": 1100, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        english = "How many criminal cases of human trafficking did police investigate in 2016?"
        said = ask_in_mode(page, "bm25", english)
        assert "Keyword search (bm25) matches the documents' Kazakh words" in said, said
        assert "«" not in said  # no quotes pretending to answer
        said = ask_in_mode(page, "dense", QUESTION)
        assert "72 сағат" in said and "мағыналық іздеу (dense)" in said, said
        said = ask_in_mode(page, "hybrid", QUESTION)  # the default: nothing to say
        assert "72 сағат" in said and "(dense)" not in said and "(hybrid)" not in said
        page.close()


def test_the_page_speaks_the_browsers_language_and_switches(browser, engine):
    from kazrag.ui.app import BUNDLED_EXAMPLES
    from kazrag.ui.i18n import TEXTS

    with serving(engine, engine.config) as url:
        page = browser.new_page(locale="ru-RU", viewport={"width": 1100, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        page.get_by_role("tab", name=TEXTS["ru"]["tab_documents"]).wait_for()
        question = page.locator("#question textarea")
        assert question.get_attribute("placeholder") == TEXTS["ru"]["question_placeholder"]
        assert page.locator("#corpus-line").inner_text().startswith("Корпус:")
        assert page.locator("#settings").get_by_text(TEXTS["ru"]["settings"]).is_visible()
        assert page.get_by_text(TEXTS["ru"]["examples"]).is_visible()

        page.locator("#language").get_by_label("English", exact=True).check()
        page.get_by_role("tab", name="Documents", exact=True).wait_for()
        assert question.get_attribute("placeholder") == TEXTS["en"]["question_placeholder"]
        page.get_by_role("tab", name="Documents", exact=True).click()
        headers = page.locator("#documents thead").inner_text()
        assert "Document" in headers and "Passages" in headers
        page.close()

        # a Kazakh phone: Kazakh words, each example shown whole, a click asks it
        page = browser.new_page(locale="kk-KZ", viewport={"width": 390, "height": 844})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        page.get_by_role("tab", name=TEXTS["kk"]["tab_documents"]).wait_for()
        assert page.get_by_text(TEXTS["kk"]["examples"]).is_visible()
        buttons = page.locator(".example-question")
        assert buttons.count() == len(BUNDLED_EXAMPLES)
        for n, example in enumerate(BUNDLED_EXAMPLES):
            button = buttons.nth(n)
            assert button.inner_text().strip() == example
            # whole: nothing clipped inside the button, the button inside the screen
            assert button.evaluate("b => b.scrollWidth <= b.clientWidth + 1"), example
            box = button.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (example, box)
        buttons.nth(3).click()
        chat = page.locator("#chat")
        chat.locator('[data-testid="user"]').filter(has_text=BUNDLED_EXAMPLES[3]).wait_for()
        chat.locator('[data-testid="bot"]').filter(has_text="«").first.wait_for()
        assert "147" in chat.inner_text()
        page.close()


@pytest.mark.parametrize("width", [1100, 390])
def test_a_clicked_source_opens_the_reader_at_the_quote_in_its_document(browser, engine, width):
    from kazrag.ui.reader import surrounding

    expected = engine.ask(QUESTION)
    quote = expected.quotes[0]
    passage = next(p for p in expected.passages if p.rank == quote.passage_rank)
    before, after = surrounding(engine.snapshot.retriever, passage.chunk)
    with serving(engine, engine.config) as url:
        page = browser.new_page(locale="en-US", viewport={"width": width, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        reader = page.locator("#reader")
        assert not reader.is_visible()
        box = page.locator("#question textarea")
        box.fill(QUESTION)
        box.press("Enter")
        page.wait_for_function(ANSWER_COMPLETE, arg=len({q.passage_rank for q in expected.quotes}))
        first = page.locator("#chat .thought-group").first
        first.locator(".title").click()  # the box opens on the passage
        first.locator("mark").first.click()  # a click on it opens the reader
        text = page.locator("#reader-text")
        text.locator("mark").first.wait_for(state="visible")
        shown = text.inner_text()
        assert passage.chunk.doc in shown and passage.chunk.section[-1] in shown
        assert f"[1] lines {quote.line_start}–{quote.line_end}" in shown
        assert text.locator("mark").first.inner_text().strip() in quote.text
        # the text around the passage, from the document: the chat box has none of it
        assert " ".join(before.split()[-6:]) in " ".join(shown.split())
        assert " ".join(after.split()[:6]) in " ".join(shown.split())
        assert " ".join(after.split()[:6]) not in " ".join(first.inner_text().split())
        bounds = reader.bounding_box()
        assert bounds and bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= width + 1
        if width >= 1000:  # beside the chat, the chat still in view
            chat = page.locator("#chat").bounding_box()
            assert chat and bounds["x"] >= chat["x"] + chat["width"] - 1
        page.get_by_role("button", name="Close", exact=True).click()
        reader.wait_for(state="hidden")
        page.close()


ABAI = """Абай Құнанбайұлы

Абай Құнанбайұлы 1845 жылы Шыңғыстау баурайында дүниеге келген қазақ ақыны. Ол қара сөздер
деп аталатын қырық бес философиялық шығарма жазды.
"""
# the first bytes of an old Word file (OLE2), which kazrag does not read
OLD_WORD_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)


@pytest.fixture
def own(bundled_index_copy):
    """An engine on a private copy of the bundled index, for tests that add and remove."""
    from kazrag.rag.engine import Kazrag

    return Kazrag.open(bundled_index_copy)


PROGRESS_WATCH = """() => { window.seen = [];
    new MutationObserver(() => { const box = document.querySelector('#upload');
        if (box) window.seen.push(box.innerText); })
    .observe(document.body, {subtree: true, childList: true, characterData: true}); }"""


def test_the_documents_tab_on_a_phone_adds_refuses_and_removes(browser, own, tmp_path):
    abai = tmp_path / "abai.txt"
    abai.write_text(ABAI, encoding="utf-8")
    old_word = tmp_path / "letter.doc"
    old_word.write_bytes(OLD_WORD_BYTES)
    with serving(own, own.config.with_(feedback_path=tmp_path / "f.jsonl")) as url:
        page = browser.new_page(locale="en-US", viewport={"width": 390, "height": 844})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        page.get_by_role("tab", name="Documents", exact=True).click()
        table = page.locator("#documents")
        table.get_by_text("human-rights-report-2017.kk.txt").first.wait_for()
        for column in ("Format", "Passages"):  # every column in view on a phone
            cell = table.locator("thead th").filter(has_text=column).first
            bounds = cell.bounding_box()
            assert bounds and bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 391, column
        outcome = page.locator("#documents-outcome textarea")
        files = page.locator("#upload input[type=file]")

        page.evaluate(PROGRESS_WATCH)
        files.set_input_files(str(abai))
        page.wait_for_function(
            "() => document.querySelector('#documents-outcome textarea').value.includes('abai')"
        )
        assert outcome.input_value().startswith("added abai.txt"), outcome.input_value()
        table.get_by_text("abai.txt", exact=True).wait_for()
        # the progress named the file being indexed, never another document
        seen = [line for text in page.evaluate("window.seen") for line in text.split("\n")]
        steps = [s for s in seen if any(w in s for w in ("reading", "chunking", "embedding"))]
        assert steps and all(s.strip().startswith("abai.txt") for s in steps), steps
        assert not any("human-rights" in s for s in seen), seen

        # a .doc: kazrag's own reason, and the file does not stay for the next batch (given
        # once the box is emptied after abai.txt, so that the box is seen to empty; a file
        # dropped before that is an upload of its own: test_a_file_dropped_while_…)
        page.wait_for_function(
            "() => !document.querySelector('#upload').innerText.includes('abai')"
        )
        page.wait_for_timeout(1000)  # the step after emptying: the Remove list refreshed
        files.set_input_files(str(old_word))
        page.wait_for_function(
            "() => document.querySelector('#documents-outcome textarea').value.includes('letter')"
        )
        said = outcome.input_value()
        assert "letter.doc" in said and ".docx" in said, said
        assert "Invalid file type" not in page.content()
        page.wait_for_function(
            "() => !document.querySelector('#upload').innerText.includes('letter.doc')"
        )
        # one outcome box, replaced each time: no messages stacked over the table
        assert page.locator(".toast-body").count() == 0

        page.locator("#remove-choice input").click()
        page.get_by_role("option", name="abai.txt", exact=True).click()
        page.locator("#remove").click()
        page.wait_for_function(
            "() => document.querySelector('#documents-outcome textarea').value.startsWith('removed')"
        )
        assert outcome.input_value().startswith("removed abai.txt"), outcome.input_value()
        assert "letter.doc" not in outcome.input_value()
        table.get_by_text("abai.txt", exact=True).wait_for(state="detached")
        assert "abai.txt" not in own.documents()
        page.close()


def test_a_russian_page_says_why_files_were_not_added_and_what_it_is_doing(browser, own, tmp_path):
    """kazrag's own reasons and its upload progress, in the page's language (the REST API
    and the command line keep English)."""
    abai = tmp_path / "abai.txt"
    abai.write_text(ABAI, encoding="utf-8")
    old_word, empty = tmp_path / "letter.doc", tmp_path / "empty.txt"
    old_word.write_bytes(OLD_WORD_BYTES)
    empty.write_bytes(b"")
    with serving(own, own.config.with_(feedback_path=tmp_path / "f.jsonl")) as url:
        page = browser.new_page(locale="ru-RU", viewport={"width": 1100, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        page.get_by_role("tab", name="Документы", exact=True).click()
        page.locator("#documents").get_by_text("human-rights-report-2017.kk.txt").first.wait_for()
        outcome = page.locator("#documents-outcome textarea")
        files = page.locator("#upload input[type=file]")

        page.evaluate(PROGRESS_WATCH)
        files.set_input_files(str(abai))
        page.wait_for_function(
            "() => document.querySelector('#documents-outcome textarea').value.includes('abai')"
        )
        assert outcome.input_value().startswith("добавлено: abai.txt"), outcome.input_value()
        seen = [line for text in page.evaluate("window.seen") for line in text.split("\n")]
        steps = [s.strip() for s in seen if s.strip().startswith("abai.txt: ")]
        # Russian steps that name the file being indexed, no English one
        assert any("чтение abai.txt" in s or "векторизация" in s for s in steps), steps
        english = ("reading", "chunking", "embedding", "starting", "keyword")
        assert not any(word in line for line in seen for word in english), seen

        page.wait_for_function(  # given once the box is empty (see the phone test)
            "() => !document.querySelector('#upload').innerText.includes('abai')"
        )
        page.wait_for_timeout(1000)
        files.set_input_files([str(old_word), str(empty)])
        page.wait_for_function(
            "() => document.querySelector('#documents-outcome textarea').value.includes('letter')"
        )
        said = outcome.input_value()
        assert said.startswith("ничего не добавлено: letter.doc: формат .doc не поддерживается")
        assert "сохраните файл Word .doc как .docx" in said and "empty.txt: файл пуст" in said
        assert "unsupported" not in said and "empty." not in said.replace("empty.txt", "")
        page.close()


SHOQAN = """Шоқан Уәлиханов

Шоқан Уәлиханов 1835 жылы дүниеге келген қазақ ғалымы, саяхатшы және этнограф. Ол
Қашғарияға саяхат жасап, оның тарихын жазды.
"""


def test_a_file_dropped_while_the_one_before_is_indexed_is_indexed_too(browser, own, tmp_path):
    """Two drops, the second at once, while the first is being uploaded and indexed: each
    is an upload of its own, neither is lost nor indexed twice."""
    abai, shoqan = tmp_path / "abai.txt", tmp_path / "shoqan.txt"
    abai.write_text(ABAI, encoding="utf-8")
    shoqan.write_text(SHOQAN, encoding="utf-8")
    with serving(own, own.config.with_(feedback_path=tmp_path / "f.jsonl")) as url:
        page = browser.new_page(locale="en-US", viewport={"width": 1100, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        page.get_by_role("tab", name="Documents", exact=True).click()
        table = page.locator("#documents")
        table.get_by_text("human-rights-report-2017.kk.txt").first.wait_for()
        files = page.locator("#upload input[type=file]")
        files.set_input_files(str(abai))
        files.set_input_files(str(shoqan))  # not waiting for anything
        table.get_by_text("abai.txt", exact=True).wait_for()
        table.get_by_text("shoqan.txt", exact=True).wait_for()
        assert {"abai.txt", "shoqan.txt"} <= set(own.documents())
        # the last outcome is the second upload's own: nothing refused, nothing twice
        outcome = page.locator("#documents-outcome textarea")
        page.wait_for_function(
            "() => document.querySelector('#documents-outcome textarea').value.includes('4 documents')"
        )
        said = outcome.input_value()
        assert "not added" not in said and "nothing added" not in said, said
        page.wait_for_function(  # and the box is empty again
            "() => !/abai|shoqan/.test(document.querySelector('#upload').innerText)"
        )
        page.close()


def test_serve_switches_to_a_version_that_index_add_wrote_meanwhile(
    browser, bundled_index_copy, tmp_path
):
    """`kazrag serve` and `kazrag index add` as two processes on one index: the open page
    shows the added document in its Documents tab (table and Remove list), answers from it
    and removes it, without a restart or a reload."""
    import signal
    import subprocess
    import sys

    from gradio_server import free_port

    config = bundled_index_copy
    places = [
        "--index-dir",
        str(config.resolved_index_dir()),
        "--model-dir",
        str(config.resolved_model_dir()),
    ]
    abai = tmp_path / "abai.txt"
    abai.write_text(ABAI, encoding="utf-8")
    port, log = free_port(), tmp_path / "serve.log"
    with log.open("w") as err:
        server = subprocess.Popen(
            [sys.executable, "-m", "kazrag", "serve", "--port", str(port), *places],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            cwd=REPO_ROOT,
        )
    try:
        line = server.stdout.readline()
        assert "serving 2 documents" in line, line + log.read_text()
        page = browser.new_page(locale="en-US", viewport={"width": 1100, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(line.split()[-1])
        page.locator("#question textarea").wait_for()
        page.get_by_role("tab", name="Documents", exact=True).click()
        table = page.locator("#documents")
        table.get_by_text("human-rights-report-2017.kk.txt").first.wait_for()

        added = subprocess.run(
            [sys.executable, "-m", "kazrag", "index", "add", str(abai), *places],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            timeout=300,
        )
        assert added.returncode == 0, added.stderr
        deadline = time.monotonic() + 30
        while "switched to index version" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert "(3 documents)" in log.read_text()
        # the tab left open shows it (the page asks every few seconds while it is open) ...
        table.get_by_text("abai.txt", exact=True).wait_for(timeout=20_000)
        assert page.locator("#corpus-line").inner_text().startswith("Corpus: 3 documents")
        page.locator("#remove-choice input").click()
        page.get_by_role("option", name="abai.txt", exact=True).wait_for()
        page.keyboard.press("Escape")

        page.get_by_role("tab", name="Chat", exact=True).click()
        box = page.locator("#question textarea")
        box.fill("Абай Құнанбайұлы қай жылы дүниеге келген?")
        box.press("Enter")
        page.wait_for_function(ANSWER_COMPLETE, arg=1)
        chat = page.locator("#chat").inner_text()
        assert "1845" in chat and "[1] abai.txt" in chat, chat

        # ... and it can be removed from the page
        page.get_by_role("tab", name="Documents", exact=True).click()
        page.locator("#remove-choice input").click()
        page.get_by_role("option", name="abai.txt", exact=True).click()
        page.locator("#remove").click()
        outcome = page.locator("#documents-outcome textarea")
        page.wait_for_function(
            "() => document.querySelector('#documents-outcome textarea').value.startsWith('removed')"
        )
        assert outcome.input_value().startswith("removed abai.txt"), outcome.input_value()
        table.get_by_text("abai.txt", exact=True).wait_for(state="detached")
        page.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def test_a_question_typed_in_the_wrong_keyboard_layout_is_answered_in_the_chat(browser, engine):
    # `Сколько процентов голосов получил Назарбаев на выборах 2015 года?` with the keyboard
    # left in the English layout: the chat says how it read the question and quotes the answer
    typed = "Crjkmrj ghjwtynjd ujkjcjd gjkexbk Yfpfh,ftd yf ds,jhf[ 2015 ujlf&"
    expected = engine.ask(typed)
    quote = expected.quotes[0].text
    assert "97,5 пайыз" in quote
    with serving(engine, engine.config) as url:
        page = browser.new_page(viewport={"width": 1100, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        said = ask(page, typed)
        read_as = frame(
            "ru",
            "read_as",
            text="Сколько процентов голосов получил Назарбаев на выборах 2015 года?",
        )
        assert read_as in said and frame("ru", "intro") in said, said
        assert f"«{quote}» [1]" in said, said
        page.close()


def test_a_greeting_in_the_chat_gets_a_reply_and_a_polite_question_its_answer(browser, engine):
    # `Сәлем!` was answered as a question, quoting a sentence that points to a US State
    # Department link; the greeting and the request around a question are not searched
    plain = engine.ask("Соттар тәуелсіз бе?")
    with serving(engine, engine.config) as url:
        page = browser.new_page(viewport={"width": 1100, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        said = ask(page, "Сәлем!")
        assert frame("kk", "greeting") in said and "[1]" not in said, said
        said = ask(page, "Сәлеметсіз бе! Соттар тәуелсіз бе, айтып бересіз бе?")
        assert frame("kk", "intro") in said, said
        assert f"«{plain.quotes[0].text}» [1]" in said, said
        said = ask(page, "Рахмет!")
        assert frame("kk", "thanks") in said, said
        page.close()


def test_a_follow_up_in_the_chat_is_read_with_the_question_before_it(browser, engine):
    # `А поначалу ей что вменяли?` after a question on Larisa Kharkova quoted a sentence on a
    # beating
    first = engine.ask("В чём в итоге обвинили Ларису Харькову?")
    expected = engine.ask("А поначалу ей что вменяли?", previous=first.searched)
    assert "Бастапқыда Харьковаға" in expected.quotes[0].text
    with serving(engine, engine.config) as url:
        page = browser.new_page(viewport={"width": 1100, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        ask(page, "В чём в итоге обвинили Ларису Харькову?")
        said = ask(page, "А поначалу ей что вменяли?")
        assert frame("ru", "read_with", text=first.searched) in said, said
        assert f"«{expected.quotes[0].text}» [1]" in said, said
        page.reload()  # a new chat: nothing before to read it with
        said = ask(page, "А поначалу ей что вменяли?")
        assert "предыдущим вопросом" not in said and "Бастапқыда" not in said, said
        page.close()


def test_two_questions_in_one_message_get_an_answer_each(browser, engine):
    # the second question of the message was not answered at all
    first = engine.ask("В чём в итоге обвинили Ларису Харькову?")
    second = engine.ask("А поначалу ей что вменяли?", previous=first.searched)
    with serving(engine, engine.config) as url:
        page = browser.new_page(viewport={"width": 1100, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        ask(page, "В чём в итоге обвинили Ларису Харькову? А поначалу ей что вменяли?")
        page.wait_for_function(
            """q => [...document.querySelectorAll('#chat [data-testid="bot"]')]
            .some(m => m.innerText.includes(q))""",
            arg=second.quotes[0].text,
        )
        said = "\n".join(page.locator('#chat [data-testid="bot"]').all_inner_texts())
        assert "В чём в итоге обвинили Ларису Харькову?" in said, said
        assert f"«{first.quotes[0].text}» [1]" in said, said
        assert "А поначалу ей что вменяли?" in said, said
        assert f"«{second.quotes[0].text}» [1]" in said, said
        page.close()
