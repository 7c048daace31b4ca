"""An index on disk: vectors (FAISS), chunk records, sentence vectors, keyword index and a
manifest, written atomically and checked when loaded.

Layout of `--index-dir DIR`:

    DIR/current -> v-20261124-174501-ab12     a symlink, swapped atomically
    DIR/v-…/manifest.json                      what the index is (model, versions, hashes)
    DIR/v-…/vectors.faiss  chunks.jsonl  sentences.npy  keyword/
    DIR/embeddings/                            cache of vectors by content hash

A build writes a fresh `v-…` folder, fsyncs it, then points `current` at it with one
`rename`: a crash or a full disk leaves the old index in place, and a reader that resolved
`current` keeps reading a complete version.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import vectors as vector_index
from .keyword import KeywordIndex

FORMAT_VERSION = 2
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
CURRENT = "current"
DATA_FILES = ("vectors.faiss", "chunks.jsonl", "sentences.npy", "documents.jsonl")


class IndexError_(Exception):
    """An index that cannot be used; the message says what is wrong and how to fix it."""


@dataclass
class StoredIndex:
    path: Path
    manifest: dict
    records: list[dict]
    vectors: object  # faiss index
    sentence_vectors: np.ndarray
    keyword: KeywordIndex


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    dir_fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def save(index_dir: Path, manifest: dict, chunk_vectors: np.ndarray, records: list[dict],
         sentence_vectors: np.ndarray, keyword: KeywordIndex, documents: list[dict],
         vector_kind: str = "auto") -> Path:
    """Write a new index version and make it current. Returns the version folder.

    `documents` are kept whole so that documents can later be added or removed without
    the original files."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    # microseconds in the name: versions sort by age even when built within one second
    # (`_remove_stale_versions` keeps the newest older one for readers)
    now = time.time()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now)) + f".{int(now * 1e6) % 10**6:06d}"
    version = index_dir / f"v-{stamp}-{uuid.uuid4().hex[:6]}"
    staging = index_dir / f".staging-{version.name}"
    try:
        staging.mkdir()
        faiss_index = vector_index.build(chunk_vectors, vector_kind)
        vector_index.write(faiss_index, staging / "vectors.faiss")
        _write_jsonl(staging / "chunks.jsonl", records)
        _write_jsonl(staging / "documents.jsonl", documents)
        np.save(staging / "sentences.npy", np.asarray(sentence_vectors, dtype=np.float32))
        keyword.save(staging / "keyword")
        manifest = dict(manifest, format_version=FORMAT_VERSION,
                        vector_index=vector_index.kind_of(faiss_index),
                        files={name: _sha256(staging / name) for name in DATA_FILES})
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                        encoding="utf-8")
        (staging / MANIFEST_DIGEST).write_text(_sha256(staging / MANIFEST) + "\n")
        _fsync_tree(staging)
        staging.rename(version)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):  # a full disk, a read-only folder
            raise _write_failed(index_dir, exc) from exc
        raise
    try:
        _point_current(index_dir, version)
    except OSError as exc:
        shutil.rmtree(version, ignore_errors=True)
        raise _write_failed(index_dir, exc) from exc
    _remove_stale_versions(index_dir, keep={version.name})
    return version


def _write_failed(index_dir: Path, exc: OSError) -> "IndexError_":
    return IndexError_(f"could not write the new index in {index_dir} "
                       f"({exc.strerror or exc}); the previous index is unchanged and in use")


