"""Reading a PDF's text layer by its layout: lines, columns, page furniture, headings.

pypdfium2 (PDFium) gives the text runs of each page with their boxes, font size and weight;
the rest is done here, page by page and in one pass over the document, so reading time
grows linearly with the number of pages:

1. runs on one baseline are joined into lines, and a line is cut where a gap wider than a
   column gutter separates its pieces (two columns often share baselines);
2. running headers, footers and page numbers are found as lines near the top or bottom
   of a page that repeat on many pages once digits are blanked (`12-бет`, `- 12 -`,
   `Page 12 of 40`, `стр. 12`, a book title with its year), or that are a page number
   alone; they are dropped from the text and counted;
3. the remaining lines are put in reading order: where a vertical gutter runs between
   two groups of lines, the left column is read before the right one (recursively, so
   three columns work), full-width lines in between keeping their place;
4. headings are lines in a larger or bolder font than the body text, levels ranked by
   size; paragraphs are separated by vertical space or a first-line indent, and a paragraph
   that runs on over a page or column break is kept whole.

The result is source text with one PDF line per source line, a blank line between
paragraphs, the page (1-based) of every source line and the heading lines with levels.
Errors (damaged, password-protected, scanned) are `DocumentError`s with one-line messages.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from kazrag.said import Said

from ..text import nfc
from .limits import NO_LIMITS, Budget

# text near the top or bottom of a page: the share of the page height searched for
# running headers and footers, and how many lines at most on each end
_FURNITURE_ZONE = 0.12
_FURNITURE_LINES = 3
# a line repeated (digits blanked) at the same end of this many pages is furniture
_FURNITURE_MIN_PAGES = 3
_PAGE_NUMBER = re.compile(
    r"(?:[-–—]\s*)?\d{1,4}(?:\s*[-–—])?"  # 12, - 12 -, — 12 —
    r"|\d{1,4}\s*-?\s*бет(?:і)?|бет\s*\d{1,4}"  # 12-бет, 12 бет, бет 12
    r"|(?:page|p\.|pg\.|стр\.?|страница|с\.|б\.)\s*\d{1,4}(?:\s*(?:of|из|/)\s*\d{1,4})?"
    r"|\d{1,4}\s*(?:/|of|из)\s*\d{1,4}",
    re.IGNORECASE,
)
_SENTENCE_END = tuple('.!?…:;»"”)')
_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)


class PdfError(Exception):
    """Raised with a one-line message for the user (formats/pdf.py makes it a
    DocumentError); `kind` is the reason in a word or two, as DocumentError's."""

    def __init__(self, message: Said, kind: str = "damaged"):
        super().__init__(message)
        self.kind = kind


