"""How kazrag's results look: an `Answer` as terminal text or as chat messages, documents as
a table. Plain data only (chat messages are `{"role", "content", "metadata"}` dicts, which
Gradio's Chatbot reads), so nothing here needs Gradio.

Quotes must read exactly as in the document, so every text from a document is escaped before
the chat's Markdown sees it (a `*` or `_` in a quote stays a character, not emphasis);
`unescape` gives the plain text back for the feedback log.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kazrag.rag.lang import frame
from kazrag.rag.records import Answer, Passage, Quote, place

from . import i18n

Message = dict  # {"role": "user" | "assistant", "content": str, "metadata": {...}}

# ASCII punctuation that Markdown or HTML could act on; a backslash makes each one literal.
_SPECIAL = r"\`*_{}[]<>#|~$&!"
_ESCAPE = re.compile("([" + re.escape(_SPECIAL) + "])")
# a list item ("- ", "1. ") or a heading underline ("---", "===") opening a line
_LINE_MARKER = re.compile(r"^(\s*)([-+=]|\d+[.)](?=\s|$))", re.MULTILINE)
_UNESCAPE = re.compile(r"\\([" + re.escape(_SPECIAL + "-+=.)") + "])")


def escape(text: str) -> str:
    """`text` as Markdown that displays exactly `text`."""
    text = _ESCAPE.sub(r"\\\1", text)
    # a backslash before the marker's last character ("1\.", "\-") makes it text
    return _LINE_MARKER.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)


def unescape(markdown: str) -> str:
    return _UNESCAPE.sub(r"\1", markdown)


# ------------------------------------------------------------------------- answers
def plain_answer(answer: Answer) -> str:
    """The answer as plain text with its citations (what the API returns)."""
    return f"({answer.notice})\n{answer.text}" if answer.notice else answer.text


def terminal_answer(answer: Answer) -> str:
    """What `kazrag ask` prints: the answer, then the retrieved passages with their scores."""
    lines = [answer.text]
    if answer.notice:
        lines.insert(0, f"({answer.notice})")
    if answer.state != "refused":
        lines += ["", frame(answer.lang, "retrieved")]
        for p in answer.passages:
            chunk = p.chunk
            lines.append(
                f"  #{p.rank} {p.score:.4f}  "
                f"{place(chunk.doc, chunk.section_path, chunk.location())}"
            )
    return "\n".join(lines)


def user_message(question: str) -> Message:
    return {"role": "user", "content": escape(question)}


def _assistant(content: str, metadata: dict | None = None) -> Message:
    message: Message = {"role": "assistant", "content": content}
    if metadata:
        message["metadata"] = metadata
    return message


def chat_text(answer: Answer, mode_note: str | None = None) -> str:
    """The answer as the chat shows it: the frame and the quotes with their [n]. The places
    are not listed here: each source box below is titled with its quotes' own places, so a
    citation is shown once. A refusal keeps its list of the closest passages (no boxes)."""
    text = f"({answer.notice})\n{answer.body}" if answer.notice else answer.body
    return f"{text}\n\n{mode_note}" if mode_note else text


def source_title(quotes: list[Quote]) -> str:
    """ "[1] doc › section, lines 291–292": the place of each quote itself (its own lines or
    page), not of the whole passage around it."""
    return "; ".join(q.citation() for q in quotes)


def highlight(passage: Passage, quoted: set[str]) -> str:
    """The passage as Markdown, each quoted sentence marked."""
    text, pieces, at = passage.chunk.text, [], 0
    for sentence in passage.chunk.sentences:
        # a quote is one sentence or two adjacent ones joined
        if any(text[sentence.start : sentence.end] in quote for quote in quoted):
            pieces += [
                escape(text[at : sentence.start]),
                "<mark>",
                escape(text[sentence.start : sentence.end]),
                "</mark>",
            ]
            at = sentence.end
    pieces.append(escape(text[at:]))
    return "".join(pieces)


def cited_passages(answer: Answer) -> list[tuple[Passage, list[Quote]]]:
    """Each cited passage with the quotes taken from it, in citation order."""
    quotes: dict[int, list[Quote]] = {}
    for quote in answer.quotes:
        quotes.setdefault(quote.passage_rank, []).append(quote)
    by_rank = {p.rank: p for p in answer.passages}
    return [(by_rank[rank], quotes[rank]) for rank in quotes if rank in by_rank]


def source_messages(answer: Answer) -> list[Message]:
    """One collapsed box per cited passage, in citation order: titled with its quotes'
    places, holding the passage with the quotes marked (no scores: they mean nothing to a
    reader)."""
    return [
        _assistant(
            highlight(passage, {q.text for q in quotes}),
            {"title": escape(source_title(quotes)), "status": "done"},
        )
        for passage, quotes in cited_passages(answer)
    ]


def answer_stages(
    answer: Answer,
    mode_note: str | None = None,
    sources: list[Message] | None = None,
    heading: str | None = None,
) -> Iterator[list[Message]]:
    """The assistant's messages for one answer, growing: the text a line at a time (frame,
    then each quote, then `mode_note` if any), then the source boxes one by one (`sources`:
    the answer's `source_messages`, when the caller has made them already). `heading`: the
    question it answers, shown first, where one message asked several."""
    lines = escape(chat_text(answer, mode_note)).split("\n")
    if heading:
        lines.insert(0, f"**{escape(heading)}**")
    shown: list[str] = []
    for line in lines:
        shown.append(line)
        if line.strip():
            yield [_assistant("\n".join(shown))]
    text = _assistant("\n".join(lines))
    sources = source_messages(answer) if sources is None else sources
    for n in range(1, len(sources) + 1):
        yield [text] + sources[:n]


# ------------------------------------------------------------------------ feedback
def message_text(message: Message) -> str:
    """The text of a chat message, whether its content is a string or Gradio's list of
    content parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else [content]
    return "\n".join(
        p.get("text", "") if isinstance(p, dict) else str(p) for p in parts if p is not None
    )


def feedback_turn(history: list, index: int) -> tuple[str, str, list[str]]:
    """(question, answer, sources) of the answer whose first message is `history[index]`,
    as plain text."""
    question = next(
        (unescape(message_text(m)) for m in reversed(history[:index]) if m.get("role") == "user"),
        "",
    )
    sources = []
    for message in history[index + 1 :]:
        metadata = message.get("metadata") or {}
        if message.get("role") != "assistant" or not metadata.get("title"):
            break
        sources.append(unescape(metadata["title"]))
    return question, unescape(message_text(history[index])), sources


# ----------------------------------------------------------------------- documents
def documents_rows(documents: dict[str, dict]) -> list[list]:
    return [
        [doc_id, info.get("format", ""), info.get("chunks", 0)]
        for doc_id, info in sorted(documents.items())
    ]


def corpus_line(documents: dict[str, dict], shown: int = 4, lang: str = "en") -> str:
    names = sorted(documents)
    chunks = sum(info.get("chunks", 0) for info in documents.values())
    listed = ", ".join(names[:shown])
    if len(names) > shown:
        listed += i18n.text(lang, "more", n=len(names) - shown)
    if lang == "en":  # English alone needs a singular
        line = (
            f"Corpus: {len(names)} document{'s' if len(names) != 1 else ''}, "
            f"{chunks} passages — {listed}"
        )
    else:
        line = i18n.text(lang, "corpus", documents=len(names), passages=chunks, listed=listed)
    return escape(line)
