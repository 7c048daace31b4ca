"""Kazakh text handling: the one normalisation module.

Indexing, search, answer matching and evaluation all go through these functions, so a word
spelled with Latin look-alike letters in a PDF is found by its correct Cyrillic spelling, and a
question set's evidence is compared with passages exactly as the index sees them.

Two forms of every text exist:
- the *original* characters, which quotes always show (only line wraps are undone);
- the *folded* form (`match_key`, `keyword_tokens`), which is only ever used for matching.
"""

from __future__ import annotations

import re
import unicodedata

# The letters Kazakh Cyrillic has and Russian does not (upper and lower case).
KAZAKH_LETTERS = frozenset("ӘәҒғҚқҢңӨөҰұҮүҺһІі")

# Bump when any function here changes what it returns: indexes record it and are rebuilt.
NORMALISER_VERSION = "2"  # 2: match_key folds again after casefolding

# Latin letters that PDF extraction and careless typing put inside Cyrillic words, by case,
# and the Cyrillic letter they stand for. Lower-case `h` looks like Kazakh `һ`, upper-case `H`
# like `Н`; `i` is commonly typed for Kazakh `і`, `Y` for `Ү`.
_LATIN_TO_CYRILLIC = {
    "A": "А",
    "B": "В",
    "C": "С",
    "E": "Е",
    "H": "Н",
    "I": "І",
    "K": "К",
    "M": "М",
    "O": "О",
    "P": "Р",
    "T": "Т",
    "X": "Х",
    "Y": "Ү",
    "a": "а",
    "c": "с",
    "e": "е",
    "h": "һ",
    "i": "і",
    "o": "о",
    "p": "р",
    "x": "х",
    "y": "у",
}
_CYRILLIC_TO_LATIN = {
    "А": "A",
    "В": "B",
    "С": "C",
    "Е": "E",
    "Н": "H",
    "І": "I",
    "К": "K",
    "М": "M",
    "О": "O",
    "Р": "P",
    "Т": "T",
    "Х": "X",
    "а": "a",
    "с": "c",
    "е": "e",
    "і": "i",
    "о": "o",
    "р": "p",
    "х": "x",
    "у": "y",
}
_TO_CYRILLIC = str.maketrans(_LATIN_TO_CYRILLIC)
# In a word typed mostly in Latin letters, Kazakh's own Cyrillic letters (a phone's Kazakh
# keyboard gives `ә` where the Latin one has no `ä`: `tәuelsiz`) become the letters of the
# 2021 Latin alphabet, so the word is one Latin word that rag.translit can read
_KAZAKH_TO_LATIN = dict(zip("әғқңөұүһӘҒҚҢӨҰҮҺ", "äğqñöūühÄĞQÑÖŪÜH"))
_TO_LATIN = str.maketrans({**_CYRILLIC_TO_LATIN, **_KAZAKH_TO_LATIN})

_WORD = re.compile(r"[^\W\d_]+")
_HYPHEN_BREAK = re.compile(r"(?<=\w)-[ \t]*\r?\n\s*")
_WHITESPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+")


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff" or "\u0500" <= ch <= "\u052f"


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _fold_word(match: re.Match) -> str:
    word = match.group(0)
    cyrillic = sum(map(_is_cyrillic, word))
    latin = sum(map(_is_latin, word))
    if not cyrillic or not latin:
        return word
    # A mixed word takes the script most of its letters are in: a Kazakh word with a stray
    # Latin `о` becomes all-Cyrillic; an English word with a stray Cyrillic `а` all-Latin.
    if cyrillic >= latin:
        return word.translate(_TO_CYRILLIC)
    return word.translate(_TO_LATIN)


def fold_lookalikes(text: str) -> str:
    """Rewrite mixed-script words into one script. Keeps the length (one char for one)."""
    return _WORD.sub(_fold_word, text)


# Terminal control: escape sequences (CSI `ESC[2J`, OSC `ESC]0;title BEL`, DCS/APC strings,
# two-character escapes, their 8-bit C1 forms) and the other C0/C1 control characters. A
# document or question may hold them; a terminal would act on them (clear the screen, set
# the title, hide text).
_TERMINAL_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x90\x98\x9d-\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)


def strip_terminal_control(text: str) -> str:
    """`text` without terminal escape sequences and control characters; line ends, carriage
    returns and tabs are kept (what kazrag itself prints with)."""
    return _TERMINAL_CONTROL.sub("", text)


def clean_question(text: str) -> str:
    """A question as typed, without what typing never means: escape sequences, control and
    invisible format characters (zero-width spaces, bidi overrides, soft hyphens) are
    dropped, and any run of whitespace (tabs and newlines too) is one space."""
    text = strip_terminal_control(text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _WHITESPACE.sub(" ", text).strip()


_SHOUTED_SHARE = 0.9  # of the cased letters upper-case: caps lock, not an acronym or two
_SENTENCE_START = re.compile(r"(^|[.!?…]\s+)([^\w]*)(\w)")


def unshout(text: str) -> str:
    """A question typed with caps lock on (`СОТТАР ТӘУЕЛСІЗ БЕ?`) in sentence case (`Соттар
    тәуелсіз бе?`): the model reads upper-case words as other tokens and answers them worse
    (eval/README.md "Typing habits: caps lock"). One upper-case word, or an acronym
    among lower-case words (`ҰҚК қанша адамды ұстады?`), is left as typed."""
    cased = [ch for ch in text if ch.lower() != ch.upper()]
    if len([w for w in _WORD.findall(text) if len(w) > 1]) < 2:
        return text
    if sum(ch.isupper() for ch in cased) < _SHOUTED_SHARE * len(cased):
        return text
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2) + m.group(3).upper(), text.lower())


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def join_hyphen_breaks(text: str) -> str:
    """`іс-\\nшара` -> `іс-шара`: in Kazakh text a wrapped hyphen is a compound's hyphen."""
    return _HYPHEN_BREAK.sub("-", text)


