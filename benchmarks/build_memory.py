"""Index build throughput, the share of it spent embedding, and peak memory, per backend.

Each build runs in a fresh process under `/usr/bin/time -v` (peak resident memory, wall
time) with a fresh index folder, so no vector comes from the embedding cache. Then a fresh
process opens that index and answers questions (`ask`), for its peak memory too.

    python benchmarks/build_memory.py                                   # bundled corpus, torch vs onnx-int8
    python benchmarks/build_memory.py --corpus ../shared/benchmarks/kazqad/corpus.jsonl --label kazqad
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, announce, write_results

CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
from pathlib import Path
from common import TimedEmbedder, dir_size
from kazrag.rag.config import Config
from kazrag.rag.embedding import load_embedder
config = Config(embed_backend={backend!r}, index_dir=Path({index!r}))
t0 = time.perf_counter()
embedder = load_embedder(config)
load_s = time.perf_counter() - t0
if {mode!r} == "build":
    from kazrag.rag.indexing import build_index, load_corpus
    documents, _ = load_corpus([Path({corpus!r})])
    timed = TimedEmbedder(embedder)
    t, c = time.perf_counter(), time.process_time()
    report = build_index(documents, config, timed, force=True)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    out = dict(model_load_s=round(load_s, 1), documents=report.documents, chunks=report.chunks,
               sentences=report.sentences, texts_embedded=report.embedded,
               build_s=round(wall, 1), build_cpu_s=round(cpu, 1), embed_s=round(timed.seconds, 1),
               embed_cpu_s=round(timed.cpu_seconds, 1), embed_share=round(timed.seconds / wall, 3),
               passages_per_s=round(report.chunks / wall, 2),
               texts_per_s=round(report.embedded / timed.seconds, 2),
               index_bytes=dir_size((Path({index!r}) / "current").resolve()),
               embedding_cache_bytes=dir_size(Path({index!r}) / "embeddings"))
    out["index_bytes_per_passage"] = round(out["index_bytes"] / report.chunks)
else:
    from kazrag.rag.engine import Kazrag
    engine = Kazrag.open(config)
    qs = [json.loads(l)["question"] for l in open({questions!r}, encoding="utf-8") if l.strip()]
    t = time.perf_counter()
    for q in qs:
        engine.ask(q)
    out = dict(model_load_s=round(load_s, 1), questions=len(qs),
               ask_mean_ms=round((time.perf_counter() - t) / len(qs) * 1000, 1))
print("RESULT " + json.dumps(out))
"""


def run_child(mode: str, backend: str, index: Path, corpus: Path) -> dict:
    code = CHILD.format(
        root=str(ROOT),
        bench=str(ROOT / "benchmarks"),
        backend=backend,
        index=str(index),
        corpus=str(corpus),
        mode=mode,
        questions=str(ROOT / "eval/sets/reports-dev.jsonl"),
    )
    proc = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "-c", code], capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} with {backend} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.split("RESULT ", 1)[1])
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    wall = re.search(
        r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", proc.stderr
    ).group(1)
    result["peak_rss_mb"] = round(peak_kb / 1024)
    result["process_wall"] = wall
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(ROOT / "data/corpus"))
    parser.add_argument("--label", default="bundled")
    parser.add_argument("--backends", default="torch,onnx-int8")
    parser.add_argument("--out")
    args = parser.parse_args()
    info = announce(f"build_memory {args.label}")
    work = Path(tempfile.mkdtemp(prefix="kazrag-build-"))
    results = {"corpus": args.corpus, "runs": {}}
    try:
        for backend in args.backends.split(","):
            index = work / backend
            build = run_child("build", backend, index, Path(args.corpus))
            print(
                f"  {backend:10s} build {build['build_s']} s ({build['embed_share']:.0%} embedding), "
                f"{build['passages_per_s']} passages/s, {build['texts_per_s']} texts/s, "
                f"peak RSS {build['peak_rss_mb']} MB, {build['index_bytes_per_passage']} B/passage",
                flush=True,
            )
            ask = run_child("ask", backend, index, Path(args.corpus))
            print(
                f"  {backend:10s} ask process peak RSS {ask['peak_rss_mb']} MB "
                f"({ask['questions']} questions, mean {ask['ask_mean_ms']} ms)",
                flush=True,
            )
            results["runs"][backend] = {"build": build, "ask": ask}
        names = args.backends.split(",")
        for backend in names[1:]:
            ref, new = results["runs"][names[0]]["build"], results["runs"][backend]["build"]
            results[f"{backend}_vs_{names[0]}"] = {
                "build_speedup": round(ref["build_s"] / new["build_s"], 2),
                "embed_speedup": round(ref["embed_s"] / new["embed_s"], 2),
                "embed_cpu_speedup": round(ref["embed_cpu_s"] / new["embed_cpu_s"], 2),
            }
            print(f"  {backend} vs {names[0]}: {results[f'{backend}_vs_{names[0]}']}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_results(f"build_memory_{args.label}", info, results, args.out)


if __name__ == "__main__":
    main()
