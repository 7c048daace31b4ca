"""A real archive folder (issue 13, item 3): `kazrag index add FOLDER` over a few hundred
mixed files — text, Markdown, PDF, Word, binary junk, empty files, files over a size limit,
files of the wrong extension, files of other formats, a FIFO, files without read permission
— shows one progress bar, sums up what was skipped and why, and never stops on a bad file.
It runs as a process of its own, as a user would run it."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from kazakh_docs import make_docx, make_pdf
from repo import REPO_ROOT

from kazrag.rag.engine import Kazrag

CITIES = ["Астана", "Алматы", "Шымкент", "Қарағанды", "Ақтөбе", "Тараз", "Павлодар", "Өскемен"]
THINGS = ["мектеп", "аурухана", "кітапхана", "саябақ", "көпір", "стадион", "театр", "мұражай"]


def _text(n: int) -> str:
    """A short document of its own (no two files share a text)."""
    rng = random.Random(n)
    city, thing = rng.choice(CITIES), rng.choice(THINGS)
    return (
        f"{city} {thing} туралы {n}-анықтама\n\n"
        f"{city} қаласында {1900 + n} жылы жаңа {thing} салынды. Оның құрылысына "
        f"{n * 7 + 3} адам қатысты, ал ашылу салтанатына {n * 13 + 11} қонақ келді.\n"
    )


def _archive(folder: Path) -> dict[str, int]:
    """Make the folder; returns how many files of each kind it holds."""
    counts: dict[str, int] = {}

    def put(kind: str, name: str, data: bytes, mode: int | None = None) -> None:
        path = folder / kind / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if mode is not None:
            path.chmod(mode)
        counts[kind] = counts.get(kind, 0) + 1

    for n in range(110):
        put("text", f"note-{n:03}.txt", _text(n).encode("utf-8"))
    for n in range(110, 150):
        put("markdown", f"page-{n:03}.md", ("# " + _text(n)).encode("utf-8"))
    samples = folder / "samples"
    samples.mkdir()
    pdf = make_pdf(samples / "cities.pdf").read_bytes()
    docx = make_docx(samples / "parks.docx").read_bytes()
    put("pdf", "cities.pdf", pdf)
    put("word", "parks.docx", docx)
    for n in range(150, 160):
        body = " ".join(_text(n).split("\n\n")[1].split())
        put(
            "pdf",
            f"report-{n}.pdf",
            make_pdf(samples / "x.pdf", [(f"{n}-бөлім", body)]).read_bytes(),
        )
        word = __import__("docx").Document()
        word.add_heading(f"{n}-бөлім", level=1)
        word.add_paragraph(_text(n + 20).split("\n\n")[1].strip())
        word.save(str(samples / "x.docx"))
        put("word", f"minutes-{n}.docx", (samples / "x.docx").read_bytes())
    rng = random.Random(0)
    for n in range(25):
        put("binary", f"photo-{n:02}.txt", bytes(rng.randrange(256) for _ in range(3000)))
    for n in range(12):
        put("empty", f"blank-{n:02}" + (".txt", ".md", ".pdf", ".docx")[n % 4], b"")
    for n in range(3):
        put("huge", f"dump-{n}.txt", (_text(500 + n) * 900).encode("utf-8"))  # ~300 KB
    for n in range(8):
        put("unreadable", f"locked-{n}.txt", _text(600 + n).encode("utf-8"), mode=0o000)
    for n in range(6):  # wrong extensions: a Word file as .pdf, a PDF as .docx and as .txt
        put("wrong", f"w{n}.pdf", docx)
        put("wrong", f"p{n}.docx", pdf)
        put("wrong", f"p{n}.txt", pdf)
    for n in range(5):
        put("other", f"scan-{n}.jpg", b"\xff\xd8\xff\xe0" + bytes(200))
        put("other", f"old-{n}.doc", b"\xd0\xcf\x11\xe0" + bytes(200))
        put("other", f"table-{n}.xlsx", b"PK\x03\x04" + bytes(200))
    os.mkfifo(folder / "pipe.txt")
    counts["fifo"] = 1
    for path in samples.iterdir():
        path.unlink()
    samples.rmdir()
    return counts


@pytest.fixture
def archive(tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    counts = _archive(folder)
    yield folder, counts
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            path.chmod(0o644)


def test_a_folder_of_a_few_hundred_mixed_files(archive, small_config, tmp_path):
    folder, counts = archive
    assert sum(counts.values()) >= 250
    index = tmp_path / "index"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kazrag",
            "index",
            "add",
            str(folder),
            "--max-file-bytes",
            "200K",
            "--index-dir",
            str(index),
            "--model-dir",
            str(small_config.resolved_model_dir()),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    out, err = done.stdout, done.stderr
    assert done.returncode == 0, err[-3000:]
    assert "Traceback" not in err

    readable = counts["text"] + counts["markdown"] + counts["pdf"] + counts["word"]
    locked_read = os.geteuid() == 0  # root reads a file without read permission
    if locked_read:
        readable += counts["unreadable"]
    assert out.startswith(f"added {readable} (")
    assert Kazrag.open(small_config.with_(index_dir=index)).documents().keys() >= {
        "cities.pdf",
        "parks.docx",
        "note-000.txt",
        "page-149.md",
    }

    # one progress bar: the percentages only grow, from reading the files to the index
    bar = [int(m) for m in re.findall(r"^\[\s*(\d+)%\]", err, re.MULTILINE)]
    assert bar[0] == 0 and bar[-1] == 100 and bar == sorted(bar)
    assert "reading " in err and "embedding passages" in err and "index ready" in err
    assert len(bar) < 80  # a line per stage and tenth in a log, not one per file

    # every bad file has its line with the reason, then one summary
    lines = err.splitlines()
    skipped = [line for line in lines if line.startswith("kazrag: skipped ") and ": " in line[16:]]
    expected_skips = (
        counts["binary"]
        + counts["empty"]
        + counts["huge"]
        + counts["wrong"]
        + counts["fifo"]
        + (0 if locked_read else counts["unreadable"])
    )
    summary = [
        line for line in lines if line.startswith(f"kazrag: skipped {expected_skips} files:")
    ]
    assert len(summary) == 1, lines[-20:]
    assert len(skipped) == expected_skips + 1  # each one, and the summary
    assert "photo-00.txt: this is a binary file, not text" in err
    assert "blank-02.pdf: the file is empty" in err
    size = (folder / "huge" / "dump-0.txt").stat().st_size
    assert f"dump-0.txt: the file is {size / 1000:.1f} KB, more than the limit of 200.0 KB" in err
    assert "w0.pdf: not a readable PDF" in err and "p0.docx: not a readable Word .docx" in err
    assert "pipe.txt: a named pipe (FIFO), not a regular file" in err
    text = summary[0]
    for reason, n in (
        ("binary", counts["binary"] + counts["wrong"] // 3),  # the PDFs named .txt
        ("empty", counts["empty"]),
        ("over a limit", counts["huge"]),
        ("damaged", 2 * counts["wrong"] // 3),
        ("not a regular file", 1),
    ):
        assert f"{n} {reason}" in text, (reason, text)
    assert (
        f"{3 * 5} files of other formats not read (.doc 5, .jpg 5, .xlsx 5; save Word .doc "
        "files as .docx; kazrag reads .docx, .htm, .html, .jsonl, .md, .pdf, .txt)" in text
    )
