"""Web pages (.html, .htm) saved from a browser or a site such as a law database, read by
their structure with lxml's HTML parser: `h1`–`h6` are the sections, paragraphs, list items
and the loose text between blocks are sentences, each table row is one unit, `pre` is kept
whole. Scripts, styles, forms and the site's frame (its menus, banner and footer: `nav`,
`footer`, a `header` outside any article, ARIA landmark roles) are not text; neither is what
the page hides, nor comments, nor the marks of notes (`[1]`), whose notes are read where the
page has them.

The text is written one block to a line with a blank line between blocks (the Markdown
reader's `blocks`: nothing is guessed by the chunker), so citations give the lines of that
text, as for Word files.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from kazrag.errors import DocumentError
from kazrag.said import Said

from ..text import nfc
from .document import first_line
from .markdown import MarkdownText

# not text a reader of the page reads: code, styles, the site's menus and footer, forms
_SKIPPED = {
    "script",
    "style",
    "noscript",
    "template",
    "head",
    "nav",
    "footer",
    "form",
    "button",
    "select",
    "option",
    "textarea",
    "svg",
    "iframe",
    "object",
    "canvas",
}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
# elements that start a block of their own; anything else is inline and joins its neighbours
_BLOCKS = {
    *_HEADINGS,
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "aside",
    "blockquote",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "caption",
    "figure",
    "figcaption",
    "pre",
    "address",
    "details",
    "summary",
    "fieldset",
    "center",
    "hr",
    "body",
    "html",
}
_SPACE = re.compile(r"\s+")
_BREAK = "\u2028"  # a `<br>`: the one line break in running HTML text (newlines are spaces)


def _tag(element) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


_REFERENCE = re.compile(r"\[\s*\d{1,4}\s*\]")


def _is_reference_mark(element) -> bool:
    """A note's mark: `<sup>[1]</sup>` as Wikipedia writes it, or a superscript link to a
    note on the page, `<sup><a href="#fn1">1</a></sup>`. An exponent (`м<sup>2</sup>`) is
    text and stays."""
    if _tag(element) != "sup":
        return False
    text = element.text_content().strip()
    if _REFERENCE.fullmatch(text):
        return True
    link = element.find(".//a")
    if link is None and element.getparent() is not None and _tag(element.getparent()) == "a":
        link = element.getparent()
    return link is not None and (link.get("href") or "").startswith("#") and text.isdigit()


# ARIA landmarks of a site's frame, not of its text: menus, the site's banner and footer, search
_FRAME_ROLES = {"navigation", "banner", "contentinfo", "search"}
_SECTIONING = {"article", "section", "main", "aside"}


def _is_frame(element) -> bool:
    """Not text of the page: what `_SKIPPED` names, a note's mark, something hidden, a
    site-frame landmark, or a `header` outside any article or section (the site's banner, as
    HTML defines it)."""
    tag = _tag(element)
    if not tag or tag in _SKIPPED or _is_reference_mark(element):
        return True
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if (element.get("role") or "").strip().lower() in _FRAME_ROLES:
        return True
    if tag == "header":
        return not any(_tag(a) in _SECTIONING for a in element.iterancestors())
    return False


def _text_of(element) -> str:
    """All the text under an element (an inline one, a table cell, a heading), `<br>` and
    the end of any block inside it as a line break."""
    parts = [element.text or ""]
    for child in element:
        tag = _tag(child)
        if tag == "br":
            parts.append(_BREAK)
        elif not _is_frame(child):
            parts.append(_text_of(child))
            if tag in _BLOCKS:
                parts.append(_BREAK)
        parts.append(child.tail or "")
    return "".join(parts)


def _lines(text: str) -> list[str]:
    """A paragraph's lines: spaces collapsed as a browser does, `<br>` kept as a break."""
    return [line for line in (_SPACE.sub(" ", part).strip() for part in text.split(_BREAK)) if line]


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.headings: dict[int, int] = {}
        self.blocks: list[tuple[int, int, str]] = []

    def put(self, lines: list[str], kind: str, level: int = 0) -> None:
        if not lines:
            return
        if self.lines:
            self.lines.append("")
        first = len(self.lines)
        self.lines.extend(lines)
        self.blocks.append((first, len(self.lines) - 1, kind))
        if kind == "heading":
            self.headings[first] = level


def _row(row) -> list[str]:
    cells = []
    for cell in row:
        if _tag(cell) in ("td", "th"):
            text = " ".join(_lines(_text_of(cell)))
            if text:
                cells.append(text)
    return [" | ".join(cells)] if cells else []


def _walk(element, out: _Writer) -> None:
    """Write an element's blocks in document order; inline text between block children
    (a `div` holding text and `<br>`s, not `<p>`s) is a paragraph of its own."""
    tag = _tag(element)
    if tag in _HEADINGS:
        text = " ".join(_text_of(element).split())
        if text:
            out.put(["#" * _HEADINGS[tag] + " " + text], "heading", _HEADINGS[tag])
        return
    if tag == "tr":
        out.put(_row(element), "row")
        return
    if tag == "pre":
        raw = _text_of(element).replace(_BREAK, "\n").strip("\n")
        code = [line.rstrip() for line in raw.split("\n")]
        out.put([line for line in code if line.strip()], "code")
        return
    pending = [element.text or ""]
    for child in element:
        child_tag = _tag(child)
        if _is_frame(child):
            pending.append(child.tail or "")
            continue
        if child_tag in _BLOCKS:
            out.put(_lines("".join(pending)), "text")
            pending = []
            _walk(child, out)
        elif child_tag == "br":
            pending.append(_BREAK)
        else:
            pending.append(_text_of(child))
        pending.append(child.tail or "")
    out.put(_lines("".join(pending)), "text")


def _unreadable(name: str, exc: Exception) -> DocumentError:
    return DocumentError(
        Said(
            "html_unreadable",
            "{name}: the web page cannot be read ({why})",
            name=name,
            why=first_line(exc)[:160],
        ),
        kind="damaged",
    )


def read_html(text: str, name: str) -> MarkdownText:
    """A web page as text, line by line, with its headings and blocks; its `<title>` (or
    else its first `h1`) is the title."""
    parser = lxml_html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, huge_tree=False
    )
    if not text.strip():
        return MarkdownText("", {}, [], "")
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
    except etree.ParserError as exc:
        if "empty" in str(exc).lower():  # nothing but comments: no text, refused by name later
            return MarkdownText("", {}, [], "")
        raise _unreadable(name, exc) from None
    except ValueError as exc:
        raise _unreadable(name, exc) from None
    title_element = root.find(".//title")
    title = " ".join((title_element.text_content() if title_element is not None else "").split())
    body = root.find("body")
    out = _Writer()
    _walk(body if body is not None else root, out)
    if not title:
        first_heading = next((line for line in out.lines if line.startswith("# ")), "")
        title = first_heading[2:]
    return MarkdownText("\n".join(out.lines), out.headings, out.blocks, nfc(title))
