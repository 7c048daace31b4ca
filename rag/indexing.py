"""Building an index from documents: chunk, embed (with the content-hash cache), store.

An unchanged corpus with unchanged settings is reused as it is; a changed document only costs
the embeddings of its new chunks; a different model or normaliser rebuilds everything, and
the build says so.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from kazrag.index import store
from kazrag.index import vectors as vector_index
from kazrag.index.embcache import EmbeddingCache
from kazrag.index.keyword import KeywordIndex

from .chunking import CHUNKER_VERSION, chunk_document
from .config import Config
from .documents import Document, DocumentError, discover, load_documents
from .records import Chunk
from .text import NORMALISER_VERSION, keyword_tokens

Progress = Callable[[str, float], None]  # message, fraction done (0..1)

def _quiet(message: str, fraction: float) -> None:
    pass


@dataclass
class BuildReport:
    index_dir: Path
    reused: bool
    documents: int
    chunks: int
    sentences: int
    embedded: int  # texts that had to be embedded (the rest came from the cache)
    seconds: float
    skipped: list[str] = field(default_factory=list)  # "file: reason" for unreadable files
    rebuild_reason: str | None = None


def settings_of(config: Config, embedder) -> dict:
    """What an index depends on besides the documents: any change means a rebuild."""
    return {
        "model": embedder.name,
        "dim": embedder.dim,
        "format_version": store.FORMAT_VERSION,
        "normaliser_version": NORMALISER_VERSION,
        "chunker": {"version": CHUNKER_VERSION, "target_words": config.chunk_target_words,
                    "max_tokens": config.chunk_max_tokens,
                    "overlap_sentences": config.chunk_overlap_sentences},
        "keyword": {"prefix": config.keyword_prefix},
        "vectors": {"kind": config.vector_index, "hnsw_threshold": config.hnsw_threshold},
    }


def load_corpus(paths: Iterable[Path]) -> tuple[list[Document], list[str]]:
    documents, skipped, seen = [], [], {}
    for root in paths:
        for path in discover(Path(root)):
            try:
                loaded = load_documents(path)
            except DocumentError as exc:
                skipped.append(str(exc))
                continue
            for doc in loaded:
                if doc.doc_id in seen:
                    skipped.append(f"{path}: a document named {doc.doc_id} is already in the "
                                   f"corpus ({seen[doc.doc_id]}); rename one of them")
                    continue
                seen[doc.doc_id] = path
                documents.append(doc)
    return documents, skipped


def _key(model: str, prompt: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{prompt}\0{text}".encode("utf-8")).hexdigest()


# shares of a build's progress bar, roughly as the time goes on the bundled corpus: chunking
# (token counts included), then passages, then their sentences (about 4 per passage)
CHUNKING_SHARE, PASSAGES_END, EMBEDDING_END = 0.1, 0.45, 0.95


def embed_cached(texts: list[str], embedder, cache: EmbeddingCache, progress: Progress,
                 label: str, span: tuple[float, float] = (0.0, 1.0)) -> tuple[np.ndarray, int]:
    """Vectors of `texts`, embedding only those the cache lacks; progress runs across `span`
    of the whole build."""
    keys = [_key(embedder.name, "passage", t) for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts) if cache.get(k) is None}.items(),
                     key=lambda kv: len(kv[1]))  # similar lengths batch with less padding
    batch = 64
    for start in range(0, len(missing), batch):
        part = missing[start:start + batch]
        vectors = embedder.encode_passages([t for _, t in part])
        for (key, _), vector in zip(part, vectors):
            cache.put(key, vector)
        done = min(start + batch, len(missing))
        progress(f"embedding {label}: {done}/{len(missing)}",
                 span[0] + (span[1] - span[0]) * done / len(missing))
    matrix = (np.stack([cache.get(k) for k in keys]) if keys
              else np.zeros((0, embedder.dim), np.float32))
    return matrix, len(missing)


def rebuild_reason(old: dict | None, settings: dict) -> str | None:
    """Why an index with manifest `old` no longer fits `settings` (another model or backend,
    normaliser, chunker...), or None when it fits or there is none."""
    if old is None:
        return None
    for key, value in settings.items():
        if old.get(key) != value:
            return f"{key} changed ({old.get(key)} -> {value}): rebuilding everything"
    return None


def build_index(documents: list[Document], config: Config, embedder,
                progress: Progress = _quiet, skipped: list[str] | None = None,
                force: bool = False) -> BuildReport:
    started = time.perf_counter()
    index_dir = config.resolved_index_dir()
    settings = settings_of(config, embedder)
    doc_hashes = {d.doc_id: d.sha256 for d in documents}
    try:
        old = store.read_manifest(index_dir)
    except store.IndexError_:
        old = None  # an unreadable index is simply replaced
    if not force and old and all(old.get(k) == v for k, v in settings.items()) and {
            k: v["sha256"] for k, v in old.get("documents", {}).items()} == doc_hashes:
        return BuildReport(index_dir, True, len(documents), old["chunks"], old["sentences"],
                           0, time.perf_counter() - started, skipped or [])
    if not documents:
        raise DocumentError("no readable documents to index")
    reason = rebuild_reason(old, settings)

    chunks: list[Chunk] = []
    for i, doc in enumerate(documents):
        progress(f"chunking {doc.doc_id}", CHUNKING_SHARE * i / len(documents))
        chunks.extend(chunk_document(doc, config, embedder.token_count, first_id=len(chunks)))

    cache = EmbeddingCache(index_dir / "embeddings", embedder.dim)
    chunk_vectors, n1 = embed_cached([c.embedding_text() for c in chunks], embedder, cache,
                                     progress, "passages", (CHUNKING_SHARE, PASSAGES_END))
    sentence_texts = [c.text[s.start:s.end] for c in chunks for s in c.sentences]
    sentence_vectors, n2 = embed_cached(sentence_texts, embedder, cache, progress, "sentences",
                                        (PASSAGES_END, EMBEDDING_END))
    progress("building the keyword index", EMBEDDING_END)
    keyword = KeywordIndex.build(
        [keyword_tokens(c.embedding_text(), config.keyword_prefix) for c in chunks])

    records, offset = [], 0
    for chunk in chunks:
        records.append(dict(chunk.to_dict(), sentence_offset=offset))
        offset += len(chunk.sentences)
    per_chunk = Counter(c.doc for c in chunks)  # one pass: a sum per document was quadratic
    per_doc = {d.doc_id: {"sha256": d.sha256, "path": d.path, "format": d.format,
                          "chunks": per_chunk[d.doc_id]} for d in documents}
    manifest = dict(settings, documents=per_doc, chunks=len(chunks),
                    sentences=len(sentence_texts), built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    build_seconds=round(time.perf_counter() - started, 2))
    store.save(index_dir, manifest, chunk_vectors, records, sentence_vectors, keyword,
               [d.to_dict() for d in documents],
               vector_kind=vector_index.choose_kind(len(chunks), config.vector_index,
                                                    config.hnsw_threshold))
    cache.retain({_key(embedder.name, "passage", t)
                  for t in [c.embedding_text() for c in chunks] + sentence_texts})
    problem = cache.save()
    progress("index ready" + (f" (embedding cache not saved: {problem}; the next build "
                              "embeds these texts again)" if problem else ""), 1.0)
    return BuildReport(index_dir, False, len(documents), len(chunks), len(sentence_texts),
                       n1 + n2, time.perf_counter() - started, skipped or [], reason)
