"""Kazakh typed in other letters: Latin Kazakh, and Kazakh typed with only Russian letters.

People ask kazrag questions in Kazakh written three ways besides the Cyrillic of the documents:

- in one of the official Latin alphabets (2017 with apostrophes, 2018 with acute accents,
  2021 with umlauts and cedillas), or in informal chat Latin (`kansha`, `zhumys`, `qazaq`);
- in Cyrillic without the nine Kazakh letters, as on a Russian phone keyboard
  (`жумыска` for `жұмысқа`, `канша` for `қанша`).

This module turns both back into Cyrillic Kazakh, tells them from English and Russian, and
folds spelling variants (`Ғабдуллин` / `Габдуллин`) onto one key. Everything here is a pure
function of its input, except `Vocabulary`, which is built once from a corpus's texts and
then only read.

Sections, top to bottom: the official tables (data), Cyrillic -> Latin, the skeleton fold,
the vocabulary, Latin -> Cyrillic, detection, and `normalise_question`.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable

from .keyboard_layout import (
    from_english_layout,
    kazakh_keys_in_words,
    to_english_layout,
    typed_words,
)
from .russian_latin import read_russian_latin
from .text import KAZAKH_LETTERS, fold_lookalikes, unshout

# ============================================================================ official tables
# One dict per alphabet: Cyrillic letter (lower case) -> Latin letter(s) (lower case).
#
# 2017: Decree of the President of the Republic of Kazakhstan No. 569 of 26 October 2017
#       "On the transition of the Kazakh alphabet from Cyrillic to the Latin script", annex:
#       32 letters, nine of them with an apostrophe (a' g' i' n' o' u' y' s' c').
# 2018: Decree No. 637 of 19 February 2018 amending Decree No. 569: acute accents
#       (á ǵ ń ó ú ý), the dotless ı for и/й, and the digraphs sh and ch.
# 2021: the revised alphabet presented by the Government on 28 January 2021 (a proposal, not
#       yet a decree): ä ğ ñ ö ū ü ş ç, with ı for і and dotted i for и/й.
# In all three, и and й share one letter and so do х and һ. The capital of 2018's ı and of
# its i is the same plain I; the capital of 2021's i is İ.

LATIN_2017 = {
    "а": "a",
    "ә": "a'",
    "б": "b",
    "в": "v",
    "г": "g",
    "ғ": "g'",
    "д": "d",
    "е": "e",
    "ж": "j",
    "з": "z",
    "и": "i'",
    "й": "i'",
    "к": "k",
    "қ": "q",
    "л": "l",
    "м": "m",
    "н": "n",
    "ң": "n'",
    "о": "o",
    "ө": "o'",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "y'",
    "ұ": "u",
    "ү": "u'",
    "ф": "f",
    "х": "h",
    "һ": "h",
    "ч": "c'",
    "ш": "s'",
    "ы": "y",
    "і": "i",
}
LATIN_2018 = {
    "а": "a",
    "ә": "á",
    "б": "b",
    "в": "v",
    "г": "g",
    "ғ": "ǵ",
    "д": "d",
    "е": "e",
    "ж": "j",
    "з": "z",
    "и": "ı",
    "й": "ı",
    "к": "k",
    "қ": "q",
    "л": "l",
    "м": "m",
    "н": "n",
    "ң": "ń",
    "о": "o",
    "ө": "ó",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "ý",
    "ұ": "u",
    "ү": "ú",
    "ф": "f",
    "х": "h",
    "һ": "h",
    "ч": "ch",
    "ш": "sh",
    "ы": "y",
    "і": "i",
}
LATIN_2021 = {
    "а": "a",
    "ә": "ä",
    "б": "b",
    "в": "v",
    "г": "g",
    "ғ": "ğ",
    "д": "d",
    "е": "e",
    "ж": "j",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "қ": "q",
    "л": "l",
    "м": "m",
    "н": "n",
    "ң": "ñ",
    "о": "o",
    "ө": "ö",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ұ": "ū",
    "ү": "ü",
    "ф": "f",
    "х": "h",
    "һ": "h",
    "ч": "ç",
    "ш": "ş",
    "ы": "y",
    "і": "ı",
}
# Letters the tables leave out (Russian loans). Not part of any decree: the spellings the
# 2018 orthography drafts and common practice use, so that a loan word round-trips when it can.
LOANS_2017 = {
    "ё": "i'o",
    "ц": "ts",
    "щ": "s's'",
    "ъ": "",
    "ь": "",
    "э": "e",
    "ю": "i'y'",
    "я": "i'a",
}
LOANS_2018 = {"ё": "ıo", "ц": "ts", "щ": "shsh", "ъ": "", "ь": "", "э": "e", "ю": "ıý", "я": "ıa"}
LOANS_2021 = {"ё": "io", "ц": "ts", "щ": "şş", "ъ": "", "ь": "", "э": "e", "ю": "iu", "я": "ia"}

# Two informal habits of chat Latin, for tests and measurements (lossy on purpose):
# "ascii" types only English letters (k for қ, zh, gh, sh); "ascii-q" is the habit closer to
# the decrees (q for қ, j for ж).
LATIN_ASCII = {
    "а": "a",
    "ә": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ғ": "g",
    "д": "d",
    "е": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "қ": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "ң": "n",
    "о": "o",
    "ө": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ұ": "u",
    "ү": "u",
    "ф": "f",
    "х": "h",
    "һ": "h",
    "ч": "ch",
    "ш": "sh",
    "ы": "y",
    "і": "i",
    "ё": "yo",
    "ц": "ts",
    "щ": "sch",
    "ъ": "",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}
LATIN_ASCII_Q = {**LATIN_ASCII, "ж": "j", "қ": "q", "ғ": "gh", "ң": "ng"}
# The Turkish-keyboard habit (diaspora, and many who write "2021" Latin): 2021's letters, but
# ı for ы, i for і and и, y for й.
LATIN_TURKISH = {
    **LATIN_2021,
    **LOANS_2021,
    "ы": "ı",
    "і": "i",
    "и": "i",
    "й": "y",
    "я": "ya",
    "ю": "yu",
    "ё": "yo",
}

_TABLES = {
    "2017": {**LATIN_2017, **LOANS_2017},
    "2018": {**LATIN_2018, **LOANS_2018},
    "2021": {**LATIN_2021, **LOANS_2021},
    "ascii": LATIN_ASCII,
    "ascii-q": LATIN_ASCII_Q,
    "turkish": LATIN_TURKISH,
}
VERSIONS = tuple(_TABLES)

# Latin letters no English word uses and each official alphabet has.
KAZAKH_LATIN_LETTERS = frozenset("áǵıńóúýäğñöūüşçÁǴŃÓÚÝÄĞÑÖŪÜŞÇİ")
_APOSTROPHES = "'’ʼ"

_CYR = re.compile(r"[\u0400-\u04ff\u0500-\u052f]")
_LETTERS = re.compile(r"[^\W\d_]+")


def _is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and ("a" <= ch.lower() <= "z" or "\u00c0" <= ch <= "\u024f")


# ============================================================================ Cyrillic -> Latin
def _upper(latin: str, version: str) -> str:
    # 2021's dotted i (и, й) has the capital İ; Python's upper() would give a plain I.
    if version in ("2021", "turkish"):
        return "".join("İ" if c == "i" else c.upper() for c in latin)
    return latin.upper()


def _word_to_latin(word: str, table: dict, version: str) -> str:
    letters = [c for c in word if c.isalpha()]
    shout = len(letters) > 1 and all(c.isupper() for c in letters)
    out = []
    for ch in word:
        low = ch.lower()
        if low not in table:
            out.append(ch)
            continue
        latin = table[low]
        if ch != low and latin:
            latin = _upper(latin, version) if shout else _upper(latin[0], version) + latin[1:]
        out.append(latin)
    return "".join(out)


def cyrillic_to_latin(text: str, version: str = "2018") -> str:
    """Cyrillic Kazakh in the Latin alphabet `version` ("2017", "2018", "2021", or one of the
    informal habits "ascii", "ascii-q", "turkish"). Non-Cyrillic characters are kept."""
    if version not in _TABLES:
        raise ValueError(f"unknown version {version!r}; one of {', '.join(VERSIONS)}")
    table = _TABLES[version]
    return _LETTERS.sub(
        lambda m: _word_to_latin(m.group(0), table, version),
        fold_lookalikes(unicodedata.normalize("NFC", text)),
    )


# ============================================================================ the skeleton fold
# What people type instead of each Kazakh letter on a Russian keyboard; ы and і also become
# и, because people type all three for one another.
_SKELETON = str.maketrans(
    {
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "ы": "и",
        "ё": "е",
    }
)


def _normal_word(word: str) -> str:
    """A word (or a text, word by word) as a vocabulary keeps it: NFC, look-alikes folded,
    case-folded, and folded again: case folding can leave a word mixed (rag.text.match_key)."""
    word = fold_lookalikes(unicodedata.normalize("NFC", word)).casefold()
    return fold_lookalikes(unicodedata.normalize("NFC", word))


def skeleton(word: str) -> str:
    """The lossy key two spellings of one Kazakh word share: lower case, with the Kazakh
    letters folded to the Russian letters typed for them (`Ғабдуллин` -> `габдуллин`)."""
    return skeleton_of_normal(_normal_word(word))


def skeleton_of_normal(word: str) -> str:
    """`skeleton` of a word already normalised (a `rag.text.match_key` token, a vocabulary
    word): the letter fold alone, for the keyword analyzer's every token."""
    return word.translate(_SKELETON)


