"""Changing the corpus from the web (issue 14, items 1, 2 and 7), by real HTTP calls to a
real server: who may add and remove documents, the one upload queue that keeps the chat
answering, an upload that never replaces an indexed document, the upload size limit,
uploads deleted once indexed, and the feedback file's bounds.

The permission rule is tested on the real `kazrag serve` bound to an address that is not
loopback: a network namespace joined to this one by a veth pair (root only), so the server is
reached over a real network interface and nothing outside this machine can reach it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from gradio_server import free_port, serving, trigger
from repo import REPO_ROOT

pytestmark = pytest.mark.slow

NEW_DOCUMENT = """Ақбұлақ ауылының бағы

Ақбұлақ ауылының тұрғындары 2023 жылдың көктемінде ауыл шетіне 412 түп алма ағашын
отырғызды. Бақты суаруға арналған құдықты жергілікті кәсіпкер Сәуле Төлегенова салдырды.
"""
NEW_QUESTION = "Ақбұлақ ауылында неше түп алма ағашы отырғызылды?"
BUNDLED_QUESTION = "Полиция ұсталған адамды айып тақпай тұрып қанша сағат ұстай алады?"
READ_ONLY = (
    "This server's documents are read-only from the web; the operator adds documents with "
    "kazrag index add, or serves with --admin-password."
)
PASSWORD = "kökTal-7-ағаш"


def write(folder: Path, name: str, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def left_in(upload_dir: Path, *names: str) -> list[Path]:
    """Files of these names still in the web server's upload folder (any subfolder)."""
    return [p for p in upload_dir.rglob("*") if p.is_file() and p.name in names]


def visible(config: dict, elem_id: str) -> bool:
    """Whether the page shows the component `elem_id`: it and every block around it visible."""
    props = {c["id"]: c.get("props", {}) for c in config["components"]}
    (target,) = [i for i, p in props.items() if p.get("elem_id") == elem_id]

    def path_to(node: dict) -> list[int] | None:
        if node["id"] == target:
            return [node["id"]]
        for child in node.get("children", []):
            found = path_to(child)
            if found is not None:
                return [node["id"], *found]
        return None

    path = path_to(config["layout"])
    assert path is not None, f"#{elem_id} is not in the page layout"
    return all(props.get(i, {}).get("visible", True) is not False for i in path)


def page_text(config: dict) -> str:
    return "\n".join(
        str(c.get("props", {}).get("value", ""))
        for c in config["components"]
        if c.get("type") == "markdown"
    )


# ------------------------------------------- the real `kazrag serve` on another address
@contextlib.contextmanager
def other_address() -> Iterator[tuple[list[str], str]]:
    """A network namespace reached from this one over a veth pair: (the prefix that runs a
    command inside it, the namespace's own address, which is not a loopback address)."""
    if os.geteuid() != 0:
        pytest.skip("a network namespace needs root")
    tag = os.getpid() % 250 + 1
    name, outside, inside = f"kazrag-up-{os.getpid()}", f"kzo{os.getpid()}", f"kzi{os.getpid()}"
    subnet = f"10.231.{tag}"
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot make a network namespace here: {made.stderr.strip()}")
    prefix = ["ip", "netns", "exec", name]
    try:
        for command in (
            ["ip", "link", "add", outside, "type", "veth", "peer", "name", inside, "netns", name],
            ["ip", "addr", "add", f"{subnet}.1/30", "dev", outside],
            ["ip", "link", "set", outside, "up"],
            [*prefix, "ip", "addr", "add", f"{subnet}.2/30", "dev", inside],
            [*prefix, "ip", "link", "set", inside, "up"],
            [*prefix, "ip", "link", "set", "lo", "up"],
        ):
            subprocess.run(command, check=True, capture_output=True)
        yield prefix, f"{subnet}.2"
    finally:  # the veth pair goes with the namespace
        subprocess.run(["ip", "netns", "delete", name], capture_output=True)


@dataclass
class Served:
    url: str
    upload_dir: Path
    index_dir: Path
    process: subprocess.Popen
    stderr: str = ""


