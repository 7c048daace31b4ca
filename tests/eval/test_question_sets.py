"""The hand-written question sets under eval/sets: format, balance, and evidence that is really
in the documents (compared the way eval compares it: `rag.text.match_key` on both sides)."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from repo import REPO_ROOT

from kazrag.rag.text import match_key

ROOT = REPO_ROOT
SETS_DIR = ROOT / "eval" / "sets"
CORPUS = ROOT / "data" / "corpus"
SET_FILES = sorted(SETS_DIR.glob("*.jsonl"))

FIELDS = {"id", "question", "answers", "lang", "doc", "kind", "match"}
LANGS = {"kk", "ru", "en"}
KINDS = {"number", "fact", "paraphrase", "unanswerable"}
MIN_SHARE = {"kk": 0.60, "ru": 0.15, "en": 0.15}
MIN_UNANSWERABLE_PER_FILE = 7
MIN_UNANSWERABLE_TOTAL = 12
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# The leftover page header/footer block in the long report: evidence must never include it.
PAGE_HEADER_BITS = ("ҚАЗАҚСТАН 22", "Мемлекеттік департаменті ∙", "жөніндегі 2017 жылғы баяндамасы")


def load(path: Path) -> list[dict]:
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{path.name}:{number}: blank line"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:  # pragma: no cover - reported as a failure
            pytest.fail(f"{path.name}:{number}: not JSON: {error}")
        assert isinstance(record, dict), f"{path.name}:{number}: not an object"
        records.append(record)
    return records


@cache
def doc_key(doc: str) -> str:
    return match_key((CORPUS / doc).read_text(encoding="utf-8"))


def schema_problems(record: dict) -> list[str]:
    """What is wrong with one record's fields (empty when nothing)."""
    problems = []
    if set(record) != FIELDS:
        return [f"fields {sorted(record)} != {sorted(FIELDS)}"]
    if not isinstance(record["id"], str) or not ID_RE.match(record["id"]):
        problems.append(f"bad id {record['id']!r}")
    if not isinstance(record["question"], str) or len(record["question"].strip()) < 10:
        problems.append("question is not a real string")
    if record["lang"] not in LANGS:
        problems.append(f"lang {record['lang']!r}")
    if record["kind"] not in KINDS:
        problems.append(f"kind {record['kind']!r}")
    if record["match"] != "evidence":
        problems.append(f"match {record['match']!r}")
    answers, doc = record["answers"], record["doc"]
    if not isinstance(answers, list) or not all(isinstance(a, str) and a.strip() for a in answers):
        problems.append("answers must be a list of non-empty strings")
        return problems
    if record["kind"] == "unanswerable":
        if answers or doc is not None:
            problems.append("unanswerable needs answers == [] and doc == null")
    else:
        if not answers:
            problems.append("answerable question without evidence")
        docs = [doc] if isinstance(doc, str) else doc
        if not isinstance(docs, list) or not docs or not all(isinstance(d, str) for d in docs):
            problems.append(f"doc {doc!r}")
        elif not all((CORPUS / d).is_file() for d in docs):
            problems.append(f"doc {doc!r} is not in data/corpus")
    return problems


def evidence_problems(record: dict) -> list[str]:
    """Evidence strings that are not found (after match_key) in the record's document(s)."""
    if not record["answers"]:
        return []
    docs = [record["doc"]] if isinstance(record["doc"], str) else record["doc"]
    problems = []
    for answer in record["answers"]:
        key = match_key(answer)
        if not any(key in doc_key(d) for d in docs):
            problems.append(f"{record['id']}: evidence not in {docs}: {answer!r}")
        words = len(answer.split())
        if not 2 <= words <= 20:
            problems.append(f"{record['id']}: evidence of {words} words: {answer!r}")
        if any(match_key(bit) in key for bit in PAGE_HEADER_BITS):
            problems.append(f"{record['id']}: evidence includes the page header: {answer!r}")
    return problems


def language_problem(record: dict) -> str | None:
    """A cheap check that `lang` matches the script of the question."""
    question, lang = record["question"], record["lang"]
    if lang == "en" and CYRILLIC.search(question):
        return f"{record['id']}: English question with Cyrillic letters"
    if lang in ("kk", "ru") and not CYRILLIC.search(question):
        return f"{record['id']}: {lang} question without Cyrillic letters"
    if lang == "ru" and KAZAKH_LETTERS & set(question):
        return f"{record['id']}: Russian question with Kazakh letters"
    if lang == "kk" and not KAZAKH_LETTERS & set(question):
        return f"{record['id']}: Kazakh question without any Kazakh-specific letter"
    return None


