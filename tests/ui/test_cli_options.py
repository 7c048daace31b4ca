"""Command-line options reach the one Config."""

import pytest

from kazrag.rag.config import Config
from kazrag.ui.cli import build_parser
from kazrag.ui.options import config_from


@pytest.mark.parametrize(
    "command",
    [["ask", "сұрақ"], ["index", "info"], ["serve"], ["eval", "q.jsonl", "--corpus", "c"]],
)
def test_backend_option_sets_the_embedding_backend(command):
    args = build_parser().parse_args(command + ["--backend", "onnx-int8"])
    assert config_from(args).embed_backend == "onnx-int8"
    assert config_from(build_parser().parse_args(command)).embed_backend == Config.embed_backend


def test_an_unknown_backend_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["ask", "сұрақ", "--backend", "gpu"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'gpu'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    [["index", "add", "d"], ["index", "build", "d"], ["ask", "сұрақ"], ["serve"]],
)
def test_limit_options_set_the_document_limits(command):
    limits = [
        "--max-file-bytes",
        "1.5G",
        "--max-pages",
        "12",
        "--max-paragraphs",
        "0",
        "--max-characters",
        "5000",
        "--max-document-seconds",
        "2.5",
    ]
    config = config_from(build_parser().parse_args(command + limits))
    assert (
        config.max_file_bytes,
        config.max_pages,
        config.max_paragraphs,
        config.max_characters,
        config.max_document_seconds,
    ) == (1_500_000_000, 12, 0, 5000, 2.5)
    defaults = config_from(build_parser().parse_args(command))
    assert defaults.max_pages == Config.max_pages and defaults.max_file_bytes == 200_000_000


@pytest.mark.parametrize(
    "option, value",
    [("--max-pages", "-1"), ("--max-pages", "1.5"), ("--max-document-seconds", "inf")],
)
def test_a_bad_limit_is_refused_by_the_parser(capsys, option, value):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["index", "add", "d", option, value])
    assert exit_info.value.code == 2
    assert f"argument {option}: not a" in capsys.readouterr().err


def test_ef_search_option_finds_more_of_the_true_nearest_passages(tmp_path):
    """`--ef-search` reaches the HNSW index a command opens: a small effort misses many of
    the true 10 nearest passages of a hard index, a large one finds them."""
    import numpy as np

    from kazrag.index.base import IndexContents
    from kazrag.index.folder_store import FolderStore
    from kazrag.rag.stores import open_store

    rng = np.random.default_rng(0)
    n, dim = 4000, 64  # uniform random vectors: the hardest case for a graph index
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    FolderStore(tmp_path).write(
        IndexContents(
            manifest={"chunks": n, "model": "m"},
            records=[{"chunk_id": i, "text": f"passage {i}"} for i in range(n)],
            chunk_vectors=vectors,
            sentence_vectors=vectors,
            sentence_counts=[1] * n,
            keyword_tokens=[[f"w{i}"] for i in range(n)],
            documents=[{"doc_id": "d"}],
            vector_settings={"kind": "hnsw", "hnsw_m": 8, "hnsw_ef_construction": 32},
        )
    )
    queries = vectors[:50] + 0.5 * rng.normal(size=(50, dim)).astype(np.float32)
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]

    def recall(effort: str) -> float:
        args = build_parser().parse_args(
            ["ask", "q", "--index-dir", str(tmp_path), "--ef-search", effort]
        )
        version = open_store(config_from(args)).load()
        assert version.vectors.kind == "hnsw"
        _, found = version.vectors.search(queries, 10)
        return float(np.mean([len(set(e) & set(f)) / 10 for e, f in zip(exact, found)]))

    assert recall("10") < 0.8  # measured 0.26
    assert recall("1000") > 0.95  # measured 1.0


def test_a_bad_ef_search_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["ask", "q", "--ef-search", "0"])
    assert "not a whole number, 1 or more: '0'" in capsys.readouterr().err
