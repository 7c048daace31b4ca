"""Embedding throughput of a build on Ray (1 and 2 nodes) against one process, in passages
per CPU-second: a shared machine stretches wall time, but not the CPU time a text costs.

The texts are the bundled corpus's passages and sentences (what its build embeds). One
process: `LocalWorkers` (the build's default), CPU time of this process, with its passages in
ONNX fp32 and in bf16 (`passage_precision`; bf16 pays only on CPUs with AMX). Ray: a cluster
of N nodes with one CPU each, started in a loopback-only network namespace (tests/infra.py,
as the tests do), and the build's `RayWorkers`; CPU time of the actors (one thread each; an
actor embeds in bf16 where its node's CPU has AMX, else ONNX fp32), plus the driver's. Ray's own daemons (GCS, raylets) are not counted: their
CPU is listed apart, from the process table, before and after. The model loads before the
clock starts, in every case.

    python benchmarks/ray_ingest.py                 # needs root (ip netns)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import psutil
from common import ROOT, announce, write_results

from kazrag.rag.config import BUNDLED_CORPUS, Config
from kazrag.rag.distributed import LocalWorkers, build_workers
from kazrag.rag.embedding import load_embedder
from kazrag.rag.indexing import EMBED_STEP, load_corpus

# the bundled corpus's 948 texts stand for a large build: its embedding as one would run it
BULK = Config.bf16_min_texts


def texts(config: Config, embedder) -> list[str]:
    documents, _ = load_corpus([BUNDLED_CORPUS])
    chunks = LocalWorkers(config, embedder).chunk(documents, lambda n, total: None)
    every = [c.embedding_text() for c in chunks]
    every += [c.text[s.start : s.end] for c in chunks for s in c.sentences]
    return sorted(set(every), key=len)  # as the build batches them: similar lengths together


def batches(items: list[str]) -> list[list[str]]:
    return [items[i : i + EMBED_STEP] for i in range(0, len(items), EMBED_STEP)]


def ray_daemons_cpu() -> float:
    total = 0.0
    for proc in psutil.process_iter(["name", "cmdline"]):
        try:
            line = " ".join(proc.info["cmdline"] or [])
            if "gcs_server" in line or "raylet" in line or "dashboard" in line:
                times = proc.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            continue
    return total


def on_ray(address: str) -> dict:
    """Run inside the cluster's namespace: the build's Ray workers on every text."""
    import ray

    config = Config(ray_address=address)
    embedder = load_embedder(config)
    work = batches(texts(config, embedder))
    with (
        build_workers(config, embedder, lambda message: None) as workers,
        workers.embedding(BULK),  # as a build this size would: bf16 where the nodes have AMX
    ):
        precision = ray.get(workers.actors[0].precision.remote())
        before = sum(ray.get([a.cpu_seconds.remote() for a in workers.actors]))
        driver, started = time.process_time(), time.perf_counter()
        count = sum(len(v) for _, v in workers.encode(work))
        wall = time.perf_counter() - started
        driver = time.process_time() - driver
        actors = sum(ray.get([a.cpu_seconds.remote() for a in workers.actors])) - before
    return {
        "texts": count,
        "passages_in": precision,
        "actors": len(workers.actors),
        "wall_s": round(wall, 2),
        "actor_cpu_s": round(actors, 2),
        "driver_cpu_s": round(driver, 2),
        "texts_per_cpu_s": round(count / (actors + driver), 2),
        "texts_per_wall_s": round(count / wall, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", default="1,2")
    parser.add_argument("--on-ray", metavar="ADDRESS", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.on_ray:
        print(json.dumps(on_ray(args.on_ray)))
        return
    info = announce("ray_ingest")
    results: dict = {}
    for precision in ("fp32", "bf16"):
        config = Config(passage_precision=precision)
        embedder = load_embedder(config)
        work = batches(texts(config, embedder))
        local = LocalWorkers(config, embedder)
        with local.embedding(BULK):  # bf16's model loads before the clock
            cpu, started = time.process_time(), time.perf_counter()
            count = sum(len(v) for _, v in local.encode(work))
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        key = "one_process" if precision == "fp32" else "one_process_bf16"
        results[key] = {
            "texts": count,
            "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2),
            "texts_per_cpu_s": round(count / cpu, 2),
            "texts_per_wall_s": round(count / wall, 2),
        }
        print(key, results[key], flush=True)
    sys.path.insert(0, str(ROOT / "tests"))
    from infra import loopback_namespace, ray_cluster

    for nodes in [int(n) for n in args.nodes.split(",")]:
        with loopback_namespace() as prefix, ray_cluster(prefix, nodes=nodes, cpus=1) as cluster:
            daemons = ray_daemons_cpu()
            done = subprocess.run(
                [*prefix, sys.executable, __file__, "--on-ray", cluster.address],
                env=cluster.env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            row = json.loads(done.stdout.strip().splitlines()[-1])
            row["ray_daemons_cpu_s"] = round(ray_daemons_cpu() - daemons, 2)
        results[f"ray_{nodes}_nodes"] = row
        print(f"ray {nodes} nodes", row, flush=True)
    write_results("ray_ingest", info, results, args.out)


if __name__ == "__main__":
    main()
