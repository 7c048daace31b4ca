"""Fusion of the dense and keyword rankings, on hand-made scores."""

import numpy as np
import pytest

from kazrag.rag.config import Config
from kazrag.rag.retrieval import Ranking, Retriever


def retriever(config: Config) -> Retriever:
    r = Retriever.__new__(Retriever)  # fuse needs only the settings
    r.config = config
    return r


# rows 1-3; dense prefers 1, BM25 strongly prefers 3
RANKING = Ranking(
    np.zeros(3),
    ["x"],
    dense={1: 0.90, 2: 0.85, 3: 0.84},
    keyword={3: 12.0, 2: 1.0},
    keyword_coverage=1.0,
)


def test_score_fusion_adds_gated_bm25_to_the_dense_score():
    fused = dict(retriever(Config(keyword_weight=0.05)).fuse(RANKING, "hybrid"))
    assert fused[1] == pytest.approx(0.90)
    assert fused[3] == pytest.approx(0.84 + 0.05 * 12.0 / 12.0)
    assert fused[2] == pytest.approx(0.85 + 0.05 * 1.0 / 12.0)
    # a question whose words the corpus does not know keeps the dense order
    cross = Ranking(RANKING.question_vector, ["x"], RANKING.dense, RANKING.keyword, 0.0)
    order = [row for row, _ in retriever(Config()).fuse(cross, "hybrid")]
    assert order == [1, 2, 3]


def test_reciprocal_rank_fusion_sums_one_over_k_plus_rank():
    fused = dict(retriever(Config(fusion="rrf", rrf_k=60)).fuse(RANKING, "hybrid"))
    assert fused[1] == pytest.approx(1 / 61)
    assert fused[2] == pytest.approx(1 / 62 + 1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
