"""Fusion of the dense and keyword rankings of one question, as pure functions.

`weighted` (the default, `Config.fusion = "score"`): dense + weight * coverage * BM25 / max BM25,
where `coverage` is the IDF share of the question's tokens the corpus has at all. A Kazakh
question shares most of its words with the documents and the keyword side helps; a Russian or
English one shares almost none, and its BM25 noise must not move the dense ranking.
`reciprocal_rank`: 1/(k + rank) summed over both rankings, measured worse and kept to compare
(eval/README.md "fusion").
"""

from __future__ import annotations

from collections.abc import Mapping


def weighted(
    dense: Mapping[int, float], keyword: Mapping[int, float], coverage: float, weight: float
) -> dict[int, float]:
    top = max(keyword.values(), default=0.0) or 1.0
    scale = weight * coverage / top
    return {row: score + scale * keyword.get(row, 0.0) for row, score in dense.items()}


def reciprocal_rank(
    dense: Mapping[int, float], keyword: Mapping[int, float], k: int
) -> dict[int, float]:
    fused: dict[int, float] = {}
    for side in (dense, keyword):
        ordered = sorted(side.items(), key=lambda item: -item[1])
        for rank, (row, _) in enumerate(ordered, start=1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (k + rank)
    return fused


def best_first(scores: Mapping[int, float]) -> list[tuple[int, float]]:
    return sorted(scores.items(), key=lambda item: -item[1])
