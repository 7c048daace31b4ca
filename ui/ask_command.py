"""`kazrag ask "QUESTION"`: a quoted, cited answer on the terminal (or as JSON)."""

from __future__ import annotations

import argparse
import json
import sys

from kazrag.errors import QuestionError
from kazrag.rag.config import MODES

from .options import add_common, config_from, corpus_paths
from .progress import ProgressPrinter

EXIT_OK = 0


def register(commands: argparse._SubParsersAction) -> None:
    ask = commands.add_parser("ask", help="answer a question with quotes and citations")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("--mode", choices=MODES)
    ask.add_argument("--top-k", type=int, help="passages to retrieve (default 5)")
    ask.add_argument(
        "--previous",
        metavar="QUESTION",
        help="the question asked before this one: a follow-up (`Ал 2016 жылы ше?`) is read with it",
    )
    add_common(ask)
    ask.set_defaults(handler=cmd_ask)


def cmd_ask(args: argparse.Namespace) -> int:
    from kazrag.rag.engine import Kazrag
    from kazrag.rag.lang import frame

    from .render import terminal_answer

    config = config_from(args)  # a bad --top-k is refused here, before anything loads
    # a bad question is rejected before anything is loaded
    _, lang, _ = Kazrag.prepare(args.question, config.max_question_chars)
    if lang == "other":  # no Cyrillic or Latin word: nothing in the documents can answer it
        raise QuestionError(f"{frame('en', 'script')} / {frame('kk', 'script')}")
    engine = Kazrag.open(config, corpus_paths(args), ProgressPrinter())
    for note in engine.snapshot.version.notes:
        print(f"kazrag: note: {note}", file=sys.stderr)
    answer = engine.ask(args.question, args.mode, args.top_k, args.previous)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(terminal_answer(answer))
    return EXIT_OK
