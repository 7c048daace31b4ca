"""Markdown files, parsed by markdown-it-py and kept line for line (citations give the file's
own line numbers)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..text import nfc


@dataclass
class MarkdownText:
    """Markdown as plain text, line for line: line n of `source` holds the text of line n
    of the file (markup, link targets, list markers, table rules, front matter and HTML
    comments removed; headings as `# text`), so citations give the file's own line
    numbers."""

    source: str
    headings: dict[int, int]
    blocks: list[tuple[int, int, str]]
    title: str = ""


_FRONT_MATTER_KEY = re.compile(r"\s*([\w-]+)\s*[:=]\s*(.*)")
_TAG = re.compile(r"<[^>]*>")
_FOOTNOTE_DEFINITION = re.compile(r" {0,3}\[\^[^\]\s]+\]:(.*)")


def _front_matter(lines: list[str]) -> tuple[int, str]:
    """The number of lines of a YAML (`---`) or TOML (`+++`) front-matter block at the top
    of the file, and its title."""
    opener = lines[0].strip() if lines else ""
    if opener not in ("---", "+++"):
        return 0, ""
    closers = ("---", "...") if opener == "---" else ("+++",)
    for end in range(1, min(len(lines), 500)):
        if lines[end].strip() in closers:
            fields = [m for m in map(_FRONT_MATTER_KEY.match, lines[1:end]) if m]
            if not fields:
                return 0, ""  # a thematic break, not front matter
            title = next(
                (
                    m.group(2).strip().strip("'\"")
                    for m in fields
                    if m.group(1).casefold() == "title"
                ),
                "",
            )
            return end + 1, title
    return 0, ""


def _inline_lines(token) -> list[str]:
    """The text of an inline token, one string per source line: emphasis and link markup
    dropped, a link or image replaced by its text."""
    lines = [""]
    for child in token.children or []:
        if child.type in ("text", "text_special", "code_inline", "image"):
            # an image's alt text keeps the line breaks it was written over
            first, *more = child.content.split("\n")
            lines[-1] += first
            lines.extend(more)
        elif child.type in ("softbreak", "hardbreak"):
            lines.append("")
        elif child.type == "html_inline" and re.match(r"<br\b", child.content, re.IGNORECASE):
            lines[-1] += " "
    return lines


def read_markdown(text: str) -> MarkdownText:
    """Markdown structure with markdown-it-py (CommonMark and GFM tables): ATX and setext
    headings, paragraphs and list items (sentences), table rows (one unit each) and code
    blocks (kept whole, not cut into sentences)."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    lines = text.split("\n")
    skip, title = _front_matter(lines)
    out = [""] * len(lines)
    headings: dict[int, int] = {}
    blocks: list[tuple[int, int, str]] = []

    def put(first: int, end: int, rendered: list[str], kind: str, level: int = 0) -> None:
        end = min(end, len(out))
        if end - first < len(rendered):  # more lines than the block has: join the rest
            rendered = rendered[: max(end - first - 1, 0)] + [" ".join(rendered[end - first - 1 :])]
        used = []
        for offset, line in enumerate(rendered):
            line = line.strip()
            if line:
                out[first + offset] = line
                used.append(first + offset)
        if used:
            blocks.append((used[0], used[-1], kind))
            if kind == "heading":
                headings[used[0]] = level

    # footnotes (`хабарлады[^1].`, `[^1]: ОСК хабарламасы`, as pandoc writes them): the mark
    # leaves the sentence, the note's text stays on its own lines as a paragraph
    parser = (
        MarkdownIt("commonmark", {"html": True})
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
    )
    tokens = parser.parse("\n" * skip + "\n".join(lines[skip:]))
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open" and token.map:
            # written as an ATX heading, whichever form the file used: `## Бөлім`
            level = int(token.tag[1:])
            heading = " ".join(" ".join(_inline_lines(tokens[i + 1])).split())
            put(token.map[0], token.map[1], ["#" * level + " " + heading], "heading", level)
        elif token.type == "paragraph_open" and token.map:
            put(token.map[0], token.map[1], _inline_lines(tokens[i + 1]), "text")
        elif token.type == "tr_open" and token.map:
            cells = []
            while tokens[i].type != "tr_close":
                if tokens[i].type == "inline":
                    cell = " ".join(" ".join(_inline_lines(tokens[i])).split())
                    if cell:
                        cells.append(cell)
                i += 1
            put(token.map[0], token.map[1], [" | ".join(cells)], "row")
        elif token.type in ("fence", "code_block") and token.map:
            first = token.map[0] + (token.type == "fence")
            put(first, token.map[1], token.content.rstrip("\n").split("\n"), "code")
        elif (
            token.type == "html_block"
            and token.map
            and not token.content.lstrip().startswith("<!--")
        ):
            rendered = [html.unescape(_TAG.sub(" ", line)) for line in token.content.split("\n")]
            put(token.map[0], token.map[1], rendered, "text")
        i += 1
    # a note no `[^label]` refers to is dropped by the plugin: its text is kept all the same
    for number in range(skip, len(lines)):
        note = _FOOTNOTE_DEFINITION.match(lines[number])
        if note and not out[number] and note.group(1).strip():
            put(number, number + 1, [note.group(1)], "text")
    blocks.sort()  # footnotes come last from the parser, wherever they were written
    return MarkdownText("\n".join(out), headings, blocks, nfc(title))


def markdown_headings(source: str) -> dict[int, int]:
    """Heading line (0-based) -> level of a Markdown text."""
    return read_markdown(source).headings
