"""Write the question sets as people mistype them, for `kazrag eval` (eval/README.md "Typing
habits: caps lock", "Russian in Latin letters", "the wrong keyboard layout"):

- NAME-caps.jsonl: every question upper-cased (caps lock);
- NAME-ru-latin.jsonl: the Russian questions romanised by iuliia's Wikipedia scheme (iuliia
  is a maintained library of the official romanisations; `pip install iuliia`, not a kazrag
  dependency);
- NAME-en-layout.jsonl: the Russian questions, and the Kazakh ones without Kazakh letters,
  typed with the keyboard in the English layout;
- NAME-ru-layout.jsonl: the English questions typed with the keyboard in the Russian layout;
- NAME-kz-layout.jsonl: the Kazakh questions in Cyrillic typed in the English layout by
  someone whose other layout is the Kazakh one (its Kazakh letters come out as digits).

Every other field stays as it is, so the answers and judging are the set's own.

    python scripts/experiments/typed_sets.py --out out/typed eval/sets/reports-dev.jsonl \\
        eval/sets/reports-test.jsonl eval/sets/typing/kk-no-kazakh-letters.jsonl
    kazrag eval out/typed/reports-test-caps.jsonl --corpus data/corpus --split all
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import iuliia

from kazrag.rag.keyboard_layout import from_english_layout, to_english_layout
from kazrag.rag.text import KAZAKH_LETTERS


def cyrillic(text: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in text)


HABITS = {
    "caps": lambda q, lang: q.upper(),
    "ru-latin": lambda q, lang: iuliia.WIKIPEDIA.translate(q) if lang == "ru" else None,
    "en-layout": lambda q, lang: (
        to_english_layout(q)
        if lang in ("ru", "kk") and cyrillic(q) and not any(c in KAZAKH_LETTERS for c in q)
        else None
    ),
    "ru-layout": lambda q, lang: from_english_layout(q) if lang == "en" else None,
    "kz-layout": lambda q, lang: (
        to_english_layout(q, "kazakh") if lang == "kk" and cyrillic(q) else None
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.sets:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        for habit, typed in HABITS.items():
            out = []
            for row in rows:
                question = typed(row["question"], row.get("lang"))
                if question is not None:
                    out.append(json.dumps({**row, "question": question}, ensure_ascii=False))
            if out:
                target = args.out / f"{path.stem}-{habit}.jsonl"
                target.write_text("\n".join(out) + "\n", encoding="utf-8")
                print(f"{target}: {len(out)} questions")


if __name__ == "__main__":
    main()
