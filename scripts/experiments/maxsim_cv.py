"""Experiment: token-level matching ("MaxSim", as late-interaction retrievers score) as a
sentence-choice signal.

    K=../shared/benchmarks/kazqad
    python scripts/experiments/maxsim_cv.py --out /tmp/maxsim.pkl \
        --set $K/questions-dev.jsonl=$K/corpus.jsonl@dev --set eval/sets/reports-dev.jsonl=data/corpus
    python scripts/experiments/maxsim_cv.py --from /tmp/maxsim.pkl   # the grid again, no model

A sentence's pooled vector blurs which of its words meet the question's. Here the model's
last-layer token states of the question ("query: …") and of each candidate sentence of the
top `answer_passages` passages are compared token by token: maxsim = the mean over the
question's tokens of the best cosine with any of the sentence's tokens (prompt and special
tokens left out). Three ways to get the sentence's tokens:
- "alone": the sentence embedded by itself ("passage: …"), as its pooled vector is;
- "alone, no punctuation": the same without tokens that are only punctuation, on both sides;
- "in its chunk": the sentence's tokens from one pass over its whole chunk (they know their
  context: "Ол" knows who);
- "alone, stored as int8": "alone" with each token vector rounded to int8 (one scale per
  token), as an index would store them.
The first quote is then chosen by (1 - a) * cosine + a * maxsim + f * (the shipped overlap,
rank prior and type bonus terms), judged as `kazrag eval` judges quote@1 with the shipped
neighbour join, (variant, a, f) chosen by 5-fold CV, ties to the shipped (a = 0, f = 1)
(eval/README.md "MaxSim").
"""

from __future__ import annotations

import itertools
import sys
import unicodedata
from dataclasses import replace

import numpy as np
from cv import choose_by_cv, collected_rows, numbered_questions
from sentence_cv import candidates, first_quote_holds, scored_sentences, shipped_point

from kazrag.rag.config import Config

VARIANTS = ("alone", "alone, no punctuation", "in its chunk", "alone, stored as int8")
ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0)
EXTRAS = (0.0, 1.0, 2.0, 4.0)
GRID = list(itertools.product(range(len(VARIANTS)), ALPHAS, EXTRAS))


def _punctuation(piece: str) -> bool:
    piece = piece.replace("\u2581", "")
    return all(unicodedata.category(ch)[0] in "PS" for ch in piece)


class TokenStates:
    """Unit-length last-layer token vectors, without prompt and special tokens."""

    def __init__(self, config: Config):
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(config.resolved_model_dir()), device="cpu")
        self.prompts = dict(self.model.prompts)
        self.tokenizer = self.model.tokenizer
        self.special = set(self.tokenizer.all_special_ids)

    def spans(self, texts: list[str], kind: str) -> list[tuple[np.ndarray, list, list[bool]]]:
        """(unit token vectors, character span in the text, is punctuation) of each text."""
        prompt = self.prompts[kind]
        out = self.model.encode(
            texts, prompt_name=kind, output_value="token_embeddings", show_progress_bar=False
        )
        result = []
        for text, vectors in zip(texts, out):
            enc = self.tokenizer(
                prompt + text, truncation=True, max_length=512, return_offsets_mapping=True
            )
            vectors = vectors.float().numpy()[: len(enc["input_ids"])]
            keep, spans, punct = [], [], []
            for i, (t, (a, b)) in enumerate(zip(enc["input_ids"], enc["offset_mapping"])):
                if t in self.special or b <= len(prompt):
                    continue
                keep.append(i)
                spans.append((a - len(prompt), b - len(prompt)))
                punct.append(_punctuation(self.tokenizer.convert_ids_to_tokens(t)))
            v = vectors[keep]
            result.append((v / np.linalg.norm(v, axis=1, keepdims=True), spans, punct))
        return result


def int8_round_trip(vectors: np.ndarray) -> np.ndarray:
    """`vectors` as they come back from int8 storage with one scale per row."""
    scale = np.abs(vectors).max(axis=1, keepdims=True) / 127 + 1e-12
    return np.round(vectors / scale).astype(np.int8) * scale


