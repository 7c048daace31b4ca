"""Section-aware chunking.

A document goes through three steps:
1. `layout`: source lines -> blocks (runs of lines between blank lines), each classified as a
   heading (with a level), a dropped page header/footer, a table, or body text; a format
   that marks its blocks (Markdown: paragraphs, headings, table rows, code) gives them;
2. `units`: body blocks are unwrapped (line wraps joined, a wrapped hyphen kept) and cut into
   sentences; table blocks into rows; a row or code block is one unit. Every unit keeps
   exact offsets into the unwrapped text and into the source, and its source lines;
3. `pack`: consecutive units of one section are packed into chunks of about
   `chunk_target_words` words, never crossing a section and never longer than the model reads.
"""

from __future__ import annotations

import bisect
import functools
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

from .config import Config
from .formats import Document
from .records import Chunk, Sentence, embedding_text
from .text import fold_lookalikes, sentence_spans

# Bump when chunk boundaries, sections or embedded text change: indexes are then rebuilt.
# 2: Markdown and PDF blocks from their readers (never taken for double-spaced text), a
#    sentence's page is the page it starts on even inside a cut sentence
# 3: no sentence end inside a quoted name or gloss that closes soon, nor after initials
#    (`«Саяси қалам. Трибуна» газеті`, `И.В. Курчатов`: rag/text.py); a plain-text paragraph
#    cut by a page break is joined again
# 4: a note's mark after a full stop (`өтті.[1] Келесі`) ends the sentence with it
CHUNKER_VERSION = "4"

# ------------------------------------------------------------------------------ layout
_NUMBERED_HEADING = re.compile(
    r"^\d{1,2}\s*-\s*бөлім\b|^(бөлім|chapter|section|глава|раздел)\s+\d", re.IGNORECASE
)
_LETTERED_HEADING = re.compile(r"^[a-zа-яәіңғүұқөһ]\.\s+\S", re.IGNORECASE)
_YEAR_ROW_END = re.compile(r"^\d{4}(\s*[–—-]\s*\d{4})?$")
_URL = re.compile(r"https?://|www\.|\w\.(gov|org|com|kz|ru|int)\b", re.IGNORECASE)
_SENTENCE_PUNCT = ".!?;,:"


@dataclass
class Block:
    first: int  # source line numbers, 0-based, inclusive
    last: int
    lines: list[int]  # the non-blank lines of the block
    kind: str = "body"  # body | heading | title | dropped | table
    level: int = 0


@dataclass
class _Lines:
    """The source split into lines, with the offset where each one starts."""

    source: str
    starts: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, source: str) -> _Lines:
        lines = cls(source)
        offset = 0
        for text in source.split("\n"):
            lines.starts.append(offset)
            lines.texts.append(text)
            offset += len(text) + 1
        return lines

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1


def _is_double_spaced(texts: list[str]) -> bool:
    """Some PDF extractions put a blank line after every wrapped line; then one blank line
    is a wrap and only two or more separate paragraphs."""
    content = [i for i, t in enumerate(texts) if t.strip()]
    if len(content) < 6:
        return False
    single_gaps = sum(
        1
        for i in content
        if i + 2 < len(texts) and not texts[i + 1].strip() and texts[i + 2].strip()
    )
    return single_gaps >= 0.6 * len(content)


def _blocks(texts: list[str], double_spacing: bool = True) -> list[Block]:
    double = double_spacing and _is_double_spaced(texts)
    blocks: list[Block] = []
    current: list[int] = []
    blank_run = 0
    for number, text in enumerate(texts):
        if not text.strip():
            blank_run += 1
            continue
        if current and (blank_run >= 2 or (blank_run == 1 and not double)):
            blocks.append(Block(current[0], current[-1], current))
            current = []
        current.append(number)
        blank_run = 0
    if current:
        blocks.append(Block(current[0], current[-1], current))
    return blocks


