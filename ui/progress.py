"""Progress of long work (model conversion, indexing, evaluation) on stderr."""

from __future__ import annotations

import sys
from typing import TextIO


class ProgressPrinter:
    """One updating line on a terminal; in a log, a line per stage and per tenth of it
    (a corpus of 700 documents would otherwise log 700 "chunking" lines)."""

    STEP = 0.1

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr  # looked up now: tests and servers swap it
        self.tty = self.stream.isatty()
        self.last = ""
        self.stage = ""
        self.logged_at = -1.0

    def __call__(self, message: str, fraction: float) -> None:
        line = f"[{fraction:4.0%}] {message}"
        if self.tty:
            self.stream.write("\r" + line.ljust(len(self.last)))
            if fraction >= 1.0:
                self.stream.write("\n")
        else:
            # "embedding passages: 64/215" and "chunking a.txt" are stages "embedding
            # passages" and "chunking"
            stage = message.split(":")[0] if ":" in message else message.split(" ")[0]
            if stage != self.stage or fraction >= 1.0 or fraction >= self.logged_at + self.STEP:
                self.stream.write(line + "\n")
                self.stage, self.logged_at = stage, fraction
        self.stream.flush()
        self.last = line
