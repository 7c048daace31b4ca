"""Folders and files given as text, as a library user writes them, are paths.

Before: `Kazrag.open(config, corpus="docs")` iterated the string letter by letter and scanned
"/" (a PermissionError traceback from /proc), and `Config(index_dir="ix")` failed later with a
TypeError from `str / str`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kazrag.rag.config import Config
from kazrag.rag.engine import Kazrag


def test_config_folders_given_as_text_are_paths(tmp_path):
    config = Config(index_dir=str(tmp_path / "ix"), cache_dir=str(tmp_path / "cache"))
    assert config.resolved_index_dir() == tmp_path / "ix"
    assert isinstance(config.cache_dir, Path)
    assert Config(index_dir="~/kazrag-ix").index_dir == Path.home() / "kazrag-ix"


@pytest.mark.slow
def test_a_corpus_and_a_new_document_given_as_text(base_config, corpus, tmp_path):
    config = base_config.with_(index_dir=str(tmp_path / "index"))
    engine = Kazrag.open(config, corpus=str(corpus))
    indexed = set(engine.documents())
    assert indexed == {p.name for p in corpus.iterdir() if not p.name.startswith(".")}
    new = tmp_path / "kobyz.txt"
    new.write_text("Қобыз — қазақтың ежелгі ішекті аспабы. Оны Қорқыт ата жасаған.\n", "utf-8")
    report = engine.add_documents(str(new))
    assert report.added == ["kobyz.txt"]
    assert "kobyz.txt" in engine.documents()
