"""Which store a `Config` names: the folder store in `index_dir` (the embedded default)."""

from __future__ import annotations

from pathlib import Path

from kazrag.index.base import Store
from kazrag.index.folder_store import FolderStore

from .config import Config


def open_store(config: Config) -> Store:
    return FolderStore(config.resolved_index_dir(), ef_search=config.hnsw_ef_search)


def cache_dir_of(config: Config) -> Path:
    """Where the embedding cache of `config`'s index lives (on this machine)."""
    return config.resolved_index_dir() / "embeddings"