@dataclass
class Run:
    """A piece of text in one font on one baseline; coordinates in points from the page's
    top-left corner, as the page is displayed."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Line:
    runs: list[Run]
    page: int
    text: str = ""
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    bold: bool = False
    heading: int = 0  # heading level, 0 for body text

    def finish(self) -> Line:
        runs = sorted(self.runs, key=lambda r: r.x0)
        parts = [runs[0].text]
        for previous, run in zip(runs, runs[1:]):
            gap = run.x0 - previous.x1
            if gap > 0.15 * min(run.size, previous.size) and not parts[-1].endswith(" "):
                parts.append(" ")
            parts.append(run.text)
        self.text = " ".join("".join(parts).split())
        self.x0 = min(r.x0 for r in runs)
        self.x1 = max(r.x1 for r in runs)
        self.top = min(r.top for r in runs)
        self.bottom = max(r.bottom for r in runs)
        weights: Counter[float] = Counter()
        bold_chars = 0
        for run in runs:
            weights[round(run.size * 2) / 2] += len(run.text)
            bold_chars += len(run.text) if run.bold else 0
        self.size = weights.most_common(1)[0][0]
        self.bold = bold_chars >= 0.8 * sum(len(r.text) for r in runs)
        return self


@dataclass
class PdfLayout:
    source: str
    page_of_line: list[int]
    heading_lines: dict[int, int] = field(default_factory=dict)
    pages: int = 0
    furniture_lines: int = 0  # running headers, footers and page numbers dropped
    two_column_pages: int = 0


# --------------------------------------------------------------------------- PDFium
def _open(path: Path):
    import pypdfium2

    try:
        return pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise PdfError(
                Said(
                    "pdf_password",
                    "{name}: the PDF is password-protected; save a copy without a password "
                    "and add that",
                    name=path.name,
                ),
                kind="password-protected",
            ) from None
        if "security" in message.lower():
            raise PdfError(
                Said(
                    "pdf_encrypted",
                    "{name}: the PDF is encrypted in a way that cannot be opened here; save a "
                    "copy without encryption and add that",
                    name=path.name,
                ),
                kind="password-protected",
            ) from None
        reason = message.split("(PDFium: ")[-1].rstrip(").") if "PDFium" in message else message
        raise _not_pdf(path, reason.strip() or "unknown error") from None
    except (OSError, ValueError) as exc:
        raise _not_pdf(path, str(exc)) from None


def _not_pdf(path: Path, why: str) -> PdfError:
    return PdfError(
        Said(
            "not_pdf",
            "{name}: not a readable PDF (damaged or truncated: {why})",
            name=path.name,
            why=why,
        )
    )


def _to_display(rotation: int, box: tuple[float, float, float, float], x: float, y: float):
    """PDF user space (y up) -> displayed page, top-left origin, y down."""
    left, bottom, right, top = box
    if rotation == 90:
        return y - bottom, x - left
    if rotation == 180:
        return right - x, y - bottom
    if rotation == 270:
        return top - y, right - x
    return x - left, top - y


def _clean(text: str) -> str:
    # PDFium writes a hyphen it judges to be a line-end hyphenation as U+0002
    return (
        text.replace("\x02", "-")
        .replace("\r\n", " ")
        .replace("\r", " ")
        .replace("\n", " ")
        .replace("\x00", "")
        .replace("\ufffe", "")
        .replace("\ufeff", "")
    )


def _page_text(pdfium_c, textpage, count: int) -> str:
    """The page's characters, one per PDFium character index (generated spaces and line
    breaks included)."""
    import ctypes

    buffer = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(textpage, 0, count, buffer)
    text = bytes(buffer)[: max(written - 1, 0) * 2].decode("utf-16-le", errors="replace")
    if len(text) != count:  # characters beyond the BMP: ask for them one by one
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i) or 32) for i in range(count))
    return text


def page_runs(page) -> list[Run]:
    """The text runs of a pypdfium2 page: PDFium's text lines, cut where PDFium's text
    rectangles (one per text object) leave a gap wider than a column gutter, with the
    font size and weight of their first and last characters.

    A few PDFium calls per line, not per character (a page has ~3,000 characters): the
    full text once, the rectangles of each line, then the fonts of each run's ends."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    raw = textpage.raw
    try:
        rotation = page.get_rotation() % 360
        box = page.get_bbox()  # the crop box as PDFium resolves it (inherited too)
        count = pdfium_c.FPDFText_CountChars(raw)
        if count <= 0:
            return []
        text = _page_text(pdfium_c, raw, count)
        left, top, right, bottom = (ctypes.c_double() for _ in range(4))
        x, y = ctypes.c_double(), ctypes.c_double()

        def rects(start: int, length: int) -> list[tuple[float, float, float, float]]:
            found = []
            for i in range(pdfium_c.FPDFText_CountRects(raw, start, length)):
                pdfium_c.FPDFText_GetRect(raw, i, left, top, right, bottom)
                found.append((left.value, bottom.value, right.value, top.value))
            return found

        def char_box(i: int) -> tuple[float, float, float, float]:
            pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top)
            return left.value, bottom.value, right.value, top.value

        def style(i: int) -> tuple[float, bool]:
            size = pdfium_c.FPDFText_GetFontSize(raw, i)
            weight = pdfium_c.FPDFText_GetFontWeight(raw, i)
            if weight > 0:
                return size, weight >= 600
            name = ctypes.create_string_buffer(128)
            flags = ctypes.c_int(0)
            pdfium_c.FPDFText_GetFontInfo(raw, i, name, 128, ctypes.byref(flags))
            return size, bool(
                _BOLD_NAME.search(name.value.decode("latin-1")) or flags.value & (1 << 18)
            )

        def run(a: int, b: int, area: tuple[float, float, float, float]) -> Run | None:
            """Characters a..b-1 (stripped of spaces) as a run inside `area`."""
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if a >= b:
                return None
            (size_a, bold_a), (size_b, bold_b) = style(a), style(b - 1)
            size = max(size_a, size_b)
            height = area[3] - area[1]
            if size < 0.4 * height:
                # a font set at size 1 and scaled by the text matrix: judge by the glyphs
                size = round(height / 0.9, 1)
            # the vertical extent from the baseline: glyph boxes vary with the letters
            pdfium_c.FPDFText_GetCharOrigin(raw, a, x, y)
            x0, y0 = _to_display(rotation, box, area[0], y.value + 0.75 * size)
            x1, y1 = _to_display(rotation, box, area[2], y.value - 0.25 * size)
            return Run(
                _clean(text[a:b]),
                min(x0, x1),
                max(x0, x1),
                min(y0, y1),
                max(y0, y1),
                float(size),
                bold_a and bold_b,
            )

        runs = []
        for match in re.finditer(r"[^\r\n]+", text):
            a, b = match.span()
            if not match.group().strip():
                continue
            areas = rects(a, b - a)
            if not areas:
                continue
            size = pdfium_c.FPDFText_GetFontSize(raw, a) or 10.0
            gutter = max(1.8 * size, 10.0)
            wide = [k for k in range(1, len(areas)) if areas[k][0] - areas[k - 1][2] > gutter]
            if not wide:
                union = (
                    min(r[0] for r in areas),
                    min(r[1] for r in areas),
                    max(r[2] for r in areas),
                    max(r[3] for r in areas),
                )
                found = run(a, b, union)
                if found:
                    runs.append(found)
                continue
            # a line of pieces far apart (columns sharing a baseline, table cells): cut it
            # where consecutive characters are a gutter apart
            start, last_right, piece = a, None, None
            for i in range(a, b):
                if text[i].isspace():
                    continue
                x0, btm, r, t = char_box(i)
                if last_right is not None and x0 - last_right > gutter and piece is not None:
                    found = run(start, i, piece)
                    if found:
                        runs.append(found)
                    start, piece = i, None
                piece = (
                    (x0, btm, r, t)
                    if piece is None
                    else (
                        min(piece[0], x0),
                        min(piece[1], btm),
                        max(piece[2], r),
                        max(piece[3], t),
                    )
                )
                last_right = r
            if piece is not None:
                found = run(start, b, piece)
                if found:
                    runs.append(found)
        return runs
    finally:
        textpage.close()


