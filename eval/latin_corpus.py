"""The bundled corpus and its question sets with the documents in Latin Kazakh: how well
Cyrillic (and Russian, English) questions find and quote documents written in Latin.

    python -m kazrag.eval.latin_corpus out/latin --version 2018
    kazrag eval out/latin/reports-dev.jsonl --corpus out/latin/corpus

`--version no-kazakh-letters` writes the documents in Cyrillic without the nine Kazakh
letters instead (ә→а, ғ→г, қ→к, ң→н, ө→о, ұ/ү→у, һ→х, і→и, as a Russian keyboard types
them), the way many older web texts are.

Each document is written out in the Latin alphabet `--version` (rag.translit's tables); each
question keeps its own words and gets its evidence in the same Latin, so the judge (which
compares evidence with the passage text a user reads) looks for what the Latin document says.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kazrag.files import read_jsonl, write_jsonl
from kazrag.rag.config import BUNDLED_CORPUS
from kazrag.rag.translit import VERSIONS, cyrillic_to_latin

NO_KAZAKH_LETTERS = "no-kazakh-letters"
_STAND_INS = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")


def retyped(text: str, version: str) -> str:
    if version == NO_KAZAKH_LETTERS:
        return text.translate(_STAND_INS)
    return cyrillic_to_latin(text, version)


SETS = Path(__file__).parent / "sets"
QUESTION_SETS = ("reports-dev.jsonl", "reports-test.jsonl")


def write_latin_corpus(out: Path, version: str) -> list[Path]:
    """Write `out/corpus/` and the question sets; return the files written."""
    written = []
    for source in sorted(BUNDLED_CORPUS.glob("*.txt")):
        target = out / "corpus" / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(retyped(source.read_text(encoding="utf-8"), version), encoding="utf-8")
        written.append(target)
    for name in QUESTION_SETS:
        questions = read_jsonl(SETS / name)
        for question in questions:
            question["answers"] = [retyped(a, version) for a in question["answers"]]
        write_jsonl(out / name, questions)
        written.append(out / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kazrag.eval.latin_corpus", description=__doc__.split("\n")[0]
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--version", default="2018", choices=(*VERSIONS, NO_KAZAKH_LETTERS))
    args = parser.parse_args(argv)
    for path in write_latin_corpus(args.out, args.version):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
