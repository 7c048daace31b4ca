"""Real documents in, nothing lost: each format answered with the right page/section,
`kazrag index add/remove` re-embedding only what changed, and a clear message with exit
status 1 for every bad input, the index left as it was.

Everything runs on a small corpus made by tests/kazakh_docs.py (five short documents, one per
format: about 7 s to embed once), with the real model and FAISS. Tests that change an index
work on a copy of it, whose embedding cache comes along, so they embed only what they add.
"""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path

import pytest
from cli_run import cli, error_line, version_of
from kazakh_docs import KOBYZ, PDF_QUESTION, QUESTIONS, make_pdf, make_scanned_pdf

from kazrag.errors import IndexStoreError, QuestionError
from kazrag.index import folder_store
from kazrag.index.folder_store import FolderStore
from kazrag.rag.engine import Kazrag


def texts_of(config, doc: str) -> int:
    """How many distinct texts (chunk embedding texts + sentences) a document has."""
    from kazrag.rag.records import Chunk

    version = FolderStore(config.resolved_index_dir()).load()
    records = version.chunks.get(range(len(version.chunks)))
    chunks = [Chunk.from_dict(r) for r in records if r["doc"] == doc]
    return len({c.embedding_text() for c in chunks}) + len(
        {c.text[s.start : s.end] for c in chunks for s in c.sentences}
    )


# ------------------------------------------------------------- every format answered
@pytest.mark.parametrize("question", list(QUESTIONS))
def test_each_format_is_answered_with_its_page_or_section(small_engine, question):
    doc, where = QUESTIONS[question]
    answer = small_engine.ask(question)
    assert not answer.abstained, answer.text
    quote = answer.quotes[0]
    assert quote.doc == doc
    if isinstance(where, int):  # PDF: the page is cited
        assert quote.page == where and f"p. {where}" in quote.citation()
    elif where is not None:  # Word / Markdown: the heading path is cited
        assert quote.section == where and where in quote.citation()
    assert quote.text in answer.text


def test_cli_cites_the_pdf_page(capsys, small_config):
    code, out, _ = cli(capsys, "ask", PDF_QUESTION, "--json", config=small_config)
    answer = json.loads(out)
    assert code == 0 and answer["quotes"][0]["doc"] == "cities.pdf"
    assert answer["quotes"][0]["page"] == QUESTIONS[PDF_QUESTION][1]
    code, out, _ = cli(capsys, "ask", PDF_QUESTION, config=small_config)
    assert f"cities.pdf, Түркістан қаласы, p. {QUESTIONS[PDF_QUESTION][1]}" in out


# --------------------------------------------------------------- incremental changes
def test_add_embeds_only_the_new_document(capsys, index_copy, tmp_path):
    before = json.loads(cli(capsys, "index", "info", "--json", config=index_copy)[1])
    new = tmp_path / "kobyz.txt"
    new.write_text(KOBYZ, encoding="utf-8")
    code, out, err = cli(capsys, "index", "add", str(new), config=index_copy)
    assert code == 0, err
    assert "added 1 (kobyz.txt)" in out
    assert f"; {texts_of(index_copy, 'kobyz.txt')} texts embedded" in out
    after = json.loads(cli(capsys, "index", "info", "--json", config=index_copy)[1])
    assert set(after["documents"]) == set(before["documents"]) | {"kobyz.txt"}
    engine = Kazrag.open(index_copy)
    assert engine.ask("Ықылас қандай аспапта ойнаған?").quotes[0].doc == "kobyz.txt"


def test_remove_embeds_nothing_and_the_document_is_gone(capsys, index_copy):
    code, out, err = cli(capsys, "index", "remove", "dombyra.kz1048.txt", config=index_copy)
    assert code == 0, err
    assert "removed dombyra.kz1048.txt" in out and "; 0 texts embedded" in out
    engine = Kazrag.open(index_copy)
    assert "dombyra.kz1048.txt" not in engine.documents()
    answer = engine.ask("Домбыраның неше ішегі бар?")
    assert all(q.doc != "dombyra.kz1048.txt" for q in answer.quotes)


