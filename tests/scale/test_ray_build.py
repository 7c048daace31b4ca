"""`kazrag index build --ray`: chunking and embedding on a real 2-node Ray cluster (tests/infra.py,
in a loopback-only network namespace) gives the same index as a single process: the same
chunks, vectors equal within 1e-5, the same answers."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from kazakh_docs import QUESTIONS
from repo import REPO_ROOT

from kazrag.index.folder_store import FolderStore
from kazrag.rag.engine import Kazrag


def test_a_ray_build_equals_a_single_process_build(
    ray_cluster, small_engine, small_config, corpus, tmp_path
):
    """Run the way a user runs it: the `kazrag` command (a script calling the CLI, not
    `python -m`), from a folder that holds a `kazrag/` of its own, as a checkout does next to a
    wheel install. Ray puts the driver's working directory first on the workers' `sys.path`:
    the actors imported that folder and died ("No module named 'kazrag.rag'") until the build
    joined the cluster from an empty one. This folder's package fails on import, so the test
    fails the same way whether kazrag is installed editable or not."""
    index_dir = tmp_path / "ray-index"  # its own, empty embedding cache: everything is embedded
    here = tmp_path / "checkout"
    (here / "kazrag").mkdir(parents=True)
    (here / "kazrag" / "__init__.py").write_text(
        'raise ImportError("the kazrag/ folder of the working directory, not the installed one")\n'
    )
    command = tmp_path / "bin" / "kazrag"
    command.parent.mkdir()
    command.write_text("import sys\nfrom kazrag.ui.cli import main\nsys.exit(main())\n")
    result = subprocess.run(
        [*ray_cluster.prefix, sys.executable, str(command), "index", "build", str(corpus),
         "--index-dir", str(index_dir), "--model-dir", str(small_config.resolved_model_dir()),
         "--ray", ray_cluster.address],
        env=dict(os.environ, **ray_cluster.env), capture_output=True, text=True, cwd=here,
        timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "embedding on 2 Ray actors (2 nodes, 2 CPUs)" in result.stderr
    assert "Traceback" not in result.stderr
    local = small_engine.snapshot.version
    ray = FolderStore(index_dir).load()
    assert ray.manifest["documents"] == local.manifest["documents"]
    assert result.stdout.count(f"{ray.manifest['chunks']} chunks") == 1
    rows = np.arange(len(local.chunks))
    assert ray.chunks.get(rows) == local.chunks.get(rows)
    assert np.allclose(ray.vectors.reconstruct(rows), local.vectors.reconstruct(rows), atol=1e-5)
    for got, want in zip(ray.sentences.of_chunks(rows), local.sentences.of_chunks(rows)):
        assert np.allclose(got, want, atol=1e-5)
    engine = Kazrag(
        small_config.with_(index_dir=index_dir), small_engine.embedder, FolderStore(index_dir)
    )
    for question in QUESTIONS:
        a, b = engine.ask(question), small_engine.ask(question)
        assert (a.text, [q.citation() for q in a.quotes]) == (
            b.text,
            [q.citation() for q in b.quotes],
        )


def test_an_unreachable_ray_cluster_is_one_error_line(ray_cluster, small_config, corpus, tmp_path):
    result = subprocess.run(
        [*ray_cluster.prefix, sys.executable, "-m", "kazrag", "index", "build", str(corpus),
         "--index-dir", str(tmp_path / "index"), "--model-dir",
         str(small_config.resolved_model_dir()), "--ray", "127.0.0.1:1"],
        env=dict(os.environ, **ray_cluster.env), capture_output=True, text=True, cwd=REPO_ROOT,
        timeout=600,
    )  # fmt: skip
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and lines[-1].startswith(
        "kazrag: error: cannot join the Ray cluster at 127.0.0.1:1"
    )
    assert "RAY_AUTH_MODE=token" in lines[-1]  # a cluster that wants a token fails the same way
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "index").exists() or FolderStore(tmp_path / "index").state() == "empty"


def test_a_cluster_with_token_authentication_builds_with_its_token_and_refuses_without(
    token_ray_cluster, small_engine, small_config, corpus, tmp_path
):
    """README "A build on a Ray cluster": with RAY_AUTH_MODE=token and the cluster's token the
    build goes through and gives the single-process index; without the token, or with another,
    it is refused as one error line that says what is missing, and leaves no index."""
    cluster = token_ray_cluster
    home = tmp_path / "home"  # no ~/.ray/auth_token of the user's to fall back on
    home.mkdir()
    bare = {k: v for k, v in cluster.env.items() if not k.startswith("RAY_AUTH_")}

    def build(env: dict, name: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*cluster.prefix, sys.executable, "-m", "kazrag", "index", "build", str(corpus),
             "--index-dir", str(tmp_path / name), "--model-dir",
             str(small_config.resolved_model_dir()), "--ray", cluster.address],
            env=dict(env, HOME=str(home)), capture_output=True, text=True, cwd=tmp_path,
            timeout=600,
        )  # fmt: skip

    result = build(cluster.env, "with-token")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "embedding on 1 Ray actors (1 nodes, 1 CPUs)" in result.stderr
    local = small_engine.snapshot.version
    built = FolderStore(tmp_path / "with-token").load()
    rows = np.arange(len(local.chunks))
    assert built.chunks.get(rows) == local.chunks.get(rows)
    assert np.allclose(built.vectors.reconstruct(rows), local.vectors.reconstruct(rows), atol=1e-5)

    for name, env in [
        ("no-token", bare),
        ("wrong-token", dict(cluster.env, RAY_AUTH_TOKEN="0" * 32)),
    ]:
        result = build(env, name)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1, (name, result.stderr[-2000:])
        assert lines[-1].startswith(
            f"kazrag: error: cannot join the Ray cluster at {cluster.address}"
        )
        assert "RAY_AUTH_MODE=token" in lines[-1] and "RAY_AUTH_TOKEN" in lines[-1]
        assert "Traceback" not in result.stderr
        store = tmp_path / name
        assert not store.exists() or FolderStore(store).state() == "empty"


@pytest.mark.parametrize("option", ["--ray-actors=-1"])
def test_bad_ray_options_are_refused(option, capsys):
    from kazrag.ui.cli import main

    with pytest.raises(SystemExit):
        main(["index", "build", option])
