"""Running `kazrag …` in-process in tests, and reading its one-line errors."""

from __future__ import annotations

from pathlib import Path

from kazrag.index.folder_store import FolderStore
from kazrag.ui.cli import main


def cli(capsys, *args: str, config=None) -> tuple[int, str, str]:
    """Run `kazrag ARGS` in-process; with a config, against its index and model."""
    argv = list(args)
    if config is not None:
        argv += [
            "--index-dir",
            str(config.resolved_index_dir()),
            "--model-dir",
            str(config.resolved_model_dir()),
        ]
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def error_line(err: str) -> str:
    """The one `kazrag: error:` line a failing command ends with."""
    lines = err.strip().splitlines()
    assert lines and lines[-1].startswith("kazrag: error: "), err
    assert sum(line.startswith("kazrag: error:") for line in lines) == 1
    return lines[-1]


def version_of(config) -> Path | None:
    """The current version folder of `config`'s index, or None."""
    store = FolderStore(config.resolved_index_dir())
    current = store.current_id()
    return store.root / current if current else None
