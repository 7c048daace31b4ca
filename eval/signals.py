"""What the abstention rule saw, per question: the data behind its thresholds.

    python -m kazrag.eval.signals eval/sets/reports-dev.jsonl --corpus data/corpus > out/dev-signals.jsonl
    python -m kazrag.eval.signals --question "Палау қалай дайындалады?" --corpus data/corpus

One JSON line per question: id, lang, kind, whether it is answerable, whether kazrag
abstained, the `Answer.signals` (best passage dense score, best sentence cosine and term
overlap, keyword coverage, numbers found, answer type found…) and the first quote. Calibrate
a threshold on a dev set from these lines; eval/README.md shows how the current ones were set.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kazrag.rag.config import Config
from kazrag.rag.engine import Kazrag

from .corpus import eval_index_dir
from .questions import load_questions


def signal_row(engine: Kazrag, question: str, **known) -> dict:
    answer = engine.ask(question)
    return {
        **known,
        "question": question,
        "lang": answer.lang,
        "abstained": answer.abstained,
        **{k: round(v, 4) for k, v in answer.signals.items()},
        "quote": answer.quotes[0].text if answer.quotes else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kazrag.eval.signals", description=__doc__.split("\n")[0]
    )
    parser.add_argument("questions", nargs="?", help="a question file (.jsonl)")
    parser.add_argument("--question", action="append", default=[], help="a question (repeatable)")
    parser.add_argument("--corpus", required=True)
    args = parser.parse_args(argv)
    if not args.questions and not args.question:
        parser.error("give a question file or --question")

    corpus = Path(args.corpus)
    config = Config()
    engine = Kazrag.open(config.with_(index_dir=eval_index_dir(config, corpus)), [corpus])
    rows = [signal_row(engine, q) for q in args.question]
    if args.questions:
        rows += [
            signal_row(engine, q.question, id=q.id, kind=q.kind, answerable=q.answerable)
            for q in load_questions(Path(args.questions))
        ]
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
