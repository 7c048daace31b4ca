"""Where `kazrag eval` keeps the index of a corpus: one folder per corpus content.

The folder name is a hash of the corpus files' names and contents, so a corpus is embedded
once and every later evaluation of it (any mode, any question file) reuses the index; an
edited document gives a new hash and thus a fresh index, never a stale one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from kazrag.errors import DocumentError
from kazrag.rag.config import Config
from kazrag.rag.formats import discover

FINGERPRINT_CHARS = 16


def corpus_fingerprint(corpus: Path) -> str:
    """sha256 over (relative name, size, content) of every document file, in a stable order."""
    corpus = Path(corpus)
    files = discover(corpus)  # raises DocumentError for a missing path
    if not files:
        raise DocumentError(f"{corpus}: no documents kazrag can read in this folder")
    base = corpus if corpus.is_dir() else corpus.parent
    digest = hashlib.sha256()
    for path in files:
        data = path.read_bytes()
        # name and length framed, so ("ab", "c") and ("a", "bc") cannot collide
        name = path.relative_to(base).as_posix().encode("utf-8")
        digest.update(len(name).to_bytes(8, "big") + name + len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()[:FINGERPRINT_CHARS]


def eval_index_dir(config: Config, corpus: Path) -> Path:
    """`<user cache>/kazrag/eval-index/<fingerprint>` (config.cache_dir is the user cache)."""
    return config.cache_dir / "eval-index" / corpus_fingerprint(corpus)
