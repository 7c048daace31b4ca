"""BEIR-style corpora: a `corpus.jsonl` whose every line `{"_id", "title", "text"}` is one
document named by its `_id` (KazQAD is distributed so)."""

from __future__ import annotations

import json
from pathlib import Path

from kazrag.errors import DocumentError
from kazrag.said import Said

from ..text import nfc
from .document import Document


def load_jsonl_corpus(path: Path) -> list[Document]:
    """A BEIR-style `corpus.jsonl`: one passage per line, `{"_id", "title", "text"}`; each
    passage is a document whose id is its `_id`."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            documents = _jsonl_documents(path, handle)
    except UnicodeDecodeError:
        raise DocumentError(
            Said("jsonl_not_utf8", "{name}: a corpus .jsonl must be UTF-8 text", name=path.name)
        ) from None
    if not documents:
        raise DocumentError(Said("jsonl_empty", "{name}: the file has no passages", name=path.name))
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
                Said(
                    "jsonl_bad_line",
                    '{name}, line {line}: not a corpus line (expected JSON with "_id", "title", '
                    '"text")',
                    name=path.name,
                    line=number,
                )
            ) from None
        if doc_id in seen:
            raise DocumentError(
                Said(
                    "jsonl_duplicate",
                    "{name}, line {line}: duplicate _id {id}",
                    name=path.name,
                    line=number,
                    id=repr(doc_id),
                )
            )
        seen.add(doc_id)
        title = nfc(str(row.get("title") or "")).strip()
        documents.append(Document(doc_id, nfc(text), str(path), "jsonl", title=title))
    return documents
