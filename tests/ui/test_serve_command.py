"""`kazrag serve` as a user runs it: a real process, its printed address, Ctrl+C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import pytest
from gradio_client import Client
from gradio_server import free_port
from repo import REPO_ROOT

pytestmark = pytest.mark.slow

KAZRAG = [sys.executable, "-m", "kazrag"]


def start_serve(engine, port: int, feedback, *extra: str) -> subprocess.Popen:
    """`kazrag serve` started the way a script starts it in the background: a
    non-interactive shell's `&` leaves the child with SIGINT ignored (SIG_IGN)."""
    return subprocess.Popen(
        KAZRAG
        + [
            "serve",
            "--port",
            str(port),
            "--feedback",
            str(feedback),
            "--index-dir",
            str(engine.config.resolved_index_dir()),
            "--model-dir",
            str(engine.config.resolved_model_dir()),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )


def test_serve_prints_its_address_answers_and_stops_on_ctrl_c(engine, tmp_path):
    port = free_port()
    feedback = tmp_path / "votes.jsonl"
    server = start_serve(engine, port, feedback)
    try:
        line = server.stdout.readline()
        assert line.strip() == (
            f"kazrag: serving {len(engine.documents())} documents at http://127.0.0.1:{port}/"
        ), line + server.stderr.read()
        answer = Client(line.split()[-1], verbose=False).predict(
            "Заң бойынша қалыпты жұмыс аптасы ең көбі неше сағат болуы керек?", api_name="/chat"
        )
        assert "40 сағат" in answer and "[1]" in answer
        server.send_signal(signal.SIGINT)  # ignored by inheritance, handled by serve itself
        _, err = server.communicate(timeout=30)
    finally:
        server.kill()
    assert server.returncode == 0
    assert str(feedback) in err and "Traceback" not in err
    assert err.rstrip().endswith("kazrag: stopped")


def test_serve_stops_cleanly_on_sigterm_and_frees_its_port(engine, tmp_path):
    port = free_port()
    server = start_serve(engine, port, tmp_path / "votes.jsonl")
    try:
        assert "serving" in server.stdout.readline()
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=30)
        stopped_in = time.monotonic() - started
    finally:
        server.kill()
    assert server.returncode == 0, err
    assert stopped_in < 10 and "Traceback" not in err
    with socket.socket() as probe:  # the port is free again
        probe.bind(("127.0.0.1", port))


def test_serve_refuses_a_port_in_use_before_loading_anything(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            KAZRAG + ["serve", "--port", str(port), "--index-dir", str(tmp_path / "none")],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=REPO_ROOT,
        )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"kazrag: error: cannot serve on 127.0.0.1:{port}: "
        "already in use; choose another --port (or --host)"
    )
    assert not (tmp_path / "none").exists()  # nothing was indexed
