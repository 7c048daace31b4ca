"""How many messages of each file get one of kazrag's courtesy replies (a greeting, thanks,
goodbye, or what kazrag does) instead of an answer: the figure eval/README.md "Courtesy in
the chat" gives for eval/sets/chat/. For a file of messages of courtesy alone, the misses are
printed; for a file of real questions, every reply is a mistake.

    python scripts/experiments/courtesy_check.py eval/sets/chat/social-3.jsonl \\
        eval/sets/chat/courtesy-questions-3.jsonl
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kazrag.eval.questions import load_questions
from kazrag.rag.config import Config
from kazrag.rag.engine import Kazrag
from kazrag.rag.lang import FRAMES

REPLIES = {
    FRAMES[lang][kind]
    for lang in FRAMES
    for kind in ("greeting", "thanks", "farewell", "smalltalk")
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    engine = Kazrag.open(Config())
    for path in args.files:
        questions = load_questions(path)
        missed = []
        for q in questions:
            answer = engine.ask(q.question)
            if answer.text not in REPLIES:
                missed.append(f"  {q.lang} {answer.state:9s} {q.question}")
        replied = len(questions) - len(missed)
        print(f"{path}: {replied}/{len(questions)} given a courtesy reply")
        if all(q.kind == "social" for q in questions):
            print("\n".join(missed))


if __name__ == "__main__":
    main()