def maxsim(question: np.ndarray, sentence: np.ndarray) -> float:
    if not len(question) or not len(sentence):
        return 0.0
    return float((question @ sentence.T).max(axis=1).mean())


def collect(specs: list[str], config: Config) -> list[dict]:
    states = TokenStates(config)
    rows = []
    for number, (engine, q, searched) in numbered_questions(specs, config):
        retriever = engine.snapshot.retriever
        scored = scored_sentences(engine, searched, config)
        c = candidates(q, searched, scored)
        ((qv, _, qp),) = states.spans([searched], "query")
        q_words = qv[~np.array(qp, dtype=bool)] if len(qp) else qv
        alone = states.spans([s.text for s in scored], "passage")
        # the chunks the sentences come from, each run once
        sources = [s.passage.sources()[s.index] for s in scored]
        chunk_rows = sorted({row for row, _ in sources})
        in_chunk = dict(
            zip(chunk_rows, states.spans([retriever.chunk(r).text for r in chunk_rows], "passage"))
        )
        sims = np.zeros((len(VARIANTS), len(scored)))
        for i, ((sv, _, sp), (row, index)) in enumerate(zip(alone, sources)):
            sims[0, i] = maxsim(qv, sv)
            sims[1, i] = maxsim(q_words, sv[~np.array(sp, dtype=bool)] if len(sp) else sv)
            cv_, spans, _ = in_chunk[row]
            sentence = retriever.chunk(row).sentences[index]
            inside = [
                k for k, (a, b) in enumerate(spans) if a >= sentence.start and b <= sentence.end
            ]
            sims[2, i] = maxsim(qv, cv_[inside]) if inside else sims[0, i]
            sims[3, i] = maxsim(qv, int8_round_trip(sv))
        rows.append({"set": number, "candidates": c, "sims": sims})
        if len(rows) % 100 == 0:
            print(f"  {len(rows)} questions", file=sys.stderr)
    return rows


def hits(rows: list[dict], config: Config) -> np.ndarray:
    ow, rp, tb, passages, gap, top_doc = shipped_point(config)
    out = np.zeros((len(rows), len(GRID)))
    for r, row in enumerate(rows):
        c = row["candidates"]
        for g, (variant, a, f) in enumerate(GRID):
            mixed = replace(c, cosine=(1 - a) * c.cosine + a * row["sims"][variant])
            point = (f * ow, f * rp, f * tb, passages, gap, top_doc)
            out[r, g] = first_quote_holds(mixed, point, config.quote_join_margin)
    return out


def main(argv: list[str] | None = None) -> int:
    config = Config(answerability="none")
    rows = collected_rows(argv, __doc__, lambda sets: collect(sets, config))
    h, sets = hits(rows, config), np.array([r["set"] for r in rows])
    shipped = GRID.index((0, 0.0, 1.0))
    print(f"{len(h)} answerable questions")
    for g in [shipped, *[g for g in np.argsort(-h.mean(axis=0))[:12] if g != shipped]]:
        variant, a, f = GRID[g]
        parts = " ".join(f"{h[sets == n, g].mean():.3f}" for n in np.unique(sets))
        print(f"  {VARIANTS[variant]}, a {a}, f {f}: quote@1 {h[:, g].mean():.3f} (by set {parts})")
    for v, name in enumerate(VARIANTS):
        g = GRID.index((v, 1.0, 1.0))
        parts = " ".join(f"{h[sets == n, g].mean():.3f}" for n in np.unique(sets))
        print(f"  {name} instead of the cosine (a 1, f 1): {h[:, g].mean():.3f} (by set {parts})")
    test = np.zeros(len(h))
    for fold, chosen in choose_by_cv(h, shipped):
        variant, a, f = GRID[chosen]
        print(f"  fold: chose {VARIANTS[variant]}, a {a}, f {f}")
        test[fold] = h[fold, chosen]
    parts = " ".join(f"{test[sets == n].mean():.3f}" for n in np.unique(sets))
    print(
        f"cross-validated quote@1 {test.mean():.3f} (by set {parts}; shipped {h[:, shipped].mean():.3f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
