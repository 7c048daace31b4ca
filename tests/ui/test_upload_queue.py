"""ui.uploads.UploadIndexer: an upload the box still holds while it is indexed is not given
again with a file dropped meanwhile (the real browser case: test_browser.py
test_a_file_dropped_while_the_one_before_is_indexed_is_indexed_too)."""

from __future__ import annotations

import threading

from kazrag.rag.indexing import BuildReport
from kazrag.ui.uploads import UploadIndexer


class HeldEngine:
    """Indexes nothing until released: holds a job in flight for as long as a test needs
    (the real engine indexes a small file faster than a test can look)."""

    def __init__(self):
        self.release = threading.Event()
        self.given: list[list[str]] = []

    def add_documents(self, paths, progress, may_replace=True):
        self.given.append([p.name for p in paths])
        self.release.wait(10)
        return BuildReport("i", False, 3, 3, 3, 1, 0.0, added=[p.name for p in paths])


def test_a_file_already_given_is_not_given_again_and_a_new_upload_of_it_is(tmp_path):
    engine = HeldEngine()
    indexer = UploadIndexer(engine, tmp_path)  # type: ignore[arg-type]
    first, second = tmp_path / "a" / "abai.txt", tmp_path / "b" / "shoqan.txt"
    for path in (first, second):
        path.parent.mkdir()
        path.write_text("Абай", encoding="utf-8")

    one = indexer.add([first])
    two = indexer.add([first, second])  # the box holds abai.txt still, shoqan.txt dropped on it
    assert one is not None and two is not None and two.names == ["shoqan.txt"]
    engine.release.set()
    assert one.done.wait(10) and two.done.wait(10)
    assert engine.given == [["abai.txt"], ["shoqan.txt"]]
    assert not first.exists()  # indexed and deleted
    assert indexer.add([first, second]) is None  # the box emptied late: nothing new

    first.parent.mkdir(exist_ok=True)
    first.write_text("Абай", encoding="utf-8")  # uploaded again: a new upload
    again = indexer.add([first])
    assert again is not None and again.done.wait(10)
    assert engine.given[-1] == ["abai.txt"]
