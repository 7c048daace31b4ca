"""kazrag on the PostgreSQL store with the real model (tests/infra.py starts the servers):
the same answers as the FAISS folder, the commands with --store / --read-dsn, two chat
servers on one database following a change while they answer, concurrent writers, a killed
build, a replica that goes away and a server that is not there."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest
from cli_run import cli, error_line
from gradio_client import Client
from infra import free_port
from kazakh_docs import KOBYZ, PDF_QUESTION, QUESTIONS
from repo import REPO_ROOT

from kazrag.index.postgres_store import PostgresStore
from kazrag.rag.config import Config
from kazrag.rag.engine import Kazrag
from kazrag.rag.stores import cache_dir_of

KAZRAG = [sys.executable, "-m", "kazrag"]
KOBYZ_QUESTION = "Қылқобыздың ішегі неден тағылады?"
OFF_TOPIC = "Марстағы ең биік тау қалай аталады?"


@pytest.fixture(scope="module")
def pg_config(pg, small_config):
    primary, _ = pg.new_database()
    return small_config.with_(store=primary)


@pytest.fixture(scope="module")
def pg_engine(pg_config, corpus):
    """The small corpus indexed into PostgreSQL once for this module."""
    return Kazrag.open(pg_config, corpus=[corpus])


def fresh_database(pg, pg_config, pg_engine):
    """A config on a new, empty database whose embedding cache is a copy of `pg_engine`'s
    (so building the small corpus there embeds nothing)."""
    primary, replica = pg.new_database()
    config = pg_config.with_(store=primary)
    shutil.copytree(cache_dir_of(pg_config), cache_dir_of(config), dirs_exist_ok=True)
    return config, replica


def model_args(config) -> list[str]:
    return ["--model-dir", str(config.resolved_model_dir())]


def summary(answer) -> tuple:
    return (
        answer.abstained,
        answer.text,
        [(q.doc, q.text, q.citation()) for q in answer.quotes],
        [(p.chunk.chunk_id, round(p.score, 5)) for p in answer.passages],
    )


# ------------------------------------------------------------- same as the folder store
@pytest.mark.parametrize("question", [*QUESTIONS, OFF_TOPIC])
def test_same_answers_as_the_faiss_folder(small_engine, pg_engine, question):
    assert summary(pg_engine.ask(question)) == summary(small_engine.ask(question))


def test_same_index_as_the_faiss_folder(small_engine, pg_engine):
    a, b = small_engine.snapshot.version, pg_engine.snapshot.version
    for key in ("documents", "chunks", "sentences", "model", "keyword", "chunker"):
        assert b.manifest[key] == a.manifest[key], key
    rows = list(range(len(a.chunks)))
    assert b.chunks.get(rows) == [
        {k: v for k, v in r.items() if k != "sentence_offset"} for r in a.chunks.get(rows)
    ]
    for mode in ("bm25", "dense", "hybrid"):
        for question in QUESTIONS:
            want = [(p.chunk.chunk_id, p.score) for p in small_engine.search(question, mode, 10)]
            got = [(p.chunk.chunk_id, p.score) for p in pg_engine.search(question, mode, 10)]
            assert [r for r, _ in got] == [r for r, _ in want], (mode, question)
            assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=1e-5)


# ------------------------------------------------------------------------ commands
def test_commands_build_ask_add_remove_info(
    capsys, pg, pg_config, pg_engine, corpus, tmp_path, monkeypatch
):
    config, _ = fresh_database(pg, pg_config, pg_engine)
    # the commands keep the database's embedding cache under the user cache: give them a
    # copy of pg_engine's, so the build below embeds nothing
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    shutil.copytree(cache_dir_of(config), cache_dir_of(Config(store=config.store)))
    store = ["--store", config.store] + model_args(config)
    code, out, err = cli(capsys, "index", "build", str(corpus), *store)
    assert code == 0 and "index built: 5 documents" in out and ", 0 texts embedded" in out, err
    code, out, _ = cli(capsys, "ask", PDF_QUESTION, "--json", *store)
    assert code == 0 and json.loads(out)["quotes"][0]["doc"] == "cities.pdf"
    new = tmp_path / "docs" / "kobyz.txt"
    new.parent.mkdir()
    new.write_text(KOBYZ, encoding="utf-8")
    code, out, err = cli(capsys, "index", "add", str(new), *store)
    assert code == 0 and "added 1 (kobyz.txt)" in out and "index now 6 documents" in out, err
    code, out, _ = cli(capsys, "ask", KOBYZ_QUESTION, "--json", *store)
    assert json.loads(out)["quotes"][0]["doc"] == "kobyz.txt"
    code, out, _ = cli(capsys, "index", "info", "--json", *store)
    info = json.loads(out)
    assert code == 0 and "kobyz.txt" in info["documents"] and info["store"] == "postgresql"
    assert info["index"].startswith(f"127.0.0.1:{pg.primary.port}/") and info["size_bytes"] > 0
    code, out, err = cli(capsys, "index", "remove", "kobyz.txt", *store)
    assert code == 0 and "index now 5 documents" in out, err
    code, out, _ = cli(capsys, "ask", KOBYZ_QUESTION, "--json", *store)
    assert all(q["doc"] != "kobyz.txt" for q in json.loads(out)["quotes"])
    # the environment names the store when --store is not given
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KAZRAG_STORE", config.store)
        code, out, _ = cli(capsys, "index", "info", "--json", *model_args(config))
    assert code == 0 and "kobyz.txt" not in json.loads(out)["documents"]


def test_ask_reads_the_replica_and_carries_on_without_it(capsys, pg, pg_config, pg_engine):
    primary, replica = (
        pg_config.store,
        pg_config.store.replace(f":{pg.primary.port}/", f":{pg.replica.port}/"),
    )
    pg.wait_replica_caught_up()
    args = ["ask", PDF_QUESTION, "--json", "--store", primary, "--read-dsn", replica]
    code, out, err = cli(capsys, *args, *model_args(pg_config))
    assert code == 0 and json.loads(out)["quotes"][0]["doc"] == "cities.pdf", err
    assert "replica" not in err
    pg.replica.stop("immediate")
    try:
        code, out, err = cli(capsys, *args, *model_args(pg_config))
    finally:
        pg.replica.start()
    assert code == 0 and json.loads(out)["quotes"][0]["doc"] == "cities.pdf"
    assert f"the read replica at 127.0.0.1:{pg.replica.port}" in err
    assert "reading from the primary" in err


def test_a_server_without_pgvector_is_one_error_line_and_nothing_is_written(
    capsys, pg_config, pg_engine, corpus
):
    from infra import pg_without_pgvector

    with pg_without_pgvector() as server:
        config = pg_config.with_(store=server.dsn())
        shutil.copytree(cache_dir_of(pg_config), cache_dir_of(config), dirs_exist_ok=True)
        code, _, err = cli(capsys, "index", "build", str(corpus), "--store", config.store,
                           *model_args(config))  # fmt: skip
        assert code == 1 and "has no pgvector extension: install pgvector" in error_line(err)
        assert server.sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'kazrag'") == "0"
        code, _, err = cli(capsys, "ask", PDF_QUESTION, "--store", config.store,
                           *model_args(config))  # fmt: skip
        assert code == 1 and "has no pgvector extension" in error_line(err)


def test_unreachable_or_wrong_store_is_one_error_line(capsys, pg_config):
    dsn = f"postgresql://kazrag:hunter2@127.0.0.1:{free_port()}/kazrag"
    code, _, err = cli(capsys, "ask", PDF_QUESTION, "--store", dsn, *model_args(pg_config))
    line = error_line(err)
    assert code == 1 and "cannot reach the PostgreSQL server at 127.0.0.1:" in line
    assert "hunter2" not in err
    code, _, err = cli(capsys, "index", "info", "--store", "mysql://db/kazrag")
    assert code == 1 and "--store must be a PostgreSQL address" in error_line(err)
    code, _, err = cli(capsys, "index", "info", "--read-dsn", dsn)
    assert code == 1 and "give --store too" in error_line(err)


# ------------------------------------------------------------ many processes at once
def serve(config, port: int, *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        KAZRAG
        + ["serve", "--port", str(port), "--store", config.store, *options]
        + model_args(config),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )


def test_two_servers_follow_concurrent_writers_while_answering(
    pg, pg_config, pg_engine, corpus, tmp_path
):
    config, _ = fresh_database(pg, pg_config, pg_engine)
    Kazrag.build(config, pg_engine.embedder, [corpus], store=None)
    servers = [serve(config, free_port()) for _ in range(2)]
    answers, errors, stop = [], [], threading.Event()
    askers: list[threading.Thread] = []
    try:
        urls = []
        for server in servers:
            line = server.stdout.readline()
            assert line.startswith("kazrag: serving 5 documents at "), line + server.stderr.read()
            urls.append(line.split()[-1])
        clients = [Client(url, verbose=False) for url in urls]

        def keep_asking(client):
            while not stop.is_set():
                try:
                    answers.append(client.predict(PDF_QUESTION, api_name="/chat"))
                except Exception as exc:  # noqa: BLE001 - any failure is what this test catches
                    errors.append(repr(exc))

        askers = [
            threading.Thread(target=keep_asking, args=(Client(u, verbose=False),)) for u in urls
        ]
        for asker in askers:
            asker.start()
        # two writers at once, each adding its own document: both must end up in the index
        writers = []
        for name in ("kobyz-a.txt", "kobyz-b.txt"):
            folder = tmp_path / name
            folder.mkdir()
            (folder / name).write_text(KOBYZ.replace("Қылқобыз", f"Қылқобыз ({name})"), "utf-8")
            writers.append(
                subprocess.Popen(
                    KAZRAG
                    + ["index", "add", str(folder / name), "--store", config.store]
                    + model_args(config),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=REPO_ROOT,
                )
            )
        for writer in writers:
            out, err = writer.communicate(timeout=300)
            assert writer.returncode == 0, err
        final = set(PostgresStore(config.store).read_manifest()["documents"])
        assert {"kobyz-a.txt", "kobyz-b.txt"} <= final and len(final) == 7
        # both servers switch to the new version by themselves, while still answering
        deadline = time.monotonic() + 60
        seen = set()
        while time.monotonic() < deadline and len(seen) < 2:
            for i, client in enumerate(clients):
                if "kobyz-" in client.predict(KOBYZ_QUESTION, api_name="/chat"):
                    seen.add(i)
            time.sleep(0.5)
        assert seen == {0, 1}
    finally:
        stop.set()
        for asker in askers:  # the questions in flight finish before the servers stop
            asker.join(60)
        for server in servers:
            server.send_signal(signal.SIGINT)
    for server in servers:
        _, err = server.communicate(timeout=60)
        assert "Traceback" not in err and "switched to index version" in err, err
    assert not errors and answers
    assert all("cities.pdf" in a and "[1]" in a for a in answers)


def test_a_server_answers_without_its_replica_and_says_so_without_its_database(
    pg, pg_config, pg_engine
):
    """`serve --read-dsn`: the replica stops (answers go on, from the primary), then the
    primary too (each question gets the one-line reason, the server stays up), then the
    database is back (answers again)."""
    from gradio_client.exceptions import AppError

    pg.wait_replica_caught_up()
    replica = pg_config.store.replace(f":{pg.primary.port}/", f":{pg.replica.port}/")
    server = serve(pg_config, free_port(), "--read-dsn", replica)
    try:
        line = server.stdout.readline()
        assert line.startswith("kazrag: serving 5 documents at "), line + server.stderr.read()
        client = Client(line.split()[-1], verbose=False)
        assert "cities.pdf" in client.predict(PDF_QUESTION, api_name="/chat")
        pg.replica.stop("immediate")
        try:
            assert "cities.pdf" in client.predict(PDF_QUESTION, api_name="/chat")
            pg.primary.stop("immediate")
            try:
                for _ in range(2):  # the first question finds the connection dead, the next none
                    with pytest.raises(AppError) as caught:
                        client.predict(PDF_QUESTION, api_name="/chat")
                    assert f"the PostgreSQL server at 127.0.0.1:{pg.primary.port}/" in str(
                        caught.value
                    )
                    assert "\n" not in str(caught.value) and "Traceback" not in str(caught.value)
            finally:
                pg.primary.start()
            assert "cities.pdf" in client.predict(PDF_QUESTION, api_name="/chat")
        finally:
            pg.replica.start()
    finally:
        server.send_signal(signal.SIGINT)
    _, err = server.communicate(timeout=60)
    assert "Traceback" not in err, err
    assert f"the read replica at 127.0.0.1:{pg.replica.port}" in err
    assert "reading from the primary" in err


def writing_transaction(conn, database: str) -> bool:
    """Whether some session of `database` is inside a transaction that has written."""
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
        "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
        (database,),
    ).fetchone()
    return row[0] > 0


def test_a_killed_build_leaves_the_index_answering(pg, pg_config, pg_engine, corpus):
    import psycopg

    config, _ = fresh_database(pg, pg_config, pg_engine)
    Kazrag.build(config, pg_engine.embedder, [corpus])
    store = PostgresStore(config.store)
    before = store.current_id()
    database = config.store.rsplit("/", 1)[1]
    watcher = psycopg.connect(config.store, autocommit=True)
    caught = False
    for _ in range(5):  # the write of a small corpus takes a moment: catch it in the act
        build = subprocess.Popen(
            KAZRAG
            + ["index", "build", str(corpus), "--rebuild", "--store", config.store]
            + model_args(config),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=REPO_ROOT,
        )
        while build.poll() is None and not writing_transaction(watcher, database):
            pass
        build.send_signal(signal.SIGSTOP)  # frozen half-way through writing its version
        caught = build.poll() is None and writing_transaction(watcher, database)
        if caught:
            # meanwhile readers still get the old version, whole
            assert store.current_id() == before
            assert Kazrag(config, pg_engine.embedder, store).ask(PDF_QUESTION).quotes
        build.kill()
        build.wait()
        if caught:
            break
        before = store.current_id()  # it finished first; try again
    watcher.close()
    assert caught, "no build could be caught while writing"
    assert store.current_id() == before
    engine = Kazrag(config, pg_engine.embedder, store)
    assert engine.ask(PDF_QUESTION).quotes[0].doc == "cities.pdf"
    report = Kazrag.build(config, pg_engine.embedder, [corpus], force=True)
    assert not report.reused and store.current_id() != before
