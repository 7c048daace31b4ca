"""The converted model in bfloat16 under torch, for embedding a build's passages on CPUs that
multiply bf16 matrices in hardware.

Why: on a CPU with AMX (Intel Xeon, 4th generation on), torch's oneDNN kernels run the
encoder's matrix products in bf16 tiles: a build's passages and sentences embed about twice as
fast as with ONNX Runtime in fp32, and the vectors stay within cosine 0.9999 of the fp32 ones
(benchmarks/README.md "bf16 builds"). Elsewhere bf16 is emulated and slower, so
`Config.passage_precision = "auto"` uses it only where the CPU reports `amx_bf16`, and only
for builds of `Config.bf16_min_texts` new texts or more (loading this copy costs ~2 s).

Only passages go through here: a question is one short text, which ONNX Runtime embeds
faster than torch's per-call overhead allows (and a server that only answers never imports
torch). Pooling and normalisation are done in fp32 on the bf16 token states.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CPU_FLAGS = Path("/proc/cpuinfo")


def cpu_has_bf16_tiles(cpuinfo: Path = CPU_FLAGS) -> bool:
    """Whether this CPU reports AMX bf16 (`amx_bf16` among its flags; Linux only)."""
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if line.startswith("flags"):
                    return "amx_bf16" in line.split()
    except OSError:
        pass
    return False


class Bf16Encoder:
    """(token ids, attention mask) -> L2-normalised e5 vectors, the model in bf16."""

    def __init__(self, model_dir: Path):
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a "Loading weights" bar in the user's terminal
        self._torch = torch
        self._model = (
            AutoModel.from_pretrained(
                str(model_dir), local_files_only=True, attn_implementation="sdpa"
            )
            .to(torch.bfloat16)
            .eval()
        )

    def run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        torch = self._torch
        with torch.inference_mode():
            keep = torch.from_numpy(mask)
            hidden = self._model(
                input_ids=torch.from_numpy(ids), attention_mask=keep
            ).last_hidden_state.float()
            weights = keep.unsqueeze(-1).float()
            mean = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1).numpy()
