"""Vectors cached by content hash, so that adding or removing a document re-embeds only
what is new, and an unchanged corpus is never embedded twice.

Keys are made by the caller (model, prompt and text hashed together); this module only
stores `key -> vector` pairs, written atomically.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


class EmbeddingCache:
    def __init__(self, directory: Path, dim: int):
        self.directory = Path(directory)
        self.dim = dim
        self._vectors: dict[str, np.ndarray] = {}
        self._dirty = False
        self._load()

    def _file(self) -> Path:
        return self.directory / f"cache-{self.dim}.npz"

    def _load(self) -> None:
        try:
            with np.load(self._file(), allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
        except (OSError, ValueError, KeyError):
            return  # no cache or a damaged one: it is only a cache, start empty
        if vectors.ndim == 2 and vectors.shape[1] == self.dim and len(keys) == len(vectors):
            self._vectors = dict(zip(keys.tolist(), vectors))

    def get(self, key: str) -> np.ndarray | None:
        return self._vectors.get(key)

    def put(self, key: str, vector: np.ndarray) -> None:
        self._vectors[key] = np.asarray(vector, dtype=np.float32)
        self._dirty = True

    def __len__(self) -> int:
        return len(self._vectors)

    def retain(self, keys: set[str]) -> None:
        """Forget vectors no index uses any more, so the cache does not grow forever."""
        stale = set(self._vectors) - keys
        for key in stale:
            del self._vectors[key]
        self._dirty = self._dirty or bool(stale)

    def save(self) -> str | None:
        """Write the cache; on failure say why and keep the old file. The cache only saves
        time, so a full disk here must not fail a build whose index is already written."""
        if not self._dirty:
            return None
        keys = np.array(list(self._vectors), dtype="U64")
        vectors = (np.stack(list(self._vectors.values())) if self._vectors
                   else np.zeros((0, self.dim), np.float32))
        tmp = self._file().with_suffix(f".tmp-{os.getpid()}.npz")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            np.savez(tmp, keys=keys, vectors=vectors)
            os.replace(tmp, self._file())
        except OSError as error:
            tmp.unlink(missing_ok=True)
            return error.strerror or str(error)
        self._dirty = False
        return None
