"""A build's passages in bf16 (Config.passage_precision, rag/model/bf16.py) stand in for the
fp32 ones: the same vectors to within cosine 0.9995, the same nearest passages, questions
untouched; only inside a bulk of enough texts, and dropped after it; "auto" follows the CPU's
flags, and a bf16 path that cannot load is explained under "bf16" and quietly replaced by fp32
under "auto". Speed is measured in benchmarks/, not here."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from repo import REPO_ROOT, report_sentences

import kazrag.rag.embedding as embedding
from kazrag.errors import ConfigError, ModelError
from kazrag.rag.config import Config
from kazrag.rag.embedding import OnnxEmbedder
from kazrag.rag.formats import Document
from kazrag.rag.indexing import build_index
from kazrag.rag.model.bf16 import cpu_has_bf16_tiles
from kazrag.rag.model.onnx_export import ensure_onnx

REPORT = REPO_ROOT / "data" / "corpus" / "human-rights-report-2017.kk.txt"


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    """24 real sentences of a bundled report, spread over the length range."""
    return report_sentences(REPORT.name, 24)


@pytest.fixture(scope="module")
def onnx_file(converted_model_dir):
    return ensure_onnx(converted_model_dir, "onnx")


def embedder_of(model_dir, onnx_file, precision: str, min_texts: int = 1) -> OnnxEmbedder:
    return OnnxEmbedder(
        model_dir, onnx_file, "e5+onnx", passage_precision=precision, bf16_min_texts=min_texts
    )


def test_auto_follows_the_cpus_bf16_tiles(tmp_path):
    with_tiles, without = tmp_path / "amx", tmp_path / "older"
    with_tiles.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx512f amx_bf16 amx_tile\n")
    without.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16\n")
    assert cpu_has_bf16_tiles(with_tiles)
    assert not cpu_has_bf16_tiles(without)  # bf16 dot products alone are not tiles
    assert not cpu_has_bf16_tiles(tmp_path / "no-such-file")  # not Linux: fp32


def test_an_unknown_precision_is_refused():
    with pytest.raises(ConfigError, match="passage_precision must be one of auto, fp32, bf16"):
        Config(passage_precision="fp16")


@pytest.mark.slow
def test_bf16_passages_match_fp32_and_questions_are_untouched(
    converted_model_dir, onnx_file, sentences
):
    fp32 = embedder_of(converted_model_dir, onnx_file, "fp32")
    bf16 = embedder_of(converted_model_dir, onnx_file, "bf16")
    questions = [s.split(",")[0][:60] for s in sentences[::3]]
    exact = fp32.encode_passages(sentences)
    assert np.array_equal(bf16.encode_passages(sentences), exact)  # outside a bulk: fp32
    with bf16.bulk(len(sentences)):
        assert np.array_equal(bf16.encode_queries(questions), fp32.encode_queries(questions))
        fast = bf16.encode_passages(sentences)
    assert bf16.last_bulk_precision == "bf16" and bf16._bf16 is None  # dropped after the bulk
    assert not np.array_equal(fast, exact)  # it did run in bf16
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert (exact * fast).sum(1).min() >= 0.9995
    # the same nearest passages, but for near-ties (bf16 rounding may swap two passages
    # whose cosines differ by less than it moves them)
    scores = fp32.encode_queries(questions) @ fast.T
    best_fp32 = (fp32.encode_queries(questions) @ exact.T).argmax(1)
    lost = scores.max(1) - scores[np.arange(len(questions)), best_fp32]
    assert lost.max() <= 0.002


@pytest.mark.slow
def test_a_small_bulk_or_a_cpu_without_tiles_stays_fp32(
    converted_model_dir, onnx_file, sentences, monkeypatch
):
    fp32 = embedder_of(converted_model_dir, onnx_file, "fp32")
    monkeypatch.setattr(embedding, "cpu_has_bf16_tiles", lambda: True)
    few = embedder_of(converted_model_dir, onnx_file, "auto", min_texts=100)
    with few.bulk(len(sentences)):  # 24 texts: not worth loading torch's copy
        assert np.array_equal(few.encode_passages(sentences), fp32.encode_passages(sentences))
    assert few.last_bulk_precision == "fp32"

    monkeypatch.setattr(embedding, "cpu_has_bf16_tiles", lambda: False)  # the CPU we lack
    auto = embedder_of(converted_model_dir, onnx_file, "auto")
    with auto.bulk(len(sentences)):
        assert np.array_equal(auto.encode_passages(sentences), fp32.encode_passages(sentences))
    assert auto.last_bulk_precision == "fp32"


@pytest.mark.slow
def test_a_bf16_path_that_cannot_load_is_explained_or_replaced(
    converted_model_dir, onnx_file, sentences, tmp_path, monkeypatch
):
    broken = tmp_path / "model"
    shutil.copytree(converted_model_dir, broken)
    (broken / "model.safetensors").write_bytes(b"not weights")  # ONNX still has its own copy
    explicit = embedder_of(broken, onnx_file, "bf16")
    with pytest.raises(ModelError, match="passage_precision='fp32'"):
        with explicit.bulk(10):
            pass

    monkeypatch.setattr(embedding, "cpu_has_bf16_tiles", lambda: True)
    auto = embedder_of(broken, onnx_file, "auto")
    fp32 = embedder_of(converted_model_dir, onnx_file, "fp32")
    with auto.bulk(10):
        assert np.array_equal(auto.encode_passages(sentences), fp32.encode_passages(sentences))
    assert auto.last_bulk_precision == "fp32"


@pytest.mark.slow
def test_an_auto_build_embeds_in_bf16_only_when_it_has_enough_new_texts(
    converted_model_dir, onnx_file, tmp_path, monkeypatch
):
    monkeypatch.setattr(embedding, "cpu_has_bf16_tiles", lambda: True)  # bf16 runs anywhere
    embedder = embedder_of(converted_model_dir, onnx_file, "auto", min_texts=20)
    config = Config(model_dir=converted_model_dir, cache_dir=tmp_path / "cache")
    text = REPORT.read_text(encoding="utf-8")
    first = Document("report.txt", text[:6000], path="report.txt")
    report = build_index([first], config.with_(index_dir=tmp_path / "a"), embedder)
    assert report.embedded >= 20 and embedder.last_bulk_precision == "bf16"
    # a short note added: the report's texts come from the index's embedding cache
    note = Document("note.txt", "Бұл қысқа ескертпе, бір сөйлем.\n", path="note.txt")
    report = build_index([first, note], config.with_(index_dir=tmp_path / "a"), embedder)
    assert 0 < report.embedded < 20 and embedder.last_bulk_precision == "fp32"


@pytest.mark.slow
def test_a_ray_actor_keeps_bf16_for_the_builds_embedding(
    converted_model_dir, onnx_file, sentences, tmp_path
):
    import gc

    from kazrag.rag.distributed import _Worker

    config = Config(
        model_dir=converted_model_dir, cache_dir=tmp_path / "cache", passage_precision="bf16"
    )
    worker = _Worker(config)  # what each Ray actor runs, here in this process
    assert worker.begin_embedding(len(sentences)) == "bf16"  # the driver's embedding()
    gc.collect()  # nothing the actor holds may be closed behind its back
    assert worker.precision() == "bf16"
    fp32 = embedder_of(converted_model_dir, onnx_file, "fp32").encode_passages(sentences)
    _, vectors = worker.encode(0, sentences)
    assert not np.array_equal(vectors, fp32) and (vectors * fp32).sum(1).min() >= 0.9995
    worker.end_embedding()
    assert worker.precision() == "fp32"
