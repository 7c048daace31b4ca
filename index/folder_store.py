"""The embedded store: an index as versioned folders on one machine (FAISS + bm25s + files).

Layout of `--index-dir DIR`:

    DIR/current -> v-20261124-174501.123456-ab12   a symlink, swapped atomically
    DIR/v-…/manifest.json  manifest.sha256         what the version is (settings, hashes)
    DIR/v-…/vectors.faiss  sentences.npy  chunks.jsonl  documents.jsonl  keyword/…
    DIR/embeddings/                                cache of vectors by content hash
    DIR/.lock                                      held by the one writer

A write builds a hidden sibling folder, syncs it, renames it to a new `v-…` and then points
`current` at it with one rename (`kazrag.files.new_folder`): a crash or a full disk leaves the
old version current, and a reader that resolved `current` keeps reading a complete version.
Every file of a version is hashed into its manifest and checked when loaded.

Versions are deleted only once superseded: a write removes the versions older than the one
it replaced (that one stays for readers still loading it). If `current` is lost, the newest
complete version is made current again; nothing is ever rebuilt over a user's versions.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from kazrag.errors import IndexStoreError
from kazrag.files import (
    folder_size,
    fsync_dir,
    new_folder,
    read_jsonl,
    sha256_file,
    write_jsonl,
)

from .base import ChunkTable, IndexContents, IndexVersion, Store
from .faiss_vectors import ArraySentenceVectors, FaissVectors
from .keyword import Bm25Index

FORMAT_VERSION = 3  # 3: every file of a version (the keyword index too) is hashed
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
CURRENT = "current"
LOCK = ".lock"
CACHE = "embeddings"
VECTORS, SENTENCES, CHUNKS, DOCUMENTS, KEYWORD = (
    "vectors.faiss",
    "sentences.npy",
    "chunks.jsonl",
    "documents.jsonl",
    "keyword",
)
REBUILD = "rebuild with `kazrag index build --rebuild`"


class ListChunkTable(ChunkTable):
    def __init__(self, records: list[dict]):
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def get(self, rows: Sequence[int]) -> list[dict]:
        return [self.records[r] for r in rows]


class FolderStore(Store):
    format_version = FORMAT_VERSION

    def __init__(self, index_dir: Path, ef_search: int = 512):
        self.root = Path(index_dir)
        self.location = str(self.root)
        self.ef_search = ef_search
        self.cache_dir = self.root / CACHE
        self._thread_lock = threading.Lock()  # the threads of this process, one at a time
        self._lock_holder: int | None = None  # the thread holding the writer lock

    # -------------------------------------------------------------------------- state
    def _versions(self) -> list[Path]:
        """Version folders, oldest first (names sort by time)."""
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.glob("v-*") if p.is_dir())

    def _pointed(self) -> Path | None:
        link = self.root / CURRENT
        if not link.is_symlink() and not link.exists():
            return None
        target = link.resolve()
        return target if target.is_dir() else None

    def state(self) -> str:
        if self._pointed() is not None or self._versions():
            return "index"
        if (self.root / CURRENT).is_symlink():
            raise IndexStoreError(
                f"the index in {self.root} points to {os.readlink(self.root / CURRENT)}, which "
                "is gone, and no complete version is left; build it again with "
                "`kazrag index build PATH …` (your documents), or remove the folder"
            )
        ours = {LOCK, CACHE, CURRENT}
        others = (
            [
                p.name
                for p in self.root.iterdir()
                if p.name not in ours and not p.name.startswith(".")
            ]
            if self.root.is_dir()
            else []
        )
        if others:
            shown = ", ".join(sorted(others)[:5])
            raise IndexStoreError(
                f"{self.root} holds files that are not a kazrag index "
                f"({shown}); choose an empty --index-dir"
            )
        return "empty"

    def current_id(self) -> str | None:
        pointed = self._pointed()
        return pointed.name if pointed is not None else None

    def read_manifest(self) -> dict | None:
        version = self._current_version()
        return None if version is None else _manifest(version)

    def _current_version(self) -> Path | None:
        """The version `current` points to; if the pointer is lost or broken while versions
        exist, the newest complete one, made current again."""
        pointed = self._pointed()
        if pointed is not None or not self._versions():
            return pointed
        with self.writer_lock():
            pointed = self._pointed()  # another process may have repaired it meanwhile
            if pointed is not None:
                return pointed
            for version in reversed(self._versions()):
                try:
                    _check(version)
                except IndexStoreError:
                    continue
                self._point_current(version)
                self.repaired = (
                    f"the index pointer in {self.root} was missing; the newest "
                    f"complete version ({version.name}) is current again"
                )
                return version
        raise IndexStoreError(
            f"no complete index version is left in {self.root} (every "
            f"version is damaged); {REBUILD} and your documents"
        )

    repaired: str | None = None

    # ------------------------------------------------------------------------ loading
    def load(self, attempts: int = 5) -> IndexVersion:
        """The current version, checked. A version that another process replaced and
        removed while it was being read fails part-way; then the new current one is read."""
        for attempt in range(attempts):
            version = self._current_version()
            if version is None:
                raise IndexStoreError(
                    f"no index in {self.root}; build one with `kazrag index build`"
                )
            try:
                return self._load(version)
            except (OSError, IndexStoreError):
                if attempt == attempts - 1 or self._pointed() == version:
                    raise  # not replaced: really damaged
        raise AssertionError("unreachable")

    def _load(self, version: Path) -> IndexVersion:
        manifest = _check(version)
        records = read_jsonl(version / CHUNKS)
        vectors = FaissVectors.load(version / VECTORS, self.ef_search)
        sentence_vectors = np.load(version / SENTENCES)
        keyword = Bm25Index.load(version / KEYWORD)
        counts = {"chunks": len(records), "vectors": len(vectors), "keyword": keyword.size}
        offsets = np.array([r["sentence_offset"] for r in records] + [len(sentence_vectors)])
        in_order = all(r["chunk_id"] == i for i, r in enumerate(records))
        if len(set(counts.values())) != 1 or manifest.get("chunks") != len(records) or not in_order:
            raise IndexStoreError(
                f"the index in {version} is inconsistent ({counts}, manifest "
                f"says {manifest.get('chunks')} chunks); {REBUILD}"
            )
        notes = (self.repaired,) if self.repaired else ()
        return IndexVersion(
            version.name,
            str(version),
            manifest,
            ListChunkTable(records),
            vectors,
            ArraySentenceVectors(sentence_vectors, offsets),
            keyword,
            notes,
        )

    def load_documents(self) -> list[dict]:
        version = self._current_version()
        if version is None:
            return []
        return read_jsonl(version / DOCUMENTS)

    def describe(self) -> dict:
        version = self._pointed()
        return {"size_bytes": folder_size(version) if version else 0}

    # ------------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def writer_lock(self) -> Iterator[None]:
        """One writer at a time per index folder, across processes (read-modify-write of the
        document list must not lose a concurrent addition). A killed writer's lock goes with
        its process (flock). Readers never wait. Re-entrant in the thread holding it: a
        writer that finds the `current` pointer lost repairs it under the lock it holds
        (a second flock of the same file in one process would wait for itself)."""
        me = threading.get_ident()
        if self._lock_holder == me:
            yield
            return
        with self._thread_lock:
            self.root.mkdir(parents=True, exist_ok=True)
            with open(self.root / LOCK, "w") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                self._lock_holder = me
                self._remove_leftovers()
                try:
                    yield
                finally:
                    self._lock_holder = None
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def _remove_leftovers(self) -> None:
        """What a writer makes on its way (a version's staging folder, the pointer's temp
        link, a half-saved embedding cache) exists only while it holds the writer lock; found
        by the next holder, it belongs to a writer that died (kill -9, a power cut), whatever
        its PID says now: PIDs are reused, by a restarted container's processes most of all.
        So it goes, whatever command took the lock (a refused add too)."""
        for pattern in (".v-*.tmp-*", ".v-*.old-*"):
            for path in self.root.glob(pattern):
                shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob(".current-*"):
            path.unlink(missing_ok=True)
        if self.cache_dir.is_dir():
            for path in self.cache_dir.glob("cache-*.tmp-*.npz"):
                path.unlink(missing_ok=True)

    def write(self, contents: IndexContents) -> str:
        """Write `contents` as a new version and make it current, under the writer lock
        (re-entrant: a caller that read the corpus first already holds it)."""
        with self.writer_lock():
            return self._write(contents)

    def _write(self, contents: IndexContents) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        # microseconds in the name: versions sort by age even when built within one second
        now = time.time()
        stamp = (
            time.strftime("%Y%m%d-%H%M%S", time.localtime(now)) + f".{int(now * 1e6) % 10**6:06d}"
        )
        version = self.root / f"v-{stamp}-{uuid.uuid4().hex[:6]}"
        previous = self._pointed()
        try:
            with new_folder(version) as staging:
                _write_files(staging, contents)
        except OSError as exc:  # a full disk, a read-only folder
            raise self._write_failed(exc) from exc
        try:
            self._point_current(version)
        except OSError as exc:
            shutil.rmtree(version, ignore_errors=True)
            raise self._write_failed(exc) from exc
        self._remove_superseded(previous, keep={version})
        return version.name

    def _write_failed(self, exc: OSError) -> IndexStoreError:
        return IndexStoreError(
            f"could not write the new index in {self.root} "
            f"({exc.strerror or exc}); the previous index is unchanged "
            "and in use"
        )

    def _point_current(self, version: Path) -> None:
        link = self.root / f".current-{uuid.uuid4().hex[:6]}"
        os.symlink(version.name, link)
        os.replace(link, self.root / CURRENT)  # atomic on POSIX
        fsync_dir(self.root)

    def _remove_superseded(self, previous: Path | None, keep: set[Path]) -> None:
        """Versions older than the one just replaced are superseded; the replaced one stays
        for a reader that resolved `current` just before the swap. Without a previous
        version (a lost pointer, a first build) nothing is known to be superseded."""
        if previous is None:
            return
        for old in self._versions():
            if old not in keep and old != previous and old.name < previous.name:
                shutil.rmtree(old, ignore_errors=True)


# ------------------------------------------------------------------ one version's files
def _write_files(folder: Path, contents: IndexContents) -> None:
    vectors = FaissVectors.build(contents.chunk_vectors, contents.vector_settings)
    try:
        vectors.save(folder / VECTORS)
    except RuntimeError as exc:  # faiss reports a failed write as RuntimeError
        raise _as_os_error(folder, exc) from None
    records, offset = [], 0
    for record, count in zip(contents.records, contents.sentence_counts):
        records.append(dict(record, sentence_offset=offset))
        offset += count
    write_jsonl(folder / CHUNKS, records)
    write_jsonl(folder / DOCUMENTS, contents.documents)
    with open(folder / SENTENCES, "wb") as out:
        np.save(_Writes(out), np.asarray(contents.sentence_vectors, dtype=np.float32))
    settings = contents.manifest.get("keyword", {})
    Bm25Index.build(contents.keyword_tokens, settings.get("k1", 1.2), settings.get("b", 0.75)).save(
        folder / KEYWORD
    )
    files = {
        str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file()
    }
    manifest = dict(
        contents.manifest, format_version=FORMAT_VERSION, vector_index=vectors.kind, files=files
    )
    (folder / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (folder / MANIFEST_DIGEST).write_text(sha256_file(folder / MANIFEST) + "\n")


class _Writes:
    """A file seen by numpy as a plain writer: numpy writes a real file with `tofile`, whose
    short write on a full disk raises an OSError without its errno ("N requested and M
    written"); through `write` the error is the system's own (ENOSPC)."""

    def __init__(self, out):
        self.out = out

    def write(self, data) -> int:
        return self.out.write(data)


def _as_os_error(folder: Path, exc: RuntimeError) -> OSError:
    """faiss's write error as the OSError it stands for (a full disk, most often)."""
    try:
        full = os.statvfs(folder).f_bavail == 0
    except OSError:
        full = False
    if full:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    lines = str(exc).strip().splitlines()
    return OSError(errno.EIO, f"the vectors could not be written: {lines[0] if lines else exc}")


def _manifest(version: Path) -> dict:
    try:
        manifest = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
        digest = (version / MANIFEST_DIGEST).read_text(encoding="utf-8").strip()
    except FileNotFoundError as exc:
        raise IndexStoreError(
            f"the index in {version} has no {Path(exc.filename).name}; {REBUILD}"
        ) from None
    except (OSError, ValueError) as exc:  # ValueError: not UTF-8, not JSON
        reason = "not UTF-8 JSON" if isinstance(exc, ValueError) else exc.strerror
        raise IndexStoreError(
            f"the index manifest in {version} is unreadable ({reason}); {REBUILD}"
        ) from None
    if not isinstance(manifest, dict) or digest != sha256_file(version / MANIFEST):
        raise IndexStoreError(
            f"the index manifest in {version} was edited after the build, so "
            f"it cannot be trusted; {REBUILD}"
        )
    return manifest


def _check(version: Path) -> dict:
    """The version's manifest, once every file it lists matches its hash."""
    manifest = _manifest(version)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexStoreError(
            f"the index in {version} has format "
            f"{manifest.get('format_version')}, this kazrag reads "
            f"{FORMAT_VERSION}; {REBUILD}"
        )
    expected = manifest.get("files") or {}
    for name in (VECTORS, SENTENCES, CHUNKS, DOCUMENTS):
        if name not in expected:
            raise IndexStoreError(f"the manifest in {version} lists no {name}; {REBUILD}")
    for name, digest in expected.items():
        path = version / name
        if not path.is_file():
            raise IndexStoreError(f"{name} is missing from the index in {version}; {REBUILD}")
        if sha256_file(path) != digest:
            raise IndexStoreError(
                f"{name} in {version} does not match its manifest (damaged, "
                f"truncated or edited); {REBUILD}"
            )
    return manifest


def read_stored_manifest(version_folder: Path) -> dict:
    """The manifest of a version folder, checked (for tools and tests)."""
    return _manifest(Path(version_folder))
