"""What reading Kazakh as people type it costs: per question, per passage, per index.

No model is needed: these are the steps rag/translit.py and rag/analysis.py add around the
embedding, timed on their own.

- per question: `normalise_question` with the corpus vocabulary, and `detect`, over every
  bundled question set (typing sets included) and KazQAD's questions;
- per passage, at build time: the Latin-Kazakh check (`is_latin_kazakh_text`) and the keyword
  tokens with and without the skeleton fold;
- per index: building the vocabulary, its JSON in the manifest, and loading it (every reload).

Passages are the KazQAD passages and the bundled documents cut into 90-word windows (about
the size of a chunk).

    python benchmarks/typing_overhead.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import time

from common import KAZQAD, ROOT, announce, summary_ms, write_results

from kazrag.rag.analysis import KeywordAnalyzer
from kazrag.rag.config import BUNDLED_CORPUS
from kazrag.rag.lang import detect
from kazrag.rag.translit import Vocabulary, is_latin_kazakh_text, normalise_question


def corpora() -> dict[str, list[str]]:
    bundled = []
    for path in sorted(BUNDLED_CORPUS.glob("*.txt")):
        words = path.read_text(encoding="utf-8").split()
        bundled += [" ".join(words[i : i + 90]) for i in range(0, len(words), 90)]
    found = {"bundled": bundled}
    if (KAZQAD / "corpus.jsonl").exists():
        with open(KAZQAD / "corpus.jsonl", encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        found["kazqad"] = [f"{r.get('title', '')}\n{r['text']}" for r in rows]
    return found


def questions() -> list[str]:
    files = sorted((ROOT / "eval" / "sets").rglob("*.jsonl"))
    if (KAZQAD / "questions-dev.jsonl").exists():
        files.append(KAZQAD / "questions-dev.jsonl")
    texts = []
    for path in files:
        with open(path, encoding="utf-8") as handle:
            texts += [json.loads(line)["question"] for line in handle if line.strip()]
    return texts


def each(fn, items, repeat: int) -> tuple[list[float], float]:
    """Per-item wall seconds (the best of `repeat` per item) and total CPU seconds of one pass."""
    best = [float("inf")] * len(items)
    cpu = 0.0
    for _ in range(repeat):
        start_cpu = time.process_time()
        for i, item in enumerate(items):
            t = time.perf_counter()
            fn(item)
            best[i] = min(best[i], time.perf_counter() - t)
        cpu = time.process_time() - start_cpu
    return best, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out")
    args = parser.parse_args()
    info = announce("typing_overhead")
    results: dict = {}
    skeleton, plain = KeywordAnalyzer(), KeywordAnalyzer(fold="none", latin_kazakh=False)
    vocabularies = {}
    for name, passages in corpora().items():
        t = time.perf_counter()
        vocabulary = Vocabulary.from_texts(passages).most_common(200_000)
        built = time.perf_counter() - t
        stored = vocabulary.to_json()
        t = time.perf_counter()
        Vocabulary.from_json(stored)
        loaded = time.perf_counter() - t
        vocabularies[name] = vocabulary
        row = {
            "passages": len(passages),
            "vocabulary_words": len(vocabulary),
            "vocabulary_build_s": round(built, 3),
            "vocabulary_json_kib": round(len(stored.encode("utf-8")) / 1024, 1),
            "vocabulary_load_s": round(loaded, 3),
        }
        for label, fn in (
            ("latin_check", is_latin_kazakh_text),
            ("tokens_skeleton", skeleton.tokens),
            ("tokens_plain", plain.tokens),
        ):
            seconds, cpu = each(fn, passages, args.repeat)
            row[label] = dict(summary_ms(seconds), total_cpu_s=round(cpu, 3))
        results[name] = row
        print(name, json.dumps(row, ensure_ascii=False), flush=True)
    asked = questions()
    vocabulary = vocabularies["bundled"]
    for label, fn in (
        ("normalise_question", lambda q: normalise_question(q, vocabulary)),
        ("normalise_question_no_vocabulary", normalise_question),
        ("detect", detect),
    ):
        seconds, _ = each(fn, asked, args.repeat)
        results[label] = dict(summary_ms(seconds), questions=len(asked))
        print(label, json.dumps(results[label]), flush=True)
    write_results("typing_overhead", info, results, args.out)


if __name__ == "__main__":
    main()
