"""`kazrag index build|info|add|remove`: make, inspect and change the index.

    kazrag index build [PATH ...] [--rebuild]   index these documents as the corpus (or rebuild)
    kazrag index info [--json]                  what the index holds
    kazrag index add report.pdf notes/          add (or update) documents
    kazrag index remove report.pdf              drop one document

Only new chunks are embedded: the others come from the embedding cache, and the report says
how many texts were embedded. A changed model or normaliser rebuilds everything, and the
report says so first. Every bad input ends in one `kazrag: error: …` line and exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from kazrag.errors import IndexStoreError

from .options import add_common, add_ray_options, config_from, corpus_paths, load_model
from .progress import ProgressPrinter

EXIT_OK = 0


def register(commands: argparse._SubParsersAction) -> None:
    index = commands.add_parser("index", help="build, inspect and change the index")
    index_commands = index.add_subparsers(dest="index_command", required=True)

    build = index_commands.add_parser(
        "build",
        help="build (or reuse) the index",
        description="Index the given documents as the whole corpus (reused when unchanged). "
        "Without paths: an empty index gets the bundled demo corpus, an existing one is "
        "kept (or rebuilt from its own documents with --rebuild).",
    )
    build.add_argument("paths", nargs="*", help="folders or files")
    build.add_argument("--rebuild", action="store_true", help="embed and write everything again")
    add_ray_options(build)
    add_common(build)
    build.set_defaults(handler=cmd_index_build)

    info = index_commands.add_parser("info", help="documents, chunks, model, size")
    info.add_argument("--json", action="store_true")
    add_common(info, corpus=False)
    info.set_defaults(handler=cmd_index_info)

    add = index_commands.add_parser(
        "add",
        help="add or update documents (.txt .md .html .pdf .docx .jsonl, or folders)",
        description="Add documents to the index, or update those whose file changed. "
        "Other documents are not re-embedded.",
    )
    add.add_argument("paths", nargs="+", metavar="FILE|DIR", help="documents or folders")
    add_common(add, corpus=False, documents=True)
    add_ray_options(add)
    add.set_defaults(handler=cmd_index_add)

    remove = index_commands.add_parser(
        "remove",
        help="remove a document from the index",
        description="Remove one document (by the name `kazrag index info` lists).",
    )
    remove.add_argument("doc", metavar="DOC", help="the document's name, e.g. report.pdf")
    add_common(remove, corpus=False)
    remove.set_defaults(handler=cmd_index_remove)


# ---------------------------------------------------------------------------- helpers
def _names(docs: list[str]) -> str:
    shown = ", ".join(docs[:5])
    return shown + (f" and {len(docs) - 5} more" if len(docs) > 5 else "")


def skipped_summary(skipped: list) -> str | None:
    """One line summing up a batch's skipped files by reason, e.g. `skipped 7 files: 3
    binary, 2 empty, 2 over a limit; 12 files of other formats not read (.jpg 9, .doc 3:
    save Word .doc files as .docx)`, or None when there is nothing worth summing up."""
    from kazrag.rag.formats import SUPPORTED_SUFFIXES
    from kazrag.rag.indexing import OTHER_FORMAT

    kinds = Counter(getattr(s, "kind", "unreadable") for s in skipped)
    others = kinds.pop(OTHER_FORMAT, 0)
    parts = []
    if sum(kinds.values()) > 1 or (kinds and others):
        reasons = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
        parts.append(f"skipped {sum(kinds.values())} files: {reasons}")
    if others:
        suffixes = Counter(
            Path(s.rsplit(":", 1)[0]).suffix.lower() or "(none)"
            for s in skipped
            if getattr(s, "kind", None) == OTHER_FORMAT
        )
        shown = ", ".join(f"{suffix} {n}" for suffix, n in suffixes.most_common(6))
        hint = "; save Word .doc files as .docx" if ".doc" in suffixes else ""
        parts.append(
            f"{others} files of other formats not read ({shown}{hint}; kazrag reads "
            f"{', '.join(sorted(SUPPORTED_SUFFIXES))})"
        )
    return "; ".join(parts) or None


def _notes(report) -> None:
    from kazrag.rag.indexing import OTHER_FORMAT

    for problem in report.skipped:
        if getattr(problem, "kind", None) != OTHER_FORMAT:
            print(f"kazrag: skipped {problem}", file=sys.stderr)
    summary = skipped_summary(report.skipped)
    if summary:
        print(f"kazrag: {summary}", file=sys.stderr)
    if report.rebuild_reason:
        print(f"kazrag: {report.rebuild_reason}", file=sys.stderr)
    for note in report.notes:
        print(f"kazrag: note: {note}", file=sys.stderr)


def _report(report, what: str) -> None:
    _notes(report)
    print(
        f"{what}; index now {report.documents} documents, {report.chunks} chunks; "
        f"{report.embedded} texts embedded (the rest from the cache), "
        f"{report.seconds:.1f} s -> {report.index}"
    )


def _open(config):
    """The engine over the existing index (rebuilt first if made with other settings)."""
    from kazrag.rag.engine import Kazrag

    engine = Kazrag.open(config, None, ProgressPrinter())
    if engine.last_build is not None:
        _notes(engine.last_build)
    return engine


# --------------------------------------------------------------------------- commands
def cmd_index_build(args: argparse.Namespace) -> int:
    from kazrag.rag.engine import Kazrag

    config = config_from(args)
    paths = corpus_paths(args)
    if paths:
        from kazrag.rag.indexing import READING_SHARE

        progress = ProgressPrinter()
        report = Kazrag.build(
            config,
            lambda: load_model(config, progress, READING_SHARE),  # once the files are read
            paths,
            progress,
            force=args.rebuild,
        )
    else:
        engine = Kazrag.open(config, None, ProgressPrinter(), rebuild=args.rebuild)
        report = engine.last_build
        if report is None:
            manifest = engine.snapshot.version.manifest
            print(
                f"index reused (documents and settings unchanged): "
                f"{len(manifest['documents'])} documents, {manifest['chunks']} chunks, "
                f"{manifest['sentences']} sentences -> {engine.store.location}"
            )
            return EXIT_OK
    _notes(report)
    what = "reused (documents and settings unchanged)" if report.reused else "built"
    print(
        f"index {what}: {report.documents} documents, {report.chunks} chunks, "
        f"{report.sentences} sentences, {report.embedded} texts embedded, "
        f"{report.seconds:.1f} s -> {report.index}"
    )
    return EXIT_OK


def cmd_index_info(args: argparse.Namespace) -> int:
    from kazrag.rag.stores import open_store

    config = config_from(args)
    store = open_store(config)
    version = store.load()
    manifest = version.manifest
    info = {
        "index": version.location,
        "model": manifest["model"],
        "dim": manifest["dim"],
        "vector_index": manifest.get("vector_index"),
        "normaliser_version": manifest["normaliser_version"],
        "chunker": manifest["chunker"],
        "keyword": manifest["keyword"],
        "documents": {
            k: {"chunks": v["chunks"], "format": v["format"]}
            for k, v in manifest["documents"].items()
        },
        "chunks": manifest["chunks"],
        "sentences": manifest["sentences"],
        "built_at": manifest["built_at"],
        "build_seconds": manifest["build_seconds"],
        **store.describe(),
    }
    for note in version.notes:
        print(f"kazrag: note: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"index      {info['index']}")
    print(f"model      {info['model']} ({info['dim']} dims, {info['vector_index']} vectors)")
    print(
        f"built      {info['built_at']} in {info['build_seconds']} s, "
        f"normaliser v{info['normaliser_version']}"
    )
    size = f"{info['size_bytes'] / 1e6:.1f} MB, " if "size_bytes" in info else ""
    print(f"size       {size}{info['chunks']} chunks, {info['sentences']} sentences")
    print("documents")
    for name, doc in info["documents"].items():
        print(f"  {name}  ({doc['format']}, {doc['chunks']} chunks)")
    return EXIT_OK


def cmd_index_add(args: argparse.Namespace) -> int:
    from kazrag.rag.indexing import add_documents
    from kazrag.rag.stores import open_store

    config = config_from(args)
    store = open_store(config)
    store.state()  # a folder of other files is refused before anything is read
    # with no index yet these documents become the corpus; decided under the writer lock,
    # and the report names only what this command added (others may add at the same time).
    # The model loads only once something readable is to be embedded.
    from kazrag.rag.indexing import READING_SHARE

    progress = ProgressPrinter()
    report = add_documents(
        store,
        config,
        lambda: load_model(config, progress, READING_SHARE),  # once the files are read
        [Path(p) for p in args.paths],
        progress,
    )
    if getattr(store, "repaired", None):  # a lost `current` pointer was found again
        print(f"kazrag: note: {store.repaired}", file=sys.stderr)
    what = ", ".join(
        part
        for part in (
            f"added {len(report.added)} ({_names(report.added)})" if report.added else "",
            f"updated {len(report.updated)} ({_names(report.updated)})" if report.updated else "",
        )
        if part
    )
    _report(report, what or "nothing changed")
    return EXIT_OK


def cmd_index_remove(args: argparse.Namespace) -> int:
    from kazrag.rag.stores import open_store

    config = config_from(args)
    store = open_store(config)
    if store.state() == "empty":
        raise IndexStoreError(f"no index in {store.location}; nothing to remove")
    engine = _open(config)
    doc = args.doc
    known = engine.documents()
    if doc not in known and Path(doc).name in known:  # a path was given for the name
        doc = Path(doc).name
    report = engine.remove_document(doc, ProgressPrinter())
    _report(report, f"removed {doc}")
    return EXIT_OK
