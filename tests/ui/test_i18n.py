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


# ------------------------------------------------------------- kazrag's own messages
def said_calls() -> list[tuple[str, set[str], set[str]]]:
    """Every `Said(...)` in kazrag's source: (where, its keys, the names of its values).
    A key made at run time (an f-string) is its literal start, matched as a prefix."""
    import ast

    from repo import REPO_ROOT

    found = []
    for folder in ("kazrag", "rag", "index", "ui"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Said"):
                    continue
                first = node.args[0]
                branches = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
                keys = set()
                for branch in branches:
                    if isinstance(branch, ast.Constant):
                        keys.add(branch.value)
                    elif isinstance(branch, ast.JoinedStr):
                        keys.add(branch.values[0].value + "*")  # type: ignore[attr-defined]
                values = {k.arg for k in node.keywords if k.arg}
                found.append((f"{path.name}:{node.lineno}", keys, values))
    return found


def test_every_message_kazrag_makes_is_in_kazakh_and_russian_with_its_own_values():
    import string

    from kazrag.ui.i18n import SAID

    calls = said_calls()
    assert len(calls) > 40  # the scan found the messages (a renamed class would find none)
    used = set()
    for where, keys, values in calls:
        for lang in ("kk", "ru"):
            matching = [
                k
                for k in SAID[lang]
                for key in keys
                if k == key or (key.endswith("*") and k.startswith(key[:-1]))
            ]
            assert len(matching) >= len(keys), (where, keys, lang)
            for k in matching:
                named = {f for _, f, _, _ in string.Formatter().parse(SAID[lang][k]) if f}
                assert named <= values, (where, k, lang, named - values)
                used.add(k)
    for lang in ("kk", "ru"):
        assert set(SAID[lang]) == used, (lang, set(SAID[lang]) - used)  # no stale words


def read_refusals(tmp_path) -> list:
    """Real files a person drops that kazrag refuses, read by kazrag itself."""
    from kazakh_docs import make_pdf

    from kazrag.rag.config import Config
    from kazrag.rag.indexing import load_corpus

    (tmp_path / "letter.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "photo.txt").write_bytes(bytes(range(256)) * 2)
    (tmp_path / "headings.md").write_text("# Абай\n\n## Өмірі\n", encoding="utf-8")
    (tmp_path / "big.txt").write_text("Абай ақын. " * 2000, encoding="utf-8")
    make_pdf(tmp_path / "secret.pdf", owner_password="o", user_password="secret")
    names = ["letter.doc", "empty.txt", "photo.txt", "headings.md", "big.txt", "secret.pdf"]
    documents, skipped = load_corpus(
        [tmp_path / name for name in names], Config(max_file_bytes=20_000)
    )
    assert documents == [] and [s.split(":")[0] for s in skipped] == names
    return skipped


def test_why_a_file_was_not_added_is_said_in_the_pages_language(tmp_path):
    from kazrag.ui.i18n import said

    skipped = read_refusals(tmp_path)
    # the English, as the command line and the REST API say it, is unchanged
    assert (
        said("en", skipped[0])
        == str(skipped[0])
        == (
            "letter.doc: unsupported format .doc; kazrag reads .docx, .htm, .html, .jsonl, .md, .pdf, .txt; "
            "save Word .doc files as .docx"
        )
    )
    kk = [said("kk", s) for s in skipped]
    ru = [said("ru", s) for s in skipped]
    assert kk == [
        "letter.doc: .doc пішімі оқылмайды; kazrag оқитын пішімдер: .docx, .htm, .html, "
        ".jsonl, .md, .pdf, .txt; Word .doc файлын .docx ретінде сақтаңыз",
        "empty.txt: файл бос",
        "photo.txt: бұл мәтін емес, бинарлық файл (байт реті белгісі жоқ UTF-16 мәтіні болса, "
        "оны UTF-8 ретінде сақтаңыз)",
        "headings.md: бірде-бір үзінді шықпады (тақырыптан, бөлім атауларынан, бет "
        "колонтитулдарынан не белгілеуден басқа мәтін жоқ); индекске қосылмады",
        "big.txt: файл көлемі 38.0 KB, бұл 20.0 KB шегінен асады (--max-file-bytes); индекске "
        "қосылмады",
        "secret.pdf: PDF құпиясөзбен қорғалған; құпиясөзсіз көшірмесін сақтап, соны қосыңыз",
    ]
    assert ru[0].startswith("letter.doc: формат .doc не поддерживается;")
    assert ru[1] == "empty.txt: файл пуст"
    assert ru[4] == (
        "big.txt: размер файла 38.0 KB, больше предела в 20.0 KB (--max-file-bytes); "
        "не проиндексирован"
    )
    assert ru[5].startswith("secret.pdf: PDF защищён паролем")
    # no English words left in a translated reason (file names, formats and options aside)
    for line in kk + ru:
        assert not {"file", "the", "not", "format"} & set(line.replace(":", " ").split()), line


def test_a_batch_refused_whole_is_said_reason_by_reason_in_the_pages_language(tmp_path):
    from kazrag.rag.indexing import BuildReport, _nothing_added
    from kazrag.ui.uploads import UploadJob

    skipped = read_refusals(tmp_path)
    job = UploadJob(["letter.doc", "empty.txt"], run=lambda say: None, cleanup=lambda: None)  # type: ignore[arg-type, return-value]
    job.error = _nothing_added(skipped[:2])
    assert job.outcome == (
        "nothing added: letter.doc: unsupported format .doc; kazrag reads .docx, .htm, "
        ".html, .jsonl, .md, .pdf, .txt; save Word .doc files as .docx; empty.txt: the file is empty"
    )
    assert job.outcome_in("ru") == (
        "ничего не добавлено: letter.doc: формат .doc не поддерживается; kazrag читает .docx, "
        ".htm, .html, .jsonl, .md, .pdf, .txt; сохраните файл Word .doc как .docx; empty.txt: файл пуст"
    )
    job.error = None
    job.report = BuildReport(
        index="i", reused=False, documents=3, chunks=220, sentences=900, embedded=4,
        seconds=0.1, skipped=skipped[1:2], added=["abai.txt"],
    )  # fmt: skip
    assert job.outcome_in("kk").splitlines()[1] == "қосылмады: empty.txt: файл бос"


def test_upload_progress_names_the_file_in_the_pages_language(tmp_path):
    """The real worker thread, two jobs: the second waits, then reads and embeds."""
    import threading

    from kazrag.rag.indexing import BuildReport
    from kazrag.said import Said
    from kazrag.ui.uploads import UploadIndexer, UploadJob

    release, seen_by_user = threading.Event(), threading.Semaphore(0)

    def first(progress):
        release.wait(10)
        return BuildReport("i", False, 1, 1, 1, 1, 0.0)

    def second(progress):  # each step waits until the page has shown it
        progress(Said("reading", "reading {name}", name="abai.txt"), 0.01)
        seen_by_user.acquire(timeout=10)
        progress(Said("embedding_passages", "embedding passages: {done}/{total}", done=64, total=120), 0.3)  # fmt: skip
        seen_by_user.acquire(timeout=10)
        return BuildReport("i", False, 2, 2, 2, 2, 0.0, added=["abai.txt"])

    indexer = UploadIndexer(engine=None, upload_folder=tmp_path)  # type: ignore[arg-type]
    busy = indexer._submit(UploadJob(["other.txt"], first, lambda: None))
    job = indexer._submit(UploadJob(["abai.txt"], second, lambda: None))
    waiting = next(iter(job.follow()))
    assert waiting.text == "waiting: 1 upload ahead"
    assert waiting.text_in("kk") == "кезекте: алдында 1 жүктеу бар"
    assert waiting.text_in("ru") == "в очереди: впереди загрузок: 1"
    seen = []
    release.set()
    for state in job.follow():
        seen.append((str(state.text), state.text_in("ru"), state.text_in("kk")))
        if state.fraction:
            seen_by_user.release()
    busy.done.wait(10)
    assert ("abai.txt: reading abai.txt", "abai.txt: чтение abai.txt", "abai.txt: abai.txt оқылып жатыр") in seen, seen  # fmt: skip
    assert (
        "abai.txt: embedding passages: 64/120",
        "abai.txt: векторизация фрагментов: 64/120",
        "abai.txt: үзінділерді векторлау: 64/120",
    ) in seen, seen
    assert seen[-1] == ("done", "готово", "дайын")


def test_the_admin_password_messages_are_in_the_pages_language():
    from kazrag.errors import AccessError
    from kazrag.ui.i18n import said
    from kazrag.ui.uploads import CorpusAccess

    said_by = {}
    for access, given in [
        (CorpusAccess.serving_on("0.0.0.0"), None),
        (CorpusAccess.serving_on("0.0.0.0", password="s3cret"), ""),
        (CorpusAccess.serving_on("0.0.0.0", password="s3cret"), "wrong"),
    ]:
        with pytest.raises(AccessError) as raised:
            access.check(given)
        said_by[str(raised.value)] = (said("kk", raised.value), said("ru", raised.value))
    assert said_by["Wrong admin password; the documents are unchanged."] == (
        "Әкімші құпиясөзі қате; құжаттар өзгерген жоқ.",
        "Неверный пароль администратора; документы не изменены.",
    )
    assert said_by["Changing the documents needs the admin password."][1] == (
        "Чтобы изменить документы, нужен пароль администратора."
    )
    read_only = next(v for k, v in said_by.items() if "read-only" in k)
    assert read_only[0].startswith("Бұл сервердің құжаттарын веб арқылы өзгертуге болмайды")


def test_a_message_the_table_lacks_or_gets_wrong_is_said_in_english(monkeypatch):
    from kazrag.errors import DocumentError
    from kazrag.said import Said
    from kazrag.ui import i18n

    assert i18n.said("kk", "plain text") == "plain text"
    assert i18n.said("kk", DocumentError("no key")) == "no key"
    unknown = Said("no_such_key", "{name}: something new", name="a.txt")
    assert i18n.said("ru", unknown) == "a.txt: something new"
    monkeypatch.setitem(i18n.SAID["ru"], "empty", "{name}: {missing} пуст")
    assert i18n.said("ru", Said("empty", "{name}: the file is empty", name="a.txt")) == (
        "a.txt: the file is empty"
    )
