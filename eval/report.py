"""How evaluation figures are shown: the terminal table, the markdown report and its chart.

One table layout everywhere: a row per group (overall, then each language, then each kind)
and, when modes are compared, the modes on adjacent rows of each group, so the eye compares
bm25 / dense / hybrid by reading down one column.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .evaluator import Evaluator, QuestionResult, flatten
from .metrics import METRICS

# column title, metric key, kind of number
COLUMNS = [
    ("hit@1", "hit@1", "share"),
    ("hit@3", "hit@3", "share"),
    ("hit@5", "hit@5", "share"),
    ("hit@10", "hit@10", "share"),
    ("mrr@10", "mrr@10", "share"),
    ("quote@1", "quote@1", "share"),
    ("quote_any", "quote_any", "share"),
    ("extra_prec", "extra_quote_precision", "share"),
    ("quotes", "quotes_mean", "mean"),
    ("q1_words", "first_quote_words", "words"),
    ("abst_rec", "abstention_recall", "share"),
    ("abst_prec", "abstention_precision", "share"),
    ("false_abst", "false_abstention_rate", "share"),
    ("refuse_rec", "refusal_recall", "share"),
    ("false_refuse", "false_refusal_rate", "share"),
    ("p50_ms", "latency_p50_ms", "ms"),
    ("p95_ms", "latency_p95_ms", "ms"),
]
assert {key for _, key, _ in COLUMNS} == set(METRICS)
LEGEND = (
    "n = questions (of which unanswerable); hit@k, mrr@10 and false_abst over answerable "
    "questions; quote@1 / quote_any = share of answerable questions whose first quoted "
    "sentence / whose quotes hold the evidence (or gold answer span); extra_prec = share "
    "of the 2nd and later quotes that hold it themselves; quotes = quotes per answer; "
    "q1_words = words of the first quote (what is read first); abst_rec = share of "
    "unanswerable questions not answered (uncertain or refused); abst_prec = share of abstentions that were right; refuse_rec / false_refuse "
    "= the same for refusals alone; p50/p95 = ms per question around engine.ask; "
    "- = no question to measure it on"
)
MISS_AT = 5  # a question is listed as a miss when nothing relevant is in its top 5
RETRIEVED_SHOWN = 3
FIRST_WORDS = 12


def _cell(value, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "mean":
        return f"{value:.2f}"
    return f"{value:.1f}" if kind in ("ms", "words") else f"{value:.3f}"


def table_rows(summaries: dict[str, dict]) -> tuple[list[str], list[list[str]]]:
    """Header and rows shared by the text and the markdown table."""
    modes = list(summaries)
    header = ["group", "mode", "n"] + [title for title, _, _ in COLUMNS]
    rows = []
    groups = [group for group, _ in flatten(summaries[modes[0]])]
    for group in groups:
        for i, mode in enumerate(modes):
            metrics = dict(flatten(summaries[mode]))[group]
            n = f"{metrics['questions']} ({metrics['unanswerable']})"
            rows.append(
                [group if i == 0 else "", mode, n]
                + [_cell(metrics[key], kind) for _, key, kind in COLUMNS]
            )
    return header, rows


def text_table(summaries: dict[str, dict]) -> str:
    header, rows = table_rows(summaries)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    lines: list[str] = []
    for row in [header] + rows:
        cells = [
            row[i].ljust(widths[i]) if i < 3 else row[i].rjust(widths[i]) for i in range(len(row))
        ]
        if row is not header and row[0] and lines and len(summaries) > 1:
            lines.append("")  # a blank line between groups when modes are compared
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n" + LEGEND


def markdown_table(summaries: dict[str, dict]) -> str:
    header, rows = table_rows(summaries)
    out = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] * 3 + ["---:"] * (len(header) - 3)) + "|",
    ]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


# ------------------------------------------------------------------------------ chart
def hit_chart(evaluators: Sequence[Evaluator], path: Path) -> Path:
    """hit@1..hit@top_k curves, one line per mode; one panel for all questions and one per
    language that has answerable questions."""
    import matplotlib

    matplotlib.use("Agg")  # no display: a file is all we want
    import matplotlib.pyplot as plt

    langs = [
        lang
        for lang in ("kk", "ru", "en")
        if any(r.question.lang == lang and r.question.answerable for r in evaluators[0].results)
    ]
    panels = [(None, "all")] + [(lang, lang) for lang in langs]
    fig, axes = plt.subplots(
        1, len(panels), figsize=(3.6 * len(panels), 3.4), sharey=True, squeeze=False
    )
    for ax, (lang, title) in zip(axes[0], panels):
        for evaluator in evaluators:
            curve = evaluator.hit_curve(lang)
            if curve:
                ax.plot(
                    range(1, len(curve) + 1), curve, marker="o", markersize=3, label=evaluator.mode
                )
        ax.set_title(f"hit@k, {title}")
        ax.set_xlabel("k")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("share of answerable questions")
    axes[0][0].legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ------------------------------------------------------------------------------ misses
def _first_words(text: str, n: int = FIRST_WORDS) -> str:
    words = text.split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


def _md(text: str) -> str:
    """Inline text that cannot start markdown structure of its own."""
    return " ".join(text.split()).replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def _expected(result: QuestionResult) -> str:
    q = result.question
    docs = ", ".join(q.doc) or "?"
    if q.match == "doc":
        return f"a passage of {_md(docs)}" + (
            f" (answer: {'; '.join(_md(a) for a in q.answers)})" if q.answers else ""
        )
    return " or ".join(f"«{_md(a)}»" for a in q.answers) + f" in {_md(docs)}"


def _retrieved(result: QuestionResult) -> list[str]:
    return [
        f"   {p['rank']}. {_md(p['doc'])}"
        + (f" › {_md(p['section'])}" if p["section"] else "")
        + f": {_md(_first_words(p['text']))}"
        for p in result.passages[:RETRIEVED_SHOWN]
    ]


def misses_markdown(evaluator: Evaluator) -> str:
    results = evaluator.results
    missed = [
        r for r in results if r.question.answerable and (r.hit_rank is None or r.hit_rank > MISS_AT)
    ]
    false_abst = [r for r in results if r.question.answerable and r.abstained]
    answered = [r for r in results if not r.question.answerable and not r.abstained]
    top = f"top {evaluator.top_k}"
    out = [
        f"### {evaluator.mode}: no relevant passage in the top {MISS_AT} "
        f"({len(missed)} of {sum(r.question.answerable for r in results)})",
        "",
    ]
    for r in missed:
        q = r.question
        where = f"found at rank {r.hit_rank}" if r.hit_rank else f"not in the {top}"
        out.append(f"- **{_md(q.id)}** ({q.lang}, {_md(q.kind)}; {where}): {_md(q.question)}")
        out.append(f"   - expected: {_expected(r)}")
        out.append("   - retrieved instead:" + ("" if r.passages else " nothing"))
        out += ["   " + line for line in _retrieved(r)]
    out += [
        "",
        f"### {evaluator.mode}: answerable, but the engine abstained ({len(false_abst)})",
        "",
    ]
    out += [
        f"- **{_md(r.question.id)}** ({r.question.lang}; relevant passage at "
        f"{'rank ' + str(r.hit_rank) if r.hit_rank else 'no rank'}): "
        f"{_md(r.question.question)}"
        for r in false_abst
    ]
    out += [
        "",
        f"### {evaluator.mode}: unanswerable, but the engine answered ({len(answered)})",
        "",
    ]
    for r in answered:
        out.append(f"- **{_md(r.question.id)}** ({r.question.lang}): {_md(r.question.question)}")
        out.append(f"   - answered: {_md(_first_words(r.answer, 30))}")
    return "\n".join(out)


def write_report(path: Path, evaluators: Sequence[Evaluator], info: dict) -> tuple[Path, Path]:
    """The markdown report and, next to it, its chart (`<report stem>-hit-at-k.png`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    chart = hit_chart(evaluators, path.with_name(path.stem + "-hit-at-k.png"))
    summaries = {e.mode: e.summary() for e in evaluators}
    lines = [f"# kazrag eval: {info['questions_file']}", ""]
    lines += [
        f"- {key}: "
        + (
            ", ".join(f"{k}={v}" for k, v in value.items())
            if isinstance(value, dict)
            else f"{value}"
        )
        for key, value in info.items()
    ]
    lines += [f"- time in engine.ask ({e.mode}): {e.seconds:.1f} s" for e in evaluators]
    lines += [
        "",
        "## Figures",
        "",
        markdown_table(summaries),
        "",
        LEGEND,
        "",
        "## hit@k",
        "",
        f"![hit@k curves per mode]({chart.name})",
        "",
        "## Where it fails",
        "",
    ]
    for evaluator in evaluators:
        lines += [misses_markdown(evaluator), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, chart
