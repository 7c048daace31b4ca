"""The plain result types of kazrag: `Chunk`, `Passage`, `Quote`, `Answer`.

They serialise to exactly the JSON that `kazrag ask --json` and `kazrag eval --results` print;
the index stores chunks as these dicts, so `index/` never has to import this package.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

from .lang import frame

SECTION_SEPARATOR = " › "


def embedding_text(title: str, section: tuple[str, ...], text: str) -> str:
    """What the model reads for a passage: the document title and section titles are part
    of its meaning (`Балалар` says whose rights a sentence is about)."""
    heading = SECTION_SEPARATOR.join(([title] if title else []) + list(section))
    return f"{heading}\n{text}" if heading else text


def line_span(start: int, end: int) -> str:
    return f"line {start}" if start == end else f"lines {start}–{end}"


def place(doc: str, section: str, where: str) -> str:
    """ "doc, section, where" as citations show it; a document without sections has none."""
    return ", ".join(part for part in (doc, section, where) if part)


@dataclass(frozen=True)
class Sentence:
    """A sentence (or table row) inside a chunk: offsets into `Chunk.text`, source lines."""

    start: int
    end: int
    line_start: int
    line_end: int
    page: int | None = None


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: consecutive sentences of one section of one document.

    `text` is an exact slice `start:end` of the document's unwrapped text (original
    characters; only line wraps and dropped page headers differ from the file), and
    `src_start:src_end` is the same span in the file as decoded.
    """

    chunk_id: int
    doc: str
    section: tuple[str, ...]
    text: str
    start: int
    end: int
    src_start: int
    src_end: int
    line_start: int
    line_end: int
    sentences: tuple[Sentence, ...]
    page_start: int | None = None
    page_end: int | None = None
    title: str = ""  # the document's title, when it has one

    @property
    def section_path(self) -> str:
        return SECTION_SEPARATOR.join(self.section)

    def embedding_text(self) -> str:
        return embedding_text(self.title, self.section, self.text)

    def location(self) -> str:
        if self.page_start is not None:
            pages = (
                f"p. {self.page_start}"
                if self.page_start == self.page_end
                else f"pp. {self.page_start}–{self.page_end}"
            )
            return pages
        return line_span(self.line_start, self.line_end)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["section"] = list(self.section)
        data["sentences"] = [
            [s.start, s.end, s.line_start, s.line_end, s.page] for s in self.sentences
        ]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Chunk:
        names = {f.name for f in fields(cls)}
        data = {k: v for k, v in data.items() if k in names}  # the store adds its own keys
        data["section"] = tuple(data["section"])
        data["sentences"] = tuple(Sentence(*row) for row in data["sentences"])
        return cls(**data)


def merge_chunks(chunks: list[Chunk]) -> tuple[Chunk, tuple[tuple[int, int], ...]]:
    """Overlapping consecutive chunks of one section as one chunk spanning them all, and
    where each of its sentences comes from ((chunk id, sentence index) in that chunk): a
    sentence two chunks share is kept once. The merged chunk has the first one's id."""
    chunks = sorted(chunks, key=lambda c: c.start)
    first = chunks[0]
    text, sentences = first.text, list(first.sentences)
    sources = [(first.chunk_id, i) for i in range(len(first.sentences))]
    end = first.end
    for chunk in chunks[1:]:
        if chunk.doc != first.doc or chunk.start >= end:
            raise ValueError("only overlapping chunks of one document merge")
        if chunk.end > end:
            text += chunk.text[end - chunk.start :]
        shift = chunk.start - first.start
        for i, s in enumerate(chunk.sentences):
            if chunk.start + s.start >= end:  # not already in the text
                sentences.append(replace(s, start=s.start + shift, end=s.end + shift))
                sources.append((chunk.chunk_id, i))
        end = max(end, chunk.end)
    pages = [p for c in chunks for p in (c.page_start, c.page_end) if p is not None]
    merged = replace(
        first,
        text=text,
        end=end,
        src_end=max(c.src_end for c in chunks),
        line_end=max(c.line_end for c in chunks),
        sentences=tuple(sentences),
        page_start=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
    )
    return merged, tuple(sources)


