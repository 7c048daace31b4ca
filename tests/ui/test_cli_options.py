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
