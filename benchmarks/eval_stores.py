"""The evaluation sets on the PostgreSQL store against the FAISS folder: every metric of every
mode, side by side, and the largest difference.

Each set runs `kazrag eval SET --corpus CORPUS --compare bm25,dense,hybrid` twice, once on
the folder (the usual eval index) and once with `--store` (its own schema); the database
build takes its vectors from the folder's embedding cache, copied, so both stores index the
very same vectors and what is compared is the stores.

    python benchmarks/eval_stores.py                  # starts a throwaway PostgreSQL
    python benchmarks/eval_stores.py --dsn postgresql://kazrag@db/bench --sets reports-dev
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

SETS = {
    "reports-dev": (ROOT / "eval/sets/reports-dev.jsonl", BUNDLED_CORPUS),
    "reports-test": (ROOT / "eval/sets/reports-test.jsonl", BUNDLED_CORPUS),
    "kazqad-dev": (KAZQAD / "questions-dev.jsonl", KAZQAD / "corpus.jsonl"),
}
NOT_METRICS = {"seconds", "n", "questions", "answerable"}


def metrics(summary: dict) -> dict[str, float]:
    return {
        f"{mode}.{name}": value
        for mode, figures in summary["modes"].items()
        for name, value in figures.items()
        if isinstance(value, (int, float)) and name not in NOT_METRICS
    }


def run(args: list[str]) -> None:
    code = kazrag(args)
    if code != 0:
        raise SystemExit(f"kazrag {' '.join(args)} failed ({code})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--dsn", help="a PostgreSQL database with pgvector (default: start one)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
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
            questions, corpus = SETS[name]
            common = [str(questions), "--corpus", str(corpus), "--compare", "bm25,dense,hybrid"]
            run(["eval", *common, "--summary", str(out / f"{name}-folder.json")])
            folder_cache = eval_index_dir(Config(), corpus) / "embeddings"
            config = Config(store=dsn, store_schema=f"eval_{eval_index_dir(Config(), corpus).name}")
            shutil.copytree(folder_cache, cache_dir_of(config), dirs_exist_ok=True)
            run(["eval", *common, "--store", dsn, "--summary", str(out / f"{name}-pg.json")])
            folder, pg = (
                metrics(json.loads((out / f"{name}-{s}.json").read_text()))
                for s in ("folder", "pg")
            )
            differences = {k: round(pg[k] - folder[k], 6) for k in folder if k in pg}
            worst = max(differences.items(), key=lambda kv: abs(kv[1]))
            results[name] = {
                "folder": folder,
                "postgresql": pg,
                "largest_difference": {"metric": worst[0], "value": worst[1]},
            }
            print(f"{name}: largest difference {worst[0]} {worst[1]:+.4f}", flush=True)
    write_results("eval_stores", info, results, args.out)


if __name__ == "__main__":
    main()