# ---------------------------------------------------------------------------- lines
def lines_of(runs: list[Run], page: int) -> list[Line]:
    """Runs on one baseline make a line; a gap wider than a gutter cuts it in two."""
    lines: list[Line] = []
    band: list[Run] = []
    for run in sorted(runs, key=lambda r: r.middle):
        if band and abs(run.middle - band[0].middle) > 0.5 * min(
            run.bottom - run.top, band[0].bottom - band[0].top
        ):
            lines.extend(_cut(band, page))
            band = []
        band.append(run)
    if band:
        lines.extend(_cut(band, page))
    return lines


def _cut(band: list[Run], page: int) -> list[Line]:
    band = sorted(band, key=lambda r: r.x0)
    pieces = [[band[0]]]
    for run in band[1:]:
        previous = pieces[-1][-1]
        if run.x0 - previous.x1 > max(1.8 * max(run.size, previous.size), 10.0):
            pieces.append([run])
        else:
            pieces[-1].append(run)
    return [Line(p, page).finish() for p in pieces]


# ------------------------------------------------------------------- page furniture
def _furniture_key(line: Line, end: str) -> tuple[str, str, float]:
    text = re.sub(r"\d+", "#", line.text.casefold())
    return end, " ".join(text.split()), round(line.size)


def _page_ends(lines: list[Line], height: float) -> list[tuple[str, Line]]:
    """The lines that could be a header (top) or footer (bottom) of a page."""
    by_top = sorted(lines, key=lambda line: line.top)
    ends = [
        ("top", line)
        for line in by_top[:_FURNITURE_LINES]
        if line.bottom <= _FURNITURE_ZONE * height
    ]
    ends += [
        ("bottom", line)
        for line in by_top[::-1][:_FURNITURE_LINES]
        if line.top >= (1 - _FURNITURE_ZONE) * height
    ]
    return ends


