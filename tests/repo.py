"""Paths of the checkout the tests run in (the installed package never needs them)."""

import re
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT / "data" / "corpus"


def report_sentences(name: str, count: int) -> list[str]:
    """`count` real sentences (30 characters or more) of the bundled report `name`, spread
    evenly over their length range."""
    flat = re.sub(r"\s+", " ", (CORPUS / name).read_text(encoding="utf-8"))
    found = sorted(
        {s.strip() for s in re.split(r"(?<=[.!?])\s+", flat) if len(s.strip()) >= 30}, key=len
    )
    return [found[i] for i in np.linspace(0, len(found) - 1, count).round().astype(int)]
