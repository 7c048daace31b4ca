"""Resident memory of `kazrag serve` over many REST calls to /gradio_api/call/chat.

Every REST call is a new Gradio session, and Gradio keeps each session's state until it has
`state_session_capacity` of them (10,000 by default): the memory of a server that answers
scripts grew by ~35 MB per 1,000 calls (issue 14, item 8). kazrag bounds it with
`Config.max_sessions` (`kazrag serve --max-sessions N`). This script starts the real server on
127.0.0.1, makes a bounded number of calls one after another (each a POST, then the GET of its
event stream, as curl does), and reports the server's resident memory every `--every` calls.

    python benchmarks/soak_rest.py --index-dir DIR                       # kazrag's bound
    python benchmarks/soak_rest.py --index-dir DIR --max-sessions 10000  # Gradio's default
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
from common import ROOT, announce, summary_ms, write_results
from serve_memory import free_port, rss_mb


def ask(client: httpx.Client, question: str) -> str:
    """One call the way curl makes it: POST the values, then read the event stream."""
    started = client.post("gradio_api/call/chat", json={"data": [question, "hybrid", 5]})
    started.raise_for_status()
    event_id = started.json()["event_id"]
    event = ""
    with client.stream("GET", f"gradio_api/call/chat/{event_id}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                if event == "error":
                    raise RuntimeError(f"the server answered an error: {line[5:].strip()}")
                return json.loads(line[5:])[0]
    raise RuntimeError("the event stream ended without an answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", help="default: a fresh temp folder (the index is built)")
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=1_000, help="report RSS every N calls")
    parser.add_argument(
        "--max-sessions", type=int, help="passed to kazrag serve (default: kazrag's own bound)"
    )
    parser.add_argument("--name", default="soak_rest", help="results file name")
    parser.add_argument("--out")
    args = parser.parse_args()

    info = announce(args.name)
    index_dir = args.index_dir or tempfile.mkdtemp(prefix="kazrag-soak-")
    port = free_port()
    command = [
        sys.executable, "-m", "kazrag", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--index-dir", index_dir, "--feedback", str(Path(index_dir) / "feedback.jsonl"),
    ]  # fmt: skip
    if args.max_sessions is not None:
        command += ["--max-sessions", str(args.max_sessions)]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    process = psutil.Process(server.pid)
    questions = [
        json.loads(line)["question"]
        for line in open(ROOT / "eval/sets/reports-dev.jsonl", encoding="utf-8")
        if line.strip()
    ]
    rows: list[dict] = []
    latencies: list[float] = []
    try:
        line = server.stdout.readline()  # "kazrag: serving N documents at URL"
        if "serving" not in line:
            raise SystemExit(f"server did not start: {line!r}")
        url = line.split()[-1]
        with httpx.Client(base_url=url, timeout=120) as client:
            ask(client, questions[0])  # warm: the first answer loads lazily built parts
            rows.append({"calls": 0, "rss_mb": round(rss_mb(process))})
            print(f"  {0:>6} calls  {rows[-1]['rss_mb']:>5} MB", flush=True)
            started = time.monotonic()
            for number, question in zip(range(1, args.calls + 1), itertools.cycle(questions)):
                t = time.perf_counter()
                ask(client, question)
                latencies.append(time.perf_counter() - t)
                if number % args.every == 0 or number == args.calls:
                    rows.append(
                        {
                            "calls": number,
                            "rss_mb": round(rss_mb(process)),
                            "seconds": round(time.monotonic() - started, 1),
                            "load_average": [round(x, 2) for x in os.getloadavg()],
                        }
                    )
                    print(
                        f"  {number:>6} calls  {rows[-1]['rss_mb']:>5} MB  "
                        f"({rows[-1]['seconds']} s, load {rows[-1]['load_average'][0]})",
                        flush=True,
                    )
    finally:
        server.terminate()
        server.wait(timeout=60)
    first, last = rows[1] if len(rows) > 1 else rows[0], rows[-1]
    span = max(last["calls"] - first["calls"], 1)
    results = {
        "index_dir": index_dir,
        "max_sessions": args.max_sessions,
        "calls": len(latencies),
        "rss": rows,
        "growth_mb_per_1000_calls_after_the_first_report": round(
            (last["rss_mb"] - first["rss_mb"]) * 1000 / span, 1
        ),
        "chat_latency": summary_ms(latencies),
    }
    print(
        f"  {results['growth_mb_per_1000_calls_after_the_first_report']} MB per 1,000 calls "
        f"after call {first['calls']}; /chat p50 {results['chat_latency']['p50_ms']} ms",
        flush=True,
    )
    write_results(args.name, info, results, args.out)


if __name__ == "__main__":
    main()
