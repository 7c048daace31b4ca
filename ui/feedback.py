"""Like/dislike feedback from the chat, appended to a JSON Lines file (one record a line).

    {"time": "2025-01-31T12:00:00+00:00", "liked": true, "question": "...",
     "answer": "...", "sources": ["[1] doc, section, lines 3–5", ...]}

`liked` is true (like), false (dislike) or null (the user took the vote back): read the last
record of a question/answer pair as the current vote.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from datetime import datetime, timezone
from pathlib import Path

from kazrag.errors import FeedbackError

# Several people may vote at once: one process-wide lock keeps their lines whole.
_lock = threading.Lock()


def append_feedback(
    path: Path,
    question: str,
    answer: str,
    sources: list[str],
    liked: bool | None,
    max_bytes: int,
) -> dict:
    """Append one feedback record to `path` (created with its folder) and return it; a
    record over `max_bytes` is refused (FeedbackError), the file unchanged."""
    record = {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "liked": liked,
        "question": question,
        "answer": answer,
        "sources": list(sources),
    }
    line = checked_record(record, max_bytes)
    path = Path(path)
    with _lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(line)
    return record


class AnswerLog:
    """The answers this server gave, the last `capacity` of them, by a hash of question and
    answer: a vote is recorded only for one of them, so a client cannot write records of its
    own making into the feedback file."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(question: str, answer: str) -> str:
        return hashlib.sha256(f"{question}\0{answer}".encode()).hexdigest()

    def remember(self, question: str, answer: str) -> None:
        key = self._key(question, answer)
        with self._lock:
            self._keys[key] = None
            self._keys.move_to_end(key)
            while len(self._keys) > self.capacity:
                self._keys.popitem(last=False)

    def gave(self, question: str, answer: str) -> bool:
        with self._lock:
            return self._key(question, answer) in self._keys


def checked_record(record: dict, max_bytes: int) -> str:
    """The record as its JSON line, or FeedbackError if it is over `max_bytes`."""
    line = json.dumps(record, ensure_ascii=False) + "\n"
    if len(line.encode()) > max_bytes:
        raise FeedbackError(f"This vote is not recorded: its record is over {max_bytes:,} bytes.")
    return line
