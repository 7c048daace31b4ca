"""Experiment: overlapping neighbour chunks collapsed in the ranking.

    K=../shared/benchmarks/kazqad
    python scripts/experiments/neighbour_collapse.py --set eval/sets/reports-dev.jsonl=data/corpus \
        --set $K/questions-dev.jsonl=$K/corpus.jsonl@dev

Consecutive chunks of a section share a sentence (`chunk_overlap_sentences`), so a passage
often comes back twice, as chunk i and chunk i + 1 at neighbouring ranks, and pushes another
passage out of the top 5. Variants, each judged as `kazrag eval` judges a ranking (MRR@10,
hit@1, hit@5 over the top 10):

- "drop": a chunk is left out when a better-ranked chunk of the same document is its
  neighbour (chunk ids differing by one, same section);
- "merge": the same, but the better-ranked chunk shows both texts (one passage spanning
  both), so it is relevant when either is;
- "one per document": only a document's best chunk (for corpora of many short documents);
- "shipped": `Retriever.group_neighbours` as `Config.merge_neighbours` ships it ("merge",
  chunks bridging two passages joining them into one, neighbours only from the first
  `merge_window` ranks).

For each, the mean length of the five passages shown first says how much of the gain is
longer passages (an evidence string is likelier in a longer text).

Results: eval/README.md "neighbour chunks collapsed".
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from cv import TOP_K, choose_by_cv, numbered_questions

from kazrag.eval.metrics import Judge
from kazrag.rag.config import Config

VARIANTS = ("unmerged", "drop", "merge", "one per document", "shipped")


def collapsed(rows: list[int], retriever, variant: str) -> list[list[int]]:
    """The ranking as groups of chunk rows (a group is one shown passage), best first."""
    if variant == "shipped":
        return [g for g, _ in retriever.group_neighbours([(r, 0.0) for r in rows], TOP_K)]
    groups: list[list[int]] = []
    seen_docs: set[str] = set()
    for row in rows:
        chunk = retriever.chunk(row)
        if variant == "one per document":
            if chunk.doc in seen_docs:
                continue
            seen_docs.add(chunk.doc)
            groups.append([row])
            continue
        home = None
        if variant != "unmerged":
            for group in groups:
                lead = retriever.chunk(group[0])
                if (
                    lead.doc == chunk.doc
                    and lead.section == chunk.section
                    and any(abs(retriever.chunk(r).chunk_id - chunk.chunk_id) == 1 for r in group)
                ):
                    home = group
                    break
        if home is None:
            groups.append([row])
        elif variant == "merge":
            home.append(row)
        if len(groups) >= TOP_K and home is None:
            break
    return groups[:TOP_K]


def span_chars(group: list[int], retriever) -> int:
    """Characters of the document a shown passage spans."""
    chunks = [retriever.chunk(r) for r in group]
    return max(c.end for c in chunks) - min(c.start for c in chunks)


def reciprocal_rank(groups: list[list[int]], retriever, judge) -> float:
    for rank, group in enumerate(groups, 1):
        chunks = [retriever.chunk(r) for r in group]
        if any(judge.relevant(c.doc, c.text) for c in chunks):
            return 1 / rank
    return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True)
    args = parser.parse_args(argv)
    config = Config(answerability="none")
    rr, sets, lengths = [], [], []
    for number, (engine, q, searched) in numbered_questions(args.set, config):
        retriever = engine.snapshot.retriever
        ranking = retriever.rank(searched, ("hybrid",))
        rows = [row for row, _ in retriever.fuse(ranking, "hybrid")[: 4 * TOP_K]]
        judge = Judge(q)
        shown = [collapsed(rows, retriever, v) for v in VARIANTS]
        rr.append([reciprocal_rank(groups, retriever, judge) for groups in shown])
        lengths.append(
            [np.mean([span_chars(g, retriever) for g in groups[:5]]) for groups in shown]
        )
        sets.append(number)
    m, by = np.array(rr), np.array(sets)
    print(f"{len(m)} answerable questions")
    for i, variant in enumerate(VARIANTS):
        parts = " ".join(
            f"{m[by == n][:, i].mean():.4f}/{(m[by == n][:, i] >= 0.2).mean():.3f}"
            for n in range(len(args.set))
        )
        print(
            f"  {variant}: MRR@10 {m[:, i].mean():.4f} hit@1 {(m[:, i] == 1).mean():.3f} "
            f"hit@5 {(m[:, i] >= 0.2).mean():.3f}  top-5 passage chars "
            f"{np.mean(lengths, axis=0)[i]:.0f}  by set (MRR/hit@5) {parts}"
        )
    test = []
    for fold, chosen in choose_by_cv(m[:, :3], 0):
        print(f"  fold: chose {VARIANTS[chosen]}")
        test += m[fold, chosen].tolist()
    print(f"cross-validated MRR@10 {np.mean(test):.4f} (as shipped {m[:, 0].mean():.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
