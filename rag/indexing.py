"""Building an index from documents: chunk, embed (with the content-hash cache), hand the
result to a store; and the one decision of what opening an index means.

An unchanged corpus with unchanged settings is reused as it is; a changed document only costs
the embeddings of its new chunks; a different model, analyzer or normaliser rebuilds
everything, and the build says so.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kazrag.errors import DocumentError
from kazrag.files import sha256_text
from kazrag.index.base import IndexContents, Store
from kazrag.index.embcache import EmbeddingCache
from kazrag.said import Said

from .analysis import KeywordAnalyzer
from .chunking import CHUNKER_VERSION, has_passages
from .config import Config
from .distributed import BuildWorkers, build_workers
from .embedding import Embedder
from .formats import SUPPORTED_SUFFIXES, Document, ReadLimits, load_documents, survey
from .records import Chunk
from .stores import cache_dir_of, open_store
from .text import NORMALISER_VERSION
from .translit import Vocabulary, is_latin_kazakh_text, latin_to_cyrillic

Progress = Callable[[str, float], None]  # message, fraction done (0..1)


def quiet(message: str, fraction: float) -> None:
    pass


@dataclass
class BuildReport:
    index: str  # where the index lives
    reused: bool
    documents: int
    chunks: int
    sentences: int
    embedded: int  # texts that had to be embedded (the rest came from the cache)
    seconds: float
    skipped: list[Skip] = field(default_factory=list)  # "file: reason", with a kind
    rebuild_reason: str | None = None
    notes: list[str] = field(default_factory=list)  # repairs and warnings, for the user
    # what this change did to the corpus (filled by add_documents / remove): only its own,
    # whatever other processes add meanwhile
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def analyzer_of(config: Config) -> KeywordAnalyzer:
    return KeywordAnalyzer(prefix=config.keyword_prefix, fold=config.keyword_fold)


def settings_of(config: Config, embedder: Embedder, store: Store) -> dict:
    """What an index depends on besides the documents: any change means a rebuild."""
    return {
        "model": embedder.name,
        "dim": embedder.dim,
        # one vector per stored sentence row: an index of wider rows (each sentence with a
        # second, in-context vector: built on 2026-12-07 and taken out again) is rebuilt
        "sentence_vector_width": embedder.dim,
        "format_version": store.format_version,
        "normaliser_version": NORMALISER_VERSION,
        "chunker": {
            "version": CHUNKER_VERSION,
            "target_words": config.chunk_target_words,
            "max_tokens": config.chunk_max_tokens,
            "overlap_sentences": config.chunk_overlap_sentences,
        },
        "keyword": dict(analyzer_of(config).describe(), k1=config.bm25_k1, b=config.bm25_b),
        "vocabulary": {"format": Vocabulary.FORMAT, "size": config.vocabulary_size},
        "vectors": {
            "kind": config.vector_index,
            "hnsw_threshold": config.hnsw_threshold,
            "hnsw_m": config.hnsw_m,
            "hnsw_ef_construction": config.hnsw_ef_construction,
        },
    }


def rebuild_reason(old: dict | None, settings: dict) -> str | None:
    """Why an index with manifest `old` no longer fits `settings` (another model or backend,
    normaliser, chunker...), or None when it fits or there is none."""
    if old is None:
        return None
    for key, value in settings.items():
        if old.get(key) != value:
            return f"{key} changed ({old.get(key)} -> {value}): rebuilding everything"
    return None


# ---------------------------------------------------------------------------- opening
@dataclass(frozen=True)
class OpenPlan:
    """What opening an index must do first, decided once from the store's state:
    "build" the given documents, "bundled" (an empty store gets the demo corpus),
    "rebuild" the stored documents (`reason` says why), or just "load"."""

    action: str
    reason: str | None = None


def plan_open(store: Store, settings: dict, documents_given: bool, rebuild: bool) -> OpenPlan:
    state = store.state()  # "empty" or "index"; something else there is an error
    if documents_given:
        return OpenPlan("build")
    if state == "empty":
        return OpenPlan("bundled")
    if rebuild:
        return OpenPlan("rebuild", "a rebuild was asked for: rebuilding everything")
    reason = rebuild_reason(store.read_manifest(), settings)
    return OpenPlan("rebuild", reason) if reason else OpenPlan("load")


# ---------------------------------------------------------------------------- reading
class Skip(str):
    """One file left out of a batch: its message ("name: reason", what the user reads) with
    `kind`, the reason in a word or two, by which a batch of hundreds is summed up; `said`
    is the message's key and values when it has them (kazrag.said), for the page's language."""

    kind: str
    said: Said | None

    def __new__(cls, message: str, kind: str) -> Skip:
        skip = super().__new__(cls, message)
        skip.kind = kind
        skip.said = message if isinstance(message, Said) else None
        return skip

    def __reduce__(self):  # str's own would call __new__ with the text alone
        return (Skip, (self.said if self.said is not None else str(self), self.kind))


OTHER_FORMAT = "other format"  # Skip.kind of a file in a folder with a suffix kazrag skips


def read_indexable(path: Path, config: Config | None = None) -> list[Document]:
    """The documents of one file, each with text to index, within the operator's limits
    (`config.max_*`): a document that would give no passages (only a title, headings, page
    furniture or markup) is refused by name, never indexed empty."""
    documents = load_documents(path, ReadLimits.of(config or Config()))
    for doc in documents:
        if not has_passages(doc):
            single = doc.doc_id == Path(path).name
            name = Path(path).name if single else f"{Path(path).name}, passage {doc.doc_id!r}"
            raise DocumentError(
                Said(
                    "no_passages" if single else "no_passages_in_corpus",
                    "{name}: gave no passages (no text besides a title, headings, "
                    "page headers/footers or markup); "
                    + ("not indexed" if single else "the file was not indexed"),
                    name=name,
                ),
                kind="no text",
            )
    return documents


def span(progress: Progress, start: float, end: float) -> Progress:
    """`progress` for a part of the work that runs from `start` to `end` of the whole bar."""
    return lambda message, fraction: progress(message, start + (end - start) * fraction)


def load_corpus(
    paths: Iterable[Path], config: Config | None = None, progress: Progress = quiet
) -> tuple[list[Document], list[Skip]]:
    """Read every document under `paths`. One bad file never stops the batch: it becomes a
    Skip naming it and the reason (even a bug in a reader: that file alone is left out)."""
    documents: list[Document] = []
    skipped: list[Skip] = []
    seen: dict[str, Path] = {}
    files: list[Path] = []
    for root in paths:
        found = survey(Path(root))
        files.extend(found.files)
        skipped.extend(Skip(f"{p}: {OTHER_FORMAT}", OTHER_FORMAT) for p in found.other_formats)
    for number, path in enumerate(files):
        progress(Said("reading", "reading {name}", name=path.name), number / max(len(files), 1))
        try:
            loaded = read_indexable(path, config)
        except DocumentError as exc:
            skipped.append(Skip(exc.said or str(exc), exc.kind))
            continue
        except RecursionError:
            skipped.append(
                Skip(
                    Said("too_deep", "{name}: nested too deeply to read", name=path.name), "damaged"
                )
            )
            continue
        except Exception as exc:  # noqa: BLE001 - a reader's bug must not lose the batch
            skipped.append(
                Skip(
                    Said(
                        "reader_bug",
                        "{name}: could not be read (a bug in kazrag: {bug}; please report it)",
                        name=path.name,
                        bug=f"{type(exc).__name__}: {str(exc)[:160]}",
                    ),
                    "internal error",
                )
            )
            continue
        for doc in loaded:
            if doc.doc_id in seen:
                skipped.append(
                    Skip(
                        Said(
                            "same_name",
                            "{path}: a document named {name} is already in the corpus "
                            "({other}); rename one of them",
                            path=str(path),
                            name=doc.doc_id,
                            other=str(seen[doc.doc_id]),
                        ),
                        "same name",
                    )
                )
                continue
            seen[doc.doc_id] = path
            documents.append(doc)
    if files:
        english = "read {n} files" if len(files) > 1 else "read {n} file"
        progress(Said("read_files", english, n=len(files)), 1.0)
    return documents, skipped


def drop_same_text(
    documents: list[Document], indexed: dict[str, Document], skipped: list[Skip]
) -> list[Document]:
    """Files whose text is already indexed (or earlier in `documents`) under another name:
    indexed twice, every quote would come twice. Passages of a .jsonl corpus are kept as
    they are: their ids are what relevance judgements refer to."""
    owner = {d.sha256: d.doc_id for d in indexed.values() if d.format != "jsonl"}
    kept = []
    for doc in documents:
        first = owner.setdefault(doc.sha256, doc.doc_id) if doc.format != "jsonl" else None
        if first is not None and first != doc.doc_id:
            indexed_before = first in indexed
            skipped.append(
                Skip(
                    Said(
                        "same_text_indexed" if indexed_before else "same_text_in_batch",
                        "{name}: the same text as {other} ("
                        + ("already indexed" if indexed_before else "also in this batch")
                        + "); not added twice",
                        name=doc.doc_id,
                        other=first,
                    ),
                    "same text as another",
                )
            )
            continue
        kept.append(doc)
    return kept


# share of the progress bar for reading the files of a batch, before the build's own
READING_SHARE = 0.1


def add_documents(
    store: Store,
    config: Config,
    embedder: Embedder | Callable[[], Embedder],
    paths: list[Path],
    progress: Progress = quiet,
    may_replace: bool = True,
) -> BuildReport:
    """Add (or update) the documents under `paths` in `store`; only their new chunks are
    embedded. With `may_replace` off (uploads from the web), a file named like an indexed
    document is refused instead of replacing it. Whether the store is empty (these documents
    become the corpus) and what is already there are decided under the writer lock, so
    concurrent adds each add theirs and report only theirs. `embedder` may be a function
    giving it: it is only called once there is something to embed, so a batch of nothing but
    bad files is refused without loading the model."""
    new, skipped = load_corpus(paths, config, span(progress, 0.0, READING_SHARE))
    if not new:
        raise _nothing_added(skipped)
    with store.writer_lock():
        current = (
            {d["doc_id"]: Document.from_dict(d) for d in store.load_documents()}
            if store.state() == "index"
            else {}
        )
        new = drop_same_text(new, current, skipped)
        added: list[str] = []
        updated: list[str] = []
        for doc in new:
            if doc.doc_id in current and current[doc.doc_id].sha256 == doc.sha256:
                skipped.append(
                    Skip(
                        Said(
                            "already_indexed",
                            "{name}: already indexed with the same content",
                            name=doc.doc_id,
                        ),
                        "already indexed",
                    )
                )
                continue
            if doc.doc_id in current and not may_replace:
                skipped.append(
                    Skip(
                        Said(
                            "name_taken",
                            "{name}: a different document of this name is already indexed; an "
                            "upload never replaces one: remove that one first, or rename the file",
                            name=doc.doc_id,
                        ),
                        "name taken",
                    )
                )
                continue
            (updated if doc.doc_id in current else added).append(doc.doc_id)
            current[doc.doc_id] = doc
        if not added and not updated:
            raise _nothing_added(skipped)
        report = build_index(
            list(current.values()),
            config,
            resolve_embedder(embedder),
            span(progress, READING_SHARE, 1.0),
            skipped,
            store=store,
        )
    report.added, report.updated = sorted(added), sorted(updated)
    return report


def resolve_embedder(embedder: Embedder | Callable[[], Embedder]) -> Embedder:
    """The embedder itself, or what the function given for it returns (an embedder is
    known by its methods: one may well be callable too)."""
    if hasattr(embedder, "encode_passages"):
        return embedder  # type: ignore[return-value]
    return embedder()


def _nothing_added(skipped: list[Skip]) -> DocumentError:
    shown: list[str] = list(_shown(skipped))  # each with its Said, for the page's language
    if not shown and skipped:  # only files of other formats
        shown = [
            Said(
                "only_other_formats",
                "no {suffixes} files ({n} of other formats)",
                suffixes=", ".join(sorted(SUPPORTED_SUFFIXES)),
                n=len(skipped),
            )
        ]
    if not shown:
        shown = [Said("no_documents", "no documents")]
    return DocumentError(Said("nothing_added", "nothing added: {reasons}", reasons=shown))


def _shown(skipped: list[Skip]) -> list[str]:
    """The skips worth a line of their own (not every photo in a folder)."""
    return [s for s in skipped if s.kind != OTHER_FORMAT]


def _key(model: str, prompt: str, text: str) -> str:
    return sha256_text(f"{model}\0{prompt}\0{text}")


# shares of a build's progress bar, roughly as the time goes on the bundled corpus: chunking
# (token counts included), then passages, then their sentences (about 4 per passage)
CHUNKING_SHARE, PASSAGES_END, EMBEDDING_END = 0.1, 0.45, 0.95
EMBED_STEP = 64  # texts per call to the embedder: how often progress is reported


def uncached(texts: list[str], embedder: Embedder, cache: EmbeddingCache) -> dict[str, str]:
    """Cache key -> text for each of `texts` the embedding cache lacks."""
    keyed = ((_key(embedder.name, "passage", t), t) for t in texts)
    return {k: t for k, t in keyed if cache.get(k) is None}


def embed_cached(
    texts: list[str],
    embedder: Embedder,
    cache: EmbeddingCache,
    progress: Progress,
    label: str,
    span: tuple[float, float] = (0.0, 1.0),
    workers: BuildWorkers | None = None,
) -> tuple[np.ndarray, int]:
    """Vectors of `texts`, embedding only those the cache lacks (by `workers`, default this
    process's embedder); progress runs across `span` of the whole build."""
    keys = [_key(embedder.name, "passage", t) for t in texts]
    # similar lengths batch with less padding
    missing = sorted(uncached(texts, embedder, cache).items(), key=lambda kv: len(kv[1]))
    batches = [missing[start : start + EMBED_STEP] for start in range(0, len(missing), EMBED_STEP)]
    texts_of = [[t for _, t in batch] for batch in batches]
    results = (
        workers.encode(texts_of)
        if workers is not None
        else ((i, embedder.encode_passages(batch)) for i, batch in enumerate(texts_of))
    )
    done = 0
    for number, vectors in results:  # in the order batches finish
        for (key, _), vector in zip(batches[number], vectors):
            cache.put(key, vector)
        done += len(batches[number])
        progress(
            Said(
                f"embedding_{label}",
                f"embedding {label}: {{done}}/{{total}}",
                done=done,
                total=len(missing),
            ),
            span[0] + (span[1] - span[0]) * done / len(missing),
        )
    matrix = (
        np.stack([cache.get(k) for k in keys]) if keys else np.zeros((0, embedder.dim), np.float32)
    )
    return matrix, len(missing)


def build_index(
    documents: list[Document],
    config: Config,
    embedder: Embedder,
    progress: Progress = quiet,
    skipped: list[Skip] | None = None,
    force: bool = False,
    reason: str | None = None,
    store: Store | None = None,
) -> BuildReport:
    """Index `documents` into a new version of `store` (default: the one `config` names), or
    reuse the current version when nothing changed and `force` is not set. A caller that
    reads the corpus first holds the store's writer lock around both."""
    started = time.perf_counter()
    store = store or open_store(config)
    settings = settings_of(config, embedder, store)
    doc_hashes = {d.doc_id: d.sha256 for d in documents}
    old = store.read_manifest() if store.state() == "index" else None
    if (
        not force
        and old
        and all(old.get(k) == v for k, v in settings.items())
        and {k: v["sha256"] for k, v in old.get("documents", {}).items()} == doc_hashes
    ):
        return BuildReport(
            store.location,
            True,
            len(documents),
            old["chunks"],
            old["sentences"],
            0,
            time.perf_counter() - started,
            skipped or [],
        )
    if not documents:
        raise DocumentError(Said("no_readable", "no readable documents to index"))
    reason = reason or rebuild_reason(old, settings)

    with build_workers(config, embedder, lambda m: progress(m, 0.0)) as workers:
        chunks = workers.chunk(
            documents,
            lambda n, total: progress(
                Said("chunking", "chunking: {n}/{total} documents", n=n, total=total),
                CHUNKING_SHARE * n / total,
            ),
        )
        return _build_from_chunks(
            documents, chunks, config, embedder, workers, settings, store, progress,
            started, skipped, reason,
        )  # fmt: skip


def _build_from_chunks(
    documents: list[Document],
    chunks: list[Chunk],
    config: Config,
    embedder: Embedder,
    workers: BuildWorkers,
    settings: dict,
    store: Store,
    progress: Progress,
    started: float,
    skipped: list[Skip] | None,
    reason: str | None,
) -> BuildReport:

    cache = EmbeddingCache(cache_dir_of(config), embedder.dim)
    notes = [cache.note] if cache.note else []
    # A passage written in Latin Kazakh is embedded and keyword-indexed in Cyrillic, the
    # script the model knows Kazakh in and the other documents use; the chunk keeps its own
    # text, so quotes stay in the document's script. Decided per passage, whose ~90 words
    # tell Latin Kazakh from English where a short sentence might not.
    latin = [is_latin_kazakh_text(c.text) for c in chunks]
    passage_texts = [
        latin_to_cyrillic(c.embedding_text()) if lat else c.embedding_text()
        for c, lat in zip(chunks, latin)
    ]
    sentence_texts = [
        latin_to_cyrillic(c.text[s.start : s.end]) if lat else c.text[s.start : s.end]
        for c, lat in zip(chunks, latin)
        for s in c.sentences
    ]
    with workers.embedding(len(uncached(passage_texts + sentence_texts, embedder, cache))):
        chunk_vectors, n1 = embed_cached(
            passage_texts,
            embedder,
            cache,
            progress,
            "passages",
            (CHUNKING_SHARE, PASSAGES_END),
            workers,
        )
        sentence_vectors, n2 = embed_cached(
            sentence_texts,
            embedder,
            cache,
            progress,
            "sentences",
            (PASSAGES_END, EMBEDDING_END),
            workers,
        )
    progress(Said("keyword_index", "building the keyword index"), EMBEDDING_END)
    analyzer = analyzer_of(config)

    per_chunk = Counter(c.doc for c in chunks)  # one pass: a sum per document was quadratic
    latin_chunks = Counter(c.doc for c, lat in zip(chunks, latin) if lat)
    per_doc = {
        d.doc_id: {
            "sha256": d.sha256,
            "path": d.path,
            "format": d.format,
            "chunks": per_chunk[d.doc_id],
            # the script most of its passages are in: "latin" ones are searched in Cyrillic
            "script": "latin" if 2 * latin_chunks[d.doc_id] > per_chunk[d.doc_id] else "cyrillic",
        }
        for d in documents
    }
    # The words questions typed in Latin or with Russian letters are restored to
    # (rag.translit.normalise_question): the corpus's own, in the script it is searched in.
    vocabulary = Vocabulary.from_texts(
        latin_to_cyrillic(c.text) if lat else c.text for c, lat in zip(chunks, latin)
    ).most_common(config.vocabulary_size)
    manifest = dict(
        settings,
        documents=per_doc,
        corpus_vocabulary=vocabulary.to_dict(),
        chunks=len(chunks),
        sentences=len(sentence_texts),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        build_seconds=round(time.perf_counter() - started, 2),
    )
    vector_settings = dict(settings["vectors"], hnsw_ef_search=config.hnsw_ef_search)
    store.write(
        IndexContents(
            manifest=manifest,
            records=[c.to_dict() for c in chunks],
            chunk_vectors=chunk_vectors,
            sentence_vectors=sentence_vectors,
            sentence_counts=[len(c.sentences) for c in chunks],
            keyword_tokens=[analyzer.tokens(text) for text in passage_texts],
            documents=[d.to_dict() for d in documents],
            vector_settings=vector_settings,
        )
    )
    cache.retain({_key(embedder.name, "passage", t) for t in passage_texts + sentence_texts})
    problem = cache.save()
    note = (
        f"embedding cache not saved: {problem}; the next build embeds these texts again"
        if problem
        else None
    )
    if note:
        notes.append(note)
    progress(
        Said("index_ready_note", "index ready ({note})", note=note)
        if note
        else Said("index_ready", "index ready"),
        1.0,
    )
    return BuildReport(
        store.location,
        False,
        len(documents),
        len(chunks),
        len(sentence_texts),
        n1 + n2,
        time.perf_counter() - started,
        skipped or [],
        reason,
        notes,
    )
