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


@pytest.mark.parametrize("option", ["--ray-actors=-1"])
def test_bad_ray_options_are_refused(option, capsys):
    from kazrag.ui.cli import main

    with pytest.raises(SystemExit):
        main(["index", "build", option])