def _kazakh_letter_count(word: str) -> int:
    return sum(c in KAZAKH_LETTERS for c in word)


# The Russian letter typed for each Kazakh one (ы is on Russian keyboards but is typed for і).
_STAND_INS = {
    "ә": "а",
    "ғ": "г",
    "қ": "к",
    "ң": "н",
    "ө": "о",
    "ұ": "у",
    "ү": "у",
    "һ": "х",
    "і": "иы",
    "ы": "и",
}


def _only_adds_letters(typed: str, restored: str) -> bool:
    """Does `restored` differ from `typed` only where a Russian letter stands for a Kazakh
    one? (So a Kazakh letter someone typed on purpose is never changed.)"""
    return len(typed) == len(restored) and all(
        t.lower() == r.lower() or t.lower() in _STAND_INS.get(r.lower(), "")
        for t, r in zip(typed, restored)
    )


def _case_like(word: str, model: str) -> str:
    """`word` (lower case) in the case pattern of `model`: UPPER, Title, or lower."""
    letters = [c for c in model if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return word.upper()
    if letters and letters[0].isupper():
        return word[:1].upper() + word[1:]
    return word


# ============================================================================ the vocabulary
QUESTION_WORDS = (
    "қанша",
    "қаншама",
    "қаншалықты",
    "қаншаға",
    "неше",
    "нешінші",
    "нешеу",
    "қай",
    "қайда",
    "қайдан",
    "қайсы",
    "қайсысы",
    "қандай",
    "қашан",
    "қалай",
    "кім",
    "кімге",
    "кімді",
    "кімнің",
    "кімнен",
    "неге",
    "неліктен",
    "нені",
    "неден",
    "үшін",
    "бойынша",
    "туралы",
    "және",
    "ма",
    "ме",
    "ба",
    "бе",
    "па",
    "пе",
    "жоқ",
    "бар",
)


def _best_per_key(counts: Iterable[tuple[str, int]], key: Callable[[str], str]) -> dict[str, str]:
    """The best word for each `key`: the most frequent; on a tie the one with more Kazakh
    letters (a Russian-letter spelling is the likelier typo), then alphabetical."""
    best: dict[str, tuple] = {}
    for word, count in counts:
        k = key(word)
        rank = (count, _kazakh_letter_count(word), word)
        if k not in best or rank > best[k]:
            best[k] = rank
    return {k: rank[2] for k, rank in best.items()}


class Vocabulary:
    """A corpus's words with their counts, and for each skeleton the word to restore.

    Build it once per index (`Vocabulary.from_texts`) from the texts the index searches
    (Cyrillic); store `to_dict()` (plain JSON) and load it with `from_dict`. Looking a word up
    is one skeleton and one dict access.
    """

    FORMAT = "kazrag-vocabulary/1"

    def __init__(self, counts: dict[str, int] | None = None, *, normalised: bool = False):
        """`counts`: word -> count. Words are brought to the form `from_texts` counts them in
        (NFC, look-alikes folded, case-folded) unless `normalised` says they are in it already
        (a stored vocabulary: loading it is then one pass, which every index reload pays)."""
        self.counts: dict[str, int] = {}
        self._best: dict[str, str] = {}
        for word, count in (counts or {}).items():
            if not normalised:
                word = _normal_word(word)
            self.counts[word] = self.counts.get(word, 0) + int(count)
        self._rebuild()

    @classmethod
    def from_texts(cls, texts: Iterable[str], question_words: bool = True) -> Vocabulary:
        """Count the words of `texts`. With `question_words`, Kazakh question words and
        particles (`QUESTION_WORDS`) are added once each: documents seldom ask `қанша?`, but
        the answer logic looks for it in the question."""
        counts: Counter = Counter()
        for text in texts:  # normalised whole (it works word by word): one pass per text
            counts.update(_LETTERS.findall(_normal_word(text)))
        if question_words:
            counts.update(QUESTION_WORDS)
        return cls(dict(counts), normalised=True)

    def _rebuild(self) -> None:
        self._best = _best_per_key(self.counts.items(), skeleton_of_normal)
        # the same for the words with a soft or hard sign, keyed without it: Latin letters
        # have none (a Russian loanword `судья` is typed `sudya`)
        self._best_signed = _best_per_key(
            ((w, c) for w, c in self.counts.items() if "ь" in w or "ъ" in w),
            lambda word: skeleton_of_normal(word).translate(_NO_SIGNS),
        )

    def most_common(self, n: int) -> Vocabulary:
        """The `n` most frequent words only (ties broken alphabetically, so the same corpus
        always keeps the same words): what an index records of a large corpus."""
        if len(self.counts) <= n:
            return self
        kept = sorted(self.counts.items(), key=lambda wc: (-wc[1], wc[0]))[:n]
        return Vocabulary(dict(kept), normalised=True)

    def __len__(self) -> int:
        return len(self.counts)

    def __contains__(self, word: str) -> bool:
        return word.casefold() in self.counts

    def count(self, word: str) -> int:
        return self.counts.get(word.casefold(), 0)

    def restore(self, word: str) -> str | None:
        """The corpus's most frequent word with `word`'s skeleton, in `word`'s case pattern
        (`Енбек` -> `Еңбек`), or None if the corpus has no such word."""
        found = self._best.get(skeleton(word))
        return None if found is None else _case_like(found, word)

    def restore_signed(self, word: str) -> str | None:
        """The corpus's most frequent word that is `word` with a soft or hard sign put back
        (`судя` -> `судья`, `обект` -> `объект`), in `word`'s case pattern; None if none is.
        For words read from Latin letters only, which have no letter for either sign: a
        word typed in Cyrillic without one is left as typed."""
        found = self._best_signed.get(skeleton(word))
        return None if found is None else _case_like(found, word)

    def restore_text(self, text: str, keep_known: bool = False) -> str:
        """`restore` applied to each Cyrillic word of `text`; punctuation, digits, spacing and
        case are kept, unknown words stay as typed. One-letter words and suffixes written
        after a number (`16-ын`) are left alone. With `keep_known`, words the corpus has as
        typed are kept too (for text that is mostly spelled correctly)."""
        return self._restore_text(text, keep_known, only_add=False)

    def _restore_text(self, text: str, keep_known: bool, only_add: bool) -> str:
        def one(match: re.Match) -> str:
            word = match.group(0)
            start = match.start()
            if len(word) < 2 or not _CYR.search(word):
                return word
            before = text[max(0, start - 2) : start]
            if before[-1:].isdigit() or (before[-1:] == "-" and before[:1].isdigit()):
                return word
            if keep_known and word in self:
                return word
            restored = self.restore(word)
            if restored is None or (only_add and not _only_adds_letters(word, restored)):
                return word
            return restored

        return _LETTERS.sub(one, text)

    def to_dict(self) -> dict:
        return {"format": self.FORMAT, "counts": dict(self.counts)}

    @classmethod
    def from_dict(cls, data: dict) -> Vocabulary:
        if data.get("format") != cls.FORMAT:
            raise ValueError(f"not a {cls.FORMAT} dict: format={data.get('format')!r}")
        return cls(data["counts"], normalised=True)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Vocabulary:
        return cls.from_dict(json.loads(text))


# ============================================================================ Latin -> Cyrillic
# A Latin word is read in two steps. First it is cut into *units*: a Latin letter or digraph
# with what it stands for, either a Cyrillic letter or, where the alphabet is ambiguous, a
# code in capitals resolved in the second step from the word's vowel harmony and the letters
# around it:
#   A а/ә   O о/ө   U у/ұ/ү   I і/ы/и/й   Y ы/й   G г/ғ   K к/қ   N н/ң   H х (or һ)
#   IJ и/й (official i' ı i)   CAPI 2018's capital I (І, or И/Й)   NG ң or нг
#   KH х or қ   TS тс or ц   C с (or ц, ч)   X х (or кс)
#   Turkish-keyboard habit: IE і/и   YJ й (я, ю)   UW у/ұ
_COMMON_UNITS = {
    "b": "б",
    "d": "д",
    "e": "е",
    "f": "ф",
    "j": "ж",
    "l": "л",
    "m": "м",
    "p": "п",
    "q": "қ",
    "r": "р",
    "s": "с",
    "t": "т",
    "v": "в",
    "z": "з",
    "h": "H",
    # tolerated in every version: letters and digraphs of the other habits
    "w": "у",
    "x": "X",
    "c": "C",
    "sh": "ш",
    "ch": "ч",
    "zh": "ж",
    "ts": "TS",
    "tsh": "тш",  # уақытша, жұртшылық: т + ш, not ц + х
    # the unambiguous letters of the other official alphabets
    "á": "ә",
    "ä": "ә",
    "ǵ": "ғ",
    "ğ": "ғ",
    "ń": "ң",
    "ñ": "ң",
    "ó": "ө",
    "ö": "ө",
    "ú": "ү",
    "ü": "ү",
    "ū": "ұ",
    "ý": "у",
    "ş": "ш",
    "ç": "ч",
}
_UNITS = {
    "2017": {
        **_COMMON_UNITS,
        "a": "а",
        "a'": "ә",
        "g": "г",
        "g'": "ғ",
        "i": "і",
        "i'": "IJ",
        "k": "к",
        "n": "н",
        "n'": "ң",
        "o": "о",
        "o'": "ө",
        "u": "ұ",
        "u'": "ү",
        "y": "ы",
        "y'": "у",
        "s'": "ш",
        "c'": "ч",
        "s's'": "щ",
        "ts'": "тш",
    },
    "2018": {
        **_COMMON_UNITS,
        "a": "а",
        "á": "ә",
        "g": "г",
        "ǵ": "ғ",
        "i": "і",
        "ı": "IJ",
        "\x00": "CAPI",
        "k": "к",
        "n": "н",
        "ń": "ң",
        "o": "о",
        "ó": "ө",
        "u": "ұ",
        "ú": "ү",
        "y": "ы",
        "ý": "у",
        "shsh": "щ",
    },
    "2021": {
        **_COMMON_UNITS,
        "a": "а",
        "ä": "ә",
        "g": "г",
        "ğ": "ғ",
        "ı": "і",
        "i": "IJ",
        "k": "к",
        "n": "н",
        "ñ": "ң",
        "o": "о",
        "ö": "ө",
        "u": "у",
        "ū": "ұ",
        "ü": "ү",
        "y": "ы",
        "ş": "ш",
        "ç": "ч",
        "şş": "щ",
    },
    "ascii": {
        **_COMMON_UNITS,
        "a": "A",
        "g": "G",
        "i": "I",
        "ı": "I",
        "k": "K",
        "n": "N",
        "o": "O",
        "u": "U",
        "y": "Y",
        "gh": "ғ",
        "kh": "KH",
        "ng": "NG",
        "sch": "щ",
        "shch": "щ",
        "ya": "я",
        "yu": "ю",
        "yo": "ё",
        # apostrophe habits (2017 and older chat), and stray official letters
        "a'": "ә",
        "g'": "ғ",
        "k'": "қ",
        "n'": "ң",
        "o'": "ө",
        "u'": "ү",
        "y'": "у",
        "i'": "IJ",
        "s'": "ш",
        "c'": "ч",
        "ts'": "тш",
    },
    "turkish": {
        **_COMMON_UNITS,
        "a": "а",
        "g": "г",
        "ı": "ы",
        "i": "IE",
        "y": "YJ",
        "k": "к",
        "n": "н",
        "o": "о",
        "u": "UW",
        "şş": "щ",
    },
}
_MAX_UNIT = 4
_VOWELS = frozenset("аәеоөұүуыіиэюяё")
_FRONT, _BACK = frozenset("әөүіе"), frozenset("қғыұ")
# Evidence of front (+) or back (-) harmony from the ambiguous units (informal Latin).
_HARMONY = {"A": -0.4, "O": -0.3, "U": -0.1, "I": 0.5, "Y": -0.8, "IE": 0.5, "UW": -0.1}
_RAW_VOWELS = frozenset({"A", "O", "U", "I", "Y", "IJ", "CAPI", "IE", "UW"}) | _VOWELS
# Letters of Russian loans: a word with one does not follow vowel harmony (кафе, компания)
_LOAN_MARKERS = frozenset({"ф", "в", "TS", "ч", "щ", "ю", "ё", "X", "C"})

# A URL, an e-mail or a file name is left alone, and so is any token with a digit in it.
_NOT_A_WORD = re.compile(
    r"(?:://|@|^www\.|\.(?:kz|com|org|net|ru|gov|int|edu|io|info|uk)\b|/)", re.I
)
_LATIN_TOKEN = re.compile(r"[\w'’ʼ]+")


def _lower_latin(ch: str, version: str) -> str:
    if ch == "İ":
        return "i"
    if ch == "I":
        return {"2021": "ı", "turkish": "ı", "2018": "\x00"}.get(version, "i")
    if ch in "’ʼ":
        return "'"
    return ch.lower()


def _units(word: str, version: str) -> list[tuple[str, bool]] | None:
    """Cut a Latin word into (code, is_upper) units; None if a character is not readable."""
    table = _UNITS[version]
    low = "".join(_lower_latin(c, version) for c in word)
    units, i = [], 0
    while i < len(low):
        for size in range(_MAX_UNIT, 0, -1):
            piece = low[i : i + size]
            if piece in table:
                units.append((table[piece], word[i].isupper()))
                i += size
                break
        else:
            if low[i] == "'":  # an apostrophe no letter takes: kept
                units.append(("'", False))
                i += 1
                continue
            return None
    return units


class _Habit:
    """What the whole text shows about how it was typed (informal Latin only): whoever types
    q for қ types k only for к, and likewise for ғ, ң, ә, ө, ү."""

    def __init__(self, text: str):
        low = text.lower()
        self.q = "q" in low or "k'" in low
        self.gh = bool(re.search(r"gh|g'|ğ|ǵ", low))
        self.ng = bool(re.search(r"ng\b|ng(?=[^aeiouy])|n'|ñ|ń", low))
        self.a = bool(re.search(r"[äá]|a'", low))
        self.o = bool(re.search(r"[öó]|o'", low))
        self.u = bool(re.search(r"[üú]|u'", low))


def _harmony(codes: list[str], habit: _Habit | None) -> bool:
    """True for a front-vowel word."""
    score = 0.0
    for i, code in enumerate(codes):
        after_vowel = (
            i > 0
            and codes[i - 1] in _RAW_VOWELS
            and codes[i - 1] not in ("I", "Y", "IJ", "U", "у", "и")
        )
        if code in _FRONT:
            score += 1.5 if code != "е" else 1.0
        elif code in _BACK:
            score -= 1.5
        elif code in ("а", "о"):  # an alphabet that has ә and ө wrote these
            score -= 1.0
        elif code in ("I", "Y") and after_vowel:
            continue  # a й
        elif code in _HARMONY:
            score += _HARMONY[code]
        elif habit is not None and code == "K" and habit.q:
            score += 1.0
        elif habit is not None and code == "G" and habit.gh:
            score += 1.0
    return score > 0


def _resolve(units: list[tuple[str, bool]], version: str, habit: _Habit | None) -> list[list[str]]:
    """Each unit's Cyrillic readings, best first (a reading may be '' or two letters)."""
    codes = [u[0] for u in units]
    front = _harmony(codes, habit)
    out: list[list[str]] = []
    n = len(codes)
    # a Russian loan (a loan letter, or two consonants at the start) keeps а, о, у, к, г
    loan = habit is not None and (
        bool(_LOAN_MARKERS & set(codes))
        or (n > 2 and codes[0] not in _RAW_VOWELS and codes[1] not in _RAW_VOWELS | {"'"})
    )

    def prev_vowel(i: int) -> bool:
        return i > 0 and bool(out[i - 1]) and out[i - 1][0][-1:] in _VOWELS

    def next_code(i: int) -> str:
        return codes[i + 1] if i + 1 < n else ""

    def is_vowel_code(code: str) -> bool:
        return code in _RAW_VOWELS

    for i, code in enumerate(codes):
        nxt = next_code(i)
        if code == "A":
            out.append(
                ["а"] if habit and habit.a else (["ә", "а"] if front and not loan else ["а", "ә"])
            )
        elif code == "O":
            out.append(
                ["о"] if habit and habit.o else (["ө", "о"] if front and not loan else ["о", "ө"])
            )
        elif code == "G":
            out.append(
                ["г"] if habit and habit.gh else (["г", "ғ"] if front or loan else ["ғ", "г"])
            )
        elif code == "K":
            out.append(
                ["к"] if habit and habit.q else (["к", "қ"] if front or loan else ["қ", "к"])
            )
        elif code == "N":
            # the genitive ending -ның/-нің/-дың/-тың is a word's last letters
            genitive = (
                i == n - 1
                and i >= 2
                and codes[i - 1] in ("I", "Y", "ы", "і")
                and codes[i - 2] in ("N", "н", "д", "т")
            )
            out.append(["ң", "н"] if genitive and not (habit and habit.ng) else ["н", "ң"])
        elif code == "NG":
            out.append(["нг", "ң"] if is_vowel_code(nxt) else ["ң", "нг"])
        elif code == "U":
            # u before i/y: үй, ұйым at the start of a word; elsewhere уы (сайлауы, суы)
            y_next = i == 0 and nxt in ("I", "Y")
            if prev_vowel(i) or (is_vowel_code(nxt) and not y_next) or (i == n - 1 and i > 0):
                out.append(["у"])
            elif loan:
                out.append(["у", "ү" if front else "ұ"])
            else:
                vowel = "ү" if front else "ұ"
                if habit and habit.u:
                    vowel = "ұ"
                out.append([vowel, "у"])
        elif code == "UW":  # Turkish habit: ü is ү, so u is у, or ұ between consonants
            semivowel = prev_vowel(i) or is_vowel_code(nxt) or i == n - 1
            out.append(["у"] if semivowel else (["у", "ұ"] if front else ["ұ", "у"]))
        elif code == "IE":  # Turkish habit: ı is ы, y is й, so i is і or и
            out.append(["і", "и"] if front and not is_vowel_code(nxt) else ["и", "і"])
        elif code == "YJ":
            out.append(["й"])
        elif code in ("I", "Y", "IJ", "CAPI"):
            prev = out[i - 1][0] if i else ""
            # not after и (тиіс, киім), nor after у, which is then a semivowel (дауыс, суы)
            after_vowel = prev_vowel(i) and prev[-1:] not in ("и", "у")
            if code == "CAPI" and front:
                out.append(["і", "и"])
            elif after_vowel:
                out.append(
                    ["й", "и"] if code in ("IJ", "CAPI") else ["й", "ы" if code == "Y" else "і"]
                )
            elif code in ("IJ", "CAPI"):
                out.append(["и", "й"])
            elif code == "Y":
                out.append(["ы", "й"])
            elif is_vowel_code(nxt):
                out.append(["и", "й"])
            else:
                out.append(["і" if front else "ы", "и"])
        elif code == "е" and i == 0:
            out.append(["е", "э"])  # loans begin with э: экономика, этникалық
        elif code == "H":
            out.append(["х"])
        elif code == "KH":
            out.append(["х", "қ"])
        elif code == "TS":
            # loans have ц (процесс, полиция, принцип); тс is a verb's т + -са (айтса)
            out.append(["тс", "ц"] if i and out[i - 1][0] == "й" else ["ц", "тс"])
        elif code == "C":
            out.append(["с", "ц", "ч"])
        elif code == "X":
            out.append(["х", "кс"])
        else:
            out.append([code])
    # я, ю: и/й followed by а or у, at the start of a word or after a vowel; ю also after a
    # consonant (бюро): Kazakh spells и + у as ю there too
    for i in range(n - 1):
        if (
            codes[i] not in ("IJ", "I", "Y", "YJ")
            or out[i][0] not in ("и", "й")
            or not out[i + 1][0]
        ):
            continue
        start_or_vowel = i == 0 or prev_vowel(i) or codes[i] == "YJ"
        if out[i + 1][0] in ("а", "ә") and start_or_vowel:
            out[i], out[i + 1] = ["я", out[i][0] + out[i + 1][0]], [""]
        elif out[i + 1][0] in ("а", "ә") and codes[i] == "IJ":
            # полиция typed polıtsıa, судья sýdıa: the corpus may know a reading with я
            out[i], out[i + 1] = ["и" + out[i + 1][0], "ия", "ья", "я"], [""]
        elif out[i + 1][0] == "у" and (start_or_vowel or codes[i] == "IJ"):
            out[i], out[i + 1] = ["ю", out[i][0] + "у"], [""]
    return out


def _apply_case(readings: list[str], units: list[tuple[str, bool]], shout: bool) -> str:
    if shout:
        return "".join(readings).upper()
    return "".join(r[:1].upper() + r[1:] if up else r for r, (_, up) in zip(readings, units))


_MAX_CANDIDATES = 32
# In an acronym each letter is read alone, without harmony: every reading counts.
_ACRONYM_READINGS = {
    "A": ["а", "ә"],
    "O": ["о", "ө"],
    "U": ["у", "ұ", "ү"],
    "I": ["и", "і", "ы"],
    "Y": ["ы", "й"],
    "K": ["к", "қ"],
    "G": ["г", "ғ"],
    "N": ["н", "ң"],
    "IJ": ["и", "й"],
    "CAPI": ["і", "и"],
    "IE": ["і", "и"],
    "UW": ["у", "ұ"],
}


def _convert_word(word: str, version: str, habit: _Habit | None, vocabulary) -> str:
    letters = [c for c in word if c.isalpha()]
    shout = len(letters) > 1 and all(c.isupper() for c in letters)
    acronym = (
        shout
        and len(letters) <= 5
        and "Q" not in word
        and not any(c in KAZAKH_LATIN_LETTERS for c in word)
    )
    # a 2017 word in quotes: 'Nur Otan' -- the closing apostrophe is not a letter's
    core, tail = word, ""
    if word[-1:] in _APOSTROPHES and (len(word) < 2 or word[-2] not in "aAgGnNoOuUyYiIsScCkK"):
        core, tail = word[:-1], word[-1]
    units = _units(core, version)
    if units is None:
        return word
    choices = _resolve(units, version, habit)
    best = _apply_case([c[0] for c in choices], units, shout)
    candidates = [
        _apply_case(list(c), units, shout)
        for c in itertools.islice(itertools.product(*choices), _MAX_CANDIDATES)
    ]
    if acronym:  # PRI, NGO stay Latin unless the corpus has a Cyrillic reading (UEU: ҮЕҰ);
        # one with a Q is Kazakh (AQSH, UQK)
        if vocabulary is None:
            return word
        letters_read = [_ACRONYM_READINGS.get(code, c) for (code, _), c in zip(units, choices)]
        for reading in itertools.islice(itertools.product(*letters_read), 64):
            if "".join(reading).upper() in vocabulary:
                return "".join(reading).upper() + tail
        return word
    if vocabulary is None:
        return best + tail
    if word.casefold() in vocabulary.counts:  # a Latin word the corpus itself has (Facebook)
        restored = vocabulary.restore(best)
        if restored is None or vocabulary.count(restored) <= vocabulary.count(word):
            return word
    for candidate in candidates:  # a reading the corpus has exactly
        if candidate in vocabulary:
            return candidate + tail
    # a reading whose skeleton the corpus has; failing that, a loanword the corpus writes
    # with ь or ъ (`sudya`). The signs are left out of the check: a skeleton match has them
    # where the reading has them, a signed one only in the corpus's word.
    for lookup in (vocabulary.restore, vocabulary.restore_signed):
        for candidate in candidates:
            restored = lookup(candidate)
            if restored is None:
                continue
            if version in ("ascii", "turkish") or _h_fold(restored.translate(_NO_SIGNS)) == _h_fold(
                candidate.translate(_NO_SIGNS)
            ):
                return restored + tail
    return best + tail


_NO_SIGNS = str.maketrans({"ь": None, "ъ": None, "Ь": None, "Ъ": None})
_OFFICIAL_FOLD = str.maketrans({"һ": "х", "і": "и", "й": "и"})


def _h_fold(word: str) -> str:
    # What the corpus may change in a word typed in an official alphabet: х/һ, which they
    # spell alike, and і/и/й, whose dotted and dotless i people type for each other.
    return word.casefold().translate(_OFFICIAL_FOLD)


def latin_version(text: str) -> str:
    """Which Latin habit `text` is typed in: "2017", "2018", "2021", "turkish" (2021's letters
    with ı for ы, i for і/и, y for й), or "ascii" (informal chat Latin)."""
    low = unicodedata.normalize("NFC", text).lower()
    acute = 2 * sum(low.count(c) for c in "áǵńóúý")
    umlaut = 2 * sum(low.count(c) for c in "äğñöūüşç") + 2 * text.count("İ")
    apostrophe = 2 * len(re.findall(r"[aginouysc]['’ʼ](?![st]\b|re\b|ve\b|ll\b|d\b|m\b)", low))
    informal = len(re.findall(r"zh|gh|kh|w|x", low))
    # The dotted and dotless i tell the rest. 2018: ı is и/й (next to vowels: saılaý, paıyz),
    # i is і, y is ы. 2021: ı is і (front words only: bır, kım), i is и/й (sailaidy).
    # Turkish habit: ı is ы (back words: jıl, sıbaylas), y is й (ayında, boyınşa).
    words = re.findall(r"[^\W\d_]+", low)
    back = [w for w in words if re.search(r"[aouū]", w)]
    scores = {
        "2018": 2 * len(re.findall(r"[aeoóuúyý]ı|ı[aeoóuúyý]", low))
        + len(re.findall(r"[^\Waeiouyıáóúýäöüū]y[^\Waeiouyıáóúýäöüū]", low))
        + sum(("i" in w) + w.endswith("i") for w in words if w not in back),
        "2021": sum(1.5 * ("ı" in w) + w.endswith("ı") for w in words if w not in back)
        + len(re.findall(r"[aeoäöuū]i(?![aeiouıäöüū])", low)),
        "turkish": 1.5 * sum("ı" in w for w in back)
        + len(re.findall(r"[aeoäöüuū]y(?![aeiouıäöüū])", low)),
    }
    if "ı" not in low and "i̇" not in low and not umlaut:
        scores["2021"] = scores["turkish"] = 0
    if apostrophe and apostrophe >= max(acute, umlaut):
        return "2017"
    if acute and acute >= umlaut:
        return "2018" if informal <= acute else "ascii"
    if umlaut:
        if informal > umlaut:
            return "ascii"
        return "turkish" if scores["turkish"] > scores["2021"] else "2021"
    if "ı" in low:
        return max(scores, key=lambda v: (scores[v], v == "2018"))
    return "ascii"


def latin_to_cyrillic_spans(
    text: str, version: str | None = None, vocabulary: Vocabulary | None = None
) -> list[tuple[int, int, str]]:
    """The Latin words of `text` as `(start, end, cyrillic)` replacements, in order, so a
    caller can map offsets between a Latin document and its Cyrillic form."""
    text = unicodedata.normalize("NFC", text)
    version = version or latin_version(text)
    if version not in _UNITS:
        raise ValueError(f"unknown version {version!r}; one of {', '.join(_UNITS)}")
    habit = _Habit(text) if version == "ascii" else None
    spans = []
    for chunk in re.finditer(r"\S+", text):
        if _NOT_A_WORD.search(chunk.group(0)):
            continue
        for token in _LATIN_TOKEN.finditer(chunk.group(0)):
            word = (
                token.group(0).strip("'’ʼ_")
                if token.group(0)[:1] in _APOSTROPHES
                else token.group(0)
            )
            if not word or any(c.isdigit() or c == "_" for c in word):
                continue
            if not all(_is_latin_letter(c) or c in _APOSTROPHES for c in word):
                continue
            start = chunk.start() + token.start() + token.group(0).index(word)
            converted = _convert_word(word, version, habit, vocabulary)
            if converted != word:
                spans.append((start, start + len(word), converted))
    return spans


def latin_to_cyrillic(
    text: str, version: str | None = None, vocabulary: Vocabulary | None = None
) -> str:
    """Latin Kazakh -> Cyrillic Kazakh.

    `version` is "2017", "2018", "2021", "turkish" or "ascii" (informal chat Latin); by default it is
    read from the text (`latin_version`). Where a letter is ambiguous the word's vowel
    harmony and the letters around it decide; a `vocabulary` (the corpus's words) overrides
    that guess when the corpus has a reading of the word. URLs, e-mail addresses, tokens with
    digits and acronyms in capitals are left alone, and so is every non-Latin character."""
    text = unicodedata.normalize("NFC", text)
    out, last = [], 0
    for start, end, cyrillic in latin_to_cyrillic_spans(text, version, vocabulary):
        out += [text[last:start], cyrillic]
        last = end
    out.append(text[last:])
    return "".join(out)


# ============================================================================ detection
# Frequent Kazakh words of questions and of running text. Their Latin forms (every alphabet and
# habit) and their skeletons (Russian letters) are derived from this one list.
KAZAKH_CUE_WORDS = (
    "қанша",
    "қаншалықты",
    "қаншаға",
    "неше",
    "нешінші",
    "қай",
    "қайда",
    "қайдан",
    "қайсы",
    "қандай",
    "қашан",
    "қалай",
    "кім",
    "кімге",
    "кімді",
    "кімнің",
    "неге",
    "неліктен",
    "нені",
    "үшін",
    "бойынша",
    "туралы",
    "және",
    "мен",
    "бен",
    "пен",
    "ма",
    "ме",
    "ба",
    "бе",
    "па",
    "пе",
    "жоқ",
    "жыл",
    "жылы",
    "жылғы",
    "жылдың",
    "жылға",
    "деген",
    "болды",
    "болып",
    "болады",
    "болған",
    "бола",
    "бұл",
    "осы",
    "сол",
    "еді",
    "емес",
    "ғана",
    "дейін",
    "кейін",
    "арқылы",
    "сияқты",
    "қатысты",
    "жөнінде",
    "жөніндегі",
    "бірақ",
    "немесе",
    "сайын",
    "тиіс",
    "керек",
    "мүмкін",
    "берілді",
    "алды",
    "берді",
    "қазақстан",
    "қазақстанда",
    "қазақстандағы",
    "елде",
    "пайыз",
    "пайызы",
    "саны",
    "бір",
    "екі",
    "ең",
    "деп",
    "деді",
    "кезде",
    "кезінде",
    "тағы",
    "барлық",
    "қазір",
    "бұрын",
    "соттың",
    "заң",
    "заңы",
    "құқықтары",
    "адамдар",
    "адамның",
    "жұмыс",
    "жұмысқа",
    "ақша",
    "күн",
    "ай",
    "сот",
)
# The particles ma/me/ba/be/pa/pe count only as a question's last word; these Latin or
# skeleton forms are English or Russian words too and never count.
_KAZAKH_PARTICLES = frozenset({"ма", "ме", "ба", "бе", "па", "пе"})
_LATIN_CLASHES = frozenset(
    {
        "men",
        "me",
        "be",
        "bar",
        "on",
        "ten",
        "ai",
        "ay",
        "adam",
        "sol",
        "de",
        "da",
        "ta",
        "te",
        "ala",
        "bir",
        "us",
        "en",
        "ar",
        "son",
        "kop",
        "bola",
        "osy",
        "sot",
        "zan",
        "kun",
        "kezde",
        "tagy",
    }
)
_SKELETON_CLASHES = frozenset(
    {"бар", "адам", "сон", "коп", "ким", "сани", "осы", "сол", "ай", "сот", "бола", "мен", "бир"}
)

ENGLISH_WORDS = frozenset(
    """
the of and to in is was were are what which who whom whose when where why how many much did
does do a an for on by with from that this these those has have had be been it its as at or
not can could would should will there their they he she his her percent about according
under after before than into any all some more most per year years people did
""".split()
)
# Turkish and German write letters of the 2021 Kazakh alphabet too (ş ç ğ ı ö ü ä) but never q;
# these of their function words are no Kazakh word in any Latin spelling, with or without
# diacritics (tests/rag/test_translit.py checks the bundled report in every alphabet).
_FOREIGN_LATIN_WORDS = frozenset(
    """
kaç kac kaçta yüzde yuzde için icin nedir hangi hangisi nerede nereye nereden nasıl nasil niçin
nicin niye değil degil mı mu mü ve veya gibi kadar sonra önce olarak tarafından tarafindan
yılında yilinda yıl yılı var yok çok daha şey
wie viele wieviel wieviele für fur über uber und das dem des ist sind wurde wurden wird von zu
mit auf nicht eine einer wer wann warum welche welcher welches haben gibt
""".split()
)


RUSSIAN_WORDS = frozenset(
    """
и в во на что как какой какая какие каком какую каких сколько когда кто где почему зачем ли
по за о об обо от для был была были было это эти этот эта году годы года лет чем ещё еще с
со к ко у из до при после также его её ее их он она они оно который которая которые которых
является являются будет есть или а но ни же бы только уже всего всех все том этом этого
против между через более менее чтобы можно нужно должна должен должны год под над без перед
раз себя свой своих своей какого каким чего кому чему
""".split()
)


def _latin_forms(words: Iterable[str]) -> frozenset[str]:
    forms = set()
    for word in words:
        for version in VERSIONS:
            forms.add(cyrillic_to_latin(word, version).casefold())
        for pattern in (LATIN_ASCII, LATIN_ASCII_Q):  # chat variants: q/k, zh/j, y/i
            for y_for_ы, i_for_й in itertools.product("yi", "iy"):
                table = {**pattern, "ы": y_for_ы, "й": i_for_й}
                forms.add("".join(table.get(c, c) for c in word))
    return frozenset(forms)


_LATIN_CUES = (
    _latin_forms(w for w in KAZAKH_CUE_WORDS if w not in _KAZAKH_PARTICLES) - _LATIN_CLASHES
)
_LATIN_PARTICLES = _latin_forms(_KAZAKH_PARTICLES)
_SKELETON_CUES = (
    frozenset(skeleton(w) for w in KAZAKH_CUE_WORDS if w not in _KAZAKH_PARTICLES)
    - _SKELETON_CLASHES
    - {skeleton(w) for w in RUSSIAN_WORDS}
)
_SKELETON_PARTICLES = frozenset(_KAZAKH_PARTICLES)

# Kazakh suffix chains and letter patterns in chat or official Latin, with their weights
_KAZAKH_LATIN_PATTERNS = (
    (re.compile(r"(?:d|t|nd|nt)(?:ag|agh|aǵ|ağ)(?:y|ı)$|(?:d|t|nd)eg(?:i|ı)$"), 1.0),  # -дағы/-дегі
    (
        re.compile(
            r"(?:l|d|t)(?:a|e)r(?:y|i|ı|dy|di|ga|ge|ǵa|ğa|da|de|dan|den|dyn|din|dyń|diń"
            r"|dyñ|dıñ|ymen|imen|yna|ine|ynda|inde)$"
        ),
        0.8,
    ),  # plural + case
    (re.compile(r"(?:l|d|t)(?:a|e)r$"), 0.5),  # plural alone: соттар, балалар
    (re.compile(r"s(?:y|i|ı)z$"), 0.8),  # -сыз/-сіз: тәуелсіз, жұмыссыз
    (re.compile(r"[bcdfghjklmnpqrstvxz](?:a|e)u$"), 0.6),  # -у nouns: сайлау, тергеу
    (re.compile(r"(?:[lrny]d|tt)(?:y|i|ı)$"), 0.4),  # past tense: алды, берді, өтті
    (re.compile(r"[yıi]nd[ae]$"), 0.6),  # -ында/-інде
    (re.compile(r"(?:n|d|t)(?:y|i|ı)(?:n|ń|ñ|ng)$"), 0.5),  # -ның/-дың
    (re.compile(r"(?:lyq|lik|dyq|tyq|lyk|dyk|tyk)$"), 0.6),  # -лық/-лік
    (re.compile(r"(?<![aeiou])yp$"), 0.6),  # -ып
    (re.compile(r"[bcdfghjklmnpqrstvxzǵ](?:u|ý)$"), 0.5),  # -у (алу, беру)
    (re.compile(r"q(?!u)"), 0.6),  # q without u
    (re.compile(r"zh"), 0.5),
    (re.compile(r"(?<!i)(?<!ou)(?<!au)(?<!ei)gh"), 0.4),
    (re.compile(r"[bcdfgjklmnpqrstvxz]y[bcdfgjklmnpqrstvxz]"), 0.3),  # ы between consonants
)
_ENGLISH_ENDINGS = re.compile(r"(?:tion|sion|ment|ness|ity|ous|ful|ship|ght|ing|ed|ly)$")
_LATIN_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*['’ʼ]?")


def _latin_words(text: str) -> tuple[list[str], int]:
    """(the Latin-script words, how many Cyrillic words)."""
    latin, cyrillic = [], 0
    for w in _LATIN_WORD.findall(fold_lookalikes(unicodedata.normalize("NFC", text))):
        if _CYR.search(w):
            cyrillic += 1
        elif all(_is_latin_letter(c) or c in _APOSTROPHES for c in w):
            latin.append(w)
    return latin, cyrillic


def _latin_evidence(text: str) -> tuple[float, float]:
    """(Kazakh evidence, English evidence) from the Latin words of `text`. A word with a
    letter no Kazakh alphabet has (é, ß, ł, ï …: French, German, Polish) counts against
    Kazakh as an English word does."""
    words, _ = _latin_words(text)
    kazakh = english = 0.0
    last = len(words) - 1
    for i, word in enumerate(words):
        low = word.casefold().replace("’", "'").replace("ʼ", "'")
        if i == last and i > 0 and low in _LATIN_PARTICLES:
            # a yes/no particle closing the question (`... tauelsiz be?`), even where it
            # spells an English word: English ends no question with `be` or `me` alone
            kazakh += 0.8
            continue
        if low in ENGLISH_WORDS or any(
            not c.isascii() and c not in KAZAKH_LATIN_LETTERS for c in word
        ):
            english += 1.0
            continue
        if any(c in KAZAKH_LATIN_LETTERS for c in word):
            kazakh += 1.2
        elif re.search(r"[aginouyscAGINOUYSC]'(?=[a-z]|$)", low) and not re.search(
            r"'(?:s|t|re|ve|ll|d|m)$", low
        ):
            kazakh += 1.0
        if low in _LATIN_CUES:
            kazakh += 1.0
        elif low == "kim":
            kazakh += 0.5
        elif i == last and low in _LATIN_PARTICLES:
            kazakh += 0.8
        else:
            weight = max((w for p, w in _KAZAKH_LATIN_PATTERNS if p.search(low)), default=0.0)
            if i > 0 and word[:1].isupper():
                weight /= 2  # a name: Qatar, Iraq, Toqaev
            kazakh += weight
        if len(low) > 4 and _ENGLISH_ENDINGS.search(low) and not low.endswith(("ly", "ed")):
            english += 0.5
    return kazakh, english


def kazakh_latin_score(text: str) -> float:
    """0..1: how much the Latin words of `text` look like Kazakh rather than English."""
    kazakh, english = _latin_evidence(text)
    return kazakh / (kazakh + english) if kazakh + english else 0.0


def _is_other_latin_language(words: list[str]) -> bool:
    """Turkish or German rather than Latin Kazakh: one of their function words, and no `q`
    and no Kazakh cue word (Kazakh in every Latin alphabet writes қ as q)."""
    low = [w.casefold() for w in words]
    return any(w in _FOREIGN_LATIN_WORDS for w in low) and not any(
        "q" in w or w in _LATIN_CUES for w in low
    )


def is_latin_kazakh(text: str) -> bool:
    """Kazakh typed in Latin letters (any official alphabet or chat Latin), not English."""
    latin, cyrillic = _latin_words(text)
    if not latin or cyrillic >= len(latin) or _is_other_latin_language(latin):
        return False
    kazakh, english = _latin_evidence(text)
    return kazakh >= 1.0 and kazakh > english


# Russian words as a Latin reading gives them back: romanisations drop ь (`skolko`), and `ne`
# is Russian here (Latin Kazakh was ruled out first; in Cyrillic it is also Kazakh `не`)
_READ_RUSSIAN_WORDS = RUSSIAN_WORDS | {w.replace("ь", "") for w in RUSSIAN_WORDS} | {"не"}
_ENGLISH_SHORT = ENGLISH_WORDS | {"i", "no", "so", "us", "u", "me", "my", "we", "go", "up"}
_READ_RUSSIAN_PAST = re.compile(r"(?:али|или|ели|ыли|ался|ился|алась|илась)$")


def is_latin_russian(text: str) -> bool:
    """Russian typed in Latin letters (`skolko zhurnalistov arestovali?`), not English and
    not Latin Kazakh: its words read as Russian (`rag.russian_latin`) are Russian function
    words or end as Russian words do, and that evidence outweighs both its English words and
    its Latin Kazakh evidence (`_latin_evidence`) two to one."""
    latin, cyrillic = _latin_words(text)
    if not latin or cyrillic >= len(latin) or _is_other_latin_language(latin):
        return False
    kazakh, _ = _latin_evidence(text)
    russian = 0.0
    for word in latin:
        if word.casefold() in _ENGLISH_SHORT:
            continue  # `on`, `no`, `a`: English words that read as Russian ones (он, но, а)
        read = read_russian_latin(word).casefold()
        if read in _READ_RUSSIAN_WORDS:
            russian += 1.0
        elif _READ_RUSSIAN_PAST.search(read):
            russian += 0.6
        else:
            russian += max((w for p, w in _RUSSIAN_ENDINGS if p.search(read)), default=0.0)
    english = sum(w.casefold() in _ENGLISH_SHORT for w in latin)
    return russian >= 1.5 and russian > 2 * english and russian > 2 * kazakh


_LATIN_VOWELS = set("aeiouAEIOU")  # on the Russian layout ф у ш щ г: у alone is common
_MAX_VOWEL_SHARE = 0.15  # English words are about 38 % a/e/i/o/u; keys meant as Russian, ~5 %


def english_layout_typing(text: str) -> str | None:
    """The layout (`rag.keyboard_layout.LAYOUTS`) a question typed with the keyboard in the
    English layout was meant in (`crjkmrj ;ehyfkbcnjd`: Russian; `t4,tr`, with the Kazakh
    layout's number-row letters: Kazakh), or None: no Cyrillic, hardly any of the Latin
    vowels (which are consonant keys on those layouts), no English word, and the same keys in
    that layout give Russian or Kazakh words."""
    if _CYR.search(text):
        return None
    layout = "kazakh" if kazakh_keys_in_words(text) else "russian"
    words = typed_words(text, layout)
    letters = [c for w in words for c in w if c.isalpha()]
    if sum(sum(c.isalpha() for c in w) >= 2 for w in words) < 2:
        return None  # two words at least, as an initialism or a version string is not
    if sum(c in _LATIN_VOWELS for c in letters) > _MAX_VOWEL_SHARE * len(letters):
        return None
    if any(re.sub(r"[^a-z]", "", w.casefold()) in ENGLISH_WORDS for w in words):
        return None  # `this:` is English whatever key its colon is
    meant = from_english_layout(text, layout)
    kazakh, russian, _ = _russian_letter_evidence(meant)
    if layout == "kazakh":
        # the number row gave Kazakh letters: Kazakh words, unless the evidence says Russian
        return layout if any(c in KAZAKH_LETTERS for c in meant) and kazakh >= russian else None
    return layout if kazakh + russian >= 1.0 else None


def is_russian_layout_typing(text: str) -> bool:
    """English typed with the keyboard in the Russian layout (`Рщц ьфтн огвпуы` for `How
    many judges`): no Latin letter and no Kazakh one, and the same keys in the English layout
    give English function words, two at least and one in four of the words."""
    if _LATIN_LETTER.search(text) or any(c in KAZAKH_LETTERS for c in text):
        return False
    keys = [re.sub(r"[^a-z]", "", w) for w in to_english_layout(text.casefold()).split()]
    keys = [w for w in keys if w]
    english = sum(w in ENGLISH_WORDS for w in keys)
    return english >= 2 and english >= 0.25 * len(keys)


# Kazakh written with Russian letters: Kazakh words and suffixes against Russian ones.
_RUSSIAN_LETTER_KAZAKH = (
    (re.compile(r"[гкхжшчщ]ы"), 1.0),  # Russian spelling never writes these
    (re.compile(r"^ы"), 1.0),
    (re.compile(r"(?:д|т|нд|нт)(?:агы|еги)$"), 1.0),  # -дағы/-дегі
    (
        re.compile(
            r"(?:л|д|т)(?:а|е)р(?:ды|ди|га|ге|да|де|дан|ден|дын|дин|ымен|имен|ына|ине"
            r"|ында|инде|ын|ин|ы)$"
        ),
        0.8,
    ),  # plural + case
    (re.compile(r"(?:ау|еу|ыу|иу)$"), 1.0),  # -у nouns (сайлау)
    (re.compile(r"(?:ауы|еуи|еуы|ауин)$"), 1.0),
    (re.compile(r"(?:ында|инде)$"), 1.0),
    (re.compile(r"(?:лык|дык|тык)$"), 0.8),
    (re.compile(r"(?:лыгы|лиги|дыгы|диги|тыгы|тиги)$"), 0.8),  # -лығы/-лігі
    (re.compile(r"(?:лды|лди|рды|рди|йды|йди|ылды|илди)$"), 0.8),  # past tense
    (re.compile(r"(?:сыз|сиз)$"), 0.8),
    (re.compile(r"(?:ып|ип)$"), 0.5),
    (re.compile(r"(?:дын|дин|нын|нин|тын|тин)$"), 0.5),  # genitive
    (re.compile(r"(?:ган|ген|кан|кен)$"), 0.4),
    (re.compile(r"(?:сы|си)$"), 0.4),
)
_RUSSIAN_ENDINGS = (
    (re.compile(r"(?:ого|его|ому|ему)$"), 1.0),
    (re.compile(r"(?:ться|тся)$"), 1.0),
    (re.compile(r"(?:ение|ание|ения|ания|ением|анием|ость|ости)$"), 1.0),
    (re.compile(r"(?:ами|ями)$"), 0.8),
    (re.compile(r"(?:ых|их|ий|ый)$"), 0.7),
    (re.compile(r"(?:ов|ев)$"), 0.6),
    (re.compile(r"(?:ая|яя|ое|ее)$"), 0.5),
    (re.compile(r"[ьъэщё]"), 0.5),
    (re.compile(r"(?:ой|ом|ем)$"), 0.3),
)


def _russian_letter_evidence(text: str) -> tuple[float, float, int]:
    """(Kazakh evidence, Russian evidence, how many words gave Kazakh evidence; a Kazakh
    cue word counts as two)."""
    words = _LETTERS.findall(fold_lookalikes(unicodedata.normalize("NFC", text)))
    words = [w for w in words if _CYR.search(w)]
    kazakh = russian = 0.0
    witnesses = 0
    for i, word in enumerate(words):
        low = word.casefold()
        if low in RUSSIAN_WORDS:
            russian += 1.0
            continue
        key = skeleton(low)
        if key in _SKELETON_CUES:
            kazakh += 1.0
            witnesses += 2
            continue
        if i == len(words) - 1 and low in _SKELETON_PARTICLES:
            kazakh += 0.8
            witnesses += 2
            continue
        if low == "ким":  # кім, or the name Ким
            kazakh += 0.5
            witnesses += 1
            continue
        if i > 0 and word[:1].isupper():
            continue  # a name: Кушакбаев, Актау, Кызылорда say nothing about the language
        weight = max((w for p, w in _RUSSIAN_LETTER_KAZAKH if p.search(low)), default=0.0)
        kazakh += weight
        witnesses += weight > 0
        russian += max((w for p, w in _RUSSIAN_ENDINGS if p.search(low)), default=0.0)
    return kazakh, russian, witnesses


def is_kazakh_without_letters(text: str) -> bool:
    """Kazakh typed with only Russian letters (`Енбек кодексине сайкес ... канша?`), not
    Russian. False when the text has a Kazakh letter (it is then plain Kazakh) or is not
    mostly Cyrillic."""
    text = fold_lookalikes(unicodedata.normalize("NFC", text))
    if any(c in KAZAKH_LETTERS for c in text):
        return False
    latin, cyrillic = _latin_words(text)
    if cyrillic == 0 or len(latin) > cyrillic:
        return False
    kazakh, russian, witnesses = _russian_letter_evidence(text)
    # two words must say so (one name, Актау, is not enough); a short question may show
    # little Kazakh and no Russian at all
    return witnesses >= 2 and kazakh > russian and (kazakh >= 1.0 or russian == 0)


# ============================================================================ questions
def normalise_question(text: str, vocabulary: Vocabulary | None = None) -> tuple[str, str]:
    """(the text to search, how the question was typed).

    - "latin": Kazakh in Latin letters, returned in Cyrillic (`latin_to_cyrillic`);
    - "russian-latin": Russian in Latin letters, returned in Cyrillic (`read_russian_latin`);
    - "english-layout": Russian or Kazakh typed with the keyboard in the English layout,
      returned as the keys give it in the Russian or Kazakh layout (then read as any such
      question);
    - "russian-layout": English typed with the keyboard in the Russian layout, returned as
      the keys give it in the English layout;
    - "no-kazakh-letters": Kazakh typed with Russian letters, returned with the Kazakh
      letters restored from `vocabulary` (as typed when no vocabulary is given);
    - "cyrillic": everything else -- Cyrillic Kazakh, Russian, English -- returned as typed.
      With a vocabulary, a Kazakh question's words that the corpus does not know get the
      Kazakh letters a Russian keyboard left out (`Еңбек кодексі бойынша жумыска ...`); a word
      the corpus knows, and a Kazakh letter that was typed, are never changed;
    - "latin-words": a Cyrillic question with words typed in Latin whose Cyrillic reading the
      corpus has (`Nazarbaevqa қанша пайыз ...` -> `Назарбаевқа қанша пайыз ...`); Latin words
      the corpus does not have in Cyrillic (`Facebook`, `OSCE`) stay as typed.
    - "latin-names": a question in English (or another Latin-script language) whose names
      the corpus has in Cyrillic (`What did Zhambyl write?` -> `What did Жамбыл write?`):
      the keyword side of the search can only match a name in the passages' own script.
    In the middle three, Latin words are only read so in a question mostly in Cyrillic.
    A question typed with caps lock on is read in sentence case first (`unshout`).
    """
    text = unshout(text)
    layout = english_layout_typing(text)
    if layout:
        searched, _ = normalise_question(from_english_layout(text, layout), vocabulary)
        return searched, "english-layout"
    if is_russian_layout_typing(text):
        searched, _ = normalise_question(to_english_layout(text), vocabulary)
        return searched, "russian-layout"
    if is_latin_russian(text):
        return read_russian_latin(text), "russian-latin"
    if is_latin_kazakh(text):
        # a word mixing scripts is read in the one most of its letters are in (`tәuelsiz`:
        # Latin, its `ә` typed on a Kazakh keyboard) before it is read into Cyrillic
        return latin_to_cyrillic(fold_lookalikes(text), vocabulary=vocabulary), "latin"
    if vocabulary is None:
        return text, "no-kazakh-letters" if is_kazakh_without_letters(text) else "cyrillic"
    if not _CYR.search(text):
        named = _names_in_cyrillic(text, vocabulary)
        return named, "latin-names" if named != text else "cyrillic"
    with_latin = _known_latin_words(text, vocabulary)
    if is_kazakh_without_letters(text):
        return vocabulary.restore_text(with_latin), "no-kazakh-letters"
    typed = "latin-words" if with_latin != text else "cyrillic"
    if any(c in KAZAKH_LETTERS for c in text):
        return vocabulary._restore_text(with_latin, keep_known=True, only_add=True), typed
    return with_latin, typed


# a capitalised word not at a sentence start, possessive ending dropped: a name in English
_LATIN_NAME = re.compile(r"(?<![.?!…]\s)(?<=\s)([A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?:['’]s)?(?![\w'’])")


def _names_in_cyrillic(text: str, vocabulary: Vocabulary) -> str:
    """The names of a Latin-script question in Cyrillic, where the corpus has that reading.
    Only capitalised words after the first are read (the first is capitalised as any
    sentence start is), and only a reading the corpus knows replaces the name: `Almaty` ->
    `Алматы` in a corpus that names the city, `Facebook` stays. eval/README.md "English
    names read into Cyrillic" has the measurement behind it."""
    out, last = [], 0
    for match in _LATIN_NAME.finditer(text):
        name = match.group(1)
        if len(name) < 3:
            continue
        reading = latin_to_cyrillic(name, vocabulary=vocabulary)
        if reading != name and reading in vocabulary:
            out += [text[last : match.start()], reading]
            last = match.end()
    return "".join(out) + text[last:]


def _known_latin_words(text: str, vocabulary: Vocabulary) -> str:
    """The Latin words of a mostly Cyrillic `text` in Cyrillic, where the corpus has that
    reading (a name typed in Latin inside a Cyrillic question)."""
    latin, cyrillic = _latin_words(text)
    if not latin or cyrillic <= len(latin):
        return text
    out, last = [], 0
    for start, end, reading in latin_to_cyrillic_spans(text, vocabulary=vocabulary):
        if reading in vocabulary:
            out += [text[last:start], reading]
            last = end
    return "".join(out) + text[last:]


# ============================================================================ documents
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")


def is_latin_kazakh_text(text: str) -> bool:
    """A passage of a document written in Latin Kazakh (not English, not Cyrillic with a few
    Latin names in it). `is_latin_kazakh` decides; the letter check first keeps a Cyrillic
    passage's cost at one regular-expression scan."""
    return bool(_LATIN_LETTER.search(text)) and is_latin_kazakh(text)


def search_form(text: str) -> str:
    """The text kazrag searches for a passage or sentence: Latin Kazakh in Cyrillic (the
    model and the keyword index know Kazakh in the script its documents mostly use), anything
    else as it is. Quotes still show `text` itself."""
    return latin_to_cyrillic(text) if is_latin_kazakh_text(text) else text
