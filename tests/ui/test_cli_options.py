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
