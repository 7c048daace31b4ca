"""The reader: a cited passage shown in its document, so a user checks a quote's context
without leaving the chat.

    text = reader_text(passage, quotes, engine.snapshot.retriever)

The passage is widened by the chunks before and after it in the same document (chunks are
numbered in document order), the quoted sentences marked, with the document's name, the
section path and the quote's page or lines above it. Plain Markdown, as `ui.render` makes.
"""

from __future__ import annotations

from kazrag.rag.records import SECTION_SEPARATOR, Chunk, Passage, Quote
from kazrag.rag.retrieval import Retriever

from .render import Message, escape, highlight, message_text


def neighbour(retriever: Retriever, chunk: Chunk, step: int) -> Chunk | None:
    """The chunk just before (`step` -1) or after (+1) `chunk` in its document, or None
    at the document's edge (or when the index changed since and that row is another's)."""
    row = chunk.chunk_id + step
    while 0 <= row < len(retriever.version.chunks):
        other = retriever.chunk(row)
        if other.doc != chunk.doc:
            return None
        # the same document in document order: before ends where (or after) this one
        # starts; a chunk inside `chunk` (a passage merged from neighbours) is stepped over
        if step < 0 and other.start < chunk.start:
            return other
        if step > 0 and other.end > chunk.end:
            return other
        if not (chunk.start <= other.start and other.end <= chunk.end):
            return None  # the index changed since: that row is another chunk now
        row += step
    return None


def surrounding(retriever: Retriever, chunk: Chunk) -> tuple[str, str]:
    """(the document's text just before `chunk`, just after it), from its neighbours;
    overlapping chunks share sentences, which are shown once."""
    before = after = ""
    previous = neighbour(retriever, chunk, -1)
    if previous is not None:
        cut = chunk.start - previous.start
        before = previous.text[:cut] if previous.end >= chunk.start else previous.text + " … "
    following = neighbour(retriever, chunk, +1)
    if following is not None:
        cut = chunk.end - following.start
        after = following.text[cut:] if following.start <= chunk.end else " … " + following.text
    return before, after


def where(quotes: list[Quote]) -> str:
    """The quotes' own places: their page in a PDF, their lines otherwise."""
    return "; ".join(f"[{q.number}] {q.where()}" for q in quotes)


def reader_text(passage: Passage, quotes: list[Quote], retriever: Retriever) -> str:
    """The reader panel's Markdown for one cited passage."""
    chunk = passage.chunk
    path = SECTION_SEPARATOR.join([chunk.doc, *chunk.section])
    before, after = surrounding(retriever, chunk)
    body = highlight(passage, {q.text for q in quotes})
    return (
        f"**{escape(path)}** · {escape(where(quotes))}\n\n{escape(before)}{body}{escape(after)}"
    ).replace("\n", "  \n")  # the document's own line breaks stay breaks


def key_of(box: Message) -> str:
    """What names a source box, as the page sends it back: its title and its passage."""
    return (box.get("metadata") or {}).get("title", "") + "\n" + message_text(box)


def source_box(history: list, index: int) -> Message | None:
    """The source box a click on `history[index]` means: that box, or for a click on an
    answer the first box after it (its [1]); None for anything else (a question)."""
    if not isinstance(history, list) or not 0 <= index < len(history):
        return None

    def is_box(message: object) -> bool:
        return isinstance(message, dict) and bool((message.get("metadata") or {}).get("title"))

    message = history[index]
    if not isinstance(message, dict) or message.get("role") != "assistant":
        return None
    if is_box(message):
        return message
    following = history[index + 1] if index + 1 < len(history) else None
    return following if is_box(following) else None
