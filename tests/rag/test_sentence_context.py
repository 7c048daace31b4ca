"""Each sentence's vector from its chunk's pass (the "in-context" half of a stored sentence row).

A build runs each chunk through the model once; the token states of that pass, pooled over
each sentence's span, give the sentence a vector that knows its context ("Ол 1845 жылы..."
knows who "ол" is). The first quote is chosen by (1 - w) * own cosine + w * in-context cosine
(`Config.sentence_context_weight`, eval/README.md "sentence vectors from the chunk's pass").
"""

from __future__ import annotations

import numpy as np
import pytest

from kazrag.errors import ConfigError
from kazrag.rag.answer import score_sentences
from kazrag.rag.config import Config
from kazrag.rag.embedding import OnnxEmbedder, SentenceTransformerEmbedder, pool_spans
from kazrag.rag.retrieval import sentence_parts

TEXT = "Абай Құнанбайұлы — қазақтың ақыны.\nОл 1845 жылы туған. Әкесі Құнанбай болған."


def _spans(text: str) -> list[tuple[int, int]]:
    first = text.index("Ол")
    second = text.index("Әкесі")
    return [(0, first - 1), (first, second - 1), (second, len(text))]


def test_a_span_pools_the_tokens_that_end_inside_it():
    states = np.array([[9.0, 9.0], [1.0, 0.0], [3.0, 0.0], [0.0, 2.0], [9.0, 9.0]])
    # "<s> ab| cd| e</s>" in a prompted text whose prompt is 2 characters long
    offsets = [(0, 0), (2, 4), (4, 7), (7, 9), (0, 0)]
    special = [1, 0, 0, 0, 1]
    spans = [(0, 5), (5, 7), (20, 30)]  # the last one lies past the text: no token
    pooled = pool_spans(states, offsets, special, spans, shift=2)
    assert np.allclose(pooled[0], [1.0, 0.0])  # (1, 0) and (3, 0): mean (2, 0), unit
    assert np.allclose(pooled[1], [0.0, 1.0])
    assert not pooled[2].any()  # a zero row: the caller gives it the sentence's own vector


@pytest.mark.parametrize("weight", [-0.1, 1.5])
def test_the_context_weight_is_a_share(weight):
    with pytest.raises(ConfigError, match="sentence_context_weight"):
        Config(sentence_context_weight=weight)


def test_a_folder_given_as_text_is_a_path(tmp_path):
    config = Config(index_dir=str(tmp_path / "ix"), cache_dir=str(tmp_path / "cache"))
    assert config.resolved_index_dir() == tmp_path / "ix"


@pytest.mark.slow
def test_onnx_and_the_reference_agree_on_passages_and_their_spans(converted_model_dir, engine):
    onnx = engine.embedder
    assert isinstance(onnx, OnnxEmbedder)
    reference = SentenceTransformerEmbedder(converted_model_dir)
    texts = [TEXT, "Сайлау 2015 жылы өтті. Нәтижесі жарияланды."]
    spans = [_spans(TEXT), [(0, 22), (23, len(texts[1]))]]
    vectors, in_context = onnx.encode_passages_with_spans(texts, spans)
    ref_vectors, ref_in_context = reference.encode_passages_with_spans(texts, spans)
    assert in_context.shape == (5, 384)
    assert np.allclose(vectors, onnx.encode_passages(texts), atol=1e-6)  # the same pass
    assert (vectors * ref_vectors).sum(1).min() > 0.9999
    assert (in_context * ref_in_context).sum(1).min() > 0.9999
    own = onnx.encode_passages([TEXT[a:b] for a, b in spans[0]])
    # the pronoun's sentence read inside its chunk is another vector than read alone
    assert float(own[1] @ in_context[1]) < 0.95


@pytest.mark.slow
def test_every_stored_sentence_has_its_own_and_its_in_context_vector(engine):
    retriever = engine.snapshot.retriever
    manifest = retriever.version.manifest
    assert manifest["sentence_vector_width"] == 2 * manifest["dim"]
    rows = np.arange(3)
    stored, counts = retriever.version.sentences.of_chunks(rows)
    own, context = sentence_parts(stored, manifest["dim"])
    assert stored.shape[1] == 2 * manifest["dim"]
    assert np.allclose(np.linalg.norm(context, axis=1), 1.0, atol=1e-4)
    # the first chunk's sentences, pooled from one pass over what the model reads for it
    chunk = retriever.chunk(0)
    text = chunk.embedding_text()
    shift = len(text) - len(chunk.text)
    spans = [(s.start + shift, s.end + shift) for s in chunk.sentences]
    _, expected = engine.embedder.encode_passages_with_spans([text], [spans])
    assert np.allclose(context[: counts[0]], expected, atol=1e-5)
    assert (own[: counts[0]] * context[: counts[0]]).sum(1).max() < 0.999


@pytest.mark.slow
def test_the_sentence_score_mixes_the_two_cosines_by_the_weight(engine):
    question = "Жылдың бірінші жартыжылдығында неше төреші жазаланды?"
    retriever = engine.snapshot.retriever
    ranking = retriever.rank(question, ("hybrid", "dense"))
    passages, _ = retriever.search(question, "hybrid", 3, ranking)
    by_weight = {
        w: score_sentences(
            passages, ranking, retriever, engine.config.with_(sentence_context_weight=w)
        )
        for w in (0.0, 0.5, 1.0)
    }
    key = {w: {(s.passage.row, s.index): s for s in scored} for w, scored in by_weight.items()}
    for where, alone in key[0.0].items():
        mixed, in_context = key[0.5][where], key[1.0][where]
        assert alone.cosine == pytest.approx(alone.own_cosine)
        assert mixed.cosine == pytest.approx((alone.cosine + in_context.cosine) / 2, abs=1e-6)
        assert mixed.own_cosine == pytest.approx(alone.own_cosine)
