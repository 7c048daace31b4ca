"""Malformed values sent to the chat's HTTP API (issue 14, item 9), by real REST calls to a
real server: each is answered with one line naming the value, never a server traceback or
Gradio's `error: null`; `top_k` follows the command line's one range."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
from gradio_server import serving
from repo import REPO_ROOT

QUESTION = "Заң бойынша қалыпты жұмыс аптасы ең көбі неше сағат болуы керек?"
TOP_K_RANGE = "top_k must be a whole number from 1 to 20"


@pytest.fixture(scope="module")
def url(engine, tmp_path_factory):
    feedback = tmp_path_factory.mktemp("api") / "votes.jsonl"
    with serving(engine, engine.config.with_(feedback_path=feedback)) as address:
        yield address


def call_chat(url: str, body: str) -> tuple[str, object]:
    """POST a raw JSON body to /gradio_api/call/chat, as curl would, and read the stream:
    (the last event's name, its data)."""
    with httpx.Client(base_url=url, timeout=120) as client:
        started = client.post(
            "gradio_api/call/chat", content=body, headers={"Content-Type": "application/json"}
        )
        assert started.status_code == 200, started.text
        event, data = "", None
        with client.stream("GET", f"gradio_api/call/chat/{started.json()['event_id']}") as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    data = json.loads(line[5:])
                    break
    return event, data


def body(*values: str) -> str:
    return '{"data": [' + ", ".join(values) + "]}"


Q = json.dumps(QUESTION)


@pytest.mark.parametrize(
    "values,message",
    [
        ((Q, '"hybrid"', "{}"), TOP_K_RANGE + ", not {}"),
        ((Q, '"hybrid"', "[1]"), TOP_K_RANGE + ", not [1]"),
        ((Q, '"hybrid"', "1e999"), TOP_K_RANGE + ", not inf"),  # JSON's 1e999 reads as inf
        ((Q, '"hybrid"', "0"), TOP_K_RANGE + ", not 0"),
        ((Q, '"hybrid"', "-1"), TOP_K_RANGE + ", not -1"),
        ((Q, '"hybrid"', "1000000000"), TOP_K_RANGE + ", not 1000000000"),
        ((Q, '"hybrid"', "2.5"), TOP_K_RANGE + ", not 2.5"),
        ((Q, '"hybrid"', '"5"'), TOP_K_RANGE + ", not '5'"),
        (("5", '"hybrid"', "5"), "The question must be text, not the number 5."),
        (('["a"]', '"hybrid"', "5"), "The question must be text, not a list."),
        (("{}",), "The question must be text, not an object."),
        ((Q, "7", "5"), "unknown retrieval mode the number 7; choose one of bm25, dense, hybrid"),
        ((Q, '"fuzzy"', "5"), "unknown retrieval mode 'fuzzy'; choose one of bm25, dense, hybrid"),
        ((), "The question is empty."),  # no values at all
    ],
)
def test_a_malformed_value_is_answered_with_one_line_naming_it(url, values, message):
    event, data = call_chat(url, body(*values))
    assert event == "error" and isinstance(data, dict), data
    error = data["error"]  # Gradio's `error: null` was the old answer to all of these
    assert isinstance(error, str) and error.startswith(message), data
    assert "\n" not in error and "Traceback" not in error


@pytest.mark.parametrize(
    "values", [(Q,), (Q, "null", "null"), (Q, '"hybrid"'), (Q, '"hybrid"', "3.0")]
)
def test_missing_or_null_values_take_the_defaults(url, values):
    event, data = call_chat(url, body(*values))
    assert event == "complete", data
    assert isinstance(data, list) and "40 сағат" in data[0]


def test_the_command_line_refuses_the_same_top_k_with_the_same_message(engine):
    for top_k in ("0", "-1", "1000000000"):
        result = subprocess.run(
            [sys.executable, "-m", "kazrag", "ask", QUESTION, "--top-k", top_k],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            timeout=120,
        )
        assert result.returncode == 1
        assert result.stderr.strip() == f"kazrag: error: {TOP_K_RANGE}, not {top_k}"


def test_rest_calls_keep_at_most_max_sessions_sessions(engine, tmp_path):
    """Each REST call is a Gradio session whose state is kept (issue 14, item 8): the server
    holds the last `max_sessions` of them, not Gradio's 10,000 (benchmarks/soak_rest.py
    measures the memory this bounds)."""
    from gradio_server import launched

    from kazrag.ui.app import build_app

    config = engine.config.with_(feedback_path=tmp_path / "votes.jsonl", max_sessions=4)
    demo = build_app(engine, config)
    with launched(demo, config) as address:
        for _ in range(10):
            assert call_chat(address, body(Q))[0] == "complete"
        sessions = len(demo.state_holder.session_data)
    assert sessions == 4  # 10 calls, 10 sessions made; the 6 oldest dropped
