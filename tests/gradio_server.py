"""Serving the real Gradio app on a free local port for the app and browser tests."""

from __future__ import annotations

import contextlib
import json
import socket
import uuid
from collections.abc import Iterator

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(engine, config, access=None) -> Iterator[str]:
    """The app around `engine`, launched in a background thread as `kazrag serve` launches
    it; yields its URL. `access` (ui.uploads.CorpusAccess): who may change the corpus, as
    if served on another address (tests listen on 127.0.0.1 only)."""
    from kazrag.ui.app import build_app

    with launched(build_app(engine, config, access), config) as url:
        yield url


@contextlib.contextmanager
def launched(demo, config) -> Iterator[str]:
    """`demo` (a built app, for tests that look inside it) launched as `serving` does."""
    from kazrag.ui.app import launch_options

    _, url, _ = demo.launch(
        server_name="127.0.0.1",
        server_port=free_port(),
        prevent_thread_lock=True,
        quiet=True,
        **launch_options(config),
    )
    try:
        yield url
    finally:
        demo.close()


def trigger(url: str, elem_id: str, event: str, data: list, event_data: dict) -> dict:
    """Fire `event` of the component `elem_id` the way the page does (queue join, then the
    event stream), with browser-only event data such as a like; returns the final message."""
    config = httpx.get(f"{url}config", timeout=30).json()
    component = next(
        c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id
    )
    fn_index = next(d["id"] for d in config["dependencies"] if [component, event] in d["targets"])
    session = uuid.uuid4().hex
    with httpx.Client(base_url=url, timeout=60) as client:
        joined = client.post(
            "gradio_api/queue/join",
            json={
                "data": data,
                "event_data": event_data,
                "fn_index": fn_index,
                "trigger_id": component,
                "session_hash": session,
            },
        )
        joined.raise_for_status()
        with client.stream(
            "GET", "gradio_api/queue/data", params={"session_hash": session}
        ) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return message
    raise AssertionError(f"the {event} event of #{elem_id} never completed")