def drop_furniture(pages: list[tuple[list[Line], float]]) -> tuple[list[list[Line]], int]:
    """Remove running headers, footers and page numbers from every page's lines.

    A plain line no larger than the body text is furniture when it repeats (digits blanked)
    at the same end of at least 3 pages (or of every page of a 2-page file), or is a page
    number alone; a line that reads as a sentence (five words or more and a full stop) never
    is. A line that stands out (larger than the body text, or bold) is more likely
    a chapter heading at the top of a page (`1-ТАРАУ`, `2-ТАРАУ`): it must repeat on half of
    the pages."""
    body, _ = _body_size([line for lines, _ in pages for line in lines])
    seen: Counter = Counter()
    ends_of = []
    for lines, height in pages:
        ends = _page_ends(lines, height)
        ends_of.append(ends)
        seen.update({_furniture_key(line, end) for end, line in ends})
    needed = min(_FURNITURE_MIN_PAGES, len(pages))

    def is_furniture(line: Line, end: str) -> bool:
        if line.text.endswith((".", "!", "?")) and len(line.text.split()) >= 5:
            return False  # a sentence of the text, however often its like recurs
        plain = line.size < body + 0.5 and not line.bold
        count = seen[_furniture_key(line, end)]
        if len(pages) >= 2 and count >= (needed if plain else max(needed, len(pages) / 2)):
            return True
        return plain and bool(_PAGE_NUMBER.fullmatch(line.text))

    kept, dropped = [], 0
    for (lines, _), ends in zip(pages, ends_of):
        furniture = {id(line) for end, line in ends if is_furniture(line, end)}
        dropped += len(furniture)
        kept.append([line for line in lines if id(line) not in furniture])
    return kept, dropped


# -------------------------------------------------------------------- reading order
def _gutter(lines: list[Line]) -> tuple[float, float] | None:
    """A vertical strip in the middle of these lines that only full-width lines cross and
    that has columns of text on both sides, or None."""
    if len(lines) < 4:
        return None
    left, right = min(line.x0 for line in lines), max(line.x1 for line in lines)
    width = right - left
    lo, hi = left + 0.15 * width, right - 0.15 * width
    # how many lines cover each stretch of the middle region: one sweep over the edges
    edges = sorted([(line.x0, 1) for line in lines] + [(line.x1, -1) for line in lines])
    best: tuple[float, float] | None = None
    best_cover: float | None = None
    cover, k = 0, 0
    points = sorted({lo, hi, *(x for x, _ in edges if lo < x < hi)})
    for a, b in zip(points, points[1:]):
        while k < len(edges) and edges[k][0] <= a:
            cover += edges[k][1]
            k += 1
        if b - a < 4.0:
            continue
        if (
            best is None
            or best_cover is None
            or cover < best_cover
            or (cover == best_cover and b - a > best[1] - best[0])
        ):
            best, best_cover = (a, b), cover
    if best is None or best_cover is None or best_cover > 0.25 * len(lines):
        return None
    a, b = best
    on_left = [line for line in lines if line.x1 <= a + 0.5]
    on_right = [line for line in lines if line.x0 >= b - 0.5]
    if len(on_left) < 2 or len(on_right) < 2:
        return None
    # columns of text, not a table of short cells or a page number beside the text
    if (
        median(line.x1 - line.x0 for line in on_left) < 0.25 * width
        or median(line.x1 - line.x0 for line in on_right) < 0.25 * width
    ):
        return None
    # side by side: the two sides overlap vertically
    if min(line.top for line in on_right) > max(line.bottom for line in on_left) or min(
        line.top for line in on_left
    ) > max(line.bottom for line in on_right):
        return None
    return a, b


def reading_order(lines: list[Line], depth: int = 0) -> tuple[list[Line], bool]:
    """The lines of a page in reading order, and whether it has columns."""
    ordered = sorted(lines, key=lambda line: (line.top, line.x0))
    gutter = _gutter(lines) if depth < 3 else None
    if gutter is None:
        return ordered, False
    a, b = gutter
    result: list[Line] = []
    band: list[Line] = []

    def flush():
        middle = (a + b) / 2
        for side in (
            [line for line in band if line.x0 + line.x1 < 2 * middle],
            [line for line in band if line.x0 + line.x1 >= 2 * middle],
        ):
            result.extend(reading_order(side, depth + 1)[0])
        band.clear()

    for line in ordered:
        if line.x0 < a and line.x1 > b:  # a full-width line between column bands
            flush()
            result.append(line)
        else:
            band.append(line)
    flush()
    return result, True


