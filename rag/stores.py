"""Which store a `Config` names: the folder store in `index_dir` (the embedded default), or a
PostgreSQL database when `store` holds its address (index/postgres_store.py)."""

from __future__ import annotations

from pathlib import Path

from kazrag.files import sha256_text
from kazrag.index.base import Store
from kazrag.index.folder_store import FolderStore

from .config import Config


def open_store(config: Config) -> Store:
    if config.store:
        # imported here: psycopg is an extra (`pip install 'kazrag[postgres]'`), and a
        # folder-store user never needs it
        from kazrag.index.postgres_store import PostgresStore

        return PostgresStore(
            config.store,
            read_dsn=config.read_dsn,
            schema=config.store_schema,
            ef_search=config.hnsw_ef_search,
            connections=config.store_connections,
            connect_seconds=config.store_connect_seconds,
        )
    return FolderStore(config.resolved_index_dir(), ef_search=config.hnsw_ef_search)


def cache_dir_of(config: Config) -> Path:
    """Where the embedding cache of `config`'s index lives (on this machine): in the index
    folder, or for a database one folder per database and schema under the user cache."""
    if config.store:
        from kazrag.index.postgres_store import describe_dsn

        where = f"{describe_dsn(config.store)}/{config.store_schema}"
        return config.cache_dir / "store-embeddings" / sha256_text(where)[:16]
    return config.resolved_index_dir() / "embeddings"
