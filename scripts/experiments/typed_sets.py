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
- NAME-typo.jsonl: the Kazakh questions with one slip of the fingers in one word of five
  letters or more (a letter left out, doubled, two swapped, or a neighbouring key hit on the
  Russian layout), the word, the slip and its place chosen by a hash of the question's id.

Every other field stays as it is, so the answers and judging are the set's own.

    python scripts/experiments/typed_sets.py --out out/typed eval/sets/reports-dev.jsonl \\
        eval/sets/reports-test.jsonl eval/sets/typing/kk-no-kazakh-letters.jsonl
    kazrag eval out/typed/reports-test-caps.jsonl --corpus data/corpus --split all
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from pathlib import Path

import iuliia

from kazrag.rag.keyboard_layout import from_english_layout, to_english_layout
from kazrag.rag.text import KAZAKH_LETTERS


def cyrillic(text: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in text)


# the rows of the Russian layout (ЙЦУКЕН), for a neighbouring key
_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
_WORDS = re.compile(r"[^\W\d_]{5,}")


def neighbours(letter: str) -> str:
    for row in _ROWS:
        i = row.find(letter)
        if i >= 0:
            return row[max(i - 1, 0) : i] + row[i + 1 : i + 2]
    return ""


def slip(question: str, key: str) -> str | None:
    """`question` with one typing slip, chosen by a hash of `key`; None when it has no word
    long enough."""
    words = list(_WORDS.finditer(question))
    if not words:
        return None
    h = int(hashlib.sha256(f"kazrag-typo/{key}".encode()).hexdigest(), 16)
    word = words[h % len(words)]
    text = word.group()
    at = 1 + (h >> 8) % (len(text) - 1)  # never the first letter: people see that one
    kind = (h >> 16) % 4
    if kind == 0:
        typed = text[:at] + text[at + 1 :]
    elif kind == 1:
        typed = text[:at] + text[at] + text[at:]
    elif kind == 2 and at < len(text) - 1:
        typed = text[:at] + text[at + 1] + text[at] + text[at + 2 :]
    else:
        near = neighbours(text[at].lower()) or text[at]
        typed = text[:at] + near[(h >> 24) % len(near)] + text[at + 1 :]
    return question[: word.start()] + typed + question[word.end() :]


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
    "typo": lambda q, lang: slip(q, q) if lang == "kk" and cyrillic(q) else None,
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
