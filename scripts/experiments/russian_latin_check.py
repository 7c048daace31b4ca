"""Check: how often `rag.lang.detect` takes the eval sets' Russian questions, romanised by
iuliia's schemes, for Russian, and how often `rag.russian_latin.read_russian_latin` gives
back each of their words (iuliia is a maintained library of the official
and common romanisations; `pip install iuliia`, not a kazrag dependency). Also: how many of the
sets' other questions (Kazakh, Latin Kazakh, English) are taken for Russian in Latin, and
the same for the keyboard left in the English layout (`layout_check`).

    python scripts/experiments/russian_latin_check.py eval/sets/reports-*.jsonl \
        eval/sets/kazqad-translated/*.jsonl eval/sets/typing/*.jsonl \
        eval/sets/reports-unanswerable/*.jsonl ../shared/benchmarks/kazqad/questions-dev.jsonl

ё and е count as one letter (the documents and most typists write е).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter

import iuliia

from kazrag.rag.keyboard_layout import from_english_layout, to_english_layout
from kazrag.rag.lang import detect
from kazrag.rag.russian_latin import read_russian_latin
from kazrag.rag.text import KAZAKH_LETTERS
from kazrag.rag.translit import (
    english_layout_typing,
    is_latin_russian,
    is_russian_layout_typing,
)

SCHEMES = ("WIKIPEDIA", "YANDEX_MAPS", "MOSMETRO", "BGN_PCGN", "GOST_7034", "ICAO_DOC_9303")
_WORD = re.compile(r"[^\W\d_]+")


def words(text: str) -> list[str]:
    return [w.casefold().replace("ё", "е") for w in _WORD.findall(text)]


def main(paths: list[str]) -> None:
    questions, others, every = [], [], []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        questions += [r["question"] for r in rows if r.get("lang") == "ru"]
        others += [r["question"] for r in rows if r.get("lang") != "ru"]
        every += [(r["question"], r.get("lang")) for r in rows]
    layout_check(every)
    taken = [q for q in others if is_latin_russian(q)]
    print(f"{len(others)} other questions, taken for Russian in Latin: {len(taken)} {taken}")
    print(f"{len(questions)} Russian questions")
    for name in SCHEMES:
        scheme = getattr(iuliia, name)
        right = total = 0
        wrong: Counter = Counter()
        detected = 0
        for question in questions:
            latin = scheme.translate(question)
            detected += detect(latin) == "ru"
            typed, read = words(question), words(read_russian_latin(latin))
            if len(typed) != len(read):
                continue  # a scheme that writes a letter as a non-letter: not compared
            for a, b in zip(typed, read):
                total += 1
                right += a == b
                if a != b:
                    wrong[f"{a}→{b}"] += 1
        top = ", ".join(f"{k} ×{n}" for k, n in wrong.most_common(6))
        print(
            f"{name:14s} detected {detected}/{len(questions)}, words read back {right}/{total}"
            f" ({right / total:.3f}); most missed: {top}"
        )


def layout_check(every: list[tuple[str, str | None]]) -> None:
    """The keyboard left in the other layout: the questions as written are not taken for it;
    typed in the English layout, each Cyrillic question without Kazakh letters (which have
    no key there) is detected as its own language, and typed in the Russian one, each
    English question."""
    taken = [q for q, _ in every if english_layout_typing(q)]
    print(f"{len(every)} questions as written, taken for the English layout: {len(taken)}")
    for lang in ("ru", "kk"):
        typable = [
            q
            for q, code in every
            if code == lang
            and not any(c in KAZAKH_LETTERS for c in q)
            and any("\u0400" <= c <= "\u04ff" for c in q)
        ]
        right = sum(detect(to_english_layout(q)) == lang for q in typable)
        print(f"  {lang}: typed in the English layout, detected as {lang} {right}/{len(typable)}")
    # a Kazakh layout's user types every Kazakh question so, Kazakh letters on the number row
    kazakh = [q for q, code in every if code == "kk" and any("\u0400" <= c <= "\u04ff" for c in q)]
    right = sum(detect(to_english_layout(q, "kazakh")) == "kk" for q in kazakh)
    print(
        f"  kk: typed in the English layout from the Kazakh one, detected as kk {right}/{len(kazakh)}"
    )
    taken = [q for q, _ in every if is_russian_layout_typing(q)]
    print(f"{len(every)} questions as written, taken for the Russian layout: {len(taken)}")
    english = [q for q, code in every if code == "en"]
    right = sum(detect(from_english_layout(q)) == "en" for q in english)
    print(f"  en: typed in the Russian layout, detected as en {right}/{len(english)}")


if __name__ == "__main__":
    main(sys.argv[1:])
