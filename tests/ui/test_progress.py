"""Progress in a log (not a terminal): a few lines per stage, never one per document."""

import io

from kazrag.ui.progress import ProgressPrinter


def test_a_log_gets_a_line_per_stage_and_tenth_not_per_document():
    log = io.StringIO()  # not a terminal
    progress = ProgressPrinter(log)
    for i in range(700):
        progress(f"chunking doc-{i}.txt", 0.5 * i / 700)
    for done in range(0, 1221, 64):
        progress(f"embedding passages: {done}/1221", 0.5 + 0.45 * done / 1221)
    progress("index ready", 1.0)
    lines = log.getvalue().splitlines()
    assert 8 <= len(lines) <= 20, lines
    assert lines[0] == "[  0%] chunking doc-0.txt"
    assert any(line.startswith("[ 50%] embedding passages: 0/1221") for line in lines)
    assert lines[-1] == "[100%] index ready"