def test_changed_document_is_updated_with_only_its_new_text_embedded(
    capsys, index_copy, corpus, tmp_path
):
    changed = tmp_path / "dombyra.kz1048.txt"
    text = (corpus / changed.name).read_bytes().decode("kz1048")
    changed.write_bytes((text + "\nСыбызғы үрмелі аспап.\n").encode("kz1048"))
    code, out, err = cli(capsys, "index", "add", str(changed), config=index_copy)
    assert code == 0, err
    assert "updated 1 (dombyra.kz1048.txt)" in out
    embedded = int(out.split(" texts embedded")[0].rsplit("; ", 1)[1])
    assert 0 < embedded < texts_of(index_copy, "dombyra.kz1048.txt")


def test_normaliser_change_rebuilds_everything_and_says_so(
    capsys, index_copy, tmp_path, monkeypatch
):
    """An upgrade that changes the normaliser: the next change rebuilds the whole index
    (keyword tokens of every document change; their vectors are still valid)."""
    import kazrag.rag.indexing
    from kazrag.rag.text import NORMALISER_VERSION

    monkeypatch.setattr(kazrag.rag.indexing, "NORMALISER_VERSION", "99")
    new = tmp_path / "kobyz.txt"
    new.write_text(KOBYZ, encoding="utf-8")
    code, out, err = cli(capsys, "index", "add", str(new), config=index_copy)
    assert code == 0, err
    assert (
        f"kazrag: normaliser_version changed ({NORMALISER_VERSION} -> 99): rebuilding everything"
    ) in err
    assert (
        FolderStore(index_copy.resolved_index_dir()).read_manifest()["normaliser_version"] == "99"
    )


