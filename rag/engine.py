"""`Kazrag`: the one object the command line, the chat and the evaluation talk to.

    engine = Kazrag.open(config, corpus=[Path("data/corpus")], progress=print_progress)
    answer = engine.ask("Сколько судей было наказано?")
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from kazrag.index import store

from .answer import compose
from .config import BUNDLED_CORPUS, Config
from .documents import Document, DocumentError
from .embedding import load_embedder
from .indexing import (BuildReport, Progress, _quiet, build_index, load_corpus, rebuild_reason,
                       settings_of)
from .lang import detect, frame
from .records import Answer, Passage
from .retrieval import Retriever

MAX_QUESTION_CHARS = 2000


class QuestionError(ValueError):
    """A question kazrag cannot search for; `str()` is a message for the user."""


class Kazrag:
    def __init__(self, config: Config, embedder, stored: store.StoredIndex):
        self.config = config
        self.embedder = embedder
        self._lock = threading.Lock()
        self._use(stored)

    def _use(self, stored: store.StoredIndex) -> None:
        retriever = Retriever(stored, self.embedder, self.config)
        offsets = {r["chunk_id"]: r["sentence_offset"] for r in stored.records}
        # swap all three together, so a concurrent question sees one consistent index
        self.stored, self.retriever, self.offsets = stored, retriever, offsets

    # ----------------------------------------------------------------------- opening
    @classmethod
    def open(cls, config: Config, corpus: list[Path] | None = None,
             progress: Progress = _quiet, rebuild: bool = False) -> "Kazrag":
        """Load the index in `config.index_dir`; build it first from `corpus` (the bundled
        demo corpus when none is given and no index exists) if needed."""
        # the one-time model conversion and export take half a minute: say so
        embedder = load_embedder(config, lambda message: progress(message, 0.0))
        index_dir = config.resolved_index_dir()
        if corpus or rebuild or store.current_version(index_dir) is None:
            cls.build(config, embedder, corpus or [BUNDLED_CORPUS], progress, rebuild)
        stored = store.load(index_dir)
        if rebuild_reason(stored.manifest, settings_of(config, embedder)):
            stored = cls._rebuild_stale(config, embedder, progress)
        return cls(config, embedder, stored)

    @staticmethod
    def _rebuild_stale(config: Config, embedder, progress: Progress) -> store.StoredIndex:
        """An index made with other settings (say, before an upgrade changed the model's
        backend) is rebuilt from the documents stored in it: its vectors would not be
        comparable with this model's questions."""
        index_dir = config.resolved_index_dir()
        with store.writer_lock(index_dir):
            stored = store.load(index_dir)  # again: another process may have rebuilt it
            reason = rebuild_reason(stored.manifest, settings_of(config, embedder))
            if reason is not None:
                progress(f"index {reason}", 0.0)
                documents = [Document.from_dict(d) for d in store.load_documents(stored.path)]
                build_index(documents, config, embedder, progress)
                stored = store.load(index_dir)
        return stored

    @staticmethod
    def build(config: Config, embedder, corpus: list[Path], progress: Progress = _quiet,
              force: bool = False) -> BuildReport:
        documents, skipped = load_corpus(corpus)
        documents = _drop_same_text(documents, {}, skipped)
        if not documents:
            problems = "; ".join(skipped) if skipped else "no readable documents found"
            raise DocumentError(f"nothing to index in {', '.join(map(str, corpus))}: {problems}")
        with store.writer_lock(config.resolved_index_dir()):
            return build_index(documents, config, embedder, progress, skipped, force)

    # ------------------------------------------------------------- changing the corpus
    def documents(self) -> dict[str, dict]:
        """doc id -> {chunks, format, path} of the indexed documents."""
        return dict(self.stored.manifest["documents"])

    def _stored_documents(self) -> list[Document]:
        return [Document.from_dict(d) for d in store.load_documents(self.stored.path)]

    def add_documents(self, paths: list[Path], progress: Progress = _quiet) -> BuildReport:
        """Add (or update) documents; only their new chunks are embedded."""
        new, skipped = load_corpus(paths)
        with self._lock, store.writer_lock(self.config.resolved_index_dir()):
            self.reload()
            current = {d.doc_id: d for d in self._stored_documents()}
            new = _drop_same_text(new, current, skipped)
            added = []
            for doc in new:
                if doc.doc_id in current and current[doc.doc_id].sha256 == doc.sha256:
                    skipped.append(f"{doc.doc_id}: already indexed with the same content")
                    continue
                current[doc.doc_id] = doc
                added.append(doc.doc_id)
            if not added:
                raise DocumentError("nothing added: " + ("; ".join(skipped) or "no documents"))
            report = build_index(list(current.values()), self.config, self.embedder,
                                 progress, skipped)
            self.reload()
        return report

    def remove_document(self, doc_id: str, progress: Progress = _quiet) -> BuildReport:
        with self._lock, store.writer_lock(self.config.resolved_index_dir()):
            self.reload()
            current = self._stored_documents()
            kept = [d for d in current if d.doc_id != doc_id]
            if len(kept) == len(current):
                known = ", ".join(sorted(d.doc_id for d in current)[:10])
                raise DocumentError(f"no document {doc_id!r} in the index (it has: {known})")
            if not kept:
                raise DocumentError(f"{doc_id} is the last document; an index cannot be empty")
            report = build_index(kept, self.config, self.embedder, progress)
            self.reload()
        return report

    def reload(self) -> None:
        """Pick up an index rebuilt by another process (atomic: old or new, never half)."""
        self._use(store.load(self.config.resolved_index_dir()))

    # ------------------------------------------------------------------------ asking
    @staticmethod
    def prepare(question: str) -> tuple[str, str, str | None]:
        """Clean a question: (question, lang, notice). Raises QuestionError if unusable.
        Static, so a caller can reject a bad question before loading anything."""
        question = (question or "").strip()
        lang = detect(question) if question else "en"
        if not question:
            raise QuestionError(frame("en", "empty") + " / " + frame("kk", "empty"))
        if not re.search(r"[^\W\d_]", question):
            raise QuestionError(frame("en", "no_words") + " / " + frame("kk", "no_words"))
        notice = None
        if len(question) > MAX_QUESTION_CHARS:
            question = question[:MAX_QUESTION_CHARS]
            notice = frame(lang if lang != "other" else "en", "cut", n=MAX_QUESTION_CHARS)
        return question, lang, notice

    def search(self, question: str, mode: str | None = None,
               top_k: int | None = None) -> list[Passage]:
        question, _, _ = self.prepare(question)
        return self.retriever.search(question, mode, top_k)[0]

    def ask(self, question: str, mode: str | None = None, top_k: int | None = None) -> Answer:
        question, lang, notice = self.prepare(question)
        retriever, stored, offsets = self.retriever, self.stored, self.offsets
        mode = mode or self.config.mode
        # the answer always sees the dense side: sentence choice needs the question vector
        ranking = retriever.rank(question, tuple({mode, "dense"}))
        passages, _ = retriever.search(question, mode, top_k, ranking)
        if lang == "other":
            return Answer(question, "en", True, frame("en", "abstain"), [], passages,
                          frame("en", "script"))
        return compose(question, lang, passages, ranking, stored.sentence_vectors, offsets,
                       retriever.tokens, retriever.term_weights, self.config, notice)

    # -------------------------------------------------------------------------- info
    def info(self) -> dict:
        manifest = self.stored.manifest
        return {
            "index": str(self.stored.path),
            "model": manifest["model"],
            "dim": manifest["dim"],
            "vector_index": manifest.get("vector_index"),
            "normaliser_version": manifest["normaliser_version"],
            "documents": {k: v["chunks"] for k, v in manifest["documents"].items()},
            "chunks": manifest["chunks"],
            "sentences": manifest["sentences"],
            "built_at": manifest["built_at"],
            "build_seconds": manifest["build_seconds"],
            "size_bytes": sum(p.stat().st_size for p in self.stored.path.rglob("*")
                              if p.is_file()),
        }


def _drop_same_text(documents: list[Document], indexed: dict[str, Document],
                    skipped: list[str]) -> list[Document]:
    """Files whose text is already indexed (or earlier in `documents`) under another name:
    indexed twice, every quote would come twice. Passages of a .jsonl corpus are kept as
    they are: their ids are what relevance judgements refer to."""
    owner = {d.sha256: d.doc_id for d in indexed.values() if d.format != "jsonl"}
    kept = []
    for doc in documents:
        first = owner.setdefault(doc.sha256, doc.doc_id) if doc.format != "jsonl" else None
        if first is not None and first != doc.doc_id:
            where = "already indexed" if first in indexed else "also in this batch"
            skipped.append(f"{doc.doc_id}: the same text as {first} ({where}); "
                           "not added twice")
            continue
        kept.append(doc)
    return kept
