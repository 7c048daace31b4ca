"""The chat page's own words in Kazakh, Russian and English, in one place.

    text("ru", "mode_only", mode=mode_name("ru", "bm25"))

The page chrome (labels, buttons, messages) follows the language chosen on the page (by
default the browser's); what kazrag says about an answer follows the question's language,
as the answer's frame does (`rag.lang.FRAMES`).
"""

from __future__ import annotations

LANGS = ("kk", "ru", "en")
DEFAULT = "en"  # before the page knows the browser's, and for API calls

# the language switch: what each language is called in itself
NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}

TEXTS: dict[str, dict[str, str]] = {
    "kk": {
        "header": (
            "# kazrag\nҚұжаттар туралы қазақша, орысша немесе ағылшынша сұраңыз. Жауап "
            "құжаттардан сөзбе-сөз алынған дәйексөздер мен [n] сілтемелерінен тұрады "
            "(үзіндіні оқу үшін дереккөзді ашыңыз, оны құжатында оқу үшін үзіндіні басыңыз), не "
            "құжаттарда жауап жоқ екенін айтады."
        ),
        "reader": "Дереккөз өз құжатында",
        "reader_close": "Жабу",
        "reader_gone": "Бұл дереккөз ескі сұхбаттан; оны оқу үшін сұрақты қайта қойыңыз.",
        "language": "Тіл",
        "tab_chat": "Сұхбат",
        "tab_documents": "Құжаттар",
        "chat_placeholder": "Сұрағыңызды жазыңыз",
        "question_placeholder": "Мысалы: Полиция ұсталған адамды қанша сағат ұстай алады?",
        "settings": "Баптаулар",
        "mode_label": "Іздеу әдісі",
        "mode_info": "hybrid = мағына + кілтсөздер; dense = тек мағына; bm25 = тек кілтсөздер",
        "top_k_label": "Ізделетін үзінділер саны",
        "examples": "Сұрақ үлгілері (басып сұраңыз)",
        "col_document": "Құжат",
        "col_format": "Пішім",
        "col_passages": "Үзінді",
        "outcome": "Соңғы өзгеріс",
        "password": "Әкімші құпиясөзі",
        "upload": "Құжат қосу: .txt .md .pdf .docx .jsonl",
        "remove_label": "Құжатты өшіру",
        "remove_button": "Өшіру",
        "choose_to_remove": "Өшірілетін құжатты таңдаңыз.",
        "did_added": "{names} қосылды",
        "did_updated": "{names} жаңартылды",
        "did_removed": "{names} өшірілді",
        "did_nothing": "ештеңе өзгерген жоқ",
        "index_now": "{done}: индексте енді {documents} құжат, {chunks} үзінді",
        "not_added": "қосылмады: {problem}",
        "waiting": "кезекте",
        "read_only": (
            "Бұл сервердің құжаттарын веб арқылы өзгертуге болмайды; оператор оларды "
            "kazrag index add арқылы қосады."
        ),
        "corpus": "Корпус: {documents} құжат, {passages} үзінді — {listed}",
        "more": " және тағы {n}",
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
        "header": (
            "# kazrag\nСпрашивайте о документах на казахском, русском или английском. Ответ — "
            "дословные цитаты из документов со ссылками [n] (откройте источник, чтобы "
            "прочитать фрагмент; нажмите на фрагмент, чтобы прочитать его в документе) или "
            "сообщение, что в документах ответа нет."
        ),
        "reader": "Источник в своём документе",
        "reader_close": "Закрыть",
        "reader_gone": "Этот источник из прежнего сеанса; задайте вопрос снова, чтобы прочитать его.",
        "language": "Язык",
        "tab_chat": "Чат",
        "tab_documents": "Документы",
        "chat_placeholder": "Задайте вопрос",
        "question_placeholder": "Например: Сколько часов полиция может держать задержанного?",
        "settings": "Настройки",
        "mode_label": "Режим поиска",
        "mode_info": "hybrid = смысл + ключевые слова; dense = только смысл; bm25 = только слова",
        "top_k_label": "Сколько фрагментов искать",
        "examples": "Примеры вопросов (нажмите, чтобы спросить)",
        "col_document": "Документ",
        "col_format": "Формат",
        "col_passages": "Фрагменты",
        "outcome": "Последнее изменение",
        "password": "Пароль администратора",
        "upload": "Добавить документы: .txt .md .pdf .docx .jsonl",
        "remove_label": "Удалить документ",
        "remove_button": "Удалить",
        "choose_to_remove": "Выберите документ для удаления.",
        "did_added": "добавлено: {names}",
        "did_updated": "обновлено: {names}",
        "did_removed": "удалено: {names}",
        "did_nothing": "ничего не изменилось",
        "index_now": "{done}; в индексе теперь документов: {documents}, фрагментов: {chunks}",
        "not_added": "не добавлено: {problem}",
        "waiting": "в очереди",
        "read_only": (
            "Документы этого сервера нельзя менять через веб; оператор добавляет их командой "
            "kazrag index add."
        ),
        "corpus": "Корпус: документов {documents}, фрагментов {passages} — {listed}",
        "more": " и ещё {n}",
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
        "header": (
            "# kazrag\nAsk about the documents in Kazakh, Russian or English. Answers quote the "
            "documents word for word with [n] citations (open a source to read the passage; click "
            "the passage to read it in its document), or say that the documents do not answer."
        ),
        "reader": "The source in its document",
        "reader_close": "Close",
        "reader_gone": "This source is from an earlier session; ask again to read it.",
        "language": "Language",
        "tab_chat": "Chat",
        "tab_documents": "Documents",
        "chat_placeholder": "Ask a question",
        "question_placeholder": "For example: How long may the police hold a detainee?",
        "settings": "Settings",
        "mode_label": "Retrieval mode",
        "mode_info": "hybrid = meaning + keywords; dense = meaning only; bm25 = keywords only",
        "top_k_label": "Passages to retrieve",
        "examples": "Example questions (click one to ask it)",
        "col_document": "Document",
        "col_format": "Format",
        "col_passages": "Passages",
        "outcome": "Last change",
        "password": "Admin password",
        "upload": "Add documents: .txt .md .pdf .docx .jsonl",
        "remove_label": "Remove a document",
        "remove_button": "Remove",
        "choose_to_remove": "Choose the document to remove.",
        "did_added": "added {names}",
        "did_updated": "updated {names}",
        "did_removed": "removed {names}",
        "did_nothing": "nothing changed",
        "index_now": "{done}: the index now has {documents} documents, {chunks} passages",
        "not_added": "not added: {problem}",
        "waiting": "waiting",
        "read_only": (
            "This server's documents are read-only from the web; the operator adds documents "
            "with kazrag index add."
        ),
        "corpus": "Corpus: {documents} documents, {passages} passages — {listed}",
        "more": " and {n} more",
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


def from_browser(accept_language: str | None) -> str:
    """The page's first language: the first of the browser's preferred languages
    (Accept-Language, as `navigator.language` orders them) that the page speaks; English
    for a browser that prefers none of them."""
    weighted = []
    for n, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        try:
            q = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            q = 0.0
        weighted.append((-q, n, tag.strip().lower().split("-")[0]))
    for _, _, code in sorted(weighted):
        code = "kk" if code == "kz" else code  # an older tag seen for Kazakh
        if code in TEXTS:
            return code
    return "en"
