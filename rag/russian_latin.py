"""Russian typed in Latin letters (`skolko zhurnalistov arestovali?`) read in Cyrillic
Russian, which the model reads far better (eval/README.md "Typing habits: Russian in Latin
letters"); whether a question is typed so is `rag.translit.is_latin_russian`'s to say.

People romanise Russian in many ways: the passport and Wikipedia schemes (`zh`, `kh`, `ts`,
`shch`, `ya`, `yu`, `y` for й and ы), the ISO, GOST and German ones (`ja`, `ju`, `c`, `x`),
chat habits (`'` for ь, `kakoi`). The reading takes the common ones; where they disagree it
picks the one a question most often means. It is checked against iuliia's romanisations of
the eval sets' Russian questions (scripts/experiments/russian_latin_check.py), not against
one hand-written example.
"""

from __future__ import annotations

import re

# letter groups, longest first; `y` and `j` depend on their neighbours (_read_word)
_GROUPS = (
    ("shch", "щ"),
    ("tsya", "тся"),  # the reflexive ending (`otnositsya`), not ц
    ("tsk", "тск"),  # `detskogo`, `sovetskiy`
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("yo", "ё"),
    ("ya", "я"),
    ("yu", "ю"),
    ("ye", "е"),
    ("ja", "я"),
    ("ju", "ю"),
    ("jo", "ё"),
    ("''", "ъ"),
)
_LETTERS = dict(zip("abvgdezijklmnoprstufhcwqx", "абвгдезийклмнопрстуфхцвкх"))  # x: GOST, chat
_VOWELS = set("aeiouy")
_WORD = re.compile(r"[A-Za-z']+")


def _read_word(word: str) -> str:
    low = word.lower()
    out = []
    i = 0
    while i < len(low):
        for group, cyrillic in _GROUPS:
            if low.startswith(group, i):
                out.append(cyrillic)
                i += len(group)
                break
        else:
            ch = low[i]
            if ch == "y":
                # after a vowel й (`kakoy`, `lyudey`), else ы (`vybory`, `sudy`)
                out.append("й" if i > 0 and low[i - 1] in _VOWELS else "ы")
            elif ch == "j":
                out.append("ж" if i == 0 else "й")  # chat `jurnal`; ISO `moj`
            elif ch == "i" and i == len(low) - 1 and i > 0 and low[i - 1] in "aeouy":
                out.append("й")  # `kakoi`, `lyudei`: й written as i at a word's end
            elif ch == "'":
                out.append("ь" if i > 0 else "")
            else:
                out.append(_LETTERS.get(ch, ch))
            i += 1
    text = "".join(out)
    if word[:1].isupper():
        text = text[:1].upper() + text[1:]
    return text.upper() if word.isupper() and len(word) > 1 else text


def read_russian_latin(text: str) -> str:
    """`text` with each Latin word read as romanised Russian; digits, punctuation and
    anything else as typed."""
    return _WORD.sub(lambda m: _read_word(m.group(0)), text)
