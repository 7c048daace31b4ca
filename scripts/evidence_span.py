"""Copy an evidence string for a question set verbatim out of a corpus document.

Typing evidence by hand loses the Latin look-alike letters some words of the corpus contain
(`мемлекеттiк` with a Latin `i`); this helper finds the span by its folded form and prints the
characters exactly as the source has them, with the line wraps undone the way the index undoes
them (a line ending in `-` is joined to the next without a space, keeping the hyphen; other lines
with one space; runs of whitespace collapsed).

    python scripts/evidence_span.py human-rights-report-2017.kk.txt 9 10 "Назарбаевқа 97.5"

prints the span and how often it occurs in the whole document (1 is best). Line numbers are
1-based and inclusive, as `cat -n` shows them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"

# Only for locating a span: one character for one, so offsets in the folded text are offsets in
# the original. The real comparison is `rag.text.match_key`.
_FOLD = str.maketrans(
    {
        "a": "а",
        "c": "с",
        "e": "е",
        "h": "һ",
        "i": "і",
        "o": "о",
        "p": "р",
        "x": "х",
        "y": "у",
        "k": "к",
        "m": "м",
        "t": "т",
        "b": "в",
    }
)


def _fold(text: str) -> str:
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text).translate(_FOLD)


def unwrap(lines: list[str]) -> str:
    text = ""
    for line in lines:
        line = line.rstrip("\r\n")
        if text.endswith("-"):
            text += line.lstrip()
        elif text:
            text += " " + line
        else:
            text = line
    return re.sub(r"\s+", " ", text).strip()


def doc_lines(doc: str) -> list[str]:
    return (CORPUS / doc).read_text(encoding="utf-8").split("\n")


def evidence(doc: str, start: int, end: int, needle: str) -> str:
    """The source characters of `needle` within lines `start`..`end` of `doc`."""
    lines = doc_lines(doc)
    assert 1 <= start <= end <= len(lines), (doc, start, end)
    text = unwrap(lines[start - 1 : end])
    needle = re.sub(r"\s+", " ", needle).strip()
    folded, key = _fold(text), _fold(needle)
    at = folded.find(key)
    assert at >= 0, f"{needle!r} not in {doc}:{start}-{end}: {text!r}"
    assert folded.find(key, at + 1) < 0, f"{needle!r} occurs twice in {doc}:{start}-{end}"
    span = text[at : at + len(key)]
    # Whole words only: a cut word could fold differently from the word in the document.
    assert at == 0 or not text[at - 1].isalnum(), f"{needle!r} starts inside a word"
    stop = at + len(key)
    assert stop == len(text) or not text[stop].isalnum(), f"{needle!r} ends inside a word"
    return span


def occurrences(doc: str, span: str) -> int:
    whole = _fold(unwrap(doc_lines(doc)))
    return whole.count(_fold(span))


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__)
        return 2
    doc, start, end, needle = argv[0], int(argv[1]), int(argv[2]), argv[3]
    span = evidence(doc, start, end, needle)
    print(span)
    print(f"occurrences in {doc}: {occurrences(doc, span)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
