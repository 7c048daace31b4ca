"""One-at-a-time settings sweeps: how each value of a `Config` field changes the figures.

    python -m kazrag.eval.sweep eval/sets/reports-dev.jsonl --corpus data/corpus \\
        --vary keyword_prefix=0,4,5,6 --vary sentence_weight=0,0.25,0.5,0.75

Every value is measured with the other fields at their defaults, the engine as a user runs it
(`Kazrag.ask`, hybrid unless `--mode`). Each variation gets its own index folder, seeded with
the default index's embedding cache, so only texts a variation changes are embedded again.
Prints one markdown row per value: paste into eval/README.md's tuning log. Tune on a dev set;
measure a kept change once on the held-out set, never tune on it.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import sys
from dataclasses import fields
from pathlib import Path

from kazrag.rag.config import Config
from kazrag.rag.engine import Kazrag

from .corpus import eval_index_dir
from .evaluator import Evaluator
from .questions import load_questions

COLUMNS = (
    "hit@1",
    "hit@5",
    "mrr@10",
    "quote@1",
    "quote_any",
    "extra_quote_precision",
    "quotes_mean",
    "first_quote_words",
    "abstention_recall",
    "false_abstention_rate",
)


def parse_vary(text: str) -> tuple[str, list]:
    """ "keyword_prefix=0,4,5" -> ("keyword_prefix", [0, 4, 5]), values typed as Python literals."""
    name, _, values = text.partition("=")
    known = {f.name for f in fields(Config)}
    if name not in known or not values:
        raise SystemExit(f"--vary {text!r}: expected FIELD=V1,V2,… with a Config field")
    return name, [ast.literal_eval(v) for v in values.split(",")]


def row(name: str, value, summary: dict, default) -> str:
    overall = summary["overall"]
    by_lang = summary["by_lang"]
    cross = " / ".join(
        f"{by_lang[lang]['hit@5']:.3f}"
        if lang in by_lang and by_lang[lang]["hit@5"] is not None
        else "-"
        for lang in ("ru", "en")
    )
    cells = ["-" if overall[c] is None else f"{overall[c]:.3f}" for c in COLUMNS]
    mark = " (default)" if value == default else ""
    return f"| `{name}={value!r}`{mark} | " + " | ".join(cells) + f" | {cross} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kazrag.eval.sweep", description=__doc__.split("\n")[0]
    )
    parser.add_argument("questions")
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--vary", action="append", required=True, metavar="FIELD=V1,V2")
    parser.add_argument("--mode", default="hybrid")
    parser.add_argument("--top-k", type=int, default=10)
    args = parser.parse_args(argv)

    questions = load_questions(Path(args.questions))
    corpus = Path(args.corpus)
    base = Config()
    base = base.with_(index_dir=eval_index_dir(base, corpus))
    Kazrag.open(base, [corpus])  # the default index, whose cache seeds the variations
    print("| setting | " + " | ".join(COLUMNS) + " | ru / en hit@5 |")
    print("|---" * (len(COLUMNS) + 2) + "|")
    for name, values in map(parse_vary, args.vary):
        for value in values:
            config = base.with_(**{name: value})
            if value != getattr(base, name):
                folder = base.index_dir.parent / f"{base.index_dir.name}-{name}-{value}"
                if not folder.exists():
                    shutil.copytree(base.index_dir / "embeddings", folder / "embeddings")
                config = config.with_(index_dir=folder)
            engine = Kazrag.open(config, [corpus])
            summary = Evaluator(questions, mode=args.mode, top_k=args.top_k)(engine)
            print(row(name, value, summary, getattr(base, name)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
