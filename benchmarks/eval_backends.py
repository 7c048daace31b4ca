"""Embedding backends compared end to end: index build time and retrieval quality.

For each backend (Config.embed_backend) and each question set, the corpus is indexed from
scratch with real embeddings (no cached vectors), timed, then every question is run through
`Kazrag.ask` by the evaluation runner (eval/), in each mode. The adoption rule of issue 6:
a faster backend must keep hit@5 and MRR@10 within 0.01 of the reference (`torch`) on both
sets.

    python benchmarks/eval_backends.py                        # torch vs onnx-int8, both sets
    python benchmarks/eval_backends.py --backends torch,onnx,onnx-int8 --sets reports
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from common import KAZQAD, ROOT, TimedEmbedder, announce, dir_size, summary_ms, write_results

SETS = {
    "reports-dev": (
        ROOT / "eval/sets/reports-dev.jsonl",
        ROOT / "data/corpus",
        ("bm25", "dense", "hybrid"),
    ),
    "kazqad-dev": (KAZQAD / "questions-dev.jsonl", KAZQAD / "corpus.jsonl", ("dense", "hybrid")),
}


def build(config, corpus: Path) -> tuple[object, dict]:
    from kazrag.rag.embedding import load_embedder
    from kazrag.rag.engine import Kazrag
    from kazrag.rag.indexing import build_index, load_corpus

    embedder = load_embedder(config)
    documents, _ = load_corpus([corpus])
    timed = TimedEmbedder(embedder)
    wall, cpu = time.perf_counter(), time.process_time()
    report = build_index(documents, config, timed, force=True)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stats = {
        "documents": report.documents,
        "chunks": report.chunks,
        "sentences": report.sentences,
        "texts_embedded": report.embedded,
        "build_seconds": round(wall, 1),
        "build_cpu_seconds": round(cpu, 1),
        "embed_seconds": round(timed.seconds, 1),
        "embed_cpu_seconds": round(timed.cpu_seconds, 1),
        "embed_share": round(timed.seconds / wall, 3),
        "passages_per_second": round(report.chunks / wall, 2),
        "texts_per_second": round(report.embedded / max(timed.seconds, 1e-9), 2),
        "index_bytes": dir_size(Path(report.index) / "current"),
    }
    engine = Kazrag.open(config)
    return engine, stats


def evaluate(engine, questions: Path, modes) -> dict:
    from kazrag.eval.evaluator import Evaluator
    from kazrag.eval.questions import load_questions

    out = {}
    for mode in modes:
        evaluator = Evaluator(load_questions(questions), mode=mode, top_k=10, write_csv=False)
        overall = evaluator(engine)["overall"]
        out[mode] = {
            k: overall.get(k)
            for k in (
                "hit@1",
                "hit@5",
                "hit@10",
                "mrr@10",
                "abstention_recall",
                "false_abstention_rate",
            )
        }
        out[mode]["latency"] = summary_ms([r.latency_ms / 1000 for r in evaluator.results])
        print(
            f"    {mode:7s} hit@5 {out[mode]['hit@5']:.4f}  mrr@10 {out[mode]['mrr@10']:.4f}  "
            f"p50 {out[mode]['latency']['p50_ms']} ms",
            flush=True,
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="torch,onnx-int8")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--work", help="index folders go here (default: a temp folder)")
    parser.add_argument(
        "--out", help="JSON results (default benchmarks/results/eval_backends.json)"
    )
    args = parser.parse_args()
    from kazrag.rag.config import Config

    info = announce("eval_backends")
    work = Path(args.work or tempfile.mkdtemp(prefix="kazrag-bench-"))
    results: dict = {}
    for backend in args.backends.split(","):
        for name in args.sets.split(","):
            questions, corpus, modes = SETS[name]
            index_dir = work / backend / name
            shutil.rmtree(index_dir, ignore_errors=True)  # no cached vectors: real embedding
            config = Config(embed_backend=backend, index_dir=index_dir)
            print(f"## {backend} / {name}", flush=True)
            engine, stats = build(config, corpus)
            print(
                f"    build {stats['build_seconds']} s ({stats['embed_share']:.0%} embedding), "
                f"{stats['passages_per_second']} passages/s, {stats['texts_per_second']} texts/s",
                flush=True,
            )
            results.setdefault(backend, {})[name] = {
                "build": stats,
                "eval": evaluate(engine, questions, modes),
            }
    reference = args.backends.split(",")[0]
    deltas = {}
    for backend in args.backends.split(",")[1:]:
        for name in args.sets.split(","):
            for mode, figures in results[backend][name]["eval"].items():
                ref = results[reference][name]["eval"][mode]
                deltas[f"{backend}/{name}/{mode}"] = {
                    k: round(figures[k] - ref[k], 4) for k in ("hit@5", "mrr@10")
                }
            b, r = results[backend][name]["build"], results[reference][name]["build"]
            deltas[f"{backend}/{name}/build_speedup"] = round(
                r["build_seconds"] / b["build_seconds"], 2
            )
            deltas[f"{backend}/{name}/embed_cpu_speedup"] = round(
                r["embed_cpu_seconds"] / b["embed_cpu_seconds"], 2
            )
    print("## deltas vs", reference, deltas, flush=True)
    write_results(
        "eval_backends", info, {"reference": reference, "runs": results, "deltas": deltas}, args.out
    )


if __name__ == "__main__":
    main()