@contextlib.contextmanager
def serve_elsewhere(engine, tmp_path: Path, *extra: str, env: dict | None = None):
    """The real `kazrag serve --host ADDRESS` on a copy of the session index, ADDRESS not a
    loopback one; stopped with SIGTERM (its stderr is then in `.stderr`)."""
    index_dir = tmp_path / "index"
    shutil.copytree(engine.config.resolved_index_dir(), index_dir, symlinks=True)
    upload_dir = tmp_path / "uploads"
    with other_address() as (prefix, address):
        process = subprocess.Popen(
            [
                *prefix,
                sys.executable,
                "-m",
                "kazrag",
                "serve",
                "--host",
                address,
                "--port",
                str(free_port()),
                "--index-dir",
                str(index_dir),
                "--model-dir",
                str(engine.config.resolved_model_dir()),
                "--feedback",
                str(tmp_path / "votes.jsonl"),
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
            env={**os.environ, "GRADIO_TEMP_DIR": str(upload_dir), **(env or {})},
        )
        served = Served("", upload_dir, index_dir, process)
        try:
            line = process.stdout.readline()
            if "serving" not in line:
                process.kill()
                raise AssertionError(f"serve did not start: {line}{process.stderr.read()}")
            served.url = line.split()[-1]
            assert served.url.startswith(f"http://{address}:"), line
            yield served
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                served.stderr = process.communicate(timeout=60)[1]
            finally:
                process.kill()


def test_a_server_on_another_address_without_a_password_is_read_only(engine, tmp_path):
    document = write(tmp_path / "docs", "akbulak-bagy.kk.txt", NEW_DOCUMENT)
    with serve_elsewhere(engine, tmp_path) as served:
        client = Client(served.url, verbose=False)
        with pytest.raises(AppError) as refused:
            client.predict([handle_file(document)], api_name="/add_documents")
        assert str(refused.value).strip() == READ_ONLY
        assert not left_in(served.upload_dir, document.name)  # the refused upload is deleted
        with pytest.raises(AppError) as refused:
            client.predict("human-rights-report-2017.kk.txt", api_name="/remove_document")
        assert str(refused.value).strip() == READ_ONLY
        # the Documents tab lists the documents and says why it offers no upload box
        page = httpx.get(f"{served.url}config", timeout=30).json()
        assert not visible(page, "upload") and not visible(page, "remove")
        assert visible(page, "documents")
        assert "read-only from the web" in page_text(page)
        answer = client.predict(BUNDLED_QUESTION, api_name="/chat")
        assert "72 сағат" in answer
        assert "akbulak" not in client.predict(NEW_QUESTION, api_name="/chat")
    assert served.process.returncode == 0, served.stderr
    assert (
        "kazrag: the corpus is read-only from the web (not served on 127.0.0.1 and no "
        "--admin-password or $KAZRAG_ADMIN_PASSWORD); add documents with kazrag index add"
    ) in served.stderr
    manifest = (served.index_dir / "current" / "manifest.json").read_text(encoding="utf-8")
    assert "human-rights-report-2017.kk.txt" in manifest and document.name not in manifest


@pytest.mark.parametrize("given", ["option", "environment"])
def test_a_server_on_another_address_takes_changes_only_with_the_admin_password(
    engine, tmp_path, given
):
    document = write(tmp_path / "docs", "akbulak-bagy.kk.txt", NEW_DOCUMENT)
    too_big = write(tmp_path / "docs", "huge.txt", "ә" * 15_000)  # 30,000 bytes
    extra = ("--admin-password", PASSWORD) if given == "option" else ()
    env = {"KAZRAG_ADMIN_PASSWORD": PASSWORD} if given == "environment" else {}
    with serve_elsewhere(engine, tmp_path, "--max-upload-bytes", "20K", *extra, env=env) as served:
        if given == "environment":  # the reason for the variable: not in the process list
            assert PASSWORD not in Path(f"/proc/{served.process.pid}/cmdline").read_text()
        client = Client(served.url, verbose=False)
        page = httpx.get(f"{served.url}config", timeout=30).json()
        assert visible(page, "upload") and visible(page, "admin-password")

        for password, message in (
            (None, "Changing the documents needs the admin password."),
            ("", "Changing the documents needs the admin password."),
            ("guess", "Wrong admin password; the documents are unchanged."),
        ):
            with pytest.raises(AppError) as refused:
                client.predict([handle_file(document)], password, api_name="/add_documents")
            assert str(refused.value).strip() == message
            assert not left_in(served.upload_dir, document.name)
        with pytest.raises(AppError) as refused:
            client.predict("human-rights-report-2017.kk.txt", "guess", api_name="/remove_document")
        assert str(refused.value).strip() == "Wrong admin password; the documents are unchanged."

        # over --max-upload-bytes: refused by the upload itself, with the limit, nothing kept
        with httpx.Client(base_url=served.url, timeout=60) as http, too_big.open("rb") as body:
            upload = http.post("gradio_api/upload", files={"files": (too_big.name, body)})
        assert upload.status_code == 413, upload.text
        assert "File size exceeded maximum allowed size of 20000 bytes" in upload.text
        assert not left_in(served.upload_dir, too_big.name)

        table, _, outcome = client.predict(
            [handle_file(document)], PASSWORD, api_name="/add_documents"
        )
        assert outcome.startswith("added akbulak-bagy.kk.txt: the index now has 3 documents")
        assert document.name in {row[0] for row in table["data"]}
        assert not left_in(served.upload_dir, document.name)  # deleted once indexed
        answer = client.predict(NEW_QUESTION, api_name="/chat")
        assert "412 түп алма ағашын" in answer and f"[1] {document.name}" in answer
        _, _, outcome = client.predict(document.name, PASSWORD, api_name="/remove_document")
        assert outcome.startswith("removed akbulak-bagy.kk.txt: the index now has 2 documents")
    assert served.process.returncode == 0, served.stderr
    assert (
        "kazrag: adding and removing documents from the web asks for the admin password"
        in served.stderr
    )
    assert PASSWORD not in served.stderr


# -------------------------------- the upload queue, on the app served on 127.0.0.1
def long_document(sentences: int) -> str:
    """A Kazakh text of `sentences` distinct sentences (none in the embedding cache), a
    paragraph every 12: minutes of embedding on a 2-core machine."""
    lines = ["Көктал ауылының шежіресі", ""]
    for i in range(sentences):
        lines.append(
            f"{1900 + i % 120}-жылдың {i % 28 + 1}-күні Көктал ауылының {i + 3}-көшесінде "
            f"{7 * i + 11} түп терек отырғызылып, оны {i % 9 + 2} отбасы күтті."
        )
        if i % 12 == 11:
            lines.append("")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def upload_server(engine, tmp_path_factory):
    """The chat (loopback: anyone on this machine may change the corpus) on a copy of the
    session index, its uploads in a folder of its own; feedback records bound to 200 bytes."""
    from kazrag.rag.engine import Kazrag

    base = tmp_path_factory.mktemp("uploads")
    index_dir = base / "index"
    shutil.copytree(engine.config.resolved_index_dir(), index_dir, symlinks=True)
    config = engine.config.with_(
        index_dir=index_dir, feedback_path=base / "votes.jsonl", max_feedback_bytes=200
    )
    own = Kazrag.open(config)
    upload_dir = base / "gradio"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADIO_TEMP_DIR", str(upload_dir))
        with serving(own, config) as url:
            yield url, upload_dir, own, config


def progress_text(job) -> str:
    units = job.status().progress_data or []
    return " | ".join(str(unit.desc) for unit in units if unit.desc)


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {seconds} s")


def test_the_chat_answers_while_uploads_are_indexed_one_batch_after_another(
    upload_server, tmp_path
):
    url, upload_dir, own, _ = upload_server
    big = write(tmp_path / "one", "koktal-shejiresi.kk.txt", long_document(480))
    good = write(tmp_path / "two", "akbulak-bagy.kk.txt", NEW_DOCUMENT)
    binary = write(tmp_path / "two", "photo.txt", bytes(range(256)) * 4)
    client = Client(url, verbose=False)

    first = client.submit([handle_file(big)], api_name="/add_documents")
    wait_for(lambda: "embedding" in progress_text(first), 300, "the large upload's embedding")
    # a second batch, a bad file beside a good one, queued behind the first
    second = client.submit([handle_file(binary), handle_file(good)], api_name="/add_documents")
    wait_for(lambda: "1 upload ahead" in progress_text(second), 60, "the second batch waiting")

    # the chat answers meanwhile, from the documents indexed so far
    asked = time.monotonic()
    answers = [client.predict(BUNDLED_QUESTION, api_name="/chat") for _ in range(3)]
    answered_in = time.monotonic() - asked
    assert not first.done(), "the large upload ended before the chat was asked: make it larger"
    assert all("72 сағат" in a for a in answers), answers
    assert answered_in < 60, answered_in

    _, _, first_outcome = first.result(timeout=900)
    _, _, second_outcome = second.result(timeout=300)
    # in the order they came: the second batch saw the first's document already indexed
    assert first_outcome.startswith("added koktal-shejiresi.kk.txt: the index now has 3 docum")
    lines = second_outcome.splitlines()
    assert lines[0].startswith("added akbulak-bagy.kk.txt: the index now has 4 documents")
    assert lines[1:] == [
        "not added: photo.txt: this is a binary file, not text (if it is UTF-16 text without a "
        "byte-order mark, save it as UTF-8)"
    ]
    answer = client.predict(NEW_QUESTION, api_name="/chat")
    assert "412 түп алма ағашын" in answer and f"[1] {good.name}" in answer
    # every upload is gone from the server's disk: indexed or refused
    assert not left_in(upload_dir, big.name, good.name, binary.name)
    assert {big.name, good.name} <= set(own.documents())


def test_an_upload_never_replaces_an_indexed_document(upload_server, tmp_path):
    url, upload_dir, own, _ = upload_server
    name = "human-rights-report-2017.kk.txt"
    forged = write(tmp_path, name, "Полиция ұсталған адамды 5 минут қана ұстай алады.\n")
    before = own.documents()[name]
    client = Client(url, verbose=False)
    _, _, outcome = client.predict([handle_file(forged)], api_name="/add_documents")
    assert outcome == (
        f"nothing added: {name}: a different document of this name is already indexed; an "
        "upload never replaces one: remove that one first, or rename the file"
    )
    assert own.documents()[name] == before
    answer = client.predict(BUNDLED_QUESTION, api_name="/chat")
    assert "72 сағат" in answer and "5 минут" not in answer
    assert not left_in(upload_dir, name)


def test_a_vote_is_recorded_only_for_an_answer_the_server_gave_within_the_size_bound(
    upload_server,
):
    url, _, _, config = upload_server
    votes = config.resolved_feedback_path()
    client = Client(url, verbose=False)
    history = client.predict(BUNDLED_QUESTION, [], "hybrid", 5, api_name="/respond")[1]
    answer = history[1]["content"]

    # a history the server never showed: the client's own question and answer, in the
    # page's message format
    forged = [
        {**history[0], "content": [{"type": "text", "text": "Is kazrag great?"}]},
        {**history[1], "content": [{"type": "text", "text": "Yes, five stars."}]},
    ]
    done = trigger(url, "chat", "like", [forged], {"index": 1, "value": [], "liked": True})
    assert not done.get("success")
    assert done["output"]["error"] == "This vote is not recorded: this server gave no such answer."

    # the server's own answer, but its record is over max_feedback_bytes
    text = answer if isinstance(answer, str) else answer[0]["text"]
    assert len((BUNDLED_QUESTION + text).encode()) > 200  # question and answer: over it
    done = trigger(url, "chat", "like", [history], {"index": 1, "value": [answer], "liked": True})
    assert not done.get("success")
    assert done["output"]["error"] == "This vote is not recorded: its record is over 200 bytes."
    assert not votes.exists()  # nothing was written for either


def test_an_upload_never_given_to_add_documents_is_deleted_after_stray_upload_seconds(
    engine, tmp_path, monkeypatch
):
    # a client that uploads and never asks to index (an abandoned page, or abuse) leaves
    # nothing behind once stray_upload_seconds have passed
    config = engine.config.with_(stray_upload_seconds=2)
    upload_dir = tmp_path / "gradio"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(upload_dir))
    stray = write(tmp_path, "abandoned.kk.txt", "Бұл файл ешқашан индекстелмейді.\n")
    with serving(engine, config) as url:
        with stray.open("rb") as handle:
            reply = httpx.post(f"{url}gradio_api/upload", files={"files": handle}, timeout=30)
        reply.raise_for_status()
        stored = Path(reply.json()[0])
        assert stored.is_file() and upload_dir in stored.parents
        wait_for(lambda: not stored.exists(), 30, "the stray upload deleted")
        assert not left_in(upload_dir, stray.name)
