"""Documents as kazrag reads them: decoded text, plus page numbers and headings when the
format knows them (PDF pages, Word heading styles).

Formats: `.txt`/`.md` (UTF-8, UTF-8 with BOM, UTF-16/32 with BOM, or a Cyrillic code page:
CP1251, KZ-1048, PT154; Markdown parsed for headings, lists, tables and code), `.pdf` (text
layer read by its layout, rag/pdf_layout.py: reading order, headings from fonts, page
headers/footers dropped, one page number per line), `.docx` (paragraphs, heading styles,
tables) and BEIR-style `.jsonl` corpora. Anything unreadable, or with nothing to index,
raises `DocumentError` with a one-line message for the user.
"""

from __future__ import annotations

import codecs
import html
import json
import re
import unicodedata
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from kazrag.errors import DocumentError
from kazrag.files import sha256_text

from .text import KAZAKH_LETTERS, nfc

TEXT_SUFFIXES = {".txt", ".md"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".jsonl", ".pdf", ".docx"}


@dataclass
class Document:
    doc_id: str
    source: str  # NFC, "\n" line ends: every offset and line number refers to this
    path: str | None = None
    format: str = "txt"
    # PDF: the page (1-based) each source line is on
    page_of_line: list[int] | None = None
    # Word/Markdown: source line (0-based) -> heading level, when the format marks headings
    heading_lines: dict[int, int] = field(default_factory=dict)
    # the title line the chunker found (or the format gave), "" if none
    title: str = ""
    # Markdown: the blocks the format marks, as (first line, last line, kind), 0-based and
    # inclusive; kind "text" (a paragraph or list item: sentences), "heading", "row" (a
    # table row) or "code" (kept whole). None: the chunker finds blocks from blank lines.
    blocks: list[tuple[int, int, str]] | None = None

    @property
    def sha256(self) -> str:
        return sha256_text(self.source)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["heading_lines"] = {str(k): v for k, v in self.heading_lines.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Document":
        data = dict(data)
        data["heading_lines"] = {int(k): v for k, v in (data.get("heading_lines") or {}).items()}
        if data.get("blocks") is not None:
            data["blocks"] = [tuple(block) for block in data["blocks"]]
        return cls(**data)


# ------------------------------------------------------------------------- text files
# Byte-order marks, longest first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# Single-byte code pages Kazakh text is found in, in the order a tie is given. Detectors
# confuse them: they agree on every Russian letter and differ exactly on the Kazakh ones
# (byte 0xBC is `ә` in KZ-1048, Serbian `ј` in CP1251).
_KAZAKH_CODE_PAGES = ("kz1048", "cp1251", "ptcp154")
_RUSSIAN_LETTERS = set("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя")
_UNKNOWN_ENCODING = ("is not text in an encoding kazrag knows (UTF-8, UTF-16, CP1251, "
                     "KZ-1048); save it as UTF-8")


def _odd_chars(text: str) -> int:
    """Characters a wrong code page makes of Kazakh/Russian text: C1 controls, Cyrillic
    letters of other alphabets (Serbian `ј`, Ukrainian `є`, Bashkir `ҙ`…), box drawing and
    `√` (DOS code pages), U+FFFD."""
    return sum(1 for ch in text
               if "\x80" <= ch <= "\x9f" or ch in "\ufffd\u221a" or "\u2500" <= ch <= "\u25ff"
               or ("\u0400" <= ch <= "\u04ff" and ch not in KAZAKH_LETTERS
                   and ch not in _RUSSIAN_LETTERS))


def _cyrillic_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum("\u0400" <= ch <= "\u04ff" for ch in letters) / max(len(letters), 1)


def _best_reading(data: bytes, encodings: tuple[str, ...], by_kazakh: bool) -> str | None:
    """The reading with the fewest odd characters; among equals, the one with the most
    Kazakh letters if `by_kazakh`, then the first of `encodings`. None if none decodes."""
    readings = []
    for order, encoding in enumerate(dict.fromkeys(encodings)):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        kazakh = sum(ch in KAZAKH_LETTERS for ch in text) if by_kazakh else 0
        readings.append((_odd_chars(text), -kazakh, order, text))
    return min(readings)[3] if readings else None


def _decode_legacy(data: bytes, name: str) -> str:
    """Bytes that are not UTF-8: charset-normalizer's guess, checked for Kazakh.

    - a guess of one Kazakh code page is weighed against the others (cp1251 vs kz1048);
    - a guess that makes short Cyrillic text into accented Latin (`Żęłěĺň` for `Үкімет`)
      is replaced by the Kazakh code pages' reading;
    - another Cyrillic guess (KOI8-R, CP866) stands unless it reads odd characters where a
      Kazakh code page reads none.
    """
    best = from_bytes(data).best()
    if best is None:
        raise DocumentError(f"{name} {_UNKNOWN_ENCODING}")
    guess = str(best)
    if best.encoding in _KAZAKH_CODE_PAGES:
        reading = _best_reading(data, (best.encoding,) + _KAZAKH_CODE_PAGES, by_kazakh=True)
    elif _cyrillic_share(guess) < 0.5:
        if _cyrillic_share(data.decode("kz1048", errors="replace")) < 0.5:
            return guess
        reading = _best_reading(data, _KAZAKH_CODE_PAGES, by_kazakh=True)
    else:
        reading = _best_reading(data, (best.encoding,) + _KAZAKH_CODE_PAGES, by_kazakh=False)
    return reading if reading is not None else guess


def _decode_bom(data: bytes, name: str) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise DocumentError(f"{name}: starts with a {encoding.upper()} byte-order "
                                    "mark but is not valid text in that encoding") from None
    return None


def _looks_binary(text: str) -> bool:
    """Control characters text never has (a NUL-free binary can still decode)."""
    controls = sum(1 for ch in text
                   if unicodedata.category(ch) == "Cc" and ch not in "\n\t\f\v")
    return controls > max(2, len(text) // 200)


def decode_text(data: bytes, name: str) -> str:
    """Bytes of a text file -> str, whatever common Cyrillic encoding it was saved in."""
    if not data.strip():
        raise DocumentError(f"{name}: the file is empty")
    text = _decode_bom(data, name)
    if text is None:
        if b"\x00" in data:
            raise DocumentError(f"{name}: this is a binary file, not text (if it is UTF-16 "
                                "text without a byte-order mark, save it as UTF-8)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_legacy(data, name)
    text = nfc(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise DocumentError(f"{name}: the file is empty")
    if _looks_binary(text):
        raise DocumentError(f"{name}: this is a binary file, not text")
    return text


def load_jsonl_corpus(path: Path) -> list[Document]:
    """A BEIR-style `corpus.jsonl`: one passage per line, `{"_id", "title", "text"}`; each
    passage is a document whose id is its `_id`."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            documents = _jsonl_documents(path, handle)
    except UnicodeDecodeError:
        raise DocumentError(f"{path.name}: a corpus .jsonl must be UTF-8 text") from None
    if not documents:
        raise DocumentError(f"{path.name}: the file has no passages")
    return documents


def _jsonl_documents(path: Path, handle) -> list[Document]:
    documents, seen = [], set()
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            doc_id, text = str(row["_id"]), str(row["text"])
        except (json.JSONDecodeError, KeyError, TypeError):
            raise DocumentError(f"{path.name}, line {number}: not a corpus line "
                                '(expected JSON with "_id", "title", "text")') from None
        if doc_id in seen:
            raise DocumentError(f"{path.name}, line {number}: duplicate _id {doc_id!r}")
        seen.add(doc_id)
        title = nfc(str(row.get("title") or "")).strip()
        documents.append(Document(doc_id, nfc(text), str(path), "jsonl", title=title))
    return documents


def load_documents(path: Path) -> list[Document]:
    """One file -> its documents (a corpus.jsonl holds many), each with text to index: a
    document that would give no passages is refused, never indexed empty."""
    from .chunking import has_passages  # chunking imports this module

    if Path(path).suffix.lower() == ".jsonl":
        documents = load_jsonl_corpus(Path(path))
    else:
        documents = [load_document(path)]
    for doc in documents:
        if not has_passages(doc):
            single = doc.doc_id == Path(path).name
            name = Path(path).name if single else f"{Path(path).name}, passage {doc.doc_id!r}"
            raise DocumentError(f"{name}: gave no passages (no text besides a title, headings, "
                                "page headers/footers or markup); "
                                + ("not indexed" if single else "the file was not indexed"))
    return documents


def load_document(path: Path, doc_id: str | None = None) -> Document:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        hint = "; save Word .doc files as .docx" if suffix == ".doc" else ""
        raise DocumentError(f"{path.name}: unsupported format {suffix or '(none)'}; "
                            f"kazrag reads {', '.join(sorted(SUPPORTED_SUFFIXES))}{hint}")
    try:
        if path.stat().st_size == 0:
            raise DocumentError(f"{path.name}: the file is empty")
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror})") from None
    doc = Document(doc_id or path.name, "", str(path), suffix.lstrip("."))
    if suffix == ".pdf":
        doc.source, doc.page_of_line, doc.heading_lines = read_pdf(path)
    elif suffix == ".docx":
        doc.source, doc.heading_lines, doc.title = read_docx(path)
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DocumentError(f"{path}: cannot read ({exc.strerror})") from None
        doc.source = decode_text(data, path.name)
        if suffix == ".md":
            markdown = read_markdown(doc.source)
            doc.source, doc.heading_lines, doc.blocks = (markdown.source, markdown.headings,
                                                         markdown.blocks)
            doc.title = markdown.title
    return doc


# -------------------------------------------------------------------------------- PDF
def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[0][:160] if text else type(exc).__name__)


def read_pdf(path: Path) -> tuple[str, list[int], dict[int, int]]:
    """A PDF's text layer read by its layout (rag/pdf_layout.py): source text in reading
    order without running headers, footers and page numbers; the page (1-based) of each
    source line; heading lines (from font size and weight) with their levels."""
    from .pdf_layout import PdfError, read_layout

    try:
        layout = read_layout(path)
    except PdfError as exc:
        raise DocumentError(str(exc)) from None
    return layout.source, layout.page_of_line, layout.heading_lines


# ------------------------------------------------------------------------------- Word
_HEADING_STYLE = re.compile(r"heading (\d)", re.IGNORECASE)
# Paragraphs are separated by two blank lines: one blank line is read as a wrap in
# double-spaced text by the chunker, two always end a paragraph.
_PARAGRAPH_BREAK = "\n\n\n"


def _style_names(paragraph) -> list[str]:
    """The paragraph's style and the styles it is based on (a custom style based on
    `Heading 2` is a level-2 heading)."""
    names, style = [], paragraph.style
    while style is not None and len(names) < 10:
        names.append(style.name or "")
        style = style.base_style
    return names


def _heading_level(paragraph) -> int | None:
    for name in _style_names(paragraph):
        match = _HEADING_STYLE.fullmatch(name.strip())
        if match:
            return max(1, int(match.group(1)))
    return None


def _table_rows(table) -> list[str]:
    """Each row as one line, `cell | cell`; a merged cell is written once."""
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            text = " ".join(cell.text.split())
            if text:
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return rows


def _open_docx(path: Path):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile):
        raise DocumentError(f"{path.name}: not a readable Word .docx file (damaged, "
                            "truncated, or another format renamed .docx)") from None
    except (KeyError, ValueError, OSError) as exc:
        raise DocumentError(f"{path.name}: not a readable Word .docx file (damaged: "
                            f"{_first_line(exc)})") from None
    except Exception as exc:  # noqa: BLE001 - lxml parse errors of a damaged part
        raise DocumentError(f"{path.name}: not a readable Word .docx file (damaged: "
                            f"{_first_line(exc)})") from None


def read_docx(path: Path) -> tuple[str, dict[int, int], str]:
    """A Word file as (source, heading line -> level, title): one paragraph or table row
    per line; `Heading n` styles give the section path, the `Title` style the title."""
    from docx.text.paragraph import Paragraph

    document = _open_docx(path)
    paragraphs: list[str] = []
    headings: dict[int, int] = {}
    title = ""
    line = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if not text:
                continue
            level = _heading_level(block)
            if not title and "Title" in _style_names(block):
                title = " ".join(text.split())
                continue
            if level is not None:
                text = " ".join(text.split())  # a heading is one line
                headings[line] = level
            new = [text]
        else:
            new = _table_rows(block)
        for text in new:
            paragraphs.append(text)
            line += text.count("\n") + _PARAGRAPH_BREAK.count("\n")
    if not paragraphs:
        raise DocumentError(f"{path.name}: the Word file has no text")
    return nfc(_PARAGRAPH_BREAK.join(paragraphs)), headings, nfc(title)


# --------------------------------------------------------------------------- Markdown
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
            title = next((m.group(2).strip().strip("'\"") for m in fields
                          if m.group(1).casefold() == "title"), "")
            return end + 1, title
    return 0, ""


def _inline_lines(token) -> list[str]:
    """The text of an inline token, one string per source line: emphasis and link markup
    dropped, a link or image replaced by its text."""
    lines = [""]
    for child in token.children or []:
        if child.type in ("text", "text_special", "code_inline", "image"):
            lines[-1] += child.content
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

    lines = text.split("\n")
    skip, title = _front_matter(lines)
    out = [""] * len(lines)
    headings: dict[int, int] = {}
    blocks: list[tuple[int, int, str]] = []

    def put(first: int, end: int, rendered: list[str], kind: str, level: int = 0) -> None:
        end = min(end, len(out))
        if end - first < len(rendered):  # more lines than the block has: join the rest
            rendered = rendered[:max(end - first - 1, 0)] + [" ".join(rendered[end - first - 1:])]
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

    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
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
        elif token.type == "html_block" and token.map and not token.content.lstrip(
                ).startswith("<!--"):
            rendered = [html.unescape(_TAG.sub(" ", line)) for line in token.content.split("\n")]
            put(token.map[0], token.map[1], rendered, "text")
        i += 1
    return MarkdownText("\n".join(out), headings, blocks, nfc(title))


def markdown_headings(source: str) -> dict[int, int]:
    """Heading line (0-based) -> level of a Markdown text."""
    return read_markdown(source).headings


def discover(root: Path) -> list[Path]:
    """The readable documents under a folder (or the file itself), in a stable order."""
    root = Path(root)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise DocumentError(f"{root}: no such file or folder")
    return sorted(p for p in root.rglob("*")
                  if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                  and not p.name.startswith("."))
