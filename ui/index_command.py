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
from pathlib import Path

from kazrag.errors import IndexStoreError

from .options import add_common, config_from, corpus_paths, load_model
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
    add_common(build)
    build.set_defaults(handler=cmd_index_build)

    info = index_commands.add_parser("info", help="documents, chunks, model, size")
    info.add_argument("--json", action="store_true")
    add_common(info, corpus=False)
    info.set_defaults(handler=cmd_index_info)

    add = index_commands.add_parser(
        "add",
        help="add or update documents (.txt .md .pdf .docx .jsonl, or folders)",
        description="Add documents to the index, or update those whose file changed. "
        "Other documents are not re-embedded.",
    )
    add.add_argument("paths", nargs="+", metavar="FILE|DIR", help="documents or folders")
    add_common(add, corpus=False)
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
def _changes(before: dict, after: dict) -> tuple[list[str], list[str]]:
    added = sorted(set(after) - set(before))
    updated = sorted(
        d for d in set(after) & set(before) if after[d]["sha256"] != before[d]["sha256"]
    )
    return added, updated


def _names(docs: list[str]) -> str:
    shown = ", ".join(docs[:5])
    return shown + (f" and {len(docs) - 5} more" if len(docs) > 5 else "")


def _notes(report) -> None:
    for problem in report.skipped:
        print(f"kazrag: skipped {problem}", file=sys.stderr)
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
        report = Kazrag.build(
            config, load_model(config), paths, ProgressPrinter(), force=args.rebuild
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
    from kazrag.rag.engine import Kazrag
    from kazrag.rag.stores import open_store

    config = config_from(args)
    paths = [Path(p) for p in args.paths]
    embedder = load_model(config)
    store = open_store(config)
    if store.state() == "empty":  # no index yet: these documents are the corpus
        before: dict = {}
        report = Kazrag.build(config, embedder, paths, ProgressPrinter(), store=store)
        after = (store.read_manifest() or {}).get("documents", {})
    else:
        engine = _open(config)
        before = engine.documents()
        report = engine.add_documents(paths, ProgressPrinter())
        after = engine.documents()
    added, updated = _changes(before, after)
    what = ", ".join(
        part
        for part in (
            f"added {len(added)} ({_names(added)})" if added else "",
            f"updated {len(updated)} ({_names(updated)})" if updated else "",
        )
        if part
    )
    _report(report, what or "nothing changed")
    return EXIT_OK


def cmd_index_remove(args: argparse.Namespace) -> int:
    from kazrag.rag.stores import open_store

    config = config_from(args)
    if open_store(config).state() == "empty":
        raise IndexStoreError(f"no index in {config.resolved_index_dir()}; nothing to remove")
    engine = _open(config)
    doc = args.doc
    known = engine.documents()
    if doc not in known and Path(doc).name in known:  # a path was given for the name
        doc = Path(doc).name
    report = engine.remove_document(doc, ProgressPrinter())
    _report(report, f"removed {doc}")
    return EXIT_OK