@contextlib.contextmanager
def writer_lock(index_dir: Path):
    """One writer at a time per index folder, across processes (read-modify-write of the
    document list must not lose a concurrent addition). Readers never wait."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _point_current(index_dir: Path, version: Path) -> None:
    link = index_dir / f".current-{uuid.uuid4().hex[:6]}"
    os.symlink(version.name, link)
    os.replace(link, index_dir / CURRENT)  # atomic on POSIX


def _remove_stale_versions(index_dir: Path, keep: set[str]) -> None:
    """Drop versions older than the previous one: a reader that resolved `current` just
    before the swap still finds its folder for the time it needs to load it."""
    versions = sorted(p for p in index_dir.glob("v-*") if p.name not in keep)
    for old in versions[:-1]:
        shutil.rmtree(old, ignore_errors=True)
    for staging in index_dir.glob(".staging-*"):
        if time.time() - staging.stat().st_mtime > 3600:
            shutil.rmtree(staging, ignore_errors=True)


def current_version(index_dir: Path) -> Path | None:
    link = Path(index_dir) / CURRENT
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def read_manifest(index_dir: Path) -> dict | None:
    version = current_version(index_dir)
    if version is None:
        return None
    return _version_manifest(version)


def _version_manifest(version: Path) -> dict:
    try:
        manifest = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
        digest = (version / MANIFEST_DIGEST).read_text().strip()
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexError_(f"the index manifest in {version} is unreadable ({exc}); "
                          "rebuild with `kazrag index build --rebuild`") from None
    if digest != _sha256(version / MANIFEST):
        raise IndexError_(f"the index manifest in {version} was edited after the build, so "
                          "it cannot be trusted; rebuild with `kazrag index build --rebuild`")
    return manifest


def load(index_dir: Path, attempts: int = 5) -> StoredIndex:
    """The current version, checked. A version that another process replaced and cleaned
    up while it was being read fails part-way; then the new current version is read."""
    index_dir = Path(index_dir)
    for _ in range(attempts - 1):
        version = _current_or_fail(index_dir)
        try:
            return _load_version(version)
        except (OSError, IndexError_):
            if current_version(index_dir) == version:
                raise  # not replaced: really damaged
    return _load_version(_current_or_fail(index_dir))


def _current_or_fail(index_dir: Path) -> Path:
    version = current_version(index_dir)
    if version is None:
        raise IndexError_(f"no index in {index_dir}; build one with `kazrag index build`")
    return version


def _load_version(version: Path) -> StoredIndex:
    manifest = _version_manifest(version)
    _check_files(version, manifest)
    records = _read_jsonl(version / "chunks.jsonl")
    try:
        vectors = vector_index.read(version / "vectors.faiss")
    except vector_index.VectorIndexError as exc:
        raise IndexError_(f"{exc}; rebuild with `kazrag index build --rebuild`") from None
    sentence_vectors = np.load(version / "sentences.npy")
    keyword = KeywordIndex.load(version / "keyword")
    counts = {"chunks": len(records), "vectors": vectors.ntotal, "keyword": keyword.size}
    if len(set(counts.values())) != 1 or manifest.get("chunks") != len(records):
        raise IndexError_(f"the index in {version} is inconsistent ({counts}, manifest says "
                          f"{manifest.get('chunks')} chunks); rebuild with "
                          "`kazrag index build --rebuild`")
    return StoredIndex(version, manifest, records, vectors, sentence_vectors, keyword)


def _check_files(version: Path, manifest: dict) -> None:
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexError_(f"the index in {version} has format {manifest.get('format_version')}, "
                          f"this kazrag reads {FORMAT_VERSION}; rebuild with "
                          "`kazrag index build --rebuild`")
    expected = manifest.get("files") or {}
    for name in DATA_FILES:
        path = version / name
        if not path.exists():
            raise IndexError_(f"{name} is missing from the index in {version}; rebuild with "
                              "`kazrag index build --rebuild`")
        if expected.get(name) != _sha256(path):
            raise IndexError_(f"{name} in {version} does not match its manifest (damaged, "
                              "truncated or edited); rebuild with `kazrag index build --rebuild`")


def load_documents(version: Path) -> list[dict]:
    """The documents stored with an index version (read only when the corpus changes)."""
    return _read_jsonl(Path(version) / "documents.jsonl")
