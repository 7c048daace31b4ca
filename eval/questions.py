"""Question files for `kazrag eval`: load and validate, all before any work is done.

The format is ../shared/benchmarks/README.md: JSON Lines, one question per line, with
`id`, `question`, `answers`, `lang`, `doc`, `kind` and (optional, default "evidence") `match`;
and, for a follow-up question of a chat, `previous`: the question asked before it.
A bad file is rejected as a whole with the file name and line number, because a question set
that is silently half-read gives figures nobody can compare.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from kazrag.errors import QuestionFileError
from kazrag.rag.lang import LANGS

MATCHES = ("evidence", "doc")
REQUIRED = ("id", "question", "answers", "lang", "doc", "kind")
OPTIONAL = ("match", "previous")
_LETTER = re.compile(r"[^\W\d_]")  # the engine refuses a question without a letter
SPLITS = ("all", "dev", "test")
HOLD_OUT_EVERY = 4  # one question in four of a set is held out


def held_out(question_id: str) -> bool:
    """Whether a question belongs to the held-out ("test") part of its set: a hash of its id,
    so the split is fixed, needs no list, and a new question falls on a side by itself."""
    digest = hashlib.sha256(f"kazrag-holdout/{question_id}".encode()).hexdigest()
    return int(digest, 16) % HOLD_OUT_EVERY == 0


def select_split(questions: list[Question], split: str) -> list[Question]:
    """`all`, the tuning part (`dev`) or the held-out part (`test`) of a question set."""
    if split not in SPLITS:
        raise QuestionFileError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    if split == "all":
        return list(questions)
    chosen = [q for q in questions if held_out(q.id) == (split == "test")]
    if not chosen:
        raise QuestionFileError(f"no questions in the {split} part of this set")
    return chosen


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]
    lang: str
    doc: tuple[str, ...]  # empty when unanswerable
    kind: str
    match: str = "evidence"
    line: int = 0  # where it is in its file, for messages
    previous: str | None = None  # a follow-up's earlier question (`Kazrag.ask(previous=…)`)

    @property
    def answerable(self) -> bool:
        return bool(self.answers or self.doc)

    def to_dict(self) -> dict:
        doc = None if not self.doc else self.doc[0] if len(self.doc) == 1 else list(self.doc)
        return {
            "id": self.id,
            "question": self.question,
            "answers": list(self.answers),
            "lang": self.lang,
            "doc": doc,
            "kind": self.kind,
            "match": self.match,
        } | ({"previous": self.previous} if self.previous else {})


def _problem(record: object) -> str | None:
    """What is wrong with one parsed line, or None."""
    if not isinstance(record, dict):
        return f"expected a JSON object, got {type(record).__name__}"
    missing = [f for f in REQUIRED if f not in record]
    if missing:
        return f"missing field{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
    unknown = sorted(set(record) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        return f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}"
    for name in ("id", "question", "kind"):
        if not isinstance(record[name], str) or not record[name].strip():
            return f"{name!r} must be a non-empty string"
    if not _LETTER.search(record["question"]):
        return "'question' has no words"
    if record["lang"] not in LANGS:
        return f"'lang' must be one of {', '.join(LANGS)}, not {record['lang']!r}"
    answers = record["answers"]
    if not isinstance(answers, list) or not all(isinstance(a, str) and a.strip() for a in answers):
        return "'answers' must be a list of non-empty strings"
    doc = record["doc"]
    docs = [doc] if isinstance(doc, str) else doc
    if doc is not None and not (
        isinstance(docs, list) and docs and all(isinstance(d, str) and d.strip() for d in docs)
    ):
        return "'doc' must be a document id, a list of them, or null"
    previous = record.get("previous")
    if previous is not None and not (isinstance(previous, str) and _LETTER.search(previous)):
        return "'previous' must be the question asked before this one"
    match = record.get("match", "evidence")
    if match not in MATCHES:
        return f"'match' must be one of {', '.join(MATCHES)}, not {match!r}"
    if match == "evidence" and doc is not None and not answers:
        return (
            "match 'evidence' needs evidence in 'answers' (or answers [] and doc null "
            "for an unanswerable question)"
        )
    if match == "doc" and answers and doc is None:
        return "match 'doc' needs the relevant document id(s) in 'doc'"
    return None


def parse_line(text: str, line: int) -> Question:
    """One line of a question file -> a Question; raises QuestionFileError (without the file
    name, which the caller adds)."""
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise QuestionFileError(
            f"line {line}: not valid JSON ({exc.msg}, column {exc.colno})"
        ) from None
    problem = _problem(record)
    if problem:
        raise QuestionFileError(f"line {line}: {problem}")
    doc = record["doc"]
    return Question(
        id=record["id"],
        question=record["question"],
        answers=tuple(record["answers"]),
        lang=record["lang"],
        doc=() if doc is None else (doc,) if isinstance(doc, str) else tuple(doc),
        kind=record["kind"],
        match=record.get("match", "evidence"),
        line=line,
        previous=record.get("previous"),
    )


def load_questions(path: Path) -> list[Question]:
    """Every question of a file, or QuestionFileError naming the first bad line."""
    path = Path(path)
    try:
        # utf-8-sig: a byte-order mark from a Windows editor is not an error
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise QuestionFileError(f"{path}: no such question file") from None
    except IsADirectoryError:
        raise QuestionFileError(f"{path}: is a folder, expected a .jsonl question file") from None
    except UnicodeDecodeError as exc:
        raise QuestionFileError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise QuestionFileError(f"{path}: cannot read ({exc.strerror})") from None
    questions: list[Question] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue  # blank lines (a trailing one especially) carry nothing
        try:
            question = parse_line(line, number)
        except QuestionFileError as exc:
            raise QuestionFileError(f"{path.name}, {exc}") from None
        if question.id in first_line:
            raise QuestionFileError(
                f"{path.name}, line {number}: duplicate id {question.id!r} "
                f"(first on line {first_line[question.id]})"
            )
        first_line[question.id] = number
        questions.append(question)
    if not questions:
        raise QuestionFileError(f"{path}: the file has no questions")
    return questions
