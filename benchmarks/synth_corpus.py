"""Synthetic corpora of any size for the scale benchmarks, indexed by the real pipeline.

Passages are recombined from real Kazakh text: the KazQAD passages (Kazakh Wikipedia) and the
bundled reports, cut into sentences; each synthetic passage is a run of 2-5 consecutive
sentences of one source passage plus one sentence of another, under the source's title.
Every distinct sentence is embedded by the real model. Passage (chunk) vectors are either
embedded by the model too (`--real-passage-vectors`, feasible at 10,000) or SYNTHESISED as
the normalised mean of the passage's real sentence vectors (at 100,000, where embedding
would take hours on 2 cores). The vectors are put in the index's embedding cache, then the
unchanged `build_index` builds the index (chunking, keyword index, FAISS, store), which is
timed: with every vector cached, that is the build cost besides embedding.

    python benchmarks/synth_corpus.py --passages 10000 --out /tmp/kazrag-bench/synth-10k --real-passage-vectors
    python benchmarks/synth_corpus.py --passages 100000 --out /tmp/kazrag-bench/synth-100k
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from pathlib import Path

import numpy as np
from common import KAZQAD, announce, dir_size, write_results


def sentence_pool() -> list[tuple[str, list[str]]]:
    """(title, sentences) of every source passage: KazQAD passages and bundled-report
    chunks."""
    from kazrag.rag.chunking import chunk_document
    from kazrag.rag.config import BUNDLED_CORPUS, Config
    from kazrag.rag.indexing import load_corpus
    from kazrag.rag.text import sentence_spans

    def split(text: str) -> list[str]:
        flat = " ".join(text.split())
        return [flat[a:b] for a, b in sentence_spans(flat) if len(flat[a:b].split()) >= 3]

    pool = []
    with open(KAZQAD / "corpus.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            pool.append((row.get("title") or "", split(row["text"])))
    documents, _ = load_corpus([BUNDLED_CORPUS])
    for doc in documents:
        for chunk in chunk_document(doc, Config()):
            pool.append((doc.title or doc.doc_id, split(chunk.text)))
    return [(title, sentences) for title, sentences in pool if len(sentences) >= 2]


def make_passages(n: int, seed: int = 6) -> list[dict]:
    rng = random.Random(seed)
    pool = sentence_pool()
    rows = []
    for i in range(n):
        title, sentences = pool[rng.randrange(len(pool))]
        k = min(len(sentences), rng.randint(2, 5))
        start = rng.randrange(len(sentences) - k + 1)
        extra = rng.choice(pool[rng.randrange(len(pool))][1])
        rows.append(
            {
                "_id": f"s{i:06d}",
                "title": title,
                "text": " ".join(sentences[start : start + k] + [extra]),
            }
        )
    return rows


class MemoTokens:
    """The embedder with token counts remembered: the chunking pass here (timed on its own)
    fills the memo, so `build_index` chunking again costs little and its timing shows the
    rest of a build (keyword index, FAISS, store)."""

    def __init__(self, inner):
        self._inner = inner
        self._memo: dict[tuple[str, str], int] = {}

    def token_count(self, text: str, kind: str = "passage") -> int:
        key = (text, kind)
        if key not in self._memo:
            self._memo[key] = self._inner.token_count(text, kind)
        return self._memo[key]

    def __getattr__(self, name):
        return getattr(self._inner, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, required=True)
    parser.add_argument("--out", required=True, help="folder for corpus.jsonl and index/")
    parser.add_argument(
        "--reuse-cache",
        help="an embedding cache folder of an earlier run "
        "(e.g. the 10,000 one's index/embeddings): its sentence vectors are reused",
    )
    parser.add_argument(
        "--real-passage-vectors",
        action="store_true",
        help="embed passages with the model instead of synthesising them",
    )
    args = parser.parse_args()

    from kazrag.index.embcache import EmbeddingCache
    from kazrag.rag.chunking import chunk_document
    from kazrag.rag.config import Config
    from kazrag.rag.embedding import load_embedder
    from kazrag.rag.indexing import _key, build_index, load_corpus

    info = announce(f"synth_corpus {args.passages}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    corpus = out / "corpus.jsonl"
    with open(corpus, "w", encoding="utf-8") as handle:
        for row in make_passages(args.passages):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    config = Config(index_dir=out / "index")
    embedder = MemoTokens(load_embedder(config))
    timings = {}

    t = time.perf_counter()
    documents, _ = load_corpus([corpus])
    chunks = []
    for doc in documents:
        chunks.extend(chunk_document(doc, config, embedder.token_count, first_id=len(chunks)))
    timings["load_and_chunk_s"] = round(time.perf_counter() - t, 1)
    print(
        f"{len(documents)} documents -> {len(chunks)} chunks in {timings['load_and_chunk_s']} s",
        flush=True,
    )

    if args.reuse_cache:
        target = out / "index" / "embeddings"
        target.mkdir(parents=True, exist_ok=True)
        for path in Path(args.reuse_cache).glob("cache-*.npz"):
            shutil.copy(path, target / path.name)
    cache = EmbeddingCache(out / "index" / "embeddings", embedder.dim)
    sentences_of = [[c.text[s.start : s.end] for s in c.sentences] for c in chunks]
    unique = sorted({s for group in sentences_of for s in group})
    t = time.perf_counter()
    vectors = {}
    todo = []  # sentences already cached (by an earlier run, --reuse-cache) are not embedded again
    for text in unique:
        cached = cache.get(_key(embedder.name, "passage", text))
        if cached is None:
            todo.append(text)
        else:
            vectors[text] = cached
    for start in range(0, len(todo), 256):
        part = todo[start : start + 256]
        vectors.update(zip(part, embedder.encode_passages(part)))
        print(f"  sentences embedded {start + len(part)}/{len(todo)}", flush=True)
    timings["embed_unique_sentences_s"] = round(time.perf_counter() - t, 1)
    for text in todo:
        cache.put(_key(embedder.name, "passage", text), vectors[text])

    t = time.perf_counter()
    texts = [c.embedding_text() for c in chunks]
    if args.real_passage_vectors:
        passage_vectors = np.zeros((len(texts), embedder.dim), np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), 256):
            part = order[start : start + 256]
            passage_vectors[part] = embedder.encode_passages([texts[i] for i in part])
            print(f"  passages embedded {start + len(part)}/{len(texts)}", flush=True)
    else:
        passage_vectors = np.stack(
            [np.mean([vectors[s] for s in group], axis=0) for group in sentences_of]
        )
        passage_vectors /= np.linalg.norm(passage_vectors, axis=1, keepdims=True)
    timings["passage_vectors_s"] = round(time.perf_counter() - t, 1)
    for text, vector in zip(texts, passage_vectors):
        cache.put(_key(embedder.name, "passage", text), vector)
    cache.save()

    t, cpu = time.perf_counter(), time.process_time()
    report = build_index(documents, config, embedder, force=True)
    build_s = time.perf_counter() - t
    version = Path(report.index) / "current"
    results = {
        "passages": args.passages,
        "chunks": report.chunks,
        "sentences": report.sentences,
        "unique_sentences": len(unique),
        "sentences_embedded_by_model_now": len(todo),
        "passage_vectors": "model"
        if args.real_passage_vectors
        else "SYNTHESISED: normalised mean of the passage's real sentence vectors (not the model)",
        "texts_embedded_during_build": report.embedded,
        "timings": timings,
        "build_with_cached_vectors_and_token_counts_s": round(build_s, 1),
        "build_cpu_s": round(time.process_time() - cpu, 1),
        "build_passages_per_second_excluding_embedding": round(
            report.chunks / (build_s + timings["load_and_chunk_s"]), 1
        ),
        "index_bytes": dir_size(version.resolve()),
        "index_bytes_per_passage": round(dir_size(version.resolve()) / report.chunks),
        "embedding_cache_bytes": dir_size(Path(report.index) / "embeddings"),
        "manifest_vector_index": json.loads((version / "manifest.json").read_text())[
            "vector_index"
        ],
    }
    print(json.dumps(results, indent=2), flush=True)
    write_results(f"synth_corpus_{args.passages}", info, results, out / "synth_corpus.json")


if __name__ == "__main__":
    main()
