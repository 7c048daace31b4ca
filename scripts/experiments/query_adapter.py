"""Experiment: a learned linear map of the question vector ("query adapter"), judged across sets.

    python scripts/experiments/query_adapter.py \
        --train eval/sets/reports-dev.jsonl=data/corpus \
        --test ../shared/benchmarks/kazqad/questions-dev.jsonl=../shared/benchmarks/kazqad/corpus.jsonl@dev

The question vector q becomes normalise(q + A q), the passages' vectors stay as indexed (no
rebuild). A (full 384 x 384, or diagonal) is fitted on the answerable questions of `--train`
by a softmax over every chunk of the corpus with the relevant chunks as positives, scored as
kazrag scores them (rag/retrieval.py, rag/fusion.py: 1/2 chunk cosine + 1/2 best-sentence
cosine + keyword_weight * coverage * BM25 / max BM25), with an L2 pull of A towards 0. The
figures that decide are those on `--test`, another question set over another corpus: a map
that only helps the set it was fitted on would help no user's documents (eval/README.md
"query adapter"). Uses torch, a kazrag dependency.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from kazrag.eval.calibrate import answerable_questions
from kazrag.eval.metrics import Judge
from kazrag.rag.config import Config
from kazrag.rag.records import Chunk

SETTINGS = (  # (kind, L2 weight, temperature, epochs, learning rate)
    ("full", 1e-2, 0.02, 5, 1e-3),
    ("full", 1e-1, 0.02, 5, 1e-3),
    ("full", 1.0, 0.02, 5, 1e-3),
    ("full", 1e-3, 0.05, 5, 1e-3),
    ("full", 1e-2, 0.05, 10, 3e-4),
    ("diagonal", 1e-3, 0.02, 10, 3e-3),
    ("diagonal", 1e-2, 0.02, 5, 3e-3),
    ("diagonal", 1e-1, 0.02, 5, 3e-3),
)


def load(spec: str, config: Config, torch):
    """The corpus tensors and, per answerable question, (vector, keyword bonus, positives)."""
    corpus = None
    questions = []
    for engine, q, searched in answerable_questions([spec], config):
        retriever = engine.snapshot.retriever
        if corpus is None:
            version = retriever.version
            rows = np.arange(len(version.vectors))
            sentences, counts = version.sentences.of_chunks(rows)
            chunks = [Chunk.from_dict(d) for d in version.chunks.get(rows.tolist())]
            corpus = (
                torch.tensor(version.vectors.reconstruct(rows)),
                torch.tensor(sentences),
                torch.repeat_interleave(torch.arange(len(rows)), torch.tensor(counts)),
                chunks,
            )
        ranking = retriever.rank(searched, ("hybrid",))
        judge = Judge(q)
        positives = [i for i, c in enumerate(corpus[3]) if judge.relevant(c.doc, c.text)]
        if not positives:
            continue
        bonus = torch.zeros(len(corpus[3]))
        top = max(ranking.keyword.values(), default=0.0) or 1.0
        for row, score in ranking.keyword.items():
            bonus[row] = config.keyword_weight * ranking.keyword_coverage * score / top
        questions.append((torch.tensor(ranking.question_vector), bonus, torch.tensor(positives)))
    return corpus, questions


def scores(torch, corpus, adapter, vector, bonus, weight: float):
    chunk_vectors, sentence_vectors, owner, chunks = corpus
    q = vector if adapter is None else vector + adapter @ vector
    q = q / q.norm()
    best = torch.full((len(chunks),), -1.0).scatter_reduce(
        0, owner, sentence_vectors @ q, reduce="amax"
    )
    return (1 - weight) * (chunk_vectors @ q) + weight * best + bonus


def measure(torch, corpus, questions, adapter, weight: float) -> tuple[float, float, float]:
    rr, hit1, hit5 = [], [], []
    with torch.no_grad():
        for vector, bonus, positives in questions:
            top = torch.topk(scores(torch, corpus, adapter, vector, bonus, weight), 10).indices
            found = torch.isin(top, positives).nonzero()
            rank = int(found[0]) + 1 if len(found) else None
            rr.append(1 / rank if rank else 0.0)
            hit1.append(rank == 1)
            hit5.append(rank is not None and rank <= 5)
    return float(np.mean(rr)), float(np.mean(hit1)), float(np.mean(hit5))


def fit(torch, corpus, questions, kind, l2, temperature, epochs, lr, weight):
    torch.manual_seed(0)
    dim = corpus[0].shape[1]
    params = torch.zeros((dim, dim) if kind == "full" else dim, requires_grad=True)
    optimiser = torch.optim.Adam([params], lr=lr)
    rng = np.random.default_rng(0)
    for _ in range(epochs):
        for batch in np.array_split(rng.permutation(len(questions)), max(1, len(questions) // 32)):
            adapter = params if kind == "full" else torch.diag(params)
            loss = 0.0
            for i in batch:
                vector, bonus, positives = questions[i]
                s = scores(torch, corpus, adapter, vector, bonus, weight) / temperature
                loss = loss + torch.logsumexp(s, 0) - torch.logsumexp(s[positives], 0)
            loss = loss / len(batch) + l2 * (params**2).sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    adapter = params.detach()
    return adapter if kind == "full" else torch.diag(adapter)


def main(argv: list[str] | None = None) -> int:
    import torch

    torch.set_num_threads(2)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    args = parser.parse_args(argv)
    config = Config(answerability="none")
    w = config.sentence_weight
    sets = {
        name: load(spec, config, torch)
        for name, spec in (("train", args.train), ("test", args.test))
    }
    for name, (corpus, questions) in sets.items():
        print(
            f"{name}: {len(questions)} answerable, as shipped (MRR@10, hit@1, hit@5)",
            np.round(measure(torch, corpus, questions, None, w), 3),
        )
    for kind, l2, temperature, epochs, lr in SETTINGS:
        adapter = fit(torch, *sets["train"], kind, l2, temperature, epochs, lr, w)
        print(
            f"{kind} l2 {l2} t {temperature} epochs {epochs} lr {lr}: "
            f"train {np.round(measure(torch, *sets['train'], adapter, w), 3)}, "
            f"test {np.round(measure(torch, *sets['test'], adapter, w), 3)}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
