"""Small Kazakh test documents in every format kazrag reads, made on the fly.

Each document is about one distinct topic, so a question about that topic has one right
source; QUESTIONS says which page (PDF) or section (Word) the answer is on.
"""

from __future__ import annotations

from pathlib import Path

# Debian package fonts-dejavu-core: a TrueType font with Kazakh Cyrillic for fpdf2.
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

PDF_PAGES = [
    (
        "Астана қаласы",
        "Астана қаласы 1997 жылы Қазақстанның астанасы болды. Қаланың халқы 2020 жылы бір "
        "миллионнан асты. Есіл өзені қаланы екі бөлікке бөліп ағады.",
    ),
    (
        "Алматы қаласы",
        "Алматы Қазақстанның ең үлкен қаласы болып табылады. Қаланың маңында Іле Алатауы "
        "таулары орналасқан. Медеу мұз айдыны теңіз деңгейінен 1691 метр биіктікте тұр.",
    ),
    (
        "Түркістан қаласы",
        "Түркістан қаласында Қожа Ахмет Ясауи кесенесі бар. Кесене 2003 жылы ЮНЕСКО-ның "
        "бүкіләлемдік мұра тізіміне енгізілді. Кесенені Әмір Темірдің бұйрығымен салған.",
    ),
]

DOCX_TITLE = "Қазақстанның ұлттық парктері"
DOCX_BODY = [  # (heading level or None for a paragraph, text)
    (1, "1-бөлім. Солтүстік"),
    (
        None,
        "Бурабай ұлттық паркі Ақмола облысында орналасқан. Паркте Оқжетпес жартасы "
        "мен Жұмбақтас тасы бар.",
    ),
    (2, "Көлдер"),
    (
        None,
        "Бурабай көлінің ауданы он шаршы шақырымға жуық. Көлдің ең терең жері шамамен отыз метр.",
    ),
    (1, "2-бөлім. Оңтүстік"),
    (None, "Ақсу-Жабағылы қорығы 1926 жылы құрылған. Ол Орталық Азиядағы ең көне қорық саналады."),
]
DOCX_TABLE = [("Атауы", "Құрылған жылы"), ("Ақсу-Жабағылы", "1926"), ("Алакөл", "1998")]

# CP1251 cannot write Kazakh letters (ә, ғ, қ…): CP1251 files hold Russian text.
CP1251_TEXT = (
    "Космодром Байконур\n\n"
    "Космодром Байконур расположен в Кызылординской области. Первый искусственный спутник "
    "Земли был запущен с Байконура 4 октября 1957 года. Юрий Гагарин полетел в космос "
    "с этого космодрома 12 апреля 1961 года.\n"
)

KZ1048_TEXT = (
    "Домбыра\n\n"
    "Домбыра қазақ халқының ұлттық музыкалық аспабы. Домбыраның екі ішегі бар, "
    "оның шанағы ағаштан жасалады. Құрманғазы домбыраға арнап көптеген күй шығарды.\n\n"
    "Қобыз\n\n"
    "Қобыз ежелгі ішекті аспап. Қорқыт ата қобыздың атасы саналады.\n"
)

UTF16_MD = (
    "# Қазақ тағамдары\n\n"
    "## Бешбармақ\n\n"
    "Бешбармақ жылқы немесе қой етінен жасалатын ұлттық тағам. Ол жұқа жайылған "
    "қамырмен бірге беріледі.\n\n"
    "## Қымыз\n\n"
    "Қымыз бие сүтінен ашытылып жасалатын сусын.\n"
)

# question -> (document, page or section path that must be cited)
QUESTIONS = {
    "Қожа Ахмет Ясауи кесенесі ЮНЕСКО тізіміне қай жылы енгізілді?": ("cities.pdf", 3),
    "Медеу мұз айдыны қандай биіктікте орналасқан?": ("cities.pdf", 2),
    "Ақсу-Жабағылы қорығы қай жылы құрылды?": ("parks.docx", "2-бөлім. Оңтүстік"),
    "Бурабай көлінің ең терең жері қанша метр?": ("parks.docx", "1-бөлім. Солтүстік › Көлдер"),
    "Когда с Байконура запустили первый искусственный спутник Земли?": (
        "baikonur.cp1251.txt",
        None,
    ),
    "Домбыраның неше ішегі бар?": ("dombyra.kz1048.txt", None),
    "Қымыз неден жасалады?": ("food.utf16.md", "Қазақ тағамдары › Қымыз"),
}


PDF_QUESTION = next(q for q, (doc, _) in QUESTIONS.items() if doc.endswith(".pdf"))
KOBYZ = (
    "Қылқобыз\n\nҚылқобыздың екі ішегі жылқының қылынан тағылады. Ықылас Дүкенұлы "
    "қылқобызда ойнаған атақты күйші болған.\n"
)


def make_pdf(path: Path, pages=PDF_PAGES, **encryption) -> Path:
    """A PDF with one topic per page (heading + paragraph) in DejaVu Sans."""
    from fpdf import FPDF

    if not FONT.exists():
        raise RuntimeError(f"{FONT} is missing: install the Debian package fonts-dejavu-core")
    pdf = FPDF()
    if encryption:
        pdf.set_encryption(**encryption)
    pdf.add_font("DejaVu", "", str(FONT))
    for heading, body in pages:
        pdf.add_page()
        pdf.set_font("DejaVu", size=16)
        pdf.cell(0, 10, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=12)
        pdf.multi_cell(0, 8, body)
    pdf.output(str(path))
    return path


def make_scanned_pdf(path: Path) -> Path:
    """A PDF whose page is only a picture, like a scan without OCR."""
    from fpdf import FPDF
    from PIL import Image

    picture = path.with_suffix(".png")
    Image.new("RGB", (400, 200), "white").save(picture)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(picture), x=10, y=10, w=150)
    pdf.output(str(path))
    picture.unlink()
    return path


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading(DOCX_TITLE, level=0)  # the Title style
    for level, text in DOCX_BODY:
        if level is None:
            document.add_paragraph(text)
        else:
            document.add_heading(text, level=level)
    table = document.add_table(rows=len(DOCX_TABLE), cols=2)
    for r, row in enumerate(DOCX_TABLE):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.save(str(path))
    return path


def make_corpus(folder: Path) -> Path:
    """All formats in one folder: the small corpus the ingestion tests index."""
    folder.mkdir(parents=True, exist_ok=True)
    make_pdf(folder / "cities.pdf")
    make_docx(folder / "parks.docx")
    (folder / "baikonur.cp1251.txt").write_bytes(CP1251_TEXT.encode("cp1251"))
    (folder / "dombyra.kz1048.txt").write_bytes(KZ1048_TEXT.encode("kz1048"))
    (folder / "food.utf16.md").write_bytes(UTF16_MD.encode("utf-16"))  # with a BOM
    return folder


# The commonest Markdown there is: `#`/`##` headings, one-line paragraphs, blank lines
NAURYZ = """# Наурыз мейрамы

Наурыз — көктемгі күн мен түннің теңелу мерекесі.

## Тарихы

Наурыз мейрамын қазақтар ежелден тойлаған. Кеңес заманында мерекеге тыйым салынды.

## Дастархан

Наурыз көже жеті түрлі дәмнен жасалады.
"""
