"""A question typed with the keyboard in the other layout: Russian or Kazakh typed in the
English layout (`crjkmrj ;ehyfkbcnjd` for `сколько журналистов`), English typed in the
Russian one (`рщц ьфтн` for `how many`), and the keys read back as meant. Whether a question
is typed so is `rag.translit`'s to say (`is_english_layout_typing`,
`is_russian_layout_typing`).

The map is the standard Russian ЙЦУКЕН layout (the one Kazakh keyboards share for every
letter but the nine Kazakh ones): each key's letter on the US layout and on the Russian one.
A Kazakh question typed so comes out in Russian letters only, which `rag.translit` then
reads as Kazakh with its letters put back, as it does for anyone typing Kazakh without the
Kazakh letters (eval/README.md "Typing habits: the wrong keyboard layout").
"""

from __future__ import annotations

import re

_US = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./"
_RU = "ёйцукенгшщзхъфывапролджэячсмитьбю."
# shifted keys: the upper-case letters, and the punctuation Russian puts elsewhere (its `?` is
# Shift+7, its `,` Shift+/, its `"` Shift+2, its `;` Shift+4, its `:` Shift+6)
_US_SHIFTED = '~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>?&@$^'
_RU_SHIFTED = 'ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,?";:'
_TO_RUSSIAN = str.maketrans(_US + _US_SHIFTED, _RU + _RU_SHIFTED)
_TO_ENGLISH = str.maketrans(_RU + _RU_SHIFTED, _US + _US_SHIFTED)

# what a word typed in the wrong layout is made of: letters and the keys of ж э х ъ б ю
_TYPED = re.compile(r"[A-Za-z;'\[\],.`{}:\"<>~]+")


def from_english_layout(text: str) -> str:
    """`text` as the same keys give it in the Russian layout."""
    return text.translate(_TO_RUSSIAN)


def to_english_layout(text: str) -> str:
    """The keys of `text` as the English layout prints them: how a question comes out when
    the layout was not switched (what the checks in eval/README.md type)."""
    return text.translate(_TO_ENGLISH)


def typed_words(text: str) -> list[str]:
    """The runs of keys a wrong-layout question's words are (punctuation keys included)."""
    return [w.strip(".,") for w in _TYPED.findall(text) if w.strip(".,")]
