"""The chat page's own words in Kazakh, Russian and English, in one place.

    text("ru", "mode_only", mode=mode_name("ru", "bm25"))

The page chrome (labels, buttons, messages) follows the language chosen on the page (by
default the browser's); what kazrag says about an answer follows the question's language,
as the answer's frame does (`rag.lang.FRAMES`).
"""

from __future__ import annotations

LANGS = ("kk", "ru", "en")
DEFAULT = "kk"

TEXTS: dict[str, dict[str, str]] = {
    "kk": {
        "mode_only": "Бұл жауапты тек {mode} тапты (әдепкі іздеу емес).",
        "bm25_english": (
            "Кілтсөз іздеуі (bm25) құжаттардың қазақ сөздерін іздейді, сондықтан ағылшынша "
            "сұраққа жауап бере алмайды. Баптаулардан hybrid немесе dense іздеуін таңдаңыз."
        ),
        "mode_bm25": "кілтсөз іздеуі (bm25)",
        "mode_dense": "мағыналық іздеу (dense)",
        "mode_hybrid": "аралас іздеу (hybrid)",
    },
    "ru": {
        "mode_only": "Этот ответ найден только поиском: {mode} (не поиском по умолчанию).",
        "bm25_english": (
            "Поиск по ключевым словам (bm25) ищет казахские слова документов, поэтому не может "
            "ответить на вопрос на английском. Выберите в настройках hybrid или dense."
        ),
        "mode_bm25": "по ключевым словам (bm25)",
        "mode_dense": "по смыслу (dense)",
        "mode_hybrid": "смешанным (hybrid)",
    },
    "en": {
        "mode_only": "Answered by {mode} only (not the default search).",
        "bm25_english": (
            "Keyword search (bm25) matches the documents' Kazakh words, so it cannot answer a "
            "question in English. Choose hybrid or dense in Settings."
        ),
        "mode_bm25": "keyword search (bm25)",
        "mode_dense": "meaning search (dense)",
        "mode_hybrid": "hybrid search (meaning + keywords)",
    },
}


def lang_of(lang: object) -> str:
    """`lang` if the page speaks it; otherwise the default (a forged or missing value)."""
    return lang if isinstance(lang, str) and lang in TEXTS else DEFAULT


def text(lang: str, key: str, **values: object) -> str:
    words = TEXTS[lang_of(lang)][key]
    return words.format(**values) if values else words


def mode_name(lang: str, mode: str) -> str:
    return text(lang, f"mode_{mode}")
