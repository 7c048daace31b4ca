"""Which language a question is in (Kazakh, Russian, English), and the words kazrag says in
each: the answer's frame follows the question's language, the quotes stay Kazakh."""

from __future__ import annotations

import re

from .keyboard_layout import from_english_layout, to_english_layout
from .text import KAZAKH_LETTERS, fold_lookalikes
from .translit import (
    english_layout_typing,
    is_kazakh_without_letters,
    is_latin_kazakh,
    is_latin_russian,
    is_russian_layout_typing,
)

# Frequent function words that tell Kazakh from Russian when no Kazakh letter shows up.
_KAZAKH_WORDS = {
    "және",
    "мен",
    "бен",
    "пен",
    "не",
    "нені",
    "қанша",
    "неше",
    "қай",
    "қандай",
    "туралы",
    "бойынша",
    "үшін",
    "бар",
    "жоқ",
    "ма",
    "ме",
    "ба",
    "бе",
    "па",
    "пе",
    "кім",
    "кімге",
    "кімді",
    "неге",
    "неліктен",
    "қашан",
    "қалай",
    "ол",
    "бұл",
    "деген",
    "айтылған",
    "жыл",
    "жылы",
}
_RUSSIAN_WORDS = {
    "и",
    "в",
    "во",
    "на",
    "что",
    "как",
    "какой",
    "какие",
    "какая",
    "сколько",
    "когда",
    "кто",
    "где",
    "почему",
    "ли",
    "по",
    "за",
    "о",
    "об",
    "от",
    "для",
    "был",
    "была",
    "были",
    "было",
    "это",
    "году",
    "лет",
    "чем",
    "ещё",
    "еще",
}
_WORD = re.compile(r"[^\W\d_]+")

LANGS = ("kk", "ru", "en")

FRAMES = {
    "kk": {
        "intro": "Құжаттарда былай делінген:",
        "uncertain": "Нақты жауап таппадым. Ең жақын үзінді (сұраққа жауап бермеуі мүмкін):",
        "abstain": "Кешіріңіз, жүктелген құжаттарда бұл сұраққа жауап таппадым.",
        "closest": "Ең жақын үзінділер (сұраққа жауап бермейді):",
        "sources": "Дереккөздер:",
        "retrieved": "Табылған үзінділер (ұпайы бойынша):",
        "empty": "Сұрақ бос. Сұрағыңызды жазыңыз.",
        "no_words": "Сұрақта сөз жоқ. Сұрағыңызды сөзбен жазыңыз.",
        "cut": "Сұрақ тым ұзын: алғашқы {n} таңбасы ғана қаралды.",
        "script": "kazrag қазақ, орыс және ағылшын тілдеріндегі сұрақтарды түсінеді.",
        "read_as": "Сұрақ былай оқылды: «{text}»",
        "read_with": "Алдыңғы сұрақпен бірге оқылды: «{text}»",
        "greeting": "Сәлеметсіз бе! Құжаттар туралы сұрағыңызды жазыңыз: жауап беретін сөйлемдерін дереккөзімен келтіремін.",
        "thanks": "Оқасы жоқ! Тағы сұрағыңыз болса, жазыңыз.",
        "farewell": "Сау болыңыз!",
        "smalltalk": "Мен kazrag: жүктелген құжаттар бойынша сұраққа жауап беремін. Сұрағыңызды қазақша, орысша немесе ағылшынша жазыңыз, жауап ретінде құжаттың өз сөйлемдерін дереккөзімен келтіремін.",
    },
    "ru": {
        "intro": "В документах сказано:",
        "uncertain": "Точного ответа не нашлось. Ближайший фрагмент (может не отвечать на вопрос):",
        "abstain": "К сожалению, в загруженных документах нет ответа на этот вопрос.",
        "closest": "Ближайшие фрагменты (на вопрос не отвечают):",
        "sources": "Источники:",
        "retrieved": "Найденные фрагменты (по оценке):",
        "empty": "Вопрос пуст. Напишите вопрос.",
        "no_words": "В вопросе нет слов. Напишите вопрос словами.",
        "cut": "Вопрос слишком длинный: учтены только первые {n} символов.",
        "script": "kazrag понимает вопросы на казахском, русском и английском языках.",
        "read_as": "Вопрос прочитан так: «{text}»",
        "read_with": "Прочитано вместе с предыдущим вопросом: «{text}»",
        "greeting": "Здравствуйте! Задайте вопрос о документах: я приведу отвечающие на него предложения со ссылками.",
        "thanks": "Пожалуйста! Если есть ещё вопросы, задавайте.",
        "farewell": "До свидания!",
        "smalltalk": "Я kazrag: отвечаю на вопросы по загруженным документам. Задайте вопрос на казахском, русском или английском, и я приведу предложения из документов со ссылками.",
    },
    "en": {
        "intro": "The documents say:",
        "uncertain": "No certain answer. The closest passage (it may not answer the question):",
        "abstain": "Sorry, the loaded documents do not answer this question.",
        "closest": "Closest passages (they do not answer the question):",
        "sources": "Sources:",
        "retrieved": "Retrieved passages (by score):",
        "empty": "The question is empty. Please type a question.",
        "no_words": "The question has no words. Please ask it in words.",
        "cut": "The question is too long: only its first {n} characters were used.",
        "script": "kazrag understands questions in Kazakh, Russian and English.",
        "read_as": "The question was read as: «{text}»",
        "read_with": "Read together with the previous question: «{text}»",
        "greeting": "Hello! Ask a question about the documents: I quote the sentences that answer it, with their sources.",
        "thanks": "You are welcome! Ask another question whenever you like.",
        "farewell": "Goodbye!",
        "smalltalk": "I am kazrag: I answer questions about the loaded documents. Ask in Kazakh, Russian or English, and I quote the documents' own sentences, with their sources.",
    },
}


def detect(text: str) -> str:
    """'kk', 'ru', 'en', or 'other' (no Cyrillic or Latin words at all). Kazakh typed in
    Latin letters or with only Russian letters is 'kk' too, Russian typed in Latin letters
    'ru', and a question typed with the keyboard in the other layout what it was meant as
    (rag.translit)."""
    layout = english_layout_typing(text)
    if layout:
        return detect(from_english_layout(text, layout))
    if is_russian_layout_typing(text):
        return detect(to_english_layout(text))
    lang = _detect_script(text)
    if lang == "en" and is_latin_russian(text):
        return "ru"
    if lang in ("en", "other") and is_latin_kazakh(text):
        return "kk"
    if lang == "ru" and is_kazakh_without_letters(text):
        return "kk"
    return lang


def _detect_script(text: str) -> str:
    """The language by its letters and function words alone (Cyrillic Kazakh, Russian, English)."""
    words = [w.casefold() for w in _WORD.findall(fold_lookalikes(text))]
    cyrillic = [w for w in words if any("\u0400" <= c <= "\u04ff" for c in w)]
    latin = [w for w in words if w.isascii()]
    if not cyrillic and not latin:
        return "other"
    if len(latin) > len(cyrillic):
        return "en"
    if any(c in KAZAKH_LETTERS for w in cyrillic for c in w):
        return "kk"
    kazakh = sum(w in _KAZAKH_WORDS for w in cyrillic)
    russian = sum(w in _RUSSIAN_WORDS for w in cyrillic)
    return "kk" if kazakh > russian else "ru"


def frame(lang: str, key: str, **values) -> str:
    text = FRAMES.get(lang, FRAMES["en"])[key]
    return text.format(**values) if values else text
