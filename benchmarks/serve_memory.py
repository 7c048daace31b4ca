"""Resident memory of `kazrag serve` on the bundled corpus while it answers questions.

Starts the real server (the default embedding backend) on a free port with its own index
folder, waits for the address line, asks questions through the /chat API with
gradio_client, and samples the server's resident memory (children included) every 0.1 s.

    python benchmarks/serve_memory.py
    python benchmarks/serve_memory.py --index-dir /tmp/kazrag-bench/bundled --questions 40
    python benchmarks/serve_memory.py --store postgres     # on a throwaway PostgreSQL
    python benchmarks/serve_memory.py --store postgresql://kazrag@db/bench

With `--store`, the index lives in the database (the bundled corpus, built there first by
`kazrag index build --store` in a process of its own) and the figures add the PostgreSQL server's own memory: the proportional
set size (PSS) of all its processes, so shared buffers are counted once, not once a backend.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from common import ROOT, announce, summary_ms, write_results

THROWAWAY = "postgres"  # --store postgres: start a server from tests/infra.py


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(process: psutil.Process) -> float:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", help="default: a fresh temp folder (the index is built)")
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument(
        "--store", help=f"serve from this PostgreSQL database ('{THROWAWAY}': start one)"
    )
    parser.add_argument("--out")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        dsn = args.store
        if dsn == THROWAWAY:
            sys.path.insert(0, str(ROOT / "tests"))
            from infra import pg_cluster

            cluster = stack.enter_context(pg_cluster())
            cluster.replica.stop("immediate")  # not measured here
            dsn = cluster.primary.dsn()
        measure(args, dsn)


def postgres_pss_mb() -> float:
    """PSS of every PostgreSQL process on the machine (the benchmark's own server is the
    only one on a test machine; a shared one would be counted too)."""
    total = 0
    for proc in psutil.process_iter(["name"]):
        with contextlib.suppress(psutil.Error):
            if proc.info["name"] == "postgres":
                total += proc.memory_full_info().pss
    return round(total / 2**20, 1)


def measure(args: argparse.Namespace, dsn: str | None) -> None:
    from gradio_client import Client

    info = announce("serve_memory")
    index_dir = args.index_dir or tempfile.mkdtemp(prefix="kazrag-serve-")
    port = free_port()
    where = ["--store", dsn] if dsn else ["--index-dir", index_dir]
    if dsn:  # built by its own process first: the server's memory is that of serving
        subprocess.run(
            [sys.executable, "-m", "kazrag", "index", "build", *where], cwd=ROOT, check=True,
            stdout=subprocess.DEVNULL, timeout=1800,
        )  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "kazrag", "serve", "--port", str(port), *where,
         "--feedback", str(Path(index_dir) / "feedback.jsonl")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )  # fmt: skip
    process = psutil.Process(server.pid)
    samples: list[tuple[float, float]] = []
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            samples.append((time.monotonic(), rss_mb(process)))
            time.sleep(0.1)

    threading.Thread(target=sample, daemon=True).start()
    started = time.monotonic()
    try:
        line = server.stdout.readline()  # "kazrag: serving N documents at URL"
        if "serving" not in line:
            raise SystemExit(f"server did not start: {line!r}")
        ready_s = time.monotonic() - started
        rss_ready = rss_mb(process)
        questions = [
            json.loads(line)["question"]
            for line in open(ROOT / "eval/sets/reports-dev.jsonl", encoding="utf-8")
            if line.strip()
        ]
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        latencies = []
        for q in questions[: args.questions]:
            t = time.perf_counter()
            client.predict(q, api_name="/chat")
            latencies.append(time.perf_counter() - t)
        time.sleep(0.5)
        postgres = postgres_pss_mb() if dsn else None
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
    peak = max(m for _, m in samples)
    results = {
        "store": "postgresql" if dsn else "folder",
        "index_dir": None if dsn else index_dir,
        "start_to_ready_s": round(ready_s, 1),
        "rss_ready_mb": round(rss_ready),
        "rss_peak_mb": round(peak),
        "rss_end_mb": round(samples[-1][1]),
        "questions": len(latencies),
        "chat_api_latency": summary_ms(latencies),
    }
    if postgres is not None:
        results["postgres_pss_mb"] = postgres
    print(
        f"  ready after {results['start_to_ready_s']} s at {results['rss_ready_mb']} MB; "
        f"peak {results['rss_peak_mb']} MB over {len(latencies)} questions "
        f"(/chat p50 {results['chat_api_latency']['p50_ms']} ms)",
        flush=True,
    )
    write_results("serve_memory", info, results, args.out)


if __name__ == "__main__":
    main()
