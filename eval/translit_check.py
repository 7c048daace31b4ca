"""Typing habits: how well rag.translit reads Kazakh typed in Latin or with Russian letters.

    .venv/bin/python -m eval.translit_check            # everything, about half a minute
    .venv/bin/python -m eval.translit_check --json out.json

Measures, on the bundled corpus (data/corpus/*.txt) and tests/data/typing_samples.jsonl:
1. round trips of every corpus word: Cyrillic -> Latin (2017, 2018, 2021, and three informal
   habits: Turkish keyboard, ASCII chat with q/j, ASCII chat with k/zh)
   -> Cyrillic, exact word accuracy, without and with a vocabulary;
2. skeleton -> Vocabulary.restore, with the vocabulary of the same corpus and of the other
   report (the honest figure: a question's words are not always in the documents);
3. the detectors' precision and recall on the hand-written samples, on the eval sets'
   questions retyped mechanically, on eval/sets/typing/ (written by someone else, never
   tuned on), and `detect()` before/after on every eval set;
4. the words of the samples' questions after normalise_question, against what was meant;
5. microseconds per question for normalise_question with a 20,000-word vocabulary.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import unicodedata
from collections import Counter
from pathlib import Path

from kazrag.rag import lang
from kazrag.rag.text import fold_lookalikes
from kazrag.rag.translit import (
    Vocabulary,
    cyrillic_to_latin,
    is_kazakh_without_letters,
    is_latin_kazakh,
    latin_to_cyrillic,
    normalise_question,
    skeleton,
)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "data" / "corpus").glob("*.txt"))
SAMPLES = ROOT / "tests" / "data" / "typing_samples.jsonl"
EVAL_SETS = [
    ROOT / "eval" / "sets" / "reports-dev.jsonl",
    ROOT / "eval" / "sets" / "reports-test.jsonl",
]
# Sets written by someone else, after and apart from this module: a true held-out check.
TYPING_SETS = sorted((ROOT / "eval" / "sets" / "typing").glob("kk-*.jsonl"))
ALL_SETS = sorted((ROOT / "eval" / "sets").glob("*.jsonl")) + sorted(
    (ROOT / "eval" / "sets" / "typing").glob("*.jsonl")
)
LOAN_LETTERS = set("ёцщъьэюя")
_CYRILLIC_WORD = re.compile(r"[^\W\d_]+")
# What a Russian keyboard leaves of the Kazakh letters (ы stays ы, і becomes и).
_NO_KAZAKH_LETTERS = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")


def corpus_words(path: Path) -> Counter:
    text = fold_lookalikes(unicodedata.normalize("NFC", path.read_text(encoding="utf-8")))
    return Counter(
        w
        for w in _CYRILLIC_WORD.findall(text)
        if re.search(r"[\u0400-\u04ff]", w) and not re.search(r"[A-Za-z]", w)
    )


def accuracy(words: Counter, convert) -> tuple[float, float]:
    """(token accuracy, type accuracy) of `convert(word) == word`."""
    right_tokens = right_types = 0
    for word, count in words.items():
        if convert(word) == word:
            right_tokens += count
            right_types += 1
    return right_tokens / sum(words.values()), right_types / len(words)


def round_trips(words: dict[str, Counter], vocabularies: dict[str, Vocabulary]) -> list[dict]:
    rows = []
    all_words = sum(words.values(), Counter())
    official = Counter({w: c for w, c in all_words.items() if not LOAN_LETTERS & set(w.lower())})
    for version in ("2017", "2018", "2021", "turkish", "ascii-q", "ascii"):
        read_as = version if version in ("2017", "2018", "2021", "turkish") else "ascii"
        row: dict[str, str | float] = {"version": version}
        row["rules"] = accuracy(
            all_words, lambda w: latin_to_cyrillic(cyrillic_to_latin(w, version), version=read_as)
        )[0]
        row["rules, official letters only"] = accuracy(
            official, lambda w: latin_to_cyrillic(cyrillic_to_latin(w, version), version=read_as)
        )[0]
        # vocabulary of the other report: each report's words read with the other's words
        hits = total = 0
        for name, counter in words.items():
            other = vocabularies["without " + name]
            for word, count in counter.items():
                back = latin_to_cyrillic(
                    cyrillic_to_latin(word, version), version=read_as, vocabulary=other
                )
                hits += count * (back == word)
                total += count
        row["vocabulary of the other report"] = hits / total
        row["vocabulary of the same corpus"] = accuracy(
            all_words,
            lambda w: latin_to_cyrillic(
                cyrillic_to_latin(w, version), version=read_as, vocabulary=vocabularies["all"]
            ),
        )[0]
        rows.append(row)
    return rows


def restore_rates(words: dict[str, Counter], vocabularies: dict[str, Vocabulary]) -> list[dict]:
    rows = []

    def rate(counter: Counter, vocabulary: Vocabulary) -> dict:
        right = known = total = 0
        for word, count in counter.items():
            restored = vocabulary.restore(skeleton(word))
            total += count
            if restored is not None:
                known += count
                right += count * (restored == word.casefold())
        return {
            "accuracy": right / total,
            "skeleton known": known / total,
            "accuracy where known": right / known if known else 0.0,
        }

    all_words = sum(words.values(), Counter())
    rows.append(
        {
            "words of": "both reports",
            "vocabulary of": "both reports",
            **rate(all_words, vocabularies["all"]),
        }
    )
    names = list(words)
    for name in names:
        other = [n for n in names if n != name][0]
        rows.append(
            {
                "words of": name,
                "vocabulary of": other,
                **rate(words[name], vocabularies["only " + other]),
            }
        )
    return rows


def precision_recall(predicted: list[bool], actual: list[bool]) -> dict:
    tp = sum(p and a for p, a in zip(predicted, actual))
    fp = sum(p and not a for p, a in zip(predicted, actual))
    fn = sum(a and not p for p, a in zip(predicted, actual))
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "false positives": fp,
        "misses": fn,
    }


def detection(samples: list[dict]) -> dict:
    texts = [s["text"] for s in samples]
    out = {
        "is_latin_kazakh (samples)": precision_recall(
            [is_latin_kazakh(t) for t in texts], [s["typed"].startswith("latin-") for s in samples]
        ),
        "is_kazakh_without_letters (samples)": precision_recall(
            [is_kazakh_without_letters(t) for t in texts],
            [s["typed"] == "no-kazakh-letters" for s in samples],
        ),
    }
    groups: Counter[str] = Counter()
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    for s in samples:
        group = s["typed"] if s["lang"] == "kk" else s["lang"]
        groups[group] += 1
        before[group] += lang._detect_script(s["text"]) == s["lang"]
        after[group] += lang.detect(s["text"]) == s["lang"]
    out["detect() right, by group (before -> after)"] = {
        g: f"{before[g]}/{n} -> {after[g]}/{n}" for g, n in groups.items()
    }
    return out


def held_out(sets: list[dict]) -> dict:
    """The eval sets' questions, retyped: Kazakh in each Latin habit and without Kazakh
    letters; Russian and English as they are. Written before the detectors existed."""
    kk = [q["question"] for q in sets if q["lang"] == "kk"]
    others = [q["question"] for q in sets if q["lang"] != "kk"]
    out = {}
    for version in ("2017", "2018", "2021", "turkish", "ascii", "ascii-q"):
        latin = [cyrillic_to_latin(q, version) for q in kk]
        out[f"is_latin_kazakh recall, Kazakh retyped {version}"] = sum(
            map(is_latin_kazakh, latin)
        ) / len(latin)
    letterless = [q.translate(_NO_KAZAKH_LETTERS) for q in kk]
    out["is_kazakh_without_letters recall, Kazakh retyped without Kazakh letters"] = sum(
        map(is_kazakh_without_letters, letterless)
    ) / len(letterless)
    out["detect() == 'kk' on those"] = sum(lang.detect(q) == "kk" for q in letterless) / len(
        letterless
    )
    out["false positives on the sets' Russian and English questions"] = sum(
        is_latin_kazakh(q) or is_kazakh_without_letters(q) for q in others
    )
    out["questions (kk / ru+en)"] = f"{len(kk)} / {len(others)}"
    return out


def eval_set_detect(sets: list[dict]) -> dict:
    right_before = right_after = broken = fixed = 0
    for q in sets:
        b = lang._detect_script(q["question"]) == q["lang"]
        a = lang.detect(q["question"]) == q["lang"]
        right_before += b
        right_after += a
        broken += b and not a
        fixed += a and not b
    return {
        "questions": len(sets),
        "right before": right_before,
        "right after": right_after,
        "right -> wrong": broken,
        "wrong -> right": fixed,
    }


def typing_sets(vocabulary: Vocabulary) -> dict:
    """eval/sets/typing/kk-*.jsonl: detect() before/after, and how many of a question's words
    (3+ letters) the corpus has, as typed and after normalise_question."""
    out = {}
    baseline = [q["question"] for q in _load(EVAL_SETS) if q["lang"] == "kk"]
    out["Cyrillic Kazakh questions of reports-dev/test (for comparison)"] = {
        "words the corpus has": round(_coverage(baseline, vocabulary), 3)
    }
    for path in TYPING_SETS:
        questions = [q["question"] for q in _load([path]) if q["lang"] == "kk"]
        out[path.name] = {
            "questions": len(questions),
            "detect() == 'kk' before": sum(lang._detect_script(q) == "kk" for q in questions),
            "detect() == 'kk' after": sum(lang.detect(q) == "kk" for q in questions),
            "words the corpus has, as typed": round(_coverage(questions, vocabulary), 3),
            "..., normalised without vocabulary": round(
                _coverage([normalise_question(q)[0] for q in questions], vocabulary), 3
            ),
            "..., normalised with the corpus vocabulary": round(
                _coverage([normalise_question(q, vocabulary)[0] for q in questions], vocabulary), 3
            ),
        }
    return out


def all_sets_detect() -> dict:
    out = {}
    for path in ALL_SETS:
        questions = _load([path])
        before = sum(lang._detect_script(q["question"]) == q["lang"] for q in questions)
        after = sum(lang.detect(q["question"]) == q["lang"] for q in questions)
        broken = sum(
            lang._detect_script(q["question"]) == q["lang"] != lang.detect(q["question"])
            for q in questions
        )
        out[str(path.relative_to(ROOT / "eval" / "sets"))] = (
            f"{before}/{len(questions)} -> {after}/{len(questions)}, right -> wrong: {broken}"
        )
    return out


def _load(paths) -> list[dict]:
    return [
        json.loads(line)
        for path in paths
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def _coverage(texts: list[str], vocabulary: Vocabulary) -> float:
    words = [w for t in texts for w in _words(t) if len(w) >= 3]
    return sum(w in vocabulary for w in words) / len(words) if words else 0.0


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _CYRILLIC_WORD.findall(text)]


def conversion(samples: list[dict], vocabulary: Vocabulary) -> list[dict]:
    """Share of the intended Cyrillic words that normalise_question produces, per habit."""
    rows = []
    habits = sorted({s["typed"] for s in samples if s["lang"] == "kk"})
    for habit in habits:
        chosen = [s for s in samples if s["typed"] == habit]
        row = {"typed": habit, "questions": len(chosen)}
        for label, vocab in (("no vocabulary", None), ("corpus vocabulary", vocabulary)):
            right = total = known_right = known = 0
            for s in chosen:
                got = _words(normalise_question(s["text"], vocab)[0])
                want = _words(s["cyrillic"])
                for g, w in zip(got, want):
                    total += 1
                    right += g == w
                    if w in vocabulary:
                        known += 1
                        known_right += g == w
                total += max(0, len(want) - len(got))
            row[label] = right / total
            row[label + ", words the corpus has"] = known_right / known if known else 0.0
        rows.append(row)
    return rows


def speed(samples: list[dict], words: Counter) -> dict:
    # 20,000 distinct words: the corpus's, then suffixed forms of them, as a bigger index has
    counts = Counter({w.casefold(): c for w, c in words.items()})
    suffixes = ["ның", "нің", "ға", "ге", "да", "де", "дан", "ден", "лар", "лер", "ы", "і", "мен"]
    for suffix in suffixes:
        for word in list(counts)[:4000]:
            if len(counts) >= 20000:
                break
            counts.setdefault(word + suffix, 1)
    t = time.perf_counter()
    vocabulary = Vocabulary(dict(counts))
    build_ms = (time.perf_counter() - t) * 1000
    serialised = vocabulary.to_json()
    texts = [s["text"] for s in samples]
    for text in texts:  # warm up
        normalise_question(text, vocabulary)
    rounds = 20
    t = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            normalise_question(text, vocabulary)
    per_question = (time.perf_counter() - t) / (rounds * len(texts)) * 1e6
    t = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            lang.detect(text)
    per_detect = (time.perf_counter() - t) / (rounds * len(texts)) * 1e6
    t = time.perf_counter()
    Vocabulary.from_json(serialised)
    load_ms = (time.perf_counter() - t) * 1000
    return {
        "vocabulary words": len(vocabulary),
        "build ms": round(build_ms, 1),
        "load from JSON ms": round(load_ms, 1),
        "JSON KiB": round(len(serialised.encode()) / 1024),
        "normalise_question µs per question": round(per_question),
        "detect() µs per question": round(per_detect),
        "questions": len(texts),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    words = {p.name: corpus_words(p) for p in CORPUS}
    texts = {p.name: p.read_text(encoding="utf-8") for p in CORPUS}
    vocabularies = {"all": Vocabulary.from_texts(texts.values(), question_words=False)}
    for name in texts:
        vocabularies["only " + name] = Vocabulary.from_texts([texts[name]], question_words=False)
        vocabularies["without " + name] = Vocabulary.from_texts(
            [t for n, t in texts.items() if n != name], question_words=False
        )
    samples = [
        json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line
    ]
    sets = [
        json.loads(line)
        for path in EVAL_SETS
        for line in path.read_text(encoding="utf-8").splitlines()
        if line
    ]

    results = {
        "corpus": {
            name: {"tokens": sum(c.values()), "distinct": len(c)} for name, c in words.items()
        },
        "round trips (token accuracy)": round_trips(words, vocabularies),
        "skeleton -> restore (tokens)": restore_rates(words, vocabularies),
        "detection": detection(samples),
        "detection, held out": held_out(sets),
        "detect() on eval sets": eval_set_detect(sets),
        "detect() on every eval set (before -> after)": all_sets_detect(),
        "another person's typing sets (held out)": typing_sets(
            Vocabulary.from_texts(texts.values())
        ),
        "normalise_question word accuracy": conversion(
            samples, Vocabulary.from_texts(texts.values())
        ),
        "speed": speed(samples, sum(words.values(), Counter())),
    }
    text = json.dumps(results, ensure_ascii=False, indent=2, default=lambda x: round(x, 3))
    print(re.sub(r"(\d\.\d{3})\d+", r"\1", text))
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
