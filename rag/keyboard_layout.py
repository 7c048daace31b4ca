"""A question typed with the keyboard in the other layout: Russian or Kazakh typed in the
English layout (`crjkmrj ;ehyfkbcnjd` for `сколько журналистов`), English typed in the
Russian one (`рщц ьфтн` for `how many`), and the keys read back as meant. Whether a question
is typed so is `rag.translit`'s to say (`english_layout_typing`,
`is_russian_layout_typing`).

The maps are the standard Russian ЙЦУКЕН layout and the Kazakh one (xkb `kz`: the same
letter keys, the nine Kazakh letters on the number row): each key's character on the US
layout and on those. A Kazakh question typed from the Russian layout has Russian letters
only, which `rag.translit` then reads as Kazakh with its letters put back, as it does for
anyone typing Kazakh without the Kazakh letters (eval/README.md "Typing habits: the wrong
keyboard layout").
"""

from __future__ import annotations

import re

_US = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./"
_RU = "ёйцукенгшщзхъфывапролджэячсмитьбю."
# shifted keys: the upper-case letters, and the punctuation Russian puts elsewhere (its `?` is
# Shift+7, its `,` Shift+/, its `"` Shift+2, its `;` Shift+4, its `:` Shift+6)
_US_SHIFTED = '~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>?&@$^'
_RU_SHIFTED = 'ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,?";:'
# The Kazakh layout (xkb `kz` "basic", RST KazSSR 903-90): the letter keys as the Russian
# layout's, ә і ң ғ ү ұ қ ө һ on the number row's 2 3 4 5 8 9 0 - =, `,` and `.` on 6 and 7,
# `?` on Shift+/ as in English. It has no digits, so a digit typed in a word is a letter.
_US_KAZAKH = "2345890-=67@#$%*()_+"
_KZ = "әіңғүұқөһ,.ӘІҢҒҮҰҚӨҺ"
LAYOUTS = ("russian", "kazakh")
_TO_CYRILLIC = {
    "russian": str.maketrans(_US + _US_SHIFTED, _RU + _RU_SHIFTED),
    "kazakh": str.maketrans(
        _US[1:-1] + _US_SHIFTED[1:-5] + _US_KAZAKH, _RU[1:-1] + _RU_SHIFTED[1:-5] + _KZ
    ),
}
_TO_KEYS = {
    "russian": str.maketrans(_RU + _RU_SHIFTED, _US + _US_SHIFTED),
    "kazakh": str.maketrans(
        _RU[1:-1] + _RU_SHIFTED[1:-5] + _KZ, _US[1:-1] + _US_SHIFTED[1:-5] + _US_KAZAKH
    ),
}

# what a word typed in the wrong layout is made of: letters and the keys of ж э х ъ б ю (and,
# on the Kazakh layout, the number row's letters)
_TYPED = re.compile(r"[A-Za-z;'\[\],.`{}:\"<>~]+")
_TYPED_KAZAKH = re.compile(r"[A-Za-z;'\[\],.{}:\"<>0-9=\-@#$%*()_+]+")


def from_english_layout(text: str, layout: str = "russian") -> str:
    """`text` as the same keys give it in the Russian (or Kazakh) layout. With the Kazakh
    one only the keys of words are read so: a number standing alone stays a number."""
    table = _TO_CYRILLIC[layout]
    if layout == "russian":
        return text.translate(table)
    return _TYPED_KAZAKH.sub(
        lambda m: m.group(0).translate(table) if _has_letter(m.group(0)) else m.group(0), text
    )


def to_english_layout(text: str, layout: str = "russian") -> str:
    """The keys of `text` as the English layout prints them: how a question comes out when
    the layout was not switched (what the checks in eval/README.md type)."""
    return text.translate(_TO_KEYS[layout])


def typed_words(text: str, layout: str = "russian") -> list[str]:
    """The runs of keys a wrong-layout question's words are (punctuation keys included)."""
    pattern = _TYPED if layout == "russian" else _TYPED_KAZAKH
    words = [w.strip(".,") for w in pattern.findall(text)]
    return [w for w in words if w and (layout == "russian" or _has_letter(w))]


def kazakh_keys_in_words(text: str) -> bool:
    """Whether a word of `text` holds a key of the Kazakh layout's number row next to a
    letter (`t4,tr`: `еңбек`), which a word in any Latin-script language does not."""
    return bool(re.search(r"[A-Za-z;,\[\]][2345890=]|[2345890=][A-Za-z;,\[\]]", text))


def _has_letter(word: str) -> bool:
    return any(c.isalpha() for c in word)
