"""Nothing lost, nothing tampered with unnoticed, nothing printed raw (issue 14, items 3-6 and
10-11), through the real command line over a real index (tests/kazakh_docs.py's corpus):
a lost `current` pointer, damaged files of a version, a damaged embedding cache, document
text with terminal escape sequences, concurrent adds, and a writer killed with SIGKILL."""

from __future__ import annotations

import ctypes
import ctypes.util
import fnmatch
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from cli_run import cli, error_line, version_of
from kazakh_docs import KOBYZ, PDF_QUESTION
from repo import REPO_ROOT

from kazrag.index import folder_store
from kazrag.rag.engine import Kazrag


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _options(config) -> list[str]:
    return [
        "--index-dir",
        str(config.resolved_index_dir()),
        "--model-dir",
        str(config.resolved_model_dir()),
    ]


def _kazrag(config, *args: str) -> subprocess.Popen:
    """`kazrag ARGS` as a process of its own, against `config`'s index and model."""
    return subprocess.Popen(
        [sys.executable, "-m", "kazrag", *args, *_options(config)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# --------------------------------------------------------------- item 10: control
def test_control_characters_do_not_change_the_answer(small_engine):
    clean = small_engine.ask(PDF_QUESTION)
    noisy = small_engine.ask("\x1b[1m" + PDF_QUESTION.replace(" ", " \x00\u200b", 2) + "\x07")
    assert noisy.question == clean.question == PDF_QUESTION
    assert noisy.text == clean.text and not clean.abstained


def test_escape_sequences_in_a_document_never_reach_the_terminal(capsys, index_copy, tmp_path):
    text = (
        "Қылқобыз\n\n\x1b]0;pwned\x07Қылқобыздың екі ішегі жылқының қылынан тағылады.\x1b[2J "
        "Ықылас Дүкенұлы қылқобызда ойнаған атақты \x1b[8mкүйші\x1b[0m болған.\n\n"
        # a few escapes in a page of text (more would make it a binary file)
        + "Қобыз ежелгі ішекті аспап саналады. Қорқыт ата қобыздың атасы деп аталады.\n\n"
        * 12
    )
    new = _write(tmp_path / "docs", "kobyz.txt", text)
    code, _, err = cli(capsys, "index", "add", str(new), config=index_copy)
    assert code == 0, err
    code, out, err = cli(capsys, "ask", "Қылқобыздың ішегі неден тағылады?", config=index_copy)
    assert code == 0 and "kobyz.txt" in out
    assert "Қылқобыздың екі ішегі жылқының қылынан тағылады." in out
    assert not any(ch in out + err for ch in "\x1b\x07\x9b\x9d")
    code, out, _ = cli(capsys, "ask", "Ықылас Дүкенұлы кім болған?", "--json", config=index_copy)
    assert "\x1b" not in out and "\\u001b" in out  # JSON keeps the text, escaped


# ------------------------------------------------------------ item 3: lost pointer
def test_a_lost_pointer_answers_from_the_users_documents_and_deletes_nothing(
    capsys, index_copy, tmp_path
):
    folder = index_copy.resolved_index_dir()
    mine = version_of(index_copy)
    (folder / folder_store.CURRENT).unlink()
    code, out, err = cli(capsys, "ask", PDF_QUESTION, config=index_copy)
    assert code == 0 and "cities.pdf" in out  # the user's documents, not the demo corpus
    assert f"the newest complete version ({mine.name}) is current again" in err
    assert "human-rights-report" not in out + err
    assert version_of(index_copy) == mine

    (folder / folder_store.CURRENT).unlink()
    new = _write(tmp_path / "docs", "kobyz.txt", KOBYZ)
    code, out, err = cli(capsys, "index", "add", str(new), config=index_copy)
    assert code == 0 and out.startswith("added 1 (kobyz.txt); index now 6 documents")
    assert mine.exists()  # the version it replaced stays for a reader still loading it
    documents = Kazrag.open(index_copy).documents()
    assert "kobyz.txt" in documents and "cities.pdf" in documents


def test_the_bundled_corpus_is_never_built_over_a_users_files(capsys, small_config, tmp_path):
    folder = tmp_path / "mine"
    _write(folder, "thesis.docx", "x")
    code, _, err = cli(
        capsys,
        "ask",
        PDF_QUESTION,
        "--index-dir",
        str(folder),
        "--model-dir",
        str(small_config.resolved_model_dir()),
    )
    assert code == 1 and "choose an empty --index-dir" in error_line(err)
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.docx"]


# ---------------------------------------------- item 6: every file of a version checked
@pytest.mark.parametrize("damage", ["garbled", "empty"])
def test_every_file_of_a_version_is_checked(capsys, index_copy, damage):
    version = version_of(index_copy)
    names = sorted(
        str(p.relative_to(version))
        for p in version.rglob("*")
        if p.is_file() and p.name not in (folder_store.MANIFEST, folder_store.MANIFEST_DIGEST)
    )
    assert "vectors.faiss" in names and any(n.startswith("keyword/") for n in names)
    original = Path(index_copy.resolved_index_dir())
    for name in names:
        path = version / name
        data = path.read_bytes()
        if damage == "garbled":  # 4 KB of noise in the middle (or all of a small file)
            middle = max(0, len(data) // 2 - 2048)
            noise = os.urandom(min(4096, len(data)))
            path.write_bytes(data[:middle] + noise + data[middle + len(noise) :])
        else:
            path.write_bytes(b"")
        code, _, err = cli(capsys, "index", "info", config=index_copy)
        assert code == 1, name
        assert error_line(err) == (
            f"kazrag: error: {name} in {version} does not match its manifest (damaged, "
            "truncated or edited); rebuild with `kazrag index build --rebuild`"
        )
        path.write_bytes(data)
    assert cli(capsys, "index", "info", config=index_copy)[0] == 0
    assert original.exists()


def test_a_garbled_manifest_is_a_clear_message(capsys, index_copy):
    version = version_of(index_copy)
    manifest = version / folder_store.MANIFEST
    data = bytearray(manifest.read_bytes())
    data[10:14] = b"\xff\xfe\x00\x81"
    manifest.write_bytes(bytes(data))
    code, _, err = cli(capsys, "ask", PDF_QUESTION, config=index_copy)
    assert code == 1
    assert error_line(err) == (
        f"kazrag: error: the index manifest in {version} is unreadable (not UTF-8 JSON); "
        "rebuild with `kazrag index build --rebuild`"
    )


# -------------------------------------------------- item 5: a damaged embedding cache
def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _bad_crc(data: bytes) -> bytes:
    # flip a byte inside the first member's stored data: the zip's CRC no longer matches
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        first = archive.infolist()[0]
    start = first.header_offset + 30 + len(first.filename) + len(first.extra) + 200
    return data[:start] + bytes([data[start] ^ 0xFF]) + data[start + 1 :]


@pytest.mark.parametrize(
    "damage",
    [lambda data: b"", _truncated, _bad_crc],
    ids=["empty", "truncated", "bad-crc"],
)
def test_a_damaged_embedding_cache_is_a_cache_miss_with_a_note(
    capsys, index_copy, tmp_path, damage
):
    cache = next((index_copy.resolved_index_dir() / "embeddings").glob("cache-*.npz"))
    cache.write_bytes(damage(cache.read_bytes()))
    new = _write(tmp_path / "docs", "kobyz.txt", KOBYZ)
    code, out, err = cli(capsys, "index", "add", str(new), config=index_copy)
    assert code == 0, err
    assert f"kazrag: note: embedding cache {cache} was damaged (" in err
    assert "its texts are embedded again" in err
    embedded_all = int(out.split(" texts embedded")[0].rsplit(" ", 1)[1])
    # the rebuilt cache serves the next change: removing embeds nothing
    code, out, err = cli(capsys, "index", "remove", "kobyz.txt", config=index_copy)
    assert code == 0 and "; 0 texts embedded" in out and "damaged" not in err
    assert embedded_all > 20  # every text of the index was a cache miss


# ------------------------------------------------------ item 11: concurrent adds
def test_three_concurrent_adds_each_report_only_their_own(index_copy, tmp_path):
    texts = {
        "kobyz.txt": KOBYZ,
        "sybyzgy.txt": "Сыбызғы\n\nСыбызғы қамыстан жасалатын үрмелі аспап. Оның екі немесе "
        "үш тесігі болады.\n",
        "zhetigen.txt": "Жетіген\n\nЖетіген жеті ішекті шертпелі аспап. Аңыз бойынша ол жеті "
        "баланың қазасына арналған.\n",
    }
    paths = [_write(tmp_path / "docs", name, text) for name, text in texts.items()]
    runs = [_kazrag(index_copy, "index", "add", str(p)) for p in paths]
    outputs = [run.communicate(timeout=600) for run in runs]
    for path, run, (out, err) in zip(paths, runs, outputs):
        assert run.returncode == 0, err
        assert out.startswith(f"added 1 ({path.name}); index now "), out
        assert not any(other.name in out for other in paths if other != path)
    documents = Kazrag.open(index_copy).documents()
    assert set(texts) <= set(documents) and len(documents) == 5 + 3


# ----------------------------------------------------- item 11: a writer killed
def _kill_when(run: subprocess.Popen, folder: Path, pattern: str, limit: float = 300) -> bool:
    """SIGKILL `run` the moment a file or folder matching `pattern` is created in `folder`
    (inotify: the staging folder or cache temp file lives for milliseconds); False if the
    process ended first."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    watch = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
    assert watch >= 0, os.strerror(ctypes.get_errno())
    try:
        assert libc.inotify_add_watch(watch, str(folder).encode(), 0x100) >= 0  # IN_CREATE
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and run.poll() is None:
            if not select.select([watch], [], [], 0.05)[0]:
                continue
            data, offset = os.read(watch, 65536), 0
            while offset < len(data):
                _, _, _, size = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16 : offset + 16 + size].rstrip(b"\0").decode()
                offset += 16 + size
                if fnmatch.fnmatch(name, pattern):
                    os.kill(run.pid, signal.SIGKILL)
                    run.wait()
                    return True
        run.wait()
        return False
    finally:
        os.close(watch)


@pytest.mark.parametrize(
    "where, pattern",
    [("index", ".v-*.tmp-*"), ("embeddings", "cache-*.tmp-*.npz")],
    ids=["while-writing-a-version", "while-saving-the-cache"],
)
def test_what_a_killed_add_leaves_is_removed_by_the_next_add(
    capsys, request, index_copy, tmp_path, corpus, where, pattern
):
    config, indexed = index_copy, corpus / "cities.pdf"
    if where == "embeddings":
        # the cache of the bundled corpus (1,100 texts) takes milliseconds to save, the small
        # corpus's a fraction of one: long enough to be caught in the middle
        from kazrag.rag.config import BUNDLED_CORPUS

        bundled = request.getfixturevalue("engine").config
        config = bundled.with_(index_dir=tmp_path / "bundled")
        shutil.copytree(bundled.resolved_index_dir(), config.resolved_index_dir(), symlinks=True)
        indexed = sorted(BUNDLED_CORPUS.glob("*.txt"))[0]
    folder = config.resolved_index_dir()
    watched = folder if where == "index" else folder / "embeddings"
    before = Kazrag.open(config).ask(PDF_QUESTION).quotes
    for attempt in range(6):  # caught at once, unless the process wins the race to exit
        new = _write(tmp_path / f"docs-{attempt}", f"kobyz-{attempt}.txt", KOBYZ + f"{attempt}.")
        if _kill_when(_kazrag(config, "index", "add", str(new)), watched, pattern):
            if list(watched.glob(pattern)):
                break  # killed with the file still there (not already renamed into place)
    else:
        pytest.fail(f"never killed an add with a {pattern} in place within 6 adds")
    # the index is whole and usable, the lock is not stuck: killed while writing the
    # version, the old one is current; killed while saving the cache, the new version had
    # landed already (the cache is saved after it)
    reopened = Kazrag.open(config)
    if where == "index":
        assert new.name not in reopened.documents()
        assert reopened.ask(PDF_QUESTION).quotes == before
    else:
        assert new.name in reopened.documents()
    # even an add that is refused (under the writer lock) clears what the dead one left
    code, _, err = cli(capsys, "index", "add", str(indexed), config=config)
    assert code == 1 and "already indexed with the same content" in err
    assert not list(watched.glob(pattern))
    last = _write(tmp_path / "docs-last", "last.txt", KOBYZ + " Соңғы.")
    started = time.monotonic()
    code, _, err = cli(capsys, "index", "add", str(last), config=config)
    assert code == 0, err and time.monotonic() - started < 300
    assert not list(watched.glob(pattern))
    assert not list(folder.glob(".*.tmp-*")) and not list(folder.glob(".*.old-*"))


# ------------------------------------------------------------- item 2: limits, CLI
def test_limit_options_refuse_one_file_and_index_the_rest(capsys, index_copy, tmp_path, corpus):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(corpus / "cities.pdf", docs / "cities-2.pdf")
    _write(docs, "kobyz.txt", KOBYZ)
    code, out, err = cli(
        capsys,
        "index",
        "add",
        str(docs),
        "--max-pages",
        "2",
        "--max-file-bytes",
        "1M",
        config=index_copy,
    )
    assert code == 0, err
    assert out.startswith("added 1 (kobyz.txt)")
    assert (
        "kazrag: skipped cities-2.pdf: 3 pages, more than the limit of 2 (--max-pages); "
        "not indexed" in err.splitlines()
    )


def test_a_bad_limit_value_is_refused_by_the_parser(capsys, tmp_path):
    from kazrag.ui.cli import main

    with pytest.raises(SystemExit) as info:
        main(["index", "add", str(tmp_path), "--max-file-bytes", "lots"])
    assert info.value.code == 2
    assert "not a size in bytes (e.g. 50M): 'lots'" in capsys.readouterr().err


# ------------------------------------------------------- item 4: a real full disk
@pytest.fixture
def small_disk(tmp_path):
    """A real tmpfs of 32 MB mounted for the test (root only), unmounted after it."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=32m,mode=0755", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
    )
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mount.stderr.strip()}); needs root")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path, leave: int) -> Path:
    """Write a file until the disk is full, then give back `leave` bytes."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as out:
        for block in (b"\0" * 65536, b"\0" * 4096):  # then the last pages
            try:
                while True:
                    out.write(block)
            except OSError:
                pass
    with open(filler, "r+b") as out:
        out.truncate(max(0, filler.stat().st_size - leave))
    assert os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize <= leave + 8192
    return filler


def _version_bytes(version: Path) -> int:
    """What the version's files take on the disk (tmpfs gives a file whole 4 KB pages)."""
    return sum(-(-p.stat().st_size // 4096) * 4096 for p in version.rglob("*") if p.is_file())


@pytest.mark.parametrize("free", ["none", "some", "index-only"])
def test_a_full_disk_gives_one_line_and_keeps_the_index(
    capsys, index_copy, small_disk, tmp_path, free
):
    # the index lives on a real, nearly full filesystem; `index add` must fail cleanly
    # whether the disk is full from the start, fills while the version is written, or has
    # room for the new version but not for the embedding cache
    on_disk = index_copy.with_(index_dir=small_disk / "index")
    shutil.copytree(index_copy.resolved_index_dir(), on_disk.resolved_index_dir(), symlinks=True)
    version = version_of(on_disk)
    before = Kazrag.open(on_disk).ask(PDF_QUESTION).quotes
    cache = next((on_disk.resolved_index_dir() / "embeddings").glob("cache-*.npz"))
    leave = {
        "none": 0,
        "some": _version_bytes(version) // 3,
        "index-only": _version_bytes(version) + 32 * 1024,  # a new version, not a new cache
    }[free]
    assert free != "index-only" or cache.stat().st_size > 48 * 1024
    filler = _fill(small_disk, leave)
    new = _write(tmp_path / "docs", "kobyz.txt", KOBYZ)

    code, out, err = cli(capsys, "index", "add", str(new), config=on_disk)
    folder = on_disk.resolved_index_dir()
    assert not list(folder.glob(".*.tmp-*")) and not list(folder.glob("embeddings/*.tmp-*"))
    if free == "index-only":
        assert code == 0, err
        assert out.startswith("added 1 (kobyz.txt)")
        assert (
            "embedding cache not saved: No space left on device; the next build embeds these "
            "texts again" in err
        )
        assert "kobyz.txt" in Kazrag.open(on_disk).documents()
        return
    assert code == 1
    assert error_line(err) == (
        f"kazrag: error: could not write the new index in {folder} (No space left on device); "
        "the previous index is unchanged and in use"
    )
    assert version_of(on_disk) == version and len(list(folder.glob("v-*"))) == 1
    assert Kazrag.open(on_disk).ask(PDF_QUESTION).quotes == before
    filler.unlink()  # room again: the lock is not stuck and the add goes through
    code, out, err = cli(capsys, "index", "add", str(new), config=on_disk)
    assert code == 0 and out.startswith("added 1 (kobyz.txt)"), err


def test_output_into_a_closed_pipe_ends_quietly(index_copy):
    # `kazrag index info | head -1`: the reader is gone before kazrag writes
    run = _kazrag(index_copy, "index", "info")
    run.stdout.close()
    err = run.stderr.read()
    assert run.wait(timeout=300) == 141  # 128 + SIGPIPE, as other tools end
    assert err == "" and "internal error" not in err