# ------------------------------------------------------------------------- headings
def _body_size(lines: list[Line]) -> tuple[float, bool]:
    sizes: Counter = Counter()
    bold: Counter = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
        bold[line.bold] += len(line.text)
    return (
        sizes.most_common(1)[0][0] if sizes else 0.0,
        bold.most_common(1)[0][0] if bold else False,
    )


def _heading_style(line: Line, body: float, body_bold: bool) -> tuple[float, bool] | None:
    text = line.text
    words = len(text.split())
    if not any(c.isalpha() for c in text) or words > 20 or text[-1:] in ",;":
        return None
    if line.size >= body * 1.12 + 0.5:
        return line.size, line.bold
    if (
        line.bold
        and not body_bold
        and line.size >= body - 0.5
        and words <= 12
        and text[-1:] not in ".:"
    ):
        return line.size, True
    return None


def mark_headings(pages: list[list[Line]]) -> None:
    """Set `Line.heading` to a level (1 = the largest heading font) on heading lines."""
    body, body_bold = _body_size([line for lines in pages for line in lines])
    styles: dict[int, tuple[float, bool]] = {}
    for lines in pages:
        for line in lines:
            style = _heading_style(line, body, body_bold)
            if style is not None:
                styles[id(line)] = style
    # a run of big lines longer than a heading is a pull quote or a lead, not a heading
    for lines in pages:
        group: list[Line] = []
        ends: list[Line | None] = [*lines, None]  # None closes the last group
        for entry in ends:
            if (
                entry is not None
                and id(entry) in styles
                and group
                and styles[id(entry)] == styles[id(group[-1])]
                and 0 < entry.bottom - group[-1].bottom <= 2.0 * entry.size
            ):
                group.append(entry)
                continue
            if sum(len(member.text.split()) for member in group) > 25:
                for member in group:
                    del styles[id(member)]
            group = [entry] if entry is not None and id(entry) in styles else []
    ranked = sorted(set(styles.values()), key=lambda s: (-s[0], not s[1]))
    level_of = {style: min(rank + 1, 6) for rank, style in enumerate(ranked)}
    for lines in pages:
        for line in lines:
            if id(line) in styles:
                line.heading = level_of[styles[id(line)]]


# ------------------------------------------------------------------------ paragraphs
def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(_SENTENCE_END)


def _leading(lines: list[Line]) -> float:
    steps = [
        b.top - a.top
        for a, b in zip(lines, lines[1:])
        if not a.heading
        and not b.heading
        and abs(a.size - b.size) < 0.5
        and 0 < b.top - a.top < 3 * a.size
        and abs(a.x0 - b.x0) < 2 * a.size
    ]
    return median(steps) if steps else 0.0


def _starts_paragraph(previous: Line, line: Line, leading: float) -> bool:
    """Does `line` (body text, on the page and in the column of `previous`, which is body
    text too) start a new paragraph?"""
    step = line.top - previous.top
    if step <= 0 or line.x0 > previous.x1 or line.x1 < previous.x0:
        # a new column: the paragraph runs on unless the previous one ended
        return _ends_sentence(previous.text)
    if abs(line.size - previous.size) >= 0.5:
        return True
    if step > 1.4 * (leading or 1.2 * line.size):
        return True
    # a first-line indent after a sentence end
    return line.x0 > previous.x0 + 0.8 * line.size and _ends_sentence(previous.text)


def _footnotes(lines: list[Line], body: float) -> int:
    """How many lines at the end of a page (in reading order) are its footnotes: type
    smaller than the body text's, under all the rest of the page."""
    n = 0
    while n < len(lines) and not lines[-1 - n].heading and lines[-1 - n].size < 0.9 * body:
        n += 1
    if n == 0 or n == len(lines):
        return 0
    if min(line.top for line in lines[-n:]) < max(line.bottom for line in lines[:-n]) - 0.5:
        return 0
    return n


