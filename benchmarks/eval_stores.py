"""The evaluation sets on the PostgreSQL store against the FAISS folder: every metric of every
mode, side by side, and the largest difference.

Each set runs `kazrag eval SET --corpus CORPUS --compare bm25,dense,hybrid` twice, once on
the folder (the usual eval index) and once with `--store` (its own schema); the database
build takes its vectors from the folder's embedding cache, copied, so both stores index the
very same vectors and what is compared is the stores.

    python benchmarks/eval_stores.py                  # starts a throwaway PostgreSQL
    python benchmarks/eval_stores.py --dsn postgresql://kazrag@db/bench --sets reports-dev
    python benchmarks/eval_stores.py --kazqad /work/shared/benchmarks/kazqad   # from a worktree
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

from common import KAZQAD, ROOT, announce, write_results

from kazrag.eval.corpus import eval_index_dir
from kazrag.rag.config import BUNDLED_CORPUS, Config
from kazrag.rag.stores import cache_dir_of
from kazrag.ui.cli import main as kazrag


def question_sets(kazqad: Path) -> dict[str, tuple[Path, Path]]:
    return {
        "reports-dev": (ROOT / "eval/sets/reports-dev.jsonl", BUNDLED_CORPUS),
        "reports-test": (ROOT / "eval/sets/reports-test.jsonl", BUNDLED_CORPUS),
        "kazqad-dev": (kazqad / "questions-dev.jsonl", kazqad / "corpus.jsonl"),
    }


SETS = question_sets(KAZQAD)
# counts of questions are the same on both sides by construction; latency is the machine's
# (and the order the two runs came in), not a quality of the store: both are left out
TOLERANCE = 0.005  # issue 15: equal within this on every metric
NOT_METRICS = {"questions", "answerable", "unanswerable", "latency_p50_ms", "latency_p95_ms"}


def metrics(summary: dict) -> dict[str, float | None]:
    """Every quality figure of a `kazrag eval --summary` file, flattened: a mode's summary is
    {"seconds", "overall": {...}, "by_lang": {lang: {...}}, "by_kind": {kind: {...}}}, so
    the names are `hybrid.overall.mrr@10`, `dense.by_lang.ru.hit@1`, ..."""
    flat: dict[str, float | None] = {}
    for mode, summary_of_mode in summary["modes"].items():
        groups = [("overall", summary_of_mode["overall"])]
        for by in ("by_lang", "by_kind"):
            groups += [(f"{by}.{key}", figures) for key, figures in summary_of_mode[by].items()]
        for group, figures in groups:
            for name, value in figures.items():
                if name not in NOT_METRICS:
                    flat[f"{mode}.{group}.{name}"] = value
    if not any(isinstance(v, (int, float)) for v in flat.values()):
        raise SystemExit(f"no metrics in the summary (modes: {', '.join(summary['modes'])})")
    return flat


def largest_difference(folder: dict, pg: dict) -> tuple[str, float]:
    """The metric on which the two stores differ most. A figure one side has and the other
    has not (null: an empty group) is a difference too, reported as infinite."""
    if folder.keys() != pg.keys():
        missing = sorted(folder.keys() ^ pg.keys())
        raise SystemExit(f"the two summaries have different metrics: {', '.join(missing[:5])}")
    differences = {
        k: (
            0.0
            if folder[k] is None and pg[k] is None
            else float("inf")
            if folder[k] is None or pg[k] is None
            else pg[k] - folder[k]
        )
        for k in folder
    }
    return max(differences.items(), key=lambda kv: abs(kv[1]))


def run(args: list[str]) -> None:
    code = kazrag(args)
    if code != 0:
        raise SystemExit(f"kazrag {' '.join(args)} failed ({code})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--dsn", help="a PostgreSQL database with pgvector (default: start one)")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--kazqad", type=Path, default=KAZQAD, help=f"KazQAD's folder (default {KAZQAD})"
    )
    args = parser.parse_args()
    sets = question_sets(args.kazqad)
    info = announce("eval_stores")
    results: dict = {}
    with contextlib.ExitStack() as stack:
        dsn = args.dsn
        if dsn is None:
            sys.path.insert(0, str(ROOT / "tests"))
            from infra import pg_cluster

            cluster = stack.enter_context(pg_cluster())
            cluster.replica.stop("immediate")
            dsn = cluster.primary.dsn()
        out = Path(tempfile.mkdtemp(prefix="kazrag-eval-stores-"))
        stack.callback(shutil.rmtree, out, True)
        for name in args.sets.split(","):
            questions, corpus = sets[name]
            common = [str(questions), "--corpus", str(corpus), "--compare", "bm25,dense,hybrid"]
            run(["eval", *common, "--summary", str(out / f"{name}-folder.json")])
            folder_cache = eval_index_dir(Config(), corpus) / "embeddings"
            config = Config(store=dsn, store_schema=f"eval_{eval_index_dir(Config(), corpus).name}")
            shutil.copytree(folder_cache, cache_dir_of(config), dirs_exist_ok=True)
            run(["eval", *common, "--store", dsn, "--summary", str(out / f"{name}-pg.json")])
            summaries = {
                side: json.loads((out / f"{name}-{side}.json").read_text())
                for side in ("folder", "pg")
            }
            folder, pg = (metrics(summaries[side]) for side in ("folder", "pg"))
            worst = largest_difference(folder, pg)
            results[name] = {
                "questions": summaries["folder"]["modes"]["hybrid"]["overall"]["questions"],
                "overall": {
                    side: {
                        k.replace(".overall", ""): v for k, v in figures.items() if ".overall." in k
                    }
                    for side, figures in (("folder", folder), ("postgresql", pg))
                },
                "latency_ms": {
                    side: {
                        mode: {
                            p: summaries[key]["modes"][mode]["overall"][f"latency_{p}_ms"]
                            for p in ("p50", "p95")
                        }
                        for mode in summaries[key]["modes"]
                    }
                    for side, key in (("folder", "folder"), ("postgresql", "pg"))
                },
                "metrics_compared": len(folder),
                "largest_difference": {"metric": worst[0], "value": round(worst[1], 6)},
                "over_tolerance": {
                    k: [folder[k], pg[k]]
                    for k in folder
                    if (folder[k] is None) != (pg[k] is None)
                    or folder[k] is not None
                    and abs(pg[k] - folder[k]) > TOLERANCE
                },
            }
            print(f"{name}: largest difference {worst[0]} {worst[1]:+.4f}", flush=True)
    write_results("eval_stores", info, results, args.out)


if __name__ == "__main__":
    main()
