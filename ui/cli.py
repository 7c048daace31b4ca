"""The `kazrag` command line: parses the arguments and dispatches to a subcommand module.

    kazrag ask "QUESTION" [--json]                a quoted, cited answer       (ask_command)
    kazrag index build|info|add|remove            make and change the index    (index_command)
    kazrag eval QUESTIONS.jsonl --corpus PATH     evaluation figures           (eval_command)
    kazrag serve                                  the Gradio chat              (serve_command)

An error a user can cause or fix (`kazrag.errors.KazragError`) ends in one line
`kazrag: error: …` and exit status 1. Anything else is a bug in kazrag: one line says so and
where its traceback was written, and the exit status is 2.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from kazrag.errors import KazragError

from . import ask_command, eval_command, index_command, serve_command

EXIT_OK, EXIT_ERROR, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as other Unix tools end when the reader stops


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kazrag",
        description="Questions over Kazakh documents, answered with quoted, cited passages.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for module in (index_command, ask_command, serve_command, eval_command):
        module.register(commands)
    return parser


def crash_report(exc: BaseException) -> Path:
    """Write the traceback of an unexpected error to a file and return its path."""
    from kazrag.rag.config import default_cache_dir

    text = "".join(traceback.format_exception(exc))
    name = f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    for folder in (default_cache_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_text(f"kazrag {' '.join(sys.argv[1:])}\n\n{text}", encoding="utf-8")
            return path
        except OSError:
            continue
    sys.stderr.write(text)
    return Path("(stderr above)")


class TerminalSafe:
    """A text stream that passes on everything but terminal control: what kazrag prints
    comes from documents, file names and questions, and `ESC]0;…` or `ESC[2J` in any of them
    must not retitle or clear the user's terminal (kazrag.rag.text.strip_terminal_control)."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def write(self, text: str) -> int:
        from kazrag.rag.text import strip_terminal_control

        self.stream.write(strip_terminal_control(text))
        return len(text)

    def __getattr__(self, name: str):  # flush, isatty, encoding, fileno …
        return getattr(self.stream, name)


@contextlib.contextmanager
def terminal_safe_output(enabled: bool = True) -> Iterator[None]:
    """stdout and stderr through `TerminalSafe` for the duration of a command."""
    if not enabled:
        yield
        return
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalSafe(sys.stdout), TerminalSafe(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # the chat server's output is its own (uvicorn's logs); every other command prints
    # document text and file names
    with terminal_safe_output(args.command != "serve"):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        code = int(args.handler(args))
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return code
    except KeyboardInterrupt:
        print("kazrag: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `kazrag ask … | head`: the reader has all it wanted; end quietly, and point stdout
        # at /dev/null so the interpreter's own flush at exit does not fail again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KazragError as exc:
        print(f"kazrag: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - a bug: say so, keep the traceback
        path = crash_report(exc)
        print(
            f"kazrag: internal error (a bug in kazrag, not in your input): "
            f"{type(exc).__name__}: {str(exc)[:200]}; the traceback is in {path}. "
            "Please report it.",
            file=sys.stderr,
        )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