def assemble(pages: list[list[Line]]) -> tuple[list[str], list[int], dict[int, int]]:
    """Source lines, the page of each, heading line -> level.

    A page's footnotes are written after the paragraph they interrupt has ended, so a
    sentence running on to the next page stays one sentence ("…реттелмегендіктен / ¹ http://… /
    олардың жағдайы…"); they keep their own page and lines."""
    out: list[str] = []
    page_of: list[int] = []
    headings: dict[int, int] = {}
    previous: Line | None = None  # the last line written, None after a heading
    last_heading: Line | None = None
    body, _ = _body_size([line for lines in pages for line in lines])
    waiting: list[Line] = []  # footnotes of pages whose last paragraph has not ended yet

    def write_footnotes() -> None:
        ended = True
        for note in waiting:
            if ended or note.text[:1].isdigit() or note.text[:1] in "*†":
                out.append("")
                page_of.append(note.page)
            out.append(note.text)
            page_of.append(note.page)
            ended = _ends_sentence(note.text)
        waiting.clear()

    for lines in pages:
        leading = _leading(lines)
        lines = [line for line in lines if line.text]
        n_notes = _footnotes(lines, body)
        notes = lines[len(lines) - n_notes :]
        lines = lines[: len(lines) - n_notes]
        for line in lines:
            if line.heading:
                if waiting:
                    write_footnotes()
                    previous = None
                if (
                    last_heading is not None
                    and previous is None
                    and last_heading.heading == line.heading
                    and last_heading.page == line.page
                    and abs(line.size - last_heading.size) < 0.5
                    and 0 < line.bottom - last_heading.bottom <= 2.0 * line.size
                ):
                    out[-1] += " " + line.text  # a heading on two lines is one heading
                    last_heading = line
                    continue
                if out:
                    out.append("")
                    page_of.append(line.page)
                headings[len(out)] = line.heading
                out.append(line.text)
                page_of.append(line.page)
                last_heading, previous = line, None
                continue
            if previous is None:
                new = bool(out)
            elif previous.page != line.page:
                new = _ends_sentence(previous.text)  # a paragraph running on to the next page
            else:
                new = _starts_paragraph(previous, line, leading)
            if new and waiting:
                write_footnotes()
            if new:
                out.append("")
                page_of.append(line.page)
            out.append(line.text)
            page_of.append(line.page)
            previous, last_heading = line, None
        waiting.extend(notes)
    write_footnotes()
    return out, page_of, headings


# ------------------------------------------------------------------------ the reader
def read_layout(path: Path, budget: Budget | None = None) -> PdfLayout:
    """A PDF's text in reading order with pages and headings; furniture dropped. The
    operator's limits (`budget`) are checked before the first page and after each one."""
    path = Path(path)
    budget = budget or NO_LIMITS.start(path.name)
    document = _open(path)
    try:
        pages: list[tuple[list[Line], float]] = []
        budget.check_pages(len(document))
        for number in range(len(document)):
            budget.check_time(Said("at_page", "page {n}", n=number + 1))
            try:
                page = document[number]
                left, bottom, right, top = page.get_bbox()
                height = right - left if page.get_rotation() % 180 else top - bottom
                runs = page_runs(page)
                page.close()
            except Exception as exc:  # noqa: BLE001 - PDFium fails on a damaged page
                raise PdfError(
                    Said(
                        "pdf_damaged_page",
                        "{name}, page {page}: the text cannot be read (damaged page: {why})",
                        name=path.name,
                        page=number + 1,
                        why=str(exc).strip()[:160],
                    )
                ) from None
            pages.append((lines_of(runs, number + 1), height))
            budget.add_characters(sum(len(run.text) for run in runs))
        n_pages = len(pages)
    finally:
        document.close()
    if not any(lines for lines, _ in pages):
        raise PdfError(
            Said(
                "pdf_scanned",
                "{name}: no extractable text (scanned?) in its {pages} page(s); run OCR on it "
                "first (e.g. ocrmypdf)",
                name=path.name,
                pages=n_pages,
            ),
            kind="no text",
        )
    kept, dropped = drop_furniture(pages)
    ordered, columns = [], 0
    for lines in kept:
        order, has_columns = reading_order(lines)
        ordered.append(order)
        columns += has_columns
    mark_headings(ordered)
    out, page_of, headings = assemble(ordered)
    if not out:  # nothing but page furniture
        raise PdfError(
            Said(
                "pdf_only_furniture",
                "{name}: its {pages} page(s) hold nothing but page headers, footers and page "
                "numbers",
                name=path.name,
                pages=n_pages,
            ),
            kind="no text",
        )
    return PdfLayout(nfc("\n".join(out)), page_of, headings, n_pages, dropped, columns)
