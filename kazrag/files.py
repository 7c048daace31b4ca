"""File helpers every layer shares: hashing, JSON Lines, and folders that appear whole.

A folder kazrag writes (a converted model, an ONNX export, an index version) is built in a
hidden sibling named after the writing process, `.NAME.tmp-PID-…`, synced, and renamed into
place in one step: a reader sees the old folder, the complete new one, or none. Siblings left
by a process that died (kill -9, power cut) are removed by the next writer, because their PID
is no longer alive.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

_BLOCK = 1 << 22


# ------------------------------------------------------------------------------ hashing
def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- JSON Lines
def write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_json(path: Path, data: Any) -> None:
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------ folders
def folder_size(folder: Path) -> int:
    """Bytes in the files under `folder`."""
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def fsync_tree(root: Path) -> None:
    """Flush every file under `root`, then `root` itself, to the disk."""
    for path in sorted(Path(root).rglob("*")):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    fsync_dir(root)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def temp_prefix(target: Path, kind: str = "tmp") -> str:
    return f".{target.name}.{kind}-"


def remove_dead_temps(folder: Path, names: str = "*") -> None:
    """Remove the hidden temp/old folders `.NAME.tmp-PID-…` in `folder` (NAME matching the
    glob `names`) whose writing process is gone."""
    for kind in ("tmp", "old"):
        marker = f".{kind}-"
        for path in Path(folder).glob(f".{names}{marker}*"):
            pid = path.name.rsplit(marker, 1)[1].split("-", 1)[0]
            if pid.isdigit() and not pid_alive(int(pid)):
                shutil.rmtree(path, ignore_errors=True)


def _swap_into_place(tmp: Path, target: Path) -> None:
    # rename() cannot replace a non-empty folder: move the old one aside first, delete it
    # once the new one is in place
    old = None
    if target.exists():
        old = target.with_name(f"{temp_prefix(target, 'old')}{os.getpid()}-{time.time_ns()}")
        os.replace(target, old)
    try:
        os.replace(tmp, target)
    except OSError:
        if not target.exists():
            raise
        # another process finished the same folder first; theirs is as good as ours
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _usual_permissions(folder: Path) -> None:
    # mkdtemp makes the folder private (0700) and some writers use 0600; what kazrag
    # writes is no secret, so it gets the modes of any other file the user creates
    umask = os.umask(0)
    os.umask(umask)
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~umask)


@contextlib.contextmanager
def new_folder(target: Path) -> Iterator[Path]:
    """Yield an empty hidden sibling of `target`; when the block ends without an error, the
    sibling is synced and renamed to `target` (replacing what was there). On an error it is
    removed and `target` is untouched."""
    target = Path(target).expanduser().absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_dead_temps(target.parent, target.name)
    tmp = Path(tempfile.mkdtemp(prefix=f"{temp_prefix(target)}{os.getpid()}-", dir=target.parent))
    try:
        yield tmp
        _usual_permissions(tmp)
        fsync_tree(tmp)
        _swap_into_place(tmp, target)
        fsync_dir(target.parent)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