def match_key(text: str) -> str:
    """The folded form two texts are compared in (evidence vs passage, quote vs source).

    Look-alikes are folded before casefolding (they depend on case: `H` is `Н`, `h` is
    `һ`) and again after it, with NFC: casefolding can leave a word mixed (`AAУ` -> `aaу`,
    `ß` -> `ss`) or decomposed, and the key of a key must be the key itself."""
    text = join_hyphen_breaks(nfc(text))
    text = fold_lookalikes(nfc(fold_lookalikes(text).casefold()))
    return _WHITESPACE.sub(" ", text).strip()


def keyword_tokens(text: str, prefix: int = 0) -> list[str]:
    """Folded, lower-cased word tokens for the keyword index and term overlap.

    Kazakh is agglutinative and no maintained stemmer covers it, so `prefix > 0` keeps only
    the first `prefix` letters of long words: suffix chains (`сот-тар-ы-на`) then share a key
    with their stem. Numbers are kept whole.
    """
    tokens = _TOKEN.findall(match_key(text))
    if prefix <= 0:
        return tokens
    return [t if t.isdigit() else t[:prefix] for t in tokens]


# ------------------------------------------------------------------------- sentences
# Tokens that end in a full stop without ending a sentence: initials (`Н. Назарбаев`),
# single letters of list items, and common Kazakh/Russian abbreviations.
_ABBREVIATIONS = {
    "ж",
    "жж",
    "т.б",
    "т.с.с",
    "б",
    "бб",
    "қ",
    "обл",
    "млн",
    "млрд",
    "мың",
    "ст",
    "тт",
    "г",
    "гг",
    "им",
    "т.е",
    "др",
    "см",
    "тел",
    "no",
    "nos",
    "mr",
    "dr",
    "vs",
    "etc",
    "art",
}
# a sentence's end mark, then closing quotes or brackets, or a note's mark (`хабарлады.[3]`)
_SENTENCE_END = re.compile(r"[.!?…]+(?:[»”\"')\]]|\[\d{1,4}\])*(?=\s+)")
_NEXT_CHAR = re.compile(r"\S")
_WORD_BEFORE_END = re.compile(r"(\w[\w.]*)[.!?…]+[»”\"')\]]*$")
_WORD_OR_END_CHAR = re.compile(r"[\w.!?…»”\"')\]]")


def _ends_sentence(text: str, end: int) -> bool:
    """Is the punctuation run ending at `end` (exclusive) a real sentence end?

    Looks only at the characters around `end`: the next non-space one, and the word run
    before it (scanning or slicing the text before `end` made splitting quadratic)."""
    nxt = _NEXT_CHAR.search(text, end)
    if nxt is None:
        return True
    first = nxt.group()
    # Kazakh sentences start upper-case, with a digit (`15 наурыз күні`) or a quote/dash.
    if not (first.isupper() or first.isdigit() or first in "«“\"'(–—-"):
        return False
    # the word before the punctuation can only start inside the run of word, dot and
    # closing characters that ends at `end`: search from there, as if the text ended there
    run = end
    while run > 0 and _WORD_OR_END_CHAR.match(text, run - 1):
        run -= 1
    match = _WORD_BEFORE_END.search(text, run, end)
    if match and text[end - 1] == ".":
        word = match.group(1).casefold()
        if word in _ABBREVIATIONS or _is_initials(word):
            return False
    return True


def _is_initials(word: str) -> bool:
    """`Н`, `Г.Д`, `А.Т`: single letters with full stops, a name's initials or a list letter."""
    return all(len(part) == 1 and part.isalpha() for part in word.split("."))


# A full stop inside «…» or (…) that closes soon after, with no other sentence end before the
# close, belongs to a name or a gloss: «Саяси қалам. Трибуна» газеті, Қарағай (лат. Pinus).
# Longer quotations of whole sentences still split (their close is far or after another end).
_CLOSERS = {"«": "»", "(": ")", "“": "”"}
_CLOSE_WITHIN = 40
_ANY_END = re.compile(r"[.!?…]")


def _closes_soon(text: str, end: int, open_marks: dict[str, int]) -> bool:
    """Whether a quote or bracket left open in the sentence so far closes within a few
    characters after `end` and before any further sentence-ending mark."""
    for opener, closer in _CLOSERS.items():
        if open_marks[opener] <= 0:
            continue
        close = text.find(closer, end, end + _CLOSE_WITHIN)
        if close >= 0 and not _ANY_END.search(text, end, close):
            return True
    return False


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence boundaries in an unwrapped paragraph, as `(start, end)` offsets."""
    spans: list[tuple[int, int]] = []
    start = 0
    # quotes and brackets opened and not yet closed in the current sentence, counted as the
    # scan moves on (never re-scanning the sentence: splitting stays linear)
    open_marks = dict.fromkeys(_CLOSERS, 0)
    scanned = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        stretch = text[scanned:end]
        for opener, closer in _CLOSERS.items():
            open_marks[opener] += stretch.count(opener) - stretch.count(closer)
        scanned = end
        if _ends_sentence(text, end) and not _closes_soon(text, end, open_marks):
            spans.append((start, end))
            open_marks = dict.fromkeys(_CLOSERS, 0)
            start = end
            while start < len(text) and text[start].isspace():
                start += 1
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans
