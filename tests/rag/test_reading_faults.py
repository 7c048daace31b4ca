"""Files that are not documents, read by real means: a FIFO, a socket, a file its user may not
read, a broken link; a batch goes on past each of them, with a reason a summary can count.
Questions and printed text lose their control characters and terminal escape sequences."""

from __future__ import annotations

import json
import os
import socket
import tempfile
import threading
from pathlib import Path

import pytest

from kazrag.errors import DocumentError
from kazrag.rag.engine import Kazrag
from kazrag.rag.indexing import load_corpus
from kazrag.rag.text import clean_question, strip_terminal_control

TEXT = "Домбыра қазақ халқының ұлттық музыкалық аспабы. Домбыраның екі ішегі бар.\n"


def _reason(path: Path) -> DocumentError:
    documents, skipped = load_corpus([path])
    assert documents == [] and len(skipped) == 1
    return skipped[0]


def test_a_fifo_is_named_as_such_and_never_opened(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    # opening a FIFO with no writer would wait forever: the read runs in a thread that
    # must come back at once
    result = {}
    reader = threading.Thread(target=lambda: result.setdefault("skip", _reason(fifo)))
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), "reading a FIFO hung"
    skip = result["skip"]
    assert str(skip) == (
        f"{fifo}: a named pipe (FIFO), not a regular file; kazrag reads documents saved as files"
    )
    assert skip.kind == "not a regular file"


def test_a_socket_and_a_broken_link_are_named(tmp_path):
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "s.txt"))
        assert "s.txt: a socket, not a regular file" in _reason(tmp_path / "s.txt")
    (tmp_path / "gone.md").symlink_to(tmp_path / "nowhere.md")
    assert "gone.md: a broken link, not a regular file" in _reason(tmp_path / "gone.md")


def test_special_files_in_a_folder_are_skipped_and_the_rest_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.md")
    (tmp_path / "dombyra.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    documents, skipped = load_corpus([tmp_path])
    assert [d.doc_id for d in documents] == ["dombyra.txt"]
    assert sorted(s.kind for s in skipped) == ["not a regular file", "other format"]


def test_a_missing_path_is_still_no_such_file(tmp_path):
    with pytest.raises(DocumentError, match=r"nowhere: no such file or folder"):
        load_corpus([tmp_path / "nowhere"])


def _as_nobody(folder: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """load_corpus([folder]) in a forked child that has become `nobody` (uid 65534)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop root, read, report, leave without cleanup handlers
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            documents, skipped = load_corpus([folder])
            answer = [[d.doc_id for d in documents], [(str(s), s.kind) for s in skipped]]
            os.write(write, json.dumps(answer).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    documents, skipped = json.loads(data)
    return documents, [tuple(s) for s in skipped]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user")
def test_a_file_its_user_may_not_read_is_named_with_the_reason():
    # root reads every file, so the read runs as `nobody`, in a folder it may enter
    folder = Path(tempfile.mkdtemp(prefix="kazrag-perm-"))
    try:
        folder.chmod(0o755)
        (folder / "secret.txt").write_text(TEXT, encoding="utf-8")
        (folder / "secret.txt").chmod(0o000)
        # not "a damaged PDF": the reader never gets to open it
        (folder / "secret.pdf").write_bytes(b"%PDF-1.4\n")
        (folder / "secret.pdf").chmod(0o000)
        (folder / "open.txt").write_text(TEXT.replace("екі", "үш"), encoding="utf-8")
        (folder / "open.txt").chmod(0o644)
        documents, skipped = _as_nobody(folder)
        assert documents == ["open.txt"]
        assert skipped == [
            (f"{folder}/secret.{suffix}: cannot read (Permission denied)", "cannot be read")
            for suffix in ("pdf", "txt")
        ]
    finally:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


# ----------------------------------------------------------------- control characters
def test_control_characters_leave_the_question_as_typed():
    typed = "Домбыраның неше ішегі бар?"
    for noisy in (
        "Домбыраның\x00 неше\x07 ішегі бар?",
        "\x1b[31mДомбыраның\x1b[0m неше ішегі бар?",
        "Домбыра\u200bның неше\tішегі\nбар?\x7f",
        "\x1b]0;title\x07Домбыраның неше ішегі бар?",
        "Домбыраның неше іше\u00adгі бар?\u202e",
    ):
        assert clean_question(noisy) == typed, noisy
        assert Kazrag.prepare(noisy)[0] == typed


def test_only_control_characters_are_an_empty_question():
    from kazrag.errors import QuestionError

    with pytest.raises(QuestionError, match="empty"):
        Kazrag.prepare("\x1b[2J\x00\x07")


@pytest.mark.parametrize(
    "sequence",
    [
        "\x1b]0;pwned\x07",  # OSC: set the window title
        "\x1b]8;;http://evil\x1b\\",  # OSC 8 hyperlink, ended by ST
        "\x1b[2J",  # CSI: clear the screen
        "\x1b[?1049h",  # alternate screen
        "\x1bP+q\x1b\\",  # DCS
        "\x9b2J",  # 8-bit CSI
        "\x9d0;pwned\x07",  # 8-bit OSC
        "\x1bc",  # reset the terminal
        "\x08\x08\x08",  # backspaces over the text before
    ],
)
def test_terminal_sequences_are_removed_whole(sequence):
    text = f"Бурабай{sequence} көлі.\n\tекінші жол\r"
    assert strip_terminal_control(text) == "Бурабай көлі.\n\tекінші жол\r"


def test_the_command_line_prints_no_terminal_control(capsys, tmp_path):
    # a file name is printed back in the error line: it may hold escape sequences too
    from cli_run import cli, error_line

    name = tmp_path / "\x1b]0;pwned\x07report\x1b[2J.txt"
    code, out, err = cli(capsys, "index", "add", str(name), "--index-dir", str(tmp_path / "i"))
    assert code == 1
    line = error_line(err)
    assert "\x1b" not in err and "\x07" not in err
    assert line.endswith("/report.txt: no such file or folder")


def test_a_bug_in_one_reader_skips_only_that_file(tmp_path, monkeypatch):
    # a reader's own bug cannot be caused by any file on purpose: made here with a stand-in
    import kazrag.rag.formats as formats

    def broken(path, budget=None):
        raise TypeError("an unexpected None")

    monkeypatch.setattr(formats, "read_docx", broken)
    (tmp_path / "a.docx").write_bytes(b"PK\x03\x04 not read")
    (tmp_path / "b.txt").write_text(TEXT, encoding="utf-8")
    documents, skipped = load_corpus([tmp_path])
    assert [d.doc_id for d in documents] == ["b.txt"]
    assert skipped == [
        "a.docx: could not be read (a bug in kazrag: TypeError: an unexpected None; "
        "please report it)"
    ]
    assert skipped[0].kind == "internal error"