def _is_inline_heading(position: int, block: Block, texts: list[str], short: float) -> bool:
    """A heading line glued to the text around it (no blank line between): short, not
    ending a sentence, after a sentence end and before a capitalised line. `position` is
    the line's index in the block (looking it up would be quadratic in a long block)."""
    number = block.lines[position]
    text = texts[number].strip()
    prev_ok = position == 0 or texts[block.lines[position - 1]].rstrip()[-1:] in '.!?:»"”'
    nxt = texts[block.lines[position + 1]].strip() if position + 1 < len(block.lines) else ""
    next_ok = not nxt or nxt[0].isupper() or nxt[0].isdigit() or nxt[0] in '«"“'
    if not (prev_ok and next_ok and text and text[-1] not in _SENTENCE_PUNCT + '»"”'):
        return False
    if _NUMBERED_HEADING.match(fold_lookalikes(text)) or _LETTERED_HEADING.match(
        fold_lookalikes(text)
    ):
        return True
    return (
        text[0].isupper()
        and len(text.split()) <= 10
        and len(text) < short
        and not _URL.search(text)
    )


def _split_inline_headings(blocks: list[Block], texts: list[str]) -> list[Block]:
    lengths = sorted(len(t.strip()) for t in texts if t.strip())
    short = 0.7 * lengths[len(lengths) // 2] if lengths else 0
    result = []
    for block in blocks:
        if len(block.lines) == 1:
            result.append(block)
            continue
        current: list[int] = []
        for position, number in enumerate(block.lines):
            if _is_inline_heading(position, block, texts, short):
                if current:
                    result.append(Block(current[0], current[-1], current))
                result.append(Block(number, number, [number]))
                current = []
            else:
                current.append(number)
        if current:
            result.append(Block(current[0], current[-1], current))
    return result


def _block_text(block: Block, texts: list[str]) -> str:
    return " ".join(texts[i].strip() for i in block.lines)


def _is_page_number_line(text: str) -> bool:
    """`ҚАЗАҚСТАН 22`: an upper-case running title followed by a page number."""
    match = re.fullmatch(r"([^\d]{2,60}?)\s+(\d{1,4})", text.strip())
    if not match:
        return False
    letters = [c for c in match.group(1) if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(match.group(1).split()) <= 5


def _looks_like_heading(text: str, n_lines: int) -> bool:
    words = text.split()
    return (
        n_lines <= 2
        and 0 < len(words) <= 14
        and text[0].isupper()
        and text[-1] not in _SENTENCE_PUNCT
        and not _URL.search(text)
    )


def _is_caps_heading(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters) and len(text.split()) <= 8


def _drop_page_furniture(blocks: list[Block], texts: list[str]) -> None:
    """Mark running page headers/footers left in the text by PDF extraction."""
    for i, block in enumerate(blocks):
        text = _block_text(block, texts)
        if len(block.lines) == 1 and _is_page_number_line(text):
            block.kind = "dropped"
            # the running title block that follows a page number (`… баяндамасы`,
            # `АҚШ Мемлекеттік департаменті ∙ …`)
            if i + 1 < len(blocks):
                nxt = blocks[i + 1]
                nxt_text = _block_text(nxt, texts)
                if len(nxt.lines) <= 3 and nxt_text[-1:] not in ".!?":
                    nxt.kind = "dropped"
        elif "∙" in text and len(text.split()) <= 25 and text[-1:] not in ".!?":
            block.kind = "dropped"


_UNFINISHED_END = '.!?…;:»"”)'


def _join_broken_paragraphs(blocks: list[Block], texts: list[str]) -> list[Block]:
    """Join a paragraph a page break cut in two: the text before the break ends without a
    sentence mark and the text right after it starts in lower case, a footnote's link left on
    the line where the break fell included ("…реттелмегендіктен / http://www.state.gov/… /
    олардың жағдайы әлсіз" is one sentence, link and all: a unit is always one stretch of
    the source). A heading wrapped over a blank line (`c. Қинау … жағдайында` / `ұстау
    немесе жазалау`) joins the same way; a lettered heading (`а. …`) never does."""
    result: list[Block] = []
    for block in blocks:
        previous = result[-1] if result else None
        first = texts[block.lines[0]].strip()
        if (
            previous is not None
            and previous.kind != "dropped"
            and block.kind != "dropped"
            and texts[previous.lines[-1]].rstrip()[-1:] not in _UNFINISHED_END
            and first[:1].islower()
            and not _LETTERED_HEADING.match(fold_lookalikes(first))
        ):
            previous.lines = previous.lines + block.lines
            previous.last = block.last
            continue
        result.append(block)
    return result


def _is_table(block: Block, texts: list[str]) -> bool:
    return sum(1 for i in block.lines if _YEAR_ROW_END.match(texts[i].strip())) >= 2


def _format_blocks(doc: Document, texts: list[str]) -> list[Block]:
    """The blocks a structured reader marked (Markdown): nothing is guessed."""
    kinds = {"text": "body", "heading": "heading", "row": "row", "code": "row"}
    blocks = []
    for first, last, kind in doc.blocks or ():
        numbers = [n for n in range(first, min(last, len(texts) - 1) + 1) if texts[n].strip()]
        if numbers:
            block = Block(numbers[0], numbers[-1], numbers, kinds.get(kind, "body"))
            if block.kind == "heading":
                block.level = doc.heading_lines.get(first, 1)
            blocks.append(block)
    return blocks


def layout(doc: Document, lines: _Lines | None = None) -> list[Block]:
    lines = lines or _Lines.of(doc.source)
    texts = lines.texts
    if doc.blocks is not None:
        return _format_blocks(doc, texts)
    # Only plain text is ever double-spaced PDF output: in Markdown a blank line after every
    # line is the commonest layout of one-line paragraphs, and kazrag's PDF reader writes
    # one blank line between paragraphs. Markdown and PDF readers drop page furniture
    # themselves (the PDF reader by repetition across pages), and a PDF whose headings
    # were found from its fonts has no headings glued to text to look for.
    structured = doc.format in ("md", "pdf")
    blocks = _blocks(texts, double_spacing=not structured)
    if not (doc.format == "pdf" and doc.heading_lines):
        blocks = _split_inline_headings(blocks, texts)
    if not structured:
        _drop_page_furniture(blocks, texts)
        blocks = _join_broken_paragraphs(blocks, texts)
    title_seen = False
    for block in blocks:
        if block.kind == "dropped":
            continue
        text = _block_text(block, texts)
        folded = fold_lookalikes(text)
        if doc.heading_lines:
            level = doc.heading_lines.get(block.first)
            if level is not None:
                block.kind, block.level = "heading", level
                title_seen = True
            continue
        if not title_seen:
            title_seen = True
            if _looks_like_heading(text, len(block.lines)) or _is_caps_heading(text):
                block.kind = "title"
                continue
        if _is_table(block, texts):
            block.kind = "table"
        elif len(block.lines) <= 3 and _NUMBERED_HEADING.match(folded):
            block.kind, block.level = "heading", 1
        elif _is_caps_heading(text):
            block.kind, block.level = "heading", 1
        elif len(block.lines) <= 3 and _LETTERED_HEADING.match(folded) and text[-1] != ".":
            block.kind, block.level = "heading", 2
        elif _looks_like_heading(text, len(block.lines)):
            block.kind, block.level = "heading", 3  # named sub-heading: below the rest
    return blocks


# ------------------------------------------------------------------------------- units
@dataclass
class Unit:
    """A sentence or table row: `text` is `doc_text[start:end]`."""

    section: tuple[str, ...]
    text: str
    start: int
    end: int
    src_start: int
    src_end: int
    line_start: int  # 1-based, inclusive
    line_end: int
    page: int | None


class _Unwrapper:
    """Builds the document's unwrapped text and the source offset of each of its chars."""

    def __init__(self, lines: _Lines):
        self.lines = lines
        self.parts: list[str] = []
        # one source offset per character: a machine-word array, not a list of int objects
        # (a 55-million-character Word file held 2 GB of them)
        self.offsets = array("q")
        self.length = 0

    def _put(self, text: str, source_offsets: list[int]) -> None:
        self.parts.append(text)
        self.offsets.extend(source_offsets)
        self.length += len(text)

    def add_lines(self, numbers: list[int]) -> tuple[int, int]:
        """Append the given source lines as one unwrapped paragraph; return its span."""
        first_part = len(self.parts)
        start = self.length
        if start:
            self._put("\n", [self.offsets[-1] + 1])
            start += 1
        previous = ""
        for number in numbers:
            raw = self.lines.texts[number]
            base = self.lines.starts[number]
            stripped = raw.strip()
            lead = len(raw) - len(raw.lstrip())
            if previous:
                if previous.endswith("-") and len(previous) > 1 and previous[-2].isalnum():
                    pass  # `іс-` + `шара`: the hyphen stays, nothing is inserted
                else:
                    self._put(" ", [base - 1])
            # collapse inner runs of spaces; every kept char maps to its source offset
            kept_chars, kept_offsets, last_space = [], [], False
            for i, ch in enumerate(stripped):
                if ch.isspace():
                    if last_space:
                        continue
                    ch, last_space = " ", True
                else:
                    last_space = False
                kept_chars.append(ch)
                kept_offsets.append(base + lead + i)
            self._put("".join(kept_chars), kept_offsets)
            previous = stripped
        self.last_paragraph = "".join(self.parts[first_part:]).lstrip("\n")
        return start, self.length

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _table_rows(block: Block, texts: list[str]) -> tuple[list[int], list[list[int]]]:
    """Split a table block into its header lines and rows (a row ends with its year cell)."""
    lines = block.lines
    header = [lines[0]]
    for number in lines[1:]:
        if len(texts[number].split()) <= 2 and not _YEAR_ROW_END.match(texts[number].strip()):
            header.append(number)
        else:
            break
    rows, current = [], []
    for number in lines[len(header) :]:
        current.append(number)
        if _YEAR_ROW_END.match(texts[number].strip()):
            rows.append(current)
            current = []
    if current:
        rows.append(current)
    return header, rows


def units(doc: Document) -> tuple[str, list[Unit]]:
    """The document's unwrapped text and its sentences/rows with their sections."""
    doc_text, found, _ = _units(doc)
    return doc_text, found


Locate = Callable[[int, int], tuple[int, int, int, int, "int | None"]]


def _units(doc: Document) -> tuple[str, list[Unit], Locate]:
    """`units`, and a function giving a span of the unwrapped text its source offsets,
    source lines (1-based) and the page it starts on."""
    lines = _Lines.of(doc.source)
    texts = lines.texts
    unwrapper = _Unwrapper(lines)
    section: list[tuple[int, str]] = []  # (level, title) from the top
    title: str | None = None
    collected: list[tuple[tuple[str, ...], int, int]] = []  # section, start, end

    def path() -> tuple[str, ...]:
        return tuple(t for _, t in section)

    for block in layout(doc, lines):
        text = _block_text(block, texts)
        if block.kind == "dropped":
            continue
        if block.kind == "title":
            title = text.strip()
            continue
        if block.kind == "heading":
            heading = re.sub(r"^#+\s*", "", text).strip().rstrip(":").strip()
            while section and section[-1][0] >= block.level:
                section.pop()
            section.append((block.level, heading))
            continue
        if block.kind == "row":  # a table row or code block: one unit, not cut into sentences
            start, end = unwrapper.add_lines(block.lines)
            collected.append((path(), start, end))
            continue
        if block.kind == "table":
            header, rows = _table_rows(block, texts)
            table_title = _block_text(Block(0, 0, header), texts).strip()
            for row in rows:
                start, end = unwrapper.add_lines(row)
                collected.append((path() + (table_title,), start, end))
            continue
        start, end = unwrapper.add_lines(block.lines)
        for s, e in sentence_spans(unwrapper.last_paragraph):
            collected.append((path(), start + s, start + e))

    doc_text = unwrapper.text
    doc.title = title or doc.title

    def locate(start: int, end: int) -> tuple[int, int, int, int, int | None]:
        src_start = unwrapper.offsets[start]
        src_end = unwrapper.offsets[end - 1] + 1
        line_start = lines.line_of(src_start) + 1
        line_end = lines.line_of(src_end - 1) + 1
        # the page a sentence starts on is the page it is cited by
        page = doc.page_of_line[line_start - 1] if doc.page_of_line else None
        return src_start, src_end, line_start, line_end, page

    result = [
        Unit(sec, doc_text[start:end], start, end, *locate(start, end))
        for sec, start, end in collected
    ]
    return doc_text, result, locate


def has_passages(doc: Document) -> bool:
    """Would the document give at least one passage (some text besides its title,
    headings and page furniture)?"""
    texts = _Lines.of(doc.source).texts
    return any(
        block.kind in ("body", "table", "row") and any(texts[n].strip() for n in block.lines)
        for block in layout(doc)
    )


# -------------------------------------------------------------------------------- pack
TokenCounter = Callable[[str], int]


def _split_long(unit: Unit, locate: Locate, fits: Callable[[str], bool]) -> list[Unit]:
    """Cut a unit the model cannot read whole at word boundaries, halving until it fits;
    each piece gets its own source span, lines and page."""
    if fits(unit.text) or not fits(unit.text[:1]):
        # the second: the title and section alone are longer than the model reads, so no
        # cut can make it fit (the model truncates it); cutting on would never end
        return [unit]
    cut = unit.text.rfind(" ", 0, len(unit.text) // 2 + 1)
    if cut <= 0:
        cut = len(unit.text) // 2
    left = _sub_unit(unit, 0, cut, locate)
    right_start = cut + 1 if unit.text[cut : cut + 1] == " " else cut
    right = _sub_unit(unit, right_start, len(unit.text), locate)
    return _split_long(left, locate, fits) + _split_long(right, locate, fits)


def _sub_unit(unit: Unit, a: int, b: int, locate: Locate) -> Unit:
    return Unit(
        unit.section,
        unit.text[a:b],
        unit.start + a,
        unit.start + b,
        *locate(unit.start + a, unit.start + b),
    )


def _words(text: str) -> int:
    return len(text.split())


def chunk_document(
    doc: Document, config: Config, count_tokens: TokenCounter | None = None, first_id: int = 0
) -> list[Chunk]:
    doc_text, all_units, locate = _units(doc)
    limit = config.chunk_max_tokens

    def fits(text: str, section: tuple[str, ...] = ()) -> bool:
        if count_tokens is None:
            return True
        return count_tokens(embedding_text(doc.title, section, text)) <= limit

    split: list[Unit] = []
    for unit in all_units:
        split.extend(_split_long(unit, locate, functools.partial(fits, section=unit.section)))

    chunks: list[Chunk] = []
    i = 0
    while i < len(split):
        group = [split[i]]
        words = _words(split[i].text)  # a running sum: summing the group again is quadratic
        j = i + 1
        while (
            j < len(split)
            and split[j].section == group[0].section
            and words + _words(split[j].text) <= config.chunk_target_words
            and fits(doc_text[group[0].start : split[j].end], group[0].section)
        ):
            group.append(split[j])
            words += _words(split[j].text)
            j += 1
        chunks.append(_make_chunk(first_id + len(chunks), doc, doc_text, group))
        if j >= len(split):
            break
        # overlap: start the next chunk a few sentences back, inside the same section
        back = min(config.chunk_overlap_sentences, len(group) - 1)
        nxt = j - back if split[j].section == group[0].section else j
        i = max(nxt, i + 1)
    return chunks


def _make_chunk(chunk_id: int, doc: Document, doc_text: str, group: list[Unit]) -> Chunk:
    start, end = group[0].start, group[-1].end
    sentences = tuple(
        Sentence(u.start - start, u.end - start, u.line_start, u.line_end, u.page) for u in group
    )
    # from the page its first sentence starts on to the page its last one ends on
    pages = [u.page for u in group if u.page is not None]
    if pages and doc.page_of_line:
        pages.append(max(doc.page_of_line[u.line_end - 1] for u in group))
    return Chunk(
        chunk_id=chunk_id,
        doc=doc.doc_id,
        section=group[0].section,
        text=doc_text[start:end],
        start=start,
        end=end,
        src_start=group[0].src_start,
        src_end=group[-1].src_end,
        line_start=group[0].line_start,
        line_end=group[-1].line_end,
        sentences=sentences,
        page_start=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
        title=doc.title,
    )