@dataclass(frozen=True)
class Passage:
    """A chunk as retrieved for one question (or overlapping neighbour chunks merged into
    one: `rows` are the chunks it spans, the best-ranked first, and `sentence_sources`
    where each sentence of `chunk` comes from)."""

    rank: int
    chunk: Chunk
    score: float
    dense_score: float | None = None
    keyword_score: float | None = None
    rows: tuple[int, ...] = ()
    sentence_sources: tuple[tuple[int, int], ...] = ()

    @property
    def row(self) -> int:
        """The chunk row it was ranked by."""
        return self.rows[0] if self.rows else self.chunk.chunk_id

    def sources(self) -> tuple[tuple[int, int], ...]:
        """(chunk row, sentence index) of each sentence of `chunk`, in order."""
        if self.sentence_sources:
            return self.sentence_sources
        return tuple((self.chunk.chunk_id, i) for i in range(len(self.chunk.sentences)))

    def to_dict(self) -> dict:
        c = self.chunk
        return {
            "rank": self.rank,
            "doc": c.doc,
            "section": c.section_path,
            "lines": [c.line_start, c.line_end],
            "pages": [c.page_start, c.page_end] if c.page_start is not None else None,
            "text": c.text,
            "score": round(float(self.score), 6),
        }


@dataclass(frozen=True)
class Quote:
    """One quoted sentence of an answer, with the citation number it carries."""

    number: int
    text: str
    doc: str
    section: str
    line_start: int
    line_end: int
    page: int | None
    passage_rank: int
    score: float

    def where(self) -> str:
        """The quote's own place in its document: its page in a PDF, its lines otherwise."""
        return (
            f"p. {self.page}"
            if self.page is not None
            else line_span(self.line_start, self.line_end)
        )

    def citation(self) -> str:
        return f"[{self.number}] {place(self.doc, self.section, self.where())}"


ANSWER_STATES = ("answered", "uncertain", "refused")


@dataclass
class Answer:
    """What kazrag says to a question, in one of three states:

    - "answered": the quotes answer it (the answerability model is confident);
    - "uncertain": the closest quotes, shown and marked as possibly not answering;
    - "refused": nothing in the documents is close; only where the closest passages are.
    """

    question: str
    lang: str
    state: str
    body: str  # the frame and the quotes with their [n]; a refusal's whole text
    quotes: list[Quote] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    notice: str | None = None  # e.g. "question cut to 2,000 characters"
    signals: dict = field(default_factory=dict)  # what the answerability model saw
    probability: float | None = None  # that the documents answer it; None: not judged
    # the question as searched: read into Cyrillic, courtesy left out, and with the question
    # it follows in a chat (`Kazrag.ask(previous=…)`); a next follow-up is read with it
    searched: str = ""

    @property
    def text(self) -> str:
        """The whole answer as plain text: the body, then each quote's place once, in
        citation order (what `ask` prints and the API returns)."""
        if not self.quotes:
            return self.body
        places = "\n".join(q.citation() for q in self.quotes)
        return f"{self.body}\n\n{frame(self.lang, 'sources')}\n{places}"

    @property
    def abstained(self) -> bool:
        """kazrag did not claim an answer (uncertain or refused)."""
        return self.state != "answered"

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "lang": self.lang,
            "state": self.state,
            "abstained": self.abstained,
            "answerable_probability": (
                None if self.probability is None else round(self.probability, 4)
            ),
            "answer": self.text,
            "quotes": [asdict(q) for q in self.quotes],
            "passages": [p.to_dict() for p in self.passages],
            "notice": self.notice,
            "searched": self.searched,
            "signals": {
                k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.signals.items()
            },
        }