# ------------------------------------------------------------------ bad documents
def _bad_files(folder: Path, corpus: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, what its error message says)"""
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    good = (corpus / "cities.pdf").read_bytes()
    (folder / "broken.pdf").write_bytes(good[: len(good) // 2])
    make_pdf(folder / "secret.pdf", owner_password="o", user_password="secret")
    make_scanned_pdf(folder / "scan.pdf")
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    return {
        "empty.txt": (folder / "empty.txt", "empty.txt: the file is empty"),
        "photo.txt": (folder / "photo.txt", "photo.txt: this is a binary file, not text"),
        "broken.pdf": (
            folder / "broken.pdf",
            "broken.pdf: not a readable PDF (damaged or truncated",
        ),
        "secret.pdf": (folder / "secret.pdf", "secret.pdf: the PDF is password-protected"),
        "scan.pdf": (folder / "scan.pdf", "scan.pdf: no extractable text (scanned?)"),
        "old.doc": (folder / "old.doc", "old.doc: unsupported format .doc"),
    }


@pytest.mark.parametrize(
    "name", ["empty.txt", "photo.txt", "broken.pdf", "secret.pdf", "scan.pdf", "old.doc"]
)
def test_bad_file_is_refused_and_the_index_kept(capsys, index_copy, corpus, tmp_path, name):
    path, says = _bad_files(tmp_path / "bad", corpus)[name]
    version = version_of(index_copy)
    code, _, err = cli(capsys, "index", "add", str(path), config=index_copy)
    assert code == 1 and "nothing added: " + says in error_line(err)
    assert version_of(index_copy) == version  # nothing was written


def test_bad_files_beside_good_ones_are_skipped_with_a_line_each(
    capsys, index_copy, corpus, tmp_path
):
    bad = _bad_files(tmp_path / "mixed", corpus)
    (tmp_path / "mixed" / "kobyz.txt").write_text(KOBYZ, encoding="utf-8")
    code, out, err = cli(capsys, "index", "add", str(tmp_path / "mixed"), config=index_copy)
    assert code == 0 and "added 1 (kobyz.txt)" in out
    for name, (_, says) in bad.items():
        if name != "old.doc":  # a folder is searched for supported formats only
            assert f"kazrag: skipped {says}" in err


def test_the_first_add_builds_a_new_index_from_those_files_only(
    capsys, small_config, corpus, tmp_path
):
    config = small_config.with_(index_dir=tmp_path / "fresh")
    code, out, err = cli(capsys, "index", "add", str(corpus / "cities.pdf"), config=config)
    assert code == 0, err
    assert "added 1 (cities.pdf); index now 1 documents" in out
    code, _, err = cli(capsys, "index", "remove", "cities.pdf", config=config)
    assert code == 1
    assert "cities.pdf is the last document; an index cannot be empty" in error_line(err)


def test_first_add_of_only_bad_files_builds_nothing(capsys, small_config, corpus, tmp_path):
    config = small_config.with_(index_dir=tmp_path / "fresh")
    path, says = _bad_files(tmp_path / "bad", corpus)["scan.pdf"]
    code, _, err = cli(capsys, "index", "add", str(path), config=config)
    assert code == 1 and says in error_line(err)
    assert version_of(config) is None


def test_missing_path_is_refused(capsys, index_copy, tmp_path):
    code, _, err = cli(capsys, "index", "add", str(tmp_path / "nowhere"), config=index_copy)
    assert code == 1 and "nowhere: no such file or folder" in error_line(err)


# ----------------------------------------------------------------------- duplicates
def test_same_file_again_is_refused(capsys, index_copy, corpus):
    code, _, err = cli(capsys, "index", "add", str(corpus / "cities.pdf"), config=index_copy)
    assert code == 1
    assert "nothing added: cities.pdf: already indexed with the same content" in error_line(err)


def test_same_text_under_another_name_is_refused(capsys, index_copy, corpus, tmp_path):
    copy = tmp_path / "cities-copy.pdf"
    shutil.copy(corpus / "cities.pdf", copy)
    version = version_of(index_copy)
    code, _, err = cli(capsys, "index", "add", str(copy), config=index_copy)
    assert code == 1
    assert (
        "cities-copy.pdf: the same text as cities.pdf (already indexed); not added twice"
        in error_line(err)
    )
    assert version_of(index_copy) == version


def test_same_text_twice_in_one_batch_is_added_once(capsys, index_copy, tmp_path):
    for name in ("kobyz.txt", "kobyz-copy.txt"):
        (tmp_path / name).write_text(KOBYZ, encoding="utf-8")
    code, out, err = cli(
        capsys,
        "index",
        "add",
        str(tmp_path / "kobyz.txt"),
        str(tmp_path / "kobyz-copy.txt"),
        config=index_copy,
    )
    assert code == 0 and "added 1 (kobyz.txt)" in out
    assert (
        "kazrag: skipped kobyz-copy.txt: the same text as kobyz.txt (also in this "
        "batch); not added twice"
    ) in err


def test_two_files_of_one_name_in_a_batch(capsys, index_copy, tmp_path):
    for folder, text in (("a", KOBYZ), ("b", KOBYZ + "\nТағы бір сөйлем.\n")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "kobyz.txt").write_text(text, encoding="utf-8")
    code, out, err = cli(
        capsys, "index", "add", str(tmp_path / "a"), str(tmp_path / "b"), config=index_copy
    )
    assert code == 0 and "added 1 (kobyz.txt)" in out
    assert "a document named kobyz.txt is already in the corpus" in err


def test_remove_unknown_document_is_refused(capsys, index_copy):
    code, _, err = cli(capsys, "index", "remove", "nothing.pdf", config=index_copy)
    assert code == 1 and "no document 'nothing.pdf' in the index (it has: " in error_line(err)


# --------------------------------------------------------------------- bad questions
@pytest.mark.parametrize(
    "question, says",
    [
        ("", "The question is empty."),
        ("   \n\t ", "The question is empty."),
        ("?!... — ;", "The question has no words."),
        ("2015 1997 42", "The question has no words."),
        ("中国的首都是哪个城市？", "kazrag understands questions in Kazakh, Russian and English."),
        ("ما هي عاصمة كازاخستان؟", "kazrag understands questions in Kazakh, Russian and English."),
    ],
)
def test_bad_question_is_refused_before_loading(capsys, question, says, tmp_path):
    # an index folder with nothing in it: the question is refused before it is looked at
    code, _, err = cli(
        capsys,
        "ask",
        question,
        "--index-dir",
        str(tmp_path / "none"),
        "--model",
        str(tmp_path / "no-model"),
    )
    assert code == 1 and says in error_line(err)


def test_other_script_question_quotes_nothing(small_engine):
    answer = small_engine.ask("中国的首都是哪个城市？")
    assert answer.abstained and answer.quotes == []
    assert answer.notice == "kazrag understands questions in Kazakh, Russian and English."
    with pytest.raises(QuestionError):
        small_engine.ask("?!")


def test_ask_reads_a_follow_up_with_the_previous_question(capsys, small_config):
    code, out, _ = cli(
        capsys,
        "ask",
        "Ал оны кім жасаған?",
        "--previous",
        PDF_QUESTION,
        "--json",
        config=small_config,
    )
    answer = json.loads(out)
    assert code == 0 and answer["question"] == "Ал оны кім жасаған?"
    assert answer["notice"] == f"Алдыңғы сұрақпен бірге оқылды: «{PDF_QUESTION}»"
    assert answer["searched"] == f"Ал оны кім жасаған? {PDF_QUESTION}"
    code, out, _ = cli(capsys, "ask", "Ал оны кім жасаған?", "--json", config=small_config)
    assert json.loads(out)["notice"] is None  # alone: nothing to read it with


def test_very_long_question_is_cut_with_a_notice(capsys, small_config):
    question = (PDF_QUESTION + " ") * (20_000 // (len(PDF_QUESTION) + 1) + 1)
    assert len(question) >= 20_000
    code, out, _ = cli(capsys, "ask", question, "--json", config=small_config)
    answer = json.loads(out)
    assert code == 0 and len(answer["question"]) == 2000
    assert answer["notice"] == "Сұрақ тым ұзын: алғашқы 2000 таңбасы ғана қаралды."
    code, out, _ = cli(capsys, "ask", question, config=small_config)
    assert code == 0 and out.startswith("(Сұрақ тым ұзын: алғашқы 2000 таңбасы ғана қаралды.)")


# ------------------------------------------------------------ damaged index and model
def test_truncated_faiss_file_is_reported(capsys, index_copy):
    vectors = version_of(index_copy) / "vectors.faiss"
    vectors.write_bytes(vectors.read_bytes()[:100])
    for args in (("index", "info"), ("ask", PDF_QUESTION), ("index", "remove", "parks.docx")):
        code, _, err = cli(capsys, *args, config=index_copy)
        assert code == 1
        assert "vectors.faiss in " in error_line(err)
        assert (
            "does not match its manifest (damaged, truncated or edited); rebuild with "
            "`kazrag index build --rebuild`" in error_line(err)
        )


def test_edited_manifest_is_reported(capsys, index_copy):
    manifest = version_of(index_copy) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["chunks"] += 1
    manifest.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = cli(capsys, "ask", PDF_QUESTION, config=index_copy)
    assert code == 1 and "was edited after the build, so it cannot be trusted" in error_line(err)


def test_missing_model_folder_is_reported(capsys, small_config, tmp_path):
    (tmp_path / "kobyz.txt").write_text(KOBYZ, encoding="utf-8")  # something to embed
    for args in (("ask", PDF_QUESTION), ("index", "add", str(tmp_path))):
        code, _, err = cli(
            capsys,
            *args,
            "--model",
            "/nonexistent/model",
            "--index-dir",
            str(small_config.resolved_index_dir()),
        )
        assert code == 1
        assert "Embedding model folder not found: /nonexistent/model" in error_line(err)


# ----------------------------------------------------------------------- full disk
def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_full_disk_while_writing_keeps_the_old_index(capsys, index_copy, tmp_path, monkeypatch):
    new = tmp_path / "kobyz.txt"
    new.write_text(KOBYZ, encoding="utf-8")
    version = version_of(index_copy)
    engine = Kazrag.open(index_copy)
    before = engine.ask(PDF_QUESTION)
    monkeypatch.setattr(folder_store, "write_jsonl", _disk_full)  # chunks.jsonl fails

    code, _, err = cli(capsys, "index", "add", str(new), config=index_copy)
    assert code == 1
    assert "could not write the new index in " in error_line(err)
    assert "(No space left on device); the previous index is unchanged" in error_line(err)
    with pytest.raises(IndexStoreError):
        engine.add_documents([new])

    monkeypatch.undo()
    folder = index_copy.resolved_index_dir()
    assert version_of(index_copy) == version
    assert not list(folder.glob(".*.tmp-*")) and len(list(folder.glob("v-*"))) == 1
    reopened = Kazrag.open(index_copy)
    assert "kobyz.txt" not in reopened.documents()
    assert reopened.ask(PDF_QUESTION).quotes == before.quotes
    assert engine.ask(PDF_QUESTION).quotes == before.quotes  # the open engine too


def test_full_disk_for_the_embedding_cache_still_lands_the_index(
    capsys, index_copy, tmp_path, monkeypatch
):
    # the index is written first; the cache only saves time, so its failure is a note
    new = tmp_path / "kobyz.txt"
    new.write_text(KOBYZ, encoding="utf-8")
    monkeypatch.setattr("kazrag.index.embcache.np.savez", _disk_full)

    code, _, err = cli(capsys, "index", "add", str(new), config=index_copy)
    assert code == 0, err
    assert "embedding cache not saved: No space left on device" in err
    assert "Traceback" not in err
    monkeypatch.undo()
    assert "kobyz.txt" in Kazrag.open(index_copy).documents()
    assert not list((index_copy.resolved_index_dir() / "embeddings").glob("*.tmp-*"))


def test_an_index_made_with_other_settings_is_rebuilt_from_its_own_documents(index_copy, tmp_path):
    # as after an upgrade that changed a setting the vectors or tokens depend on: the
    # stored documents are re-indexed (the source files need not exist any more)
    messages = []
    before = Kazrag.open(index_copy)
    changed = index_copy.with_(keyword_prefix=index_copy.keyword_prefix + 1)
    engine = Kazrag.open(changed, progress=lambda m, f: messages.append(m))
    assert (
        messages[0].startswith("index keyword changed") and "rebuilding everything" in messages[0]
    )
    assert engine.snapshot.version.manifest["keyword"]["prefix"] == changed.keyword_prefix
    assert engine.documents().keys() == before.documents().keys()
    assert engine.ask(PDF_QUESTION).quotes[0].text == before.ask(PDF_QUESTION).quotes[0].text
    messages.clear()
    Kazrag.open(changed, progress=lambda m, f: messages.append(m))
    assert messages == []  # now it fits: loaded as it is


def test_a_build_reports_progress_over_the_whole_build_in_order(small_config, corpus, tmp_path):
    # one bar from 0 to 1 (chunking, passages, sentences, keyword index), never going back
    seen = []
    config = small_config.with_(index_dir=tmp_path / "fresh")
    Kazrag.open(config, corpus=[corpus], progress=lambda m, f: seen.append((m, f)))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    stages = [m.split(":")[0].split(" ")[0] for m, _ in seen]
    assert stages.index("chunking") < stages.index("embedding") < stages.index("building")
