"""`kazrag eval QUESTIONS.jsonl --corpus PATH`: measure retrieval and abstention.

    kazrag eval eval/sets/reports-dev.jsonl --corpus data/corpus
    kazrag eval eval/sets/reports-dev.jsonl --corpus data/corpus --compare bm25,dense,hybrid \\
        --results out/results.jsonl --summary out/summary.json --report out/report.md

Everything the user can get wrong (the question file, the corpus path, the modes, an output
path that is a folder) is checked before the model is loaded or anything is indexed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kazrag.errors import ConfigError, KazragError
from kazrag.files import write_json, write_jsonl
from kazrag.rag.config import MODES

from .options import add_common, config_from
from .progress import ProgressPrinter

DEFAULT_TOP_K = 10  # hit@10 and MRR@10 need ten passages per question
EXIT_OK = 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="measure retrieval and abstention on a question set",
        description="Run every question of a JSON Lines question set (format: "
        "eval/README.md) through kazrag and print hit@k, MRR@10, abstention and latency, "
        "overall and by language and kind.",
    )
    parser.add_argument("questions", help="the question file (.jsonl)")
    parser.add_argument(
        "--corpus",
        required=True,
        help="a folder of documents or a BEIR corpus.jsonl; its index is "
        "built once and cached by content hash",
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--mode", choices=MODES, help="retrieval mode (default: hybrid)")
    which.add_argument(
        "--compare",
        metavar="MODES",
        help="comma-separated modes to measure side by side, "
        "e.g. bm25,dense,hybrid (one index, one model)",
    )
    parser.add_argument(
        "--top-k",
        type=int,
        default=DEFAULT_TOP_K,
        help=f"passages retrieved per question (default {DEFAULT_TOP_K})",
    )
    parser.add_argument(
        "--split",
        choices=("all", "dev", "test"),
        default="all",
        help="all questions, the tuning part (dev) or the held-out part (test: one in four, "
        "by a hash of the id) of the set (default all)",
    )
    parser.add_argument(
        "--results",
        help="write one JSON line per question here "
        "(with --compare: one file per mode, <name>-<mode>.jsonl)",
    )
    parser.add_argument("--summary", help="write the figures as JSON here")
    parser.add_argument(
        "--report",
        help="write a markdown report (tables, hit@k chart, "
        "misses) here; the chart is saved next to it",
    )
    parser.add_argument("--csv", help="write the figures as CSV here")
    add_common(parser, corpus=False)
    parser.set_defaults(handler=cmd_eval)


# ---------------------------------------------------------------------------- checks
def parse_modes(args) -> list[str]:
    if not args.compare:
        return [args.mode or "hybrid"]
    modes = [m.strip() for m in args.compare.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise ConfigError(
            f"--compare: unknown mode {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(MODES)}"
        )
    if len(set(modes)) != len(modes):
        raise ConfigError(f"--compare: a mode is listed twice in {args.compare!r}")
    return modes


def check_outputs(args) -> None:
    """Fail now, not after minutes of work, on an output path that cannot be a file."""
    for option in ("results", "summary", "report", "csv"):
        value = getattr(args, option)
        if value and Path(value).is_dir():
            raise ConfigError(f"--{option} {value}: is a folder; give a file name")


def per_mode_path(path: Path, mode: str, modes: list[str]) -> Path:
    return path if len(modes) == 1 else path.with_name(f"{path.stem}-{mode}{path.suffix}")


def unknown_documents(questions, engine) -> list[str]:
    """Document ids the questions expect that the indexed corpus does not hold."""
    known = set(engine.documents())
    return sorted({d for q in questions for d in q.doc} - known)


# ---------------------------------------------------------------------------- command
def cmd_eval(args: argparse.Namespace) -> int:
    from kazrag.eval.corpus import eval_index_dir
    from kazrag.eval.evaluator import Evaluator, run_together
    from kazrag.eval.questions import load_questions, select_split
    from kazrag.rag.engine import Kazrag
    from kazrag.rag.stores import open_store

    questions = select_split(load_questions(Path(args.questions)), args.split)
    modes = parse_modes(args)
    if args.top_k < 1:
        raise ConfigError(f"--top-k must be at least 1, not {args.top_k}")
    check_outputs(args)
    corpus = Path(args.corpus)
    config = config_from(args)
    if config.store:  # a database: the corpus gets a schema of its own, as it gets a folder
        config = config.with_(store_schema=f"eval_{eval_index_dir(config, corpus).name}")
    elif not args.index_dir:
        config = config.with_(index_dir=eval_index_dir(config, corpus))
    progress = ProgressPrinter()
    print(
        f"kazrag eval: {len(questions)} questions, corpus {corpus}, index "
        f"{open_store(config).location if config.store else config.resolved_index_dir()}",
        file=sys.stderr,
    )

    engine = Kazrag.open(config, [corpus], progress)
    missing = unknown_documents(questions, engine)
    if missing:
        print(
            f"kazrag eval: warning: {len(missing)} document(s) named by the questions are "
            f"not in the corpus: {', '.join(missing[:5])}"
            f"{' …' if len(missing) > 5 else ''}",
            file=sys.stderr,
        )

    evaluators = [Evaluator(questions, mode=mode, top_k=args.top_k) for mode in modes]
    run_together(evaluators, engine, progress)
    summaries = {e.mode: e.summary() for e in evaluators}

    from kazrag.eval.report import text_table

    print(text_table(summaries))
    info = run_info(args, questions, engine, config)
    try:
        write_outputs(args, evaluators, summaries, info, modes)
    except OSError as exc:
        raise KazragError(
            f"cannot write {exc.filename or 'an output file'}: {exc.strerror or exc}"
        ) from None
    return EXIT_OK


def write_outputs(
    args: argparse.Namespace, evaluators: list, summaries: dict, info: dict, modes: list[str]
) -> None:
    from kazrag.eval.evaluator import write_csv
    from kazrag.eval.report import write_report

    for option in ("results", "summary", "csv", "report"):
        if getattr(args, option):
            Path(getattr(args, option)).parent.mkdir(parents=True, exist_ok=True)
    if args.results:
        for e in evaluators:
            write_jsonl(
                per_mode_path(Path(args.results), e.mode, modes), (r.to_dict() for r in e.results)
            )
    if args.summary:
        write_json(
            Path(args.summary),
            {
                **info,
                "modes": {
                    e.mode: {"seconds": round(e.seconds, 2), **summaries[e.mode]}
                    for e in evaluators
                },
            },
        )
    if args.csv:
        write_csv(Path(args.csv), summaries)
    if args.report:
        report, chart = write_report(Path(args.report), evaluators, info)
        print(f"kazrag eval: report {report} (chart {chart.name})", file=sys.stderr)


def run_info(args: argparse.Namespace, questions: list, engine, config) -> dict:
    settings = {
        k: v
        for k, v in config.to_dict().items()
        if k not in ("index_dir", "cache_dir", "model_dir", "store", "read_dsn")
    }
    version = engine.snapshot.version
    return {
        "questions_file": str(args.questions),
        "split": args.split,
        "questions": len(questions),
        "answerable": sum(q.answerable for q in questions),
        "corpus": str(args.corpus),
        "index": version.location,
        "model": version.manifest["model"],
        "top_k": args.top_k,
        "settings": settings,
    }
