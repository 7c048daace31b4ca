"""Like/dislike feedback from the chat, appended to a JSON Lines file (one record a line).

    {"time": "2025-01-31T12:00:00+00:00", "liked": true, "question": "...",
     "answer": "...", "sources": ["[1] doc › section, lines 3–5 (score 0.912)", ...]}

`liked` is true (like), false (dislike) or null (the user took the vote back): read the last
record of a question/answer pair as the current vote.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path

# Several people may vote at once: one process-wide lock keeps their lines whole.
_lock = threading.Lock()


def append_feedback(
    path: Path, question: str, answer: str, sources: list[str], liked: bool | None
) -> dict:
    """Append one feedback record to `path` (created with its folder) and return it."""
    record = {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "liked": liked,
        "question": question,
        "answer": answer,
        "sources": list(sources),
    }
    line = json.dumps(record, ensure_ascii=False) + "\n"
    path = Path(path)
    with _lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(line)
    return record
