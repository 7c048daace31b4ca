"""Rebuilding an index while it is being read (`kazrag serve` answering while `kazrag index
add` runs): a reader sees the old or the new version, never a half one, and every answer it
gives is complete.

Readers loop in threads on one engine: one reloads as fast as it can and checks that what it
loaded is one whole version, one asks questions. Writers add and remove a document over and
over, from another engine in this process and from another process.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from kazakh_docs import KOBYZ, PDF_QUESTION, QUESTIONS
from repo import REPO_ROOT

from kazrag.index import folder_store
from kazrag.index.folder_store import FolderStore
from kazrag.rag.engine import Kazrag


class Readers:
    """Threads that read one engine until stopped, recording what they saw."""

    def __init__(self, engine: Kazrag, allowed: set[frozenset]):
        self.engine, self.allowed = engine, allowed
        self.stop = threading.Event()
        self.seen: list[frozenset] = []
        self.versions: set[str] = set()
        self.answers = []
        self.errors: list[BaseException] = []
        self.threads = [
            threading.Thread(target=self._guard, args=(f,)) for f in (self._reload, self._ask)
        ]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=300)

    def _guard(self, loop) -> None:
        try:
            while not self.stop.is_set():
                loop()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.errors.append(exc)

    def _reload(self) -> None:
        self.engine.reload()
        version = self.engine.snapshot.version  # one consistent snapshot (one assignment)
        docs = frozenset(version.manifest["documents"])
        # a whole version: every part has the same chunks, and they are the manifest's
        n = len(version.chunks)
        assert n == len(version.vectors) == version.keyword.size == version.manifest["chunks"]
        assert {r["doc"] for r in version.chunks.get(range(n))} == docs
        self.seen.append(docs)
        self.versions.add(version.id)

    def _ask(self) -> None:
        answer = self.engine.ask(PDF_QUESTION)
        self.answers.append(answer)


def _check(readers: Readers, builds: int) -> None:
    assert not readers.errors, readers.errors
    assert set(readers.seen) <= readers.allowed
    # the readers really ran across the rebuilds: they saw versions of both kinds
    assert set(readers.seen) == readers.allowed and len(readers.versions) > builds // 2
    assert readers.answers
    doc, page = QUESTIONS[PDF_QUESTION]
    for answer in readers.answers:  # complete answers, each quote from its passages
        assert not answer.abstained and answer.quotes[0].doc == doc
        assert answer.quotes[0].page == page
        texts = " ".join(p.chunk.text for p in answer.passages)
        assert all(q.text in texts for q in answer.quotes)


def _kobyz(folder: Path) -> Path:
    path = folder / "kobyz.txt"
    path.write_text(KOBYZ, encoding="utf-8")
    return path


def test_reader_sees_whole_versions_while_another_engine_rebuilds(index_copy, tmp_path):
    new = _kobyz(tmp_path)
    reader = Kazrag.open(index_copy)
    stale = Kazrag.open(index_copy)  # loaded now, never reloaded
    writer = Kazrag.open(index_copy)
    old = frozenset(reader.documents())
    cycles = 4
    with Readers(reader, {old, old | {"kobyz.txt"}}) as readers:
        for _ in range(cycles):
            writer.add_documents([new])
            writer.remove_document("kobyz.txt")
    _check(readers, 2 * cycles)
    # the stale engine's version folder was cleaned up long ago: it still answers
    assert not Path(stale.snapshot.version.location).exists()
    assert stale.ask(PDF_QUESTION).quotes[0].doc == "cities.pdf"


def test_reader_sees_whole_versions_while_another_process_rebuilds(index_copy, tmp_path):
    new = _kobyz(tmp_path)
    reader = Kazrag.open(index_copy)
    old = frozenset(reader.documents())
    cycles = 3
    common = [
        "--index-dir",
        str(index_copy.resolved_index_dir()),
        "--model-dir",
        str(index_copy.resolved_model_dir()),
    ]
    script = (
        "import sys\n"
        "from kazrag.ui.cli import main\n"
        f"for _ in range({cycles}):\n"
        f"    assert main(['index', 'add', {str(new)!r}] + {common!r}) == 0\n"
        f"    assert main(['index', 'remove', 'kobyz.txt'] + {common!r}) == 0\n"
    )
    with Readers(reader, {old, old | {"kobyz.txt"}}) as readers:
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO_ROOT,
            text=True,
            capture_output=True,
            timeout=600,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("added 1 (kobyz.txt)") == cycles
    _check(readers, 2 * cycles)


def test_load_of_a_version_replaced_underneath_reads_the_new_one(index_copy, tmp_path, monkeypatch):
    """The race the readers above can hit, made certain: `current` moves on and the version
    being read is deleted in the middle of reading it."""
    store = FolderStore(index_copy.resolved_index_dir())
    writer = Kazrag.open(index_copy)
    first = store.current_id()
    real_check = folder_store._check
    calls = []

    def check_then_replace(version):
        manifest = real_check(version)
        if not calls:  # the first load: a writer replaces the index twice, right now
            calls.append(version.name)
            writer.add_documents([_kobyz(tmp_path)])
            writer.remove_document("kobyz.txt")
            assert not version.exists()  # the version being read is gone
        return manifest

    monkeypatch.setattr(folder_store, "_check", check_then_replace)
    loaded = store.load()
    assert calls == [first] and loaded.id != first
    assert loaded.id == store.current_id()


def test_answers_stay_consistent_while_the_engine_reloads(index_copy, tmp_path):
    """Questions asked while one thread swaps snapshots and another process changes the
    corpus: every answer's quotes come from its own passages, and those passages' sentence
    vectors are the ones the answer was scored with (one snapshot per answer)."""
    new = _kobyz(tmp_path)
    engine = Kazrag.open(index_copy)
    writer = Kazrag.open(index_copy)
    stop = threading.Event()
    problems: list[str] = []

    def ask_loop() -> None:
        while not stop.is_set():
            try:
                answer = engine.ask(PDF_QUESTION)
            except Exception as exc:  # noqa: BLE001 - a torn snapshot fails like this
                problems.append(f"{type(exc).__name__}: {exc}")
                continue
            texts = {p.rank: p.chunk.text for p in answer.passages}
            if answer.abstained or not answer.quotes:
                problems.append("no answer")
            for quote in answer.quotes:
                if quote.text not in texts.get(quote.passage_rank, ""):
                    problems.append(f"quote {quote.text[:40]!r} not in its passage")

    def reload_loop() -> None:
        while not stop.is_set():
            engine.reload()

    threads = [threading.Thread(target=ask_loop) for _ in range(3)]
    threads.append(threading.Thread(target=reload_loop))
    for thread in threads:
        thread.start()
    try:
        for _ in range(3):
            writer.add_documents([new])
            writer.remove_document("kobyz.txt")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=300)
    assert not problems, problems[:5]
