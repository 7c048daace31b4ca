"""Experiment: the sentence's vector pooled from its chunk's pass ("late chunking") beside its
own vector, as a sentence-choice signal.

    K=../shared/benchmarks/kazqad
    cd scripts/experiments && python late_pool_cv.py --out /tmp/late.pkl \
        --set $K/questions-dev.jsonl=$K/corpus.jsonl@dev --set ../../eval/sets/reports-dev.jsonl=../../data/corpus
    python late_pool_cv.py --from /tmp/late.pkl   # the grid again, no model

On 2026-12-01 late-chunked sentence vectors were measured *instead of* the separately embedded
ones and lost (sentence choice 0.545 against 0.695). A sentence embedded alone does not know
what "Ол" or "бұл шешім" refers to; one pooled from its chunk's token states does, but blurs
into its neighbours. Here they are added: the first quote is chosen by
(1 - a) * cosine + a * late cosine + the shipped overlap, rank prior and type terms, judged
as `kazrag eval` judges quote@1 with the shipped neighbour join; a by 5-fold CV, ties to 0.
The late vector of a sentence is the mean of its chunk's last-layer token states inside the
sentence's span (the model's own pooling is a mean too), normalised. It would cost no model
time at build (the chunk pass is run anyway) and one more vector per sentence in the index.
"""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np
from cv import choose_by_cv, collected_rows, numbered_questions
from maxsim_cv import TokenStates
from sentence_cv import candidates, first_quote_holds, scored_sentences, shipped_point

from kazrag.rag.config import Config

ALPHAS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0)


def late_vectors(states: TokenStates, text: str, spans: list[tuple[int, int]]) -> np.ndarray:
    """Unit vectors of the given character spans of `text`, pooled from one pass over it."""
    out = states.model.encode(
        [text], prompt_name="passage", output_value="token_embeddings", show_progress_bar=False
    )[0]
    prompt = states.prompts["passage"]
    enc = states.tokenizer(
        prompt + text, truncation=True, max_length=512, return_offsets_mapping=True
    )
    tokens = out.float().numpy()[: len(enc["input_ids"])]
    offsets = [(a - len(prompt), b - len(prompt)) for a, b in enc["offset_mapping"]]
    vectors = []
    for start, end in spans:
        inside = [
            k
            for k, (a, b) in enumerate(offsets)
            if enc["input_ids"][k] not in states.special and a >= start and b <= end and b > a
        ]
        v = tokens[inside].mean(axis=0) if inside else tokens.mean(axis=0)
        vectors.append(v / np.linalg.norm(v))
    return np.array(vectors)


def collect(specs: list[str], config: Config) -> list[dict]:
    states = TokenStates(config)
    rows, cache = [], {}
    for number, (engine, q, searched) in numbered_questions(specs, config):
        retriever = engine.snapshot.retriever
        scored = scored_sentences(engine, searched, config)
        c = candidates(q, searched, scored)
        question = states.model.encode([searched], prompt_name="query", normalize_embeddings=True)
        late = np.zeros(len(scored))
        for i, s in enumerate(scored):
            row, index = s.passage.sources()[s.index]
            key = (id(engine), row)
            if key not in cache:
                chunk = retriever.chunk(row)
                spans = [(t.start, t.end) for t in chunk.sentences]
                cache[key] = late_vectors(states, chunk.text, spans)
            late[i] = float(cache[key][index] @ question[0])
        rows.append({"set": number, "candidates": c, "late": late})
        if len(rows) % 100 == 0:
            print(f"  {len(rows)} questions", file=sys.stderr)
    return rows


def hits(rows: list[dict], config: Config) -> np.ndarray:
    point = shipped_point(config)
    out = np.zeros((len(rows), len(ALPHAS)))
    for r, row in enumerate(rows):
        c = row["candidates"]
        for g, a in enumerate(ALPHAS):
            mixed = replace(c, cosine=(1 - a) * c.cosine + a * row["late"])
            out[r, g] = first_quote_holds(mixed, point, config.quote_join_margin)
    return out


def main(argv: list[str] | None = None) -> int:
    config = Config(answerability="none")
    rows = collected_rows(argv, __doc__, lambda sets: collect(sets, config))
    h, sets = hits(rows, config), np.array([r["set"] for r in rows])
    print(f"{len(h)} answerable questions")
    for g, a in enumerate(ALPHAS):
        parts = " ".join(f"{h[sets == n, g].mean():.3f}" for n in np.unique(sets))
        print(f"  a {a}: quote@1 {h[:, g].mean():.3f} (by set {parts})")
    test = np.zeros(len(h))
    for fold, chosen in choose_by_cv(h, 0):
        print(f"  fold: chose a {ALPHAS[chosen]}")
        test[fold] = h[fold, chosen]
    parts = " ".join(f"{test[sets == n].mean():.3f}" for n in np.unique(sets))
    print(f"cross-validated quote@1 {test.mean():.3f} (by set {parts}; a 0 {h[:, 0].mean():.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
