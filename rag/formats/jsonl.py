"""BEIR-style corpora: a `corpus.jsonl` whose every line `{"_id", "title", "text"}` is one
document named by its `_id` (KazQAD is distributed so)."""

from __future__ import annotations

import json
from pathlib import Path

from kazrag.errors import DocumentError

from ..text import nfc
from .document import Document


def load_jsonl_corpus(path: Path) -> list[Document]:
    """A BEIR-style `corpus.jsonl`: one passage per line, `{"_id", "title", "text"}`; each
    passage is a document whose id is its `_id`."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            documents = _jsonl_documents(path, handle)
    except UnicodeDecodeError:
        raise DocumentError(f"{path.name}: a corpus .jsonl must be UTF-8 text") from None
    if not documents:
        raise DocumentError(f"{path.name}: the file has no passages")
    return documents


def _jsonl_documents(path: Path, handle) -> list[Document]:
    documents, seen = [], set()
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            doc_id, text = str(row["_id"]), str(row["text"])
        except (json.JSONDecodeError, KeyError, TypeError):
            raise DocumentError(
                f"{path.name}, line {number}: not a corpus line "
                '(expected JSON with "_id", "title", "text")'
            ) from None
        if doc_id in seen:
            raise DocumentError(f"{path.name}, line {number}: duplicate _id {doc_id!r}")
        seen.add(doc_id)
        title = nfc(str(row.get("title") or "")).strip()
        documents.append(Document(doc_id, nfc(text), str(path), "jsonl", title=title))
    return documents
