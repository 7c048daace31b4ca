"""Multi-page Kazakh PDFs with page furniture, made on the fly with fpdf2 (DejaVu fonts).

`make_book` writes a reference-book PDF whose every page has a running header and a page
number footer (`N-бет`, `- N -`, `Page N of M` or `стр. N`), bold headings of two sizes,
body paragraphs, optionally a paragraph that runs on over a page break, and optionally
two-column pages whose lines are written interleaved (left line 1, right line 1, left line 2,
...), so that reading the content stream in order mixes the columns. BOOK says what is on
which page, so tests know the right page of every sentence. `make_long_pdf` writes N pages
of running text for the scaling benchmark.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
HEADER = "Қазақстанның ұлттық парктері — анықтамалық, 2024"
FOOTERS = {"бет": "{n}-бет", "dash": "- {n} -", "page-of": "Page {n} of {total}", "стр": "стр. {n}"}


@dataclass
class Page:
    """One page: items are (kind, text), kind "h1" / "h2" / "p" / "note" (a footnote at the
    page's foot, written last); a two-column page has
    `left` and `right` column texts instead (each a list of paragraphs)."""

    items: list[tuple[str, str]] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    right: list[str] = field(default_factory=list)


BOOK = [
    Page(
        items=[
            ("h1", "Бурабай ұлттық паркі"),
            ("p", "Бурабай ұлттық паркі Ақмола облысында орналасқан. Парк 2000 жылы құрылды."),
            ("h2", "Көлдер"),
            (
                "p",
                "Бурабай көлінің ауданы он шаршы шақырымға жуық. Көлдің ең терең жері шамамен "
                "отыз метр.",
            ),
        ]
    ),
    Page(
        items=[
            ("h2", "Жартастар"),
            (
                "p",
                "Оқжетпес жартасы көлдің жағасында тұр. Жұмбақтас тасы судың ортасында "
                "көрінеді. Паркте жыл сайын үш жүз мыңнан астам",
            ),
        ]
    ),
    Page(
        items=[
            ("p", "турист демалады. Туристер үшін жаяу жүретін жолдар салынған."),
            ("h1", "Алтынемел ұлттық паркі"),
            (
                "p",
                "Алтынемел паркінде Әнші құм төбесі бар. Құм төбесі желді күні гүілдеген дыбыс "
                "шығарады.",
            ),
        ]
    ),
    Page(
        items=[
            ("h2", "Жануарлар"),
            ("p", "Паркте құлан мен қарақұйрық мекендейді. Құландар саны соңғы жылдары өсті."),
        ]
    ),
]
# the sentences of BOOK and the page each one starts on
BOOK_SENTENCES = {
    "Бурабай ұлттық паркі Ақмола облысында орналасқан.": 1,
    "Парк 2000 жылы құрылды.": 1,
    "Бурабай көлінің ауданы он шаршы шақырымға жуық.": 1,
    "Көлдің ең терең жері шамамен отыз метр.": 1,
    "Оқжетпес жартасы көлдің жағасында тұр.": 2,
    "Жұмбақтас тасы судың ортасында көрінеді.": 2,
    "Паркте жыл сайын үш жүз мыңнан астам турист демалады.": 2,  # runs on to page 3
    "Туристер үшін жаяу жүретін жолдар салынған.": 3,
    "Алтынемел паркінде Әнші құм төбесі бар.": 3,
    "Құм төбесі желді күні гүілдеген дыбыс шығарады.": 3,
    "Паркте құлан мен қарақұйрық мекендейді.": 4,
    "Құландар саны соңғы жылдары өсті.": 4,
}
# section path of each BOOK sentence's passage
BOOK_SECTIONS = {
    "Парк 2000 жылы құрылды.": ("Бурабай ұлттық паркі",),
    "Көлдің ең терең жері шамамен отыз метр.": ("Бурабай ұлттық паркі", "Көлдер"),
    "Оқжетпес жартасы көлдің жағасында тұр.": ("Бурабай ұлттық паркі", "Жартастар"),
    "Туристер үшін жаяу жүретін жолдар салынған.": ("Бурабай ұлттық паркі", "Жартастар"),
    "Алтынемел паркінде Әнші құм төбесі бар.": ("Алтынемел ұлттық паркі",),
    "Құландар саны соңғы жылдары өсті.": ("Алтынемел ұлттық паркі", "Жануарлар"),
}

COLUMN_LEFT = [
    "Сол жақ бағанның бірінші абзацы Қатонқарағай паркі туралы айтады. Қатонқарағай "
    "паркі Шығыс Қазақстан облысында орналасқан және ол елдегі ең үлкен ұлттық парк "
    "болып саналады. Паркте Рахман бұлақтары деп аталатын емдік су көздері бар.",
]
COLUMN_RIGHT = [
    "Оң жақ бағанның мәтіні Көлсай көлдері жайында. Көлсай көлдері Алматы облысындағы "
    "Күнгей Алатауының тауларында жатыр. Үш көлді жаяу жүргінші соқпақтары бір-бірімен "
    "жалғастырып тұрады.",
]


def _font_pdf(header: str, footer: str, total: int):
    from fpdf import FPDF

    class Book(FPDF):
        def header(self):
            if header:
                self.set_font("DejaVu", size=8)
                self.cell(0, 6, header, align="C", new_x="LMARGIN", new_y="NEXT")
                self.ln(4)

        def footer(self):
            if footer:
                self.set_y(-15)
                self.set_font("DejaVu", size=8)
                self.cell(0, 8, footer.format(n=self.page_no(), total=total), align="C")

    pdf = Book()
    pdf.add_font("DejaVu", "", str(DEJAVU / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(DEJAVU / "DejaVuSans-Bold.ttf"))
    return pdf


def _write_items(pdf, items) -> None:
    for kind, text in items:
        if kind == "h1":
            pdf.set_font("DejaVu", "B", 16)
            pdf.multi_cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "h2":
            pdf.set_font("DejaVu", "B", 13)
            pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif kind == "note":  # a footnote: small type at the foot of the page
            pdf.set_y(-32)
            pdf.set_font("DejaVu", "", 7)
            pdf.multi_cell(0, 4, text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("DejaVu", "", 11)
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)


def _write_columns(pdf, left: list[str], right: list[str], order: str) -> None:
    """Two columns, each wrapped to its width; `order` "interleaved" writes the lines row
    by row across both columns, "right-first" the whole right column before the left."""
    pdf.set_font("DejaVu", "", 11)
    gap, width = 10, (pdf.epw - 10) / 2
    columns = []
    for paragraphs in (left, right):
        lines: list[str] = []
        for paragraph in paragraphs:
            lines += pdf.multi_cell(width, 6, paragraph, dry_run=True, output="LINES")
            lines.append("")
        columns.append(lines)
    top, x_left, x_right = pdf.get_y(), pdf.l_margin, pdf.l_margin + width + gap
    cells = [
        (row, x, column[row])
        for row in range(max(map(len, columns)))
        for x, column in ((x_left, columns[0]), (x_right, columns[1]))
        if row < len(column) and column[row]
    ]
    if order == "right-first":
        cells.sort(key=lambda cell: (cell[1] == x_left, cell[0]))
    for row, x, line in cells:
        pdf.set_xy(x, top + 6 * row)
        pdf.cell(width, 6, line)
    pdf.set_xy(pdf.l_margin, top + 6 * max(map(len, columns)))


def make_book(
    path: Path,
    pages: list[Page] = BOOK,
    header: str = HEADER,
    footer: str = FOOTERS["бет"],
    column_order: str = "interleaved",
) -> Path:
    pdf = _font_pdf(header, footer, len(pages))
    pdf.set_auto_page_break(False)
    for page in pages:
        pdf.add_page()
        _write_items(pdf, page.items)
        if page.left or page.right:
            _write_columns(pdf, page.left, page.right, column_order)
    pdf.output(str(path))
    return path


_WORDS = (
    "қала ауыл дала өзен көл тау орман жол мектеп кітап халық мемлекет заң құқық "
    "жыл ай күн адам бала әйел еңбек жұмыс ақша сауда егін мал су жер ел тіл тарих "
    "мәдениет ғылым білім денсаулық аурухана дәрігер сот азамат сайлау үкімет"
).split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 16))]
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", "!"])


def make_long_pdf(path: Path, n_pages: int, seed: int = 0) -> Path:
    """About `n_pages` pages of running text (a heading every few pages) with a running
    header and an `N-бет` footer: the scaling benchmark's input."""
    rng = random.Random(seed)
    pdf = _font_pdf(HEADER, FOOTERS["бет"], n_pages)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    section = 0
    while True:
        heading = ""
        if rng.random() < 0.08:
            section += 1
            heading = f"{section}-бөлім. {_sentence(rng)[:-1]}"
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(2, 6)))
        pdf.set_font("DejaVu", "", 11)
        height = 6 * len(pdf.multi_cell(0, 6, paragraph, dry_run=True, output="LINES"))
        if pdf.page_no() == n_pages and pdf.get_y() + height + 12 > pdf.h - 20:
            break  # exactly n_pages pages
        if heading:
            pdf.set_font("DejaVu", "B", 14)
            pdf.multi_cell(0, 9, heading, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.output(str(path))
    return path
