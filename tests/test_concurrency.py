"""Rebuilding an index while it is being read (`kazrag serve` answering while `kazrag index
add` runs): a reader sees the old or the new version, never a half one, and every answer it
gives is complete.

Readers loop in threads on one engine: one reloads as fast as it can and checks that what it
loaded is one whole version, one asks questions. Writers add and remove a document over and
over, from another engine in this process and from another process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from kazrag.index import store
from kazrag.rag.engine import Kazrag
from test_ingestion import KOBYZ, PDF_QUESTION, QUESTIONS  # noqa: F401 - fixtures below
from test_ingestion import corpus, index_copy, small_config, small_engine  # noqa: F401

PROJECT = Path(__file__).resolve().parent.parent


class Readers:
    """Threads that read one engine until stopped, recording what they saw."""

    def __init__(self, engine: Kazrag, allowed: set[frozenset]):
        self.engine, self.allowed = engine, allowed
        self.stop = threading.Event()
        self.seen: list[frozenset] = []
        self.versions: set[str] = set()
        self.answers = []
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._guard, args=(f,))
                        for f in (self._reload, self._ask)]

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
        stored = self.engine.stored  # one consistent snapshot (swapped together)
        docs = frozenset(stored.manifest["documents"])
        # a whole version: every part has the same chunks, and they are the manifest's
        assert len(stored.records) == stored.vectors.ntotal == stored.manifest["chunks"]
        assert {r["doc"] for r in stored.records} == docs
        self.seen.append(docs)
        self.versions.add(stored.path.name)

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
    assert not stale.stored.path.exists()
    assert stale.ask(PDF_QUESTION).quotes[0].doc == "cities.pdf"


def test_reader_sees_whole_versions_while_another_process_rebuilds(index_copy, tmp_path):
    new = _kobyz(tmp_path)
    reader = Kazrag.open(index_copy)
    old = frozenset(reader.documents())
    cycles = 3
    common = ["--index-dir", str(index_copy.resolved_index_dir()),
              "--model-dir", str(index_copy.resolved_model_dir())]
    script = (
        "import sys\n"
        "from ui.cli import main\n"
        f"for _ in range({cycles}):\n"
        f"    assert main(['index', 'add', {str(new)!r}] + {common!r}) == 0\n"
        f"    assert main(['index', 'remove', 'kobyz.txt'] + {common!r}) == 0\n")
    with Readers(reader, {old, old | {"kobyz.txt"}}) as readers:
        done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, text=True,
                              capture_output=True, timeout=600,
                              env=dict(os.environ, PYTHONPATH=str(PROJECT)))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("added 1 (kobyz.txt)") == cycles
    _check(readers, 2 * cycles)


def test_load_of_a_version_replaced_underneath_reads_the_new_one(index_copy, tmp_path,
                                                                 monkeypatch):
    """The race the readers above can hit, made certain: `current` moves on and the version
    being read is deleted in the middle of reading it."""
    folder = index_copy.resolved_index_dir()
    writer = Kazrag.open(index_copy)
    first = store.current_version(folder)
    real_check = store._check_files
    calls = []

    def check_then_replace(version, manifest):
        real_check(version, manifest)
        if not calls:  # the first load: a writer replaces the index twice, right now
            calls.append(version)
            writer.add_documents([_kobyz(tmp_path)])
            writer.remove_document("kobyz.txt")
            assert not version.exists()  # the version being read is gone

    monkeypatch.setattr(store, "_check_files", check_then_replace)
    loaded = store.load(folder)
    assert calls == [first] and loaded.path != first
    assert loaded.path == store.current_version(folder)
