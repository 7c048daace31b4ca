"""`kazrag eval`: question files rejected before any work, metrics right on hand-made rankings,
and one end-to-end run on a slice of the dev set with the session's real model and index."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest
from repo import REPO_ROOT

from kazrag.errors import QuestionFileError
from kazrag.eval.corpus import corpus_fingerprint
from kazrag.eval.evaluator import write_csv
from kazrag.eval.metrics import Judge, Judged, compute, hit_curve, summarise
from kazrag.eval.questions import Question, held_out, load_questions, select_split
from kazrag.ui.cli import main

ROOT = REPO_ROOT
DEV_SET = ROOT / "eval" / "sets" / "reports-dev.jsonl"
CORPUS = ROOT / "data" / "corpus"

GOOD = {
    "id": "q1",
    "question": "Қанша судья жазаланды?",
    "answers": ["16 судья"],
    "lang": "kk",
    "doc": "a.txt",
    "kind": "number",
    "match": "evidence",
}


def write_lines(path: Path, lines: list) -> Path:
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
        + "\n",
        encoding="utf-8",
    )
    return path


# ------------------------------------------------------------------- question files
BAD_FILES = {
    "invalid JSON": ([GOOD, '{"id": "q2", "question": '], "line 2: not valid JSON"),
    "missing field": (
        [GOOD, {k: v for k, v in {**GOOD, "id": "q2"}.items() if k != "lang"}],
        "line 2: missing field lang",
    ),
    "duplicate id": (
        [GOOD, {**GOOD, "id": "q2", "question": "Тағы бір сұрақ?"}, GOOD],
        "line 3: duplicate id 'q1' (first on line 1)",
    ),
    "ill-typed answers": ([{**GOOD, "answers": "16 судья"}], "line 1: 'answers' must be a list"),
    "unknown lang": ([GOOD, {**GOOD, "id": "q2", "lang": "de"}], "line 2: 'lang' must be one"),
    "bad match": ([{**GOOD, "match": "exact"}], "line 1: 'match' must be one of"),
    "not an object": ([GOOD, "[1, 2]"], "line 2: expected a JSON object"),
    "answerable without evidence": ([{**GOOD, "answers": []}], "line 1: match 'evidence' needs"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_question_file_names_the_line(tmp_path, name):
    lines, message = BAD_FILES[name]
    path = write_lines(tmp_path / "q.jsonl", lines)
    with pytest.raises(QuestionFileError) as error:
        load_questions(path)
    assert f"q.jsonl, {message}" in str(error.value)


def test_good_question_file_loads_with_defaults(tmp_path):
    no_match = {k: v for k, v in GOOD.items() if k != "match"}
    unanswerable = {**GOOD, "id": "q2", "answers": [], "doc": None, "kind": "unanswerable"}
    by_doc = {**GOOD, "id": "q3", "doc": ["a.txt", "b.txt"], "match": "doc"}
    path = write_lines(tmp_path / "q.jsonl", [no_match, "", unanswerable, by_doc])
    q1, q2, q3 = load_questions(path)
    assert (q1.match, q1.doc, q1.answerable, q1.line) == ("evidence", ("a.txt",), True, 1)
    assert (q2.answerable, q2.doc, q2.line) == (False, (), 3)
    assert (q3.match, q3.doc) == ("doc", ("a.txt", "b.txt"))


def test_the_shipped_sets_load():
    for path in (ROOT / "eval" / "sets").glob("*.jsonl"):
        assert len(load_questions(path)) > 50


@pytest.mark.parametrize("name", ["invalid JSON", "missing field", "duplicate id"])
def test_cli_rejects_a_bad_file_before_any_work(tmp_path, capsys, name):
    lines, message = BAD_FILES[name]
    path = write_lines(tmp_path / "q.jsonl", lines)
    index_dir = tmp_path / "index"
    started = time.perf_counter()
    # a model folder that does not exist: loading the model would fail differently
    code = main(
        [
            "eval",
            str(path),
            "--corpus",
            str(CORPUS),
            "--index-dir",
            str(index_dir),
            "--model-dir",
            str(tmp_path / "no-model"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("kazrag: error: ") and message in err and "Traceback" not in err
    assert not index_dir.exists() and not (tmp_path / "no-model").exists()
    assert time.perf_counter() - started < 5


def test_cli_rejects_bad_modes_and_missing_corpus(tmp_path, capsys):
    path = write_lines(tmp_path / "q.jsonl", [GOOD])
    assert main(["eval", str(path), "--corpus", str(CORPUS), "--compare", "bm25,fuzzy"]) == 1
    assert "unknown mode fuzzy" in capsys.readouterr().err
    assert main(["eval", str(path), "--corpus", str(tmp_path / "nowhere")]) == 1
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["eval", str(path), "--corpus", str(CORPUS), "--summary", str(tmp_path)]) == 1
    assert "is a folder" in capsys.readouterr().err


# ------------------------------------------------------------------------- relevance
def question(**changes) -> Question:
    base = dict(
        id="q",
        question="?",
        answers=("16 судья",),
        lang="kk",
        doc=("a.txt",),
        kind="number",
        match="evidence",
    )
    return Question(**{**base, **changes})


def test_evidence_is_matched_through_match_key():
    judge = Judge(question(answers=("жаңа заң қабылдады",), doc=("a.txt",)))
    # case, Latin look-alike letters (`A`), a line break inside the span: the same text
    assert judge.relevant("other.txt", "Парламент ЖAҢA\nзаң  қабылдады.")
    assert not judge.relevant("a.txt", "Парламент ескі заң қабылдады.")
    assert judge.hit_rank([("a.txt", "басқа"), ("a.txt", "жаңа заң қабылдады")]) == 2


def test_doc_match_looks_only_at_the_document():
    judge = Judge(question(match="doc", doc=("kq1", "kq2"), answers=("1990",)))
    assert judge.relevant("kq2", "мүлде басқа мәтін")
    assert not judge.relevant("kq3", "1990 жылы")
    ranking = [("kq9", "x"), ("kq3", "1990"), ("kq1", "y")]
    assert judge.hit_rank(ranking) == 3
    assert judge.hit_rank(ranking[:2]) is None


def test_quotes_are_judged_together_by_their_text():
    judge = Judge(question(answers=("32 төреші жазаланды",)))
    assert judge.quotes_hold([("a.txt", "Сот әдебін бұзғаны үшін 32 төреші жазаланды.")])
    assert judge.quotes_hold([("a.txt", "Биыл 32 төреші"), ("a.txt", "жазаланды.")])
    assert not judge.quote_holds("a.txt", "Биыл 32 төреші")  # one quote alone: half a fact
    assert not judge.quotes_hold([("a.txt", "32 журналист жазаланды.")])
    assert not judge.quotes_hold([])


def test_a_doc_question_with_gold_spans_judges_quotes_by_the_span():
    """KazQAD: passages are judged by document, the sentence a user reads by the gold span."""
    judge = Judge(question(match="doc", doc=("kq1",), answers=("бүйір сызығы",)))
    assert judge.relevant("kq1", "мүлде басқа мәтін")
    assert judge.quote_holds("kq1", "Балықтың сезім мүшесі — бүйір сызығы.")
    assert not judge.quote_holds("kq1", "Балық суда тіршілік етеді.")  # right passage, no answer
    no_span = Judge(question(match="doc", doc=("kq1",), answers=()))
    assert no_span.quotes_hold([("kq2", "x"), ("kq1", "y")])
    assert not no_span.quotes_hold([("kq2", "x")])


# --------------------------------------------------------------------------- metrics
def judged(
    id,
    rank,
    abstained=False,
    answerable=True,
    lang="kk",
    kind="fact",
    ms=10.0,
    first=False,
    any_=None,
    quotes=1,
    extra_holding=0,
    refused=None,
    words=0,
):
    return Judged(
        id,
        lang,
        kind,
        answerable,
        abstained,
        rank,
        ms,
        first,
        first if any_ is None else any_,
        quotes,
        extra_holding,
        abstained if refused is None else refused,
        words,
    )


HAND_MADE = [
    judged("a", 1, ms=10),
    judged("b", 2, ms=20),
    judged("c", 4, lang="ru", ms=30),
    judged("d", 7, lang="en", abstained=True, ms=40),
    judged("e", None, lang="en", ms=50),
    judged("u1", None, answerable=False, abstained=True, kind="unanswerable", ms=60),
    judged("u2", None, answerable=False, abstained=False, kind="unanswerable", ms=70),
    judged("u3", None, answerable=False, abstained=True, kind="unanswerable", ms=80),
]


def test_metrics_on_a_hand_made_ranking():
    m = compute(HAND_MADE, top_k=10)
    assert (m["questions"], m["answerable"], m["unanswerable"]) == (8, 5, 3)
    # answerable ranks 1, 2, 4, 7, none
    assert m["hit@1"] == pytest.approx(1 / 5)
    assert m["hit@3"] == pytest.approx(2 / 5)
    assert m["hit@5"] == pytest.approx(3 / 5)
    assert m["hit@10"] == pytest.approx(4 / 5)
    assert m["mrr@10"] == pytest.approx((1 + 1 / 2 + 1 / 4 + 1 / 7 + 0) / 5)
    assert m["abstention_recall"] == pytest.approx(2 / 3)
    assert m["abstention_precision"] == pytest.approx(2 / 3)  # d abstained wrongly
    assert m["false_abstention_rate"] == pytest.approx(1 / 5)
    assert m["latency_p50_ms"] == pytest.approx(45.0)
    assert m["latency_p95_ms"] == pytest.approx(76.5)  # linear between 70 and 80


def test_quote_figures_count_abstentions_as_misses():
    rows = [
        judged("a", 1, first=True, quotes=3, extra_holding=1),
        judged("b", 1, first=False, any_=True, quotes=2, extra_holding=1),
        judged("c", 2, first=True, abstained=True, quotes=0),
        judged("d", 3, first=False, quotes=1),
        judged("u", None, answerable=False, abstained=True, kind="unanswerable", quotes=0),
    ]
    m = compute(rows, top_k=10)
    assert m["quote@1"] == pytest.approx(1 / 4)
    assert m["quote_any"] == pytest.approx(2 / 4)
    assert m["extra_quote_precision"] == pytest.approx(2 / 3)  # 2 of a's and b's 3 extra quotes
    assert m["quotes_mean"] == pytest.approx(2.0)  # answered questions only


def test_the_first_quotes_words_are_what_is_read_first():
    rows = [
        judged("a", 1, first=True, words=12),
        judged("b", 1, first=False, words=30),  # two sentences joined: read longer
        judged("c", None, answerable=False, abstained=True, refused=True, quotes=0),
    ]
    m = compute(rows, top_k=10)
    assert m["first_quote_words"] == pytest.approx(21.0)  # the refusal quoted nothing
    assert compute(rows[2:], top_k=10)["first_quote_words"] is None


def test_uncertain_answers_abstain_but_their_quote_is_read():
    rows = [
        # answerable, uncertain (quote shown): a false abstention, not a false refusal
        judged("a", 1, abstained=True, refused=False, first=True),
        judged("b", 1, abstained=True, refused=True, quotes=0),  # answerable, refused
        judged("c", 1, first=True),  # answered
        judged("d", 2),  # answered, first quote misses
        judged("u1", None, answerable=False, abstained=True, refused=False, kind="unanswerable"),
        judged("u2", None, answerable=False, abstained=True, refused=True, kind="unanswerable"),
    ]
    m = compute(rows, top_k=10)
    assert m["false_abstention_rate"] == pytest.approx(2 / 4)
    assert m["false_refusal_rate"] == pytest.approx(1 / 4)
    assert m["abstention_recall"] == pytest.approx(1.0)
    assert m["refusal_recall"] == pytest.approx(1 / 2)
    assert m["quote@1"] == pytest.approx(2 / 4)  # a's shown quote counts, b's refusal misses


def test_split_is_fixed_by_id_and_holds_out_about_a_quarter():
    questions = [
        Question(f"q{i}", "Сұрақ қанша?", ("x",), "kk", ("d",), "fact") for i in range(400)
    ]
    test = select_split(questions, "test")
    dev = select_split(questions, "dev")
    assert {q.id for q in test}.isdisjoint(q.id for q in dev)
    assert len(test) + len(dev) == 400 and 70 <= len(test) <= 130
    assert [q.id for q in select_split(list(reversed(questions)), "test")] == [
        q.id for q in reversed(test)
    ]
    assert held_out("q0") == held_out("q0")
    with pytest.raises(QuestionFileError):
        select_split(questions, "train")


def test_rank_beyond_ten_counts_as_a_miss_for_mrr():
    m = compute([judged("a", 11), judged("b", 10)], top_k=20)
    assert m["mrr@10"] == pytest.approx((0 + 1 / 10) / 2)
    assert m["hit@10"] == pytest.approx(1 / 2)


def test_breakdown_and_undefined_figures():
    s = summarise(HAND_MADE, top_k=10)
    assert list(s["by_lang"]) == ["kk", "ru", "en"]
    assert list(s["by_kind"]) == ["fact", "unanswerable"]
    en = s["by_lang"]["en"]
    assert en["hit@10"] == pytest.approx(1 / 2) and en["hit@5"] == 0.0
    unans = s["by_kind"]["unanswerable"]
    assert unans["hit@1"] is None and unans["false_abstention_rate"] is None
    assert unans["abstention_recall"] == pytest.approx(2 / 3)
    assert s["by_kind"]["fact"]["abstention_recall"] is None


def test_figures_beyond_top_k_are_not_invented():
    m = compute(HAND_MADE, top_k=3)
    assert m["hit@3"] == pytest.approx(2 / 5)
    assert m["hit@5"] is None and m["hit@10"] is None and m["mrr@10"] is None
    assert hit_curve(HAND_MADE, 5) == pytest.approx([0.2, 0.4, 0.4, 0.6, 0.6])


def test_csv_has_a_row_per_mode_and_group(tmp_path):
    path = write_csv(
        tmp_path / "m.csv",
        {"bm25": summarise(HAND_MADE, 10), "dense": summarise(HAND_MADE[:3], 10)},
    )
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [(r["mode"], r["group"]) for r in rows][:4] == [
        ("bm25", "overall"),
        ("bm25", "lang=kk"),
        ("bm25", "lang=ru"),
        ("bm25", "lang=en"),
    ]
    assert rows[0]["hit@5"] == "0.6000" and rows[0]["abstention_recall"] == "0.6667"


def test_corpus_fingerprint_follows_content_and_names(tmp_path):
    (tmp_path / "a.txt").write_text("бір", encoding="utf-8")
    first = corpus_fingerprint(tmp_path)
    assert corpus_fingerprint(tmp_path) == first
    (tmp_path / "a.txt").write_text("екі", encoding="utf-8")
    second = corpus_fingerprint(tmp_path)
    (tmp_path / "a.txt").rename(tmp_path / "b.txt")
    assert len({first, second, corpus_fingerprint(tmp_path)}) == 3


# ----------------------------------------------------------------------- end to end
@pytest.fixture(scope="module")
def dev_slice(tmp_path_factory) -> Path:
    """8 dev questions: 2 per kind (answerable ones in each language) and 2 unanswerable."""
    records = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    chosen = [r for r in records if r["kind"] == "unanswerable"][:2]
    for lang in ("kk", "ru", "en"):
        chosen += [r for r in records if r["lang"] == lang and r["kind"] != "unanswerable"][:2]
    assert len(chosen) == 8
    return write_lines(tmp_path_factory.mktemp("eval") / "slice.jsonl", chosen)


@pytest.mark.slow
def test_kazrag_eval_end_to_end(engine, base_config, dev_slice, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        [
            "eval",
            str(dev_slice),
            "--corpus",
            str(CORPUS),
            "--index-dir",
            str(base_config.index_dir),
            "--model-dir",
            str(base_config.model_dir),
            "--results",
            str(out / "results.jsonl"),
            "--summary",
            str(out / "summary.json"),
            "--report",
            str(out / "report.md"),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "overall" in printed and "lang=ru" in printed and "kind=unanswerable" in printed

    lines = [json.loads(x) for x in (out / "results.jsonl").read_text("utf-8").splitlines()]
    assert [r["id"] for r in lines] == [
        json.loads(x)["id"] for x in dev_slice.read_text("utf-8").splitlines()
    ]
    fields = {
        "id",
        "question",
        "lang",
        "kind",
        "state",
        "abstained",
        "answerable_probability",
        "answer",
        "quotes",
        "quote@1",
        "quote_any",
        "passages",
        "hit_rank",
        "latency_ms",
        "signals",
    }
    for r in lines:
        assert set(r) == fields
        assert all(
            set(q) == {"text", "doc", "holds"} and q["text"] in r["answer"] for q in r["quotes"]
        )
        assert r["quote@1"] == bool(r["quotes"] and r["quotes"][0]["holds"])
        assert isinstance(r["abstained"], bool) and isinstance(r["answer"], str) and r["answer"]
        assert r["abstained"] == (r["state"] != "answered")
        assert 0.0 <= r["answerable_probability"] <= 1.0 and r["signals"]["top_dense"] > 0
        assert isinstance(r["latency_ms"], float) and r["latency_ms"] > 0
        assert [p["rank"] for p in r["passages"]] == list(range(1, 11))
        assert all(set(p) == {"rank", "doc", "section", "text", "score"} for p in r["passages"])
        assert r["hit_rank"] is None or 1 <= r["hit_rank"] <= 10
        if r["kind"] == "unanswerable":
            assert r["hit_rank"] is None
    # the dev questions are answerable from the corpus: retrieval finds most of them
    answerable = [r for r in lines if r["kind"] != "unanswerable"]
    assert sum(r["hit_rank"] is not None for r in answerable) >= 4
    # the hit rank is where the evidence really is
    questions = {q.id: q for q in load_questions(dev_slice)}
    for r in answerable:
        judge = Judge(questions[r["id"]])
        flags = [judge.relevant(p["doc"], p["text"]) for p in r["passages"]]
        assert r["hit_rank"] == (flags.index(True) + 1 if True in flags else None)

    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["questions"] == 8 and summary["answerable"] == 6
    overall = summary["modes"]["hybrid"]["overall"]
    ranks = [r["hit_rank"] for r in answerable]
    assert overall["hit@10"] == pytest.approx(sum(x is not None for x in ranks) / 6)
    assert set(summary["modes"]["hybrid"]["by_lang"]) == {"kk", "ru", "en"}
    assert overall["quote@1"] == pytest.approx(sum(r["quote@1"] for r in answerable) / 6)
    extra = [q["holds"] for r in answerable if r["state"] != "refused" for q in r["quotes"][1:]]
    assert overall["extra_quote_precision"] == (
        pytest.approx(sum(extra) / len(extra)) if extra else None
    )

    report = (out / "report.md").read_text("utf-8")
    assert "| overall | hybrid |" in report and "](report-hit-at-k.png)" in report
    assert (out / "report-hit-at-k.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "## Where it fails" in report


@pytest.mark.slow
def test_kazrag_eval_compare_modes(engine, base_config, dev_slice, tmp_path, capsys):
    code = main(
        [
            "eval",
            str(dev_slice),
            "--corpus",
            str(CORPUS),
            "--compare",
            "bm25,dense",
            "--top-k",
            "5",
            "--index-dir",
            str(base_config.index_dir),
            "--model-dir",
            str(base_config.model_dir),
            "--results",
            str(tmp_path / "r.jsonl"),
            "--summary",
            str(tmp_path / "s.json"),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    overall_rows = [
        line.split()
        for line in printed.splitlines()
        if line.split()[:1] == ["overall"] or line.split()[:1] in (["bm25"], ["dense"])
    ]
    assert [row[1] if row[0] == "overall" else row[0] for row in overall_rows][:2] == [
        "bm25",
        "dense",
    ]
    summary = json.loads((tmp_path / "s.json").read_text("utf-8"))
    assert list(summary["modes"]) == ["bm25", "dense"]
    assert summary["modes"]["dense"]["overall"]["hit@10"] is None  # top-k 5
    counts = {}
    for mode in ("bm25", "dense"):
        lines = (tmp_path / f"r-{mode}.jsonl").read_text("utf-8").splitlines()
        assert len(lines) == 8
        counts[mode] = [len(json.loads(x)["passages"]) for x in lines]
    # dense always fills the top 5; BM25 lists only passages sharing a word with the question
    assert counts["dense"] == [5] * 8 and all(n <= 5 for n in counts["bm25"])


# ------------------------------------------------------------------ external benchmark
KAZQAD = ROOT.parent / "shared" / "benchmarks" / "kazqad"  # CC BY-SA 4.0, kept out of the repo


def test_kazqad_questions_load_and_name_corpus_passages():
    if not (KAZQAD / "questions-dev.jsonl").is_file():
        pytest.skip(
            f"KazQAD benchmark absent: expected {KAZQAD}/questions-dev.jsonl and "
            "corpus.jsonl (../shared/benchmarks/kazqad next to the repository)"
        )
    from kazrag.rag.formats import load_documents

    questions = load_questions(KAZQAD / "questions-dev.jsonl")
    ids = {d.doc_id for d in load_documents(KAZQAD / "corpus.jsonl")}
    assert len(questions) == 255 and len(ids) == 697
    assert all(q.match == "doc" and q.answerable for q in questions)
    assert not {d for q in questions for d in q.doc} - ids


def test_sweep_reads_typed_values_and_refuses_unknown_fields():
    from kazrag.eval.sweep import parse_vary

    assert parse_vary("keyword_prefix=0,4,5") == ("keyword_prefix", [0, 4, 5])
    assert parse_vary("fusion='score','rrf'") == ("fusion", ["score", "rrf"])
    with pytest.raises(SystemExit):
        parse_vary("no_such_field=1")
    with pytest.raises(SystemExit):
        parse_vary("top_k=")
