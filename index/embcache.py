"""Vectors cached by content hash, so that adding or removing a document re-embeds only
what is new, and an unchanged corpus is never embedded twice.

Keys are made by the caller (model, prompt and text hashed together); this module only
stores `key -> vector` pairs, written atomically.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from kazrag.files import pid_alive


class EmbeddingCache:
    def __init__(self, directory: Path, dim: int):
        self.directory = Path(directory)
        self.dim = dim
        self._vectors: dict[str, np.ndarray] = {}
        self._dirty = False
        self.note: str | None = None
        self._load()

    def _file(self) -> Path:
        return self.directory / f"cache-{self.dim}.npz"

    def _load(self) -> None:
        """Read the cache file. A missing one is an empty cache; a damaged one (empty,
        truncated, bad CRC, another layout) is too, with `note` saying so: it is only a
        cache, and the next save replaces it."""
        if not self._file().exists():
            return
        try:
            with np.load(self._file(), allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
            usable = (
                vectors.ndim == 2 and vectors.shape[1] == self.dim and len(keys) == len(vectors)
            )
        except Exception as exc:  # noqa: BLE001 - zip, zlib, numpy and OS errors alike
            usable, keys, vectors = False, None, None
            reason = f"{type(exc).__name__}: {exc}"[:120]
        else:
            reason = "unexpected layout"
        if not usable:
            self.note = (
                f"embedding cache {self._file()} was damaged ({reason}); its texts are "
                "embedded again"
            )
            self._dirty = True  # rewrite it whole at the next save
            return
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
        vectors = (
            np.stack(list(self._vectors.values()))
            if self._vectors
            else np.zeros((0, self.dim), np.float32)
        )
        tmp = self._file().with_suffix(f".tmp-{os.getpid()}.npz")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            remove_dead_temps(self.directory)
            np.savez(tmp, keys=keys, vectors=vectors)
            os.replace(tmp, self._file())
        except OSError as error:
            tmp.unlink(missing_ok=True)
            return error.strerror or str(error)
        self._dirty = False
        return None


def remove_dead_temps(directory: Path) -> None:
    """Temp files `cache-*.tmp-PID.npz` of a save whose process was killed."""
    for path in directory.glob("cache-*.tmp-*.npz"):
        pid = path.name.rsplit(".tmp-", 1)[1].split(".", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            path.unlink(missing_ok=True)
