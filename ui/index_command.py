"""`kazrag index add` and `kazrag index remove`: change the indexed documents in place.

    kazrag index add report.pdf notes/          add (or update) documents
    kazrag index remove report.pdf              drop one document

Only the new chunks are embedded: the others come from the embedding cache, and the report
says how many texts were embedded. A changed model or normaliser rebuilds everything, and
the report says so first. Every bad input ends in one `kazrag: error: …` line and exit 1.
"""

from __future__ import annotations

import sys
from pathlib import Path


def register(index_commands) -> None:
    from kazrag.ui.cli import _common  # imported here: ui.cli imports this module

    add = index_commands.add_parser(
        "add", help="add or update documents (.txt .md .pdf .docx .jsonl, or folders)",
        description="Add documents to the index, or update those whose file changed. "
        "Other documents are not re-embedded.")
    add.add_argument("paths", nargs="+", metavar="FILE|DIR", help="documents or folders")
    _common(add, corpus=False)
    add.set_defaults(handler=cmd_index_add)

    remove = index_commands.add_parser(
        "remove", help="remove a document from the index",
        description="Remove one document (by the name `kazrag index info` lists).")
    remove.add_argument("doc", metavar="DOC", help="the document's name, e.g. report.pdf")
    _common(remove, corpus=False)
    remove.set_defaults(handler=cmd_index_remove)


def _open(config, embedder):
    """The engine over the existing index, or None when there is none yet."""
    from kazrag.index import store
    from kazrag.rag.engine import Kazrag

    if store.current_version(config.resolved_index_dir()) is None:
        return None
    return Kazrag(config, embedder, store.load(config.resolved_index_dir()))


def _changes(before: dict, after: dict) -> tuple[list[str], list[str]]:
    added = sorted(set(after) - set(before))
    updated = sorted(d for d in set(after) & set(before)
                     if after[d]["sha256"] != before[d]["sha256"])
    return added, updated


def _names(docs: list[str]) -> str:
    shown = ", ".join(docs[:5])
    return shown + (f" and {len(docs) - 5} more" if len(docs) > 5 else "")


def _report(report, what: str) -> None:
    for problem in report.skipped:
        print(f"kazrag: skipped {problem}", file=sys.stderr)
    if report.rebuild_reason:
        print(f"kazrag: {report.rebuild_reason}", file=sys.stderr)
    print(f"{what}; index now {report.documents} documents, {report.chunks} chunks; "
          f"{report.embedded} texts embedded (the rest from the cache), "
          f"{report.seconds:.1f} s -> {report.index_dir}")


def cmd_index_add(args) -> int:
    from kazrag.index import store
    from kazrag.rag.engine import Kazrag
    from kazrag.ui.cli import EXIT_OK, ProgressPrinter, config_from, load_model

    config = config_from(args)
    paths = [Path(p) for p in args.paths]
    embedder = load_model(config)
    engine = _open(config, embedder)
    if engine is None:  # no index yet: these documents are the corpus
        before = {}
        report = Kazrag.build(config, embedder, paths, ProgressPrinter())
        after = store.read_manifest(config.resolved_index_dir())["documents"]
    else:
        before = engine.documents()
        report = engine.add_documents(paths, ProgressPrinter())
        after = engine.documents()
    added, updated = _changes(before, after)
    what = ", ".join(part for part in (
        f"added {len(added)} ({_names(added)})" if added else "",
        f"updated {len(updated)} ({_names(updated)})" if updated else "") if part)
    _report(report, what or "nothing changed")
    return EXIT_OK


def cmd_index_remove(args) -> int:
    from kazrag.index import store
    from kazrag.ui.cli import EXIT_OK, ProgressPrinter, config_from, load_model

    config = config_from(args)
    if store.current_version(config.resolved_index_dir()) is None:
        raise store.IndexError_(f"no index in {config.resolved_index_dir()}; nothing to remove")
    engine = _open(config, load_model(config))
    doc = args.doc
    known = engine.documents()
    if doc not in known and Path(doc).name in known:  # a path was given for the name
        doc = Path(doc).name
    report = engine.remove_document(doc, ProgressPrinter())
    _report(report, f"removed {doc}")
    return EXIT_OK