# ------------------------------------------------------------------------------ tests


def test_question_sets_exist():
    names = {p.name for p in SET_FILES}
    assert {"reports-dev.jsonl", "reports-test.jsonl"} <= names


@pytest.mark.parametrize("path", SET_FILES, ids=lambda p: p.name)
def test_records_have_exactly_the_fields(path):
    problems = [f"{r.get('id')}: {p}" for r in load(path) for p in schema_problems(r)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", SET_FILES, ids=lambda p: p.name)
def test_language_and_kind_balance(path):
    records = load(path)
    assert records, f"{path.name} is empty"
    langs = Counter(r["lang"] for r in records)
    for lang, share in MIN_SHARE.items():
        assert langs[lang] >= share * len(records), (
            f"{path.name}: {langs[lang]}/{len(records)} {lang} questions, need {share:.0%}"
        )
    kinds = Counter(r["kind"] for r in records)
    assert kinds["unanswerable"] >= MIN_UNANSWERABLE_PER_FILE, kinds
    for kind in ("number", "fact", "paraphrase"):
        assert kinds[kind] > 0, f"{path.name}: no {kind} questions"


@pytest.mark.parametrize("path", SET_FILES, ids=lambda p: p.name)
def test_lang_matches_the_question_script(path):
    problems = [p for r in load(path) if (p := language_problem(r))]
    assert not problems, "\n".join(problems)


def test_ids_and_questions_unique_across_files():
    ids, questions = Counter(), Counter()
    for path in SET_FILES:
        for record in load(path):
            ids[record["id"]] += 1
            questions[record["question"].strip().casefold()] += 1
    assert not [i for i, n in ids.items() if n > 1], "duplicate ids"
    assert not [q for q, n in questions.items() if n > 1], "duplicate questions"


def test_enough_unanswerable_in_total():
    total = sum(r["kind"] == "unanswerable" for p in SET_FILES for r in load(p))
    assert total >= MIN_UNANSWERABLE_TOTAL


@pytest.mark.parametrize("path", SET_FILES, ids=lambda p: p.name)
def test_every_evidence_string_is_in_its_document(path):
    problems = [p for r in load(path) for p in evidence_problems(r)]
    assert not problems, "\n".join(problems)


def test_checks_catch_broken_records():
    """The checks above are not vacuous: a typo, a wrong document or a stray field fails them."""
    record = next(r for r in load(SETS_DIR / "reports-dev.jsonl") if r["kind"] != "unanswerable")
    assert not schema_problems(record) and not evidence_problems(record)

    answer = record["answers"][0]
    digits = [i for i, ch in enumerate(answer) if ch.isdigit()]
    at = digits[0] if digits else 0
    typo = answer[:at] + ("7" if answer[at] != "7" else "8") + answer[at + 1 :]
    assert evidence_problems({**record, "answers": [typo]})

    other = next(d.name for d in CORPUS.glob("*.txt") if d.name != record["doc"])
    assert evidence_problems({**record, "doc": other})

    assert schema_problems({**record, "extra": 1})
    assert schema_problems({**record, "answers": []})
    assert schema_problems({**record, "kind": "unanswerable"})
    assert language_problem({**record, "lang": "en"}) or language_problem({**record, "lang": "ru"})


def test_match_key_folds_lookalikes_in_evidence():
    """Evidence copied with a Latin `i` (as the PDF has it) and typed with Kazakh `і` both match."""
    doc = "human-rights-report-2017.kk.txt"
    latin = "Дискриминация, әлеуметтiк қатыгездiк"
    assert latin in (CORPUS / doc).read_text(encoding="utf-8")
    assert match_key(latin) in doc_key(doc)
    assert match_key(latin.replace("i", "і")) in doc_key(doc)


def test_the_follow_up_set_pairs_each_question_with_the_one_before_and_real_evidence():
    path = SETS_DIR / "chat" / "followups.jsonl"
    records = load(path)
    assert len(records) >= 100 and all(r["previous"] and r["question"] for r in records)
    problems = [p for r in records for p in evidence_problems(r)]
    assert not problems, "\n".join(problems)
    assert sum(r["kind"] == "unanswerable" for r in records) >= 10
