"""What kazrag needs to know about the machine it runs on: cores it may use, package versions."""

from __future__ import annotations

import importlib.metadata
import os


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, which containers and `taskset` set),
    not the machine's total."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "missing"
