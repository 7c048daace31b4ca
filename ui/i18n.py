"""The chat page's own words in Kazakh, Russian and English, in one place.

    text("ru", "mode_only", mode=mode_name("ru", "bm25"))

The page chrome (labels, buttons, messages) follows the language chosen on the page (by
default the browser's); what kazrag says about an answer follows the question's language,
as the answer's frame does (`rag.lang.FRAMES`).

kazrag's own messages (why a file was not added, upload progress, the admin password) are
made in English where they arise, each with a key (`kazrag.said.Said`); `SAID` says them in
Kazakh and Russian by that key:

    said("kk", DocumentError(Said("empty", "{name}: the file is empty", name="a.txt")))
    # "a.txt: файл бос"
"""

from __future__ import annotations

from kazrag.said import said_of

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
        "upload": "Құжат қосу: .txt .md .html .pdf .docx .jsonl",
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
        "upload": "Добавить документы: .txt .md .html .pdf .docx .jsonl",
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
        "upload": "Add documents: .txt .md .html .pdf .docx .jsonl",
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


# kazrag's own messages by their Said key; English is the message itself (where it is made).
# File names, numbers, option names and others' error texts are the values, shown as they are.
SAID: dict[str, dict[str, str]] = {
    "kk": {
        # why a file was not added
        "nothing_added": "ештеңе қосылмады: {reasons}",
        "no_documents": "құжат жоқ",
        "no_readable": "индекстейтін оқылатын құжат жоқ",
        "only_other_formats": "{suffixes} файлдары жоқ (басқа пішімдегі {n} файл)",
        "empty": "{name}: файл бос",
        "binary": "{name}: бұл мәтін емес, бинарлық файл",
        "binary_utf16": (
            "{name}: бұл мәтін емес, бинарлық файл (байт реті белгісі жоқ UTF-16 мәтіні болса, "
            "оны UTF-8 ретінде сақтаңыз)"
        ),
        "unknown_encoding": (
            "{name}: kazrag білетін кодтауда жазылған мәтін емес (UTF-8, UTF-16, CP1251, "
            "KZ-1048); оны UTF-8 ретінде сақтаңыз"
        ),
        "bad_bom": (
            "{name}: {encoding} байт реті белгісімен басталады, бірақ бұл кодтаудағы дұрыс "
            "мәтін емес"
        ),
        "unsupported": "{name}: {suffix} пішімі оқылмайды; kazrag оқитын пішімдер: {suffixes}",
        "unsupported_doc": (
            "{name}: {suffix} пішімі оқылмайды; kazrag оқитын пішімдер: {suffixes}; Word .doc "
            "файлын .docx ретінде сақтаңыз"
        ),
        "not_a_file": "{path}: кәдімгі файл емес; kazrag файл ретінде сақталған құжаттарды оқиды",
        "cannot_read": "{path}: оқу мүмкін емес ({why})",
        "no_passages": (
            "{name}: бірде-бір үзінді шықпады (тақырыптан, бөлім атауларынан, бет "
            "колонтитулдарынан не белгілеуден басқа мәтін жоқ); индекске қосылмады"
        ),
        "no_passages_in_corpus": (
            "{name}: бірде-бір үзінді шықпады (тақырыптан, бөлім атауларынан, бет "
            "колонтитулдарынан не белгілеуден басқа мәтін жоқ); файл индекске қосылмады"
        ),
        "too_deep": "{name}: құрылымы тым терең, оқу мүмкін емес",
        "reader_bug": "{name}: оқылмады (kazrag-тағы қате: {bug}; бұл туралы хабарлаңыз)",
        "same_name": (
            "{path}: {name} деген құжат корпуста бар ({other}); біреуінің атын өзгертіңіз"
        ),
        "same_text_indexed": (
            "{name}: мәтіні {other} құжатымен бірдей (ол индексте бар); екі рет қосылмайды"
        ),
        "same_text_in_batch": (
            "{name}: мәтіні {other} құжатымен бірдей (ол да осы жүктеуде); екі рет қосылмайды"
        ),
        "already_indexed": "{name}: дәл осы мазмұнымен индексте бар",
        "name_taken": (
            "{name}: осы атпен басқа құжат индексте бар; жүктелген файл оны ешқашан "
            "алмастырмайды: алдымен ескісін өшіріңіз немесе файлдың атын өзгертіңіз"
        ),
        "over_limit": "{name}: {what} ({option}); индекске қосылмады",
        "limit_bytes": "файл көлемі {size}, бұл {most} шегінен асады",
        "limit_pages": "{pages} бет, бұл {most} шегінен көп",
        "limit_paragraphs": "абзацтар саны {most} шегінен асады",
        "limit_characters": "мәтін {most} таңба шегінен ұзын",
        "limit_seconds": "оқу {most:g} с шегінен ұзаққа созылды",
        "limit_seconds_at": "оқу {most:g} с шегінен ұзаққа созылды (тоқтаған жері: {where})",
        "at_page": "{n}-бет",
        "at_paragraph": "{n}-абзац",
        "at_note": "{n}-ескертпе",
        "html_unreadable": "{name}: веб-бетті оқу мүмкін болмады ({why})",
        "not_word": (
            "{name}: оқылатын Word .docx файлы емес (зақымдалған, толық емес, не .docx деп "
            "қайта аталған басқа пішімдегі файл)"
        ),
        "not_word_why": "{name}: оқылатын Word .docx файлы емес (зақымдалған: {why})",
        "word_no_text": "{name}: Word файлында мәтін жоқ",
        "jsonl_not_utf8": "{name}: корпустың .jsonl файлы UTF-8 мәтіні болуы керек",
        "jsonl_empty": "{name}: файлда үзінді жоқ",
        "jsonl_bad_line": (
            '{name}, {line}-жол: корпус жолы емес ("_id", "title", "text" өрістері бар JSON '
            "күтілген)"
        ),
        "jsonl_duplicate": "{name}, {line}-жол: _id {id} қайталанады",
        "pdf_password": (
            "{name}: PDF құпиясөзбен қорғалған; құпиясөзсіз көшірмесін сақтап, соны қосыңыз"
        ),
        "pdf_encrypted": (
            "{name}: PDF мұнда ашылмайтын тәсілмен шифрланған; шифрсыз көшірмесін сақтап, "
            "соны қосыңыз"
        ),
        "not_pdf": "{name}: оқылатын PDF емес (зақымдалған не толық емес: {why})",
        "pdf_damaged_page": "{name}, {page}-бет: мәтінін оқу мүмкін емес (бет зақымдалған: {why})",
        "pdf_scanned": (
            "{name}: оның {pages} бетінде алынатын мәтін жоқ (сканерленген бе?); алдымен "
            "мәтінін OCR арқылы танытыңыз (мысалы, ocrmypdf)"
        ),
        "pdf_only_furniture": (
            "{name}: оның {pages} бетінде тек бет колонтитулдары мен бет нөмірлері бар"
        ),
        "no_such_document": "индексте {name} құжаты жоқ (бары: {known})",
        "last_document": "{name} — соңғы құжат; индекс бос бола алмайды",
        "job_bug": "индекстеу күтпеген жерден сәтсіз аяқталды: {bug}",
        # who may change the documents
        "access_read_only": (
            "Бұл сервердің құжаттарын веб арқылы өзгертуге болмайды; оператор оларды kazrag "
            "index add арқылы қосады немесе серверді --admin-password параметрімен іске қосады."
        ),
        "access_no_password": "Құжаттарды өзгерту үшін әкімші құпиясөзі керек.",
        "access_wrong_password": "Әкімші құпиясөзі қате; құжаттар өзгерген жоқ.",
        # upload progress
        "waiting": "кезекте",
        "waiting_ahead": "кезекте: алдында {ahead} жүктеу бар",
        "doing": "{names}: {what}",
        "starting": "басталып жатыр",
        "reading": "{name} оқылып жатыр",
        "read_files": "{n} файл оқылды",
        "chunking": "үзінділерге бөлу: {n}/{total} құжат",
        "embedding_passages": "үзінділерді векторлау: {done}/{total}",
        "embedding_sentences": "сөйлемдерді векторлау: {done}/{total}",
        "keyword_index": "кілтсөз индексі құрылып жатыр",
        "index_ready": "индекс дайын",
        "index_ready_note": "индекс дайын ({note})",
        "done": "дайын",
    },
    "ru": {
        "nothing_added": "ничего не добавлено: {reasons}",
        "no_documents": "нет документов",
        "no_readable": "нет читаемых документов для индексации",
        "only_other_formats": "нет файлов {suffixes} (файлов других форматов: {n})",
        "empty": "{name}: файл пуст",
        "binary": "{name}: это двоичный файл, а не текст",
        "binary_utf16": (
            "{name}: это двоичный файл, а не текст (если это текст UTF-16 без метки порядка "
            "байтов, сохраните его в UTF-8)"
        ),
        "unknown_encoding": (
            "{name}: это не текст в кодировке, известной kazrag (UTF-8, UTF-16, CP1251, "
            "KZ-1048); сохраните его в UTF-8"
        ),
        "bad_bom": (
            "{name}: начинается с метки порядка байтов {encoding}, но это не текст в этой кодировке"
        ),
        "unsupported": "{name}: формат {suffix} не поддерживается; kazrag читает {suffixes}",
        "unsupported_doc": (
            "{name}: формат {suffix} не поддерживается; kazrag читает {suffixes}; сохраните "
            "файл Word .doc как .docx"
        ),
        "not_a_file": (
            "{path}: это не обычный файл; kazrag читает документы, сохранённые как файлы"
        ),
        "cannot_read": "{path}: не удаётся прочитать ({why})",
        "no_passages": (
            "{name}: не дал ни одного фрагмента (нет текста, кроме заголовка, подзаголовков, "
            "колонтитулов или разметки); не проиндексирован"
        ),
        "no_passages_in_corpus": (
            "{name}: не дал ни одного фрагмента (нет текста, кроме заголовка, подзаголовков, "
            "колонтитулов или разметки); файл не проиндексирован"
        ),
        "too_deep": "{name}: слишком глубокая вложенность, файл не прочитать",
        "reader_bug": (
            "{name}: не удалось прочитать (ошибка в kazrag: {bug}; пожалуйста, сообщите о ней)"
        ),
        "same_name": (
            "{path}: документ с именем {name} уже есть в корпусе ({other}); переименуйте "
            "один из них"
        ),
        "same_text_indexed": (
            "{name}: тот же текст, что в {other} (уже в индексе); дважды не добавляется"
        ),
        "same_text_in_batch": (
            "{name}: тот же текст, что в {other} (тоже в этой загрузке); дважды не добавляется"
        ),
        "already_indexed": "{name}: уже в индексе с тем же содержимым",
        "name_taken": (
            "{name}: другой документ с таким именем уже в индексе; загрузка никогда не "
            "заменяет документ: сначала удалите прежний или переименуйте файл"
        ),
        "over_limit": "{name}: {what} ({option}); не проиндексирован",
        "limit_bytes": "размер файла {size}, больше предела в {most}",
        "limit_pages": "страниц: {pages}, больше предела в {most}",
        "limit_paragraphs": "абзацев больше предела в {most}",
        "limit_characters": "текст длиннее предела в {most} символов",
        "limit_seconds": "чтение заняло больше предела в {most:g} с",
        "limit_seconds_at": "чтение заняло больше предела в {most:g} с (остановлено: {where})",
        "at_page": "страница {n}",
        "at_paragraph": "абзац {n}",
        "at_note": "сноска {n}",
        "html_unreadable": "{name}: веб-страницу не удалось прочитать ({why})",
        "not_word": (
            "{name}: не читаемый файл Word .docx (повреждён, обрезан или это файл другого "
            "формата, переименованный в .docx)"
        ),
        "not_word_why": "{name}: не читаемый файл Word .docx (повреждён: {why})",
        "word_no_text": "{name}: в файле Word нет текста",
        "jsonl_not_utf8": "{name}: корпус .jsonl должен быть текстом в UTF-8",
        "jsonl_empty": "{name}: в файле нет фрагментов",
        "jsonl_bad_line": (
            '{name}, строка {line}: не строка корпуса (ожидался JSON с "_id", "title", "text")'
        ),
        "jsonl_duplicate": "{name}, строка {line}: повторяющийся _id {id}",
        "pdf_password": "{name}: PDF защищён паролем; сохраните копию без пароля и добавьте её",
        "pdf_encrypted": (
            "{name}: PDF зашифрован так, что его здесь не открыть; сохраните копию без "
            "шифрования и добавьте её"
        ),
        "not_pdf": "{name}: не читаемый PDF (повреждён или обрезан: {why})",
        "pdf_damaged_page": (
            "{name}, страница {page}: текст не прочитать (страница повреждена: {why})"
        ),
        "pdf_scanned": (
            "{name}: на его страницах ({pages}) нет извлекаемого текста (скан?); сначала "
            "распознайте текст (OCR, например ocrmypdf)"
        ),
        "pdf_only_furniture": (
            "{name}: на его страницах ({pages}) только колонтитулы и номера страниц"
        ),
        "no_such_document": "в индексе нет документа {name} (есть: {known})",
        "last_document": "{name} — последний документ; индекс не может быть пустым",
        "job_bug": "индексация неожиданно прервалась: {bug}",
        "access_read_only": (
            "Документы этого сервера нельзя менять через веб; оператор добавляет их командой "
            "kazrag index add или запускает сервер с --admin-password."
        ),
        "access_no_password": "Чтобы изменить документы, нужен пароль администратора.",
        "access_wrong_password": "Неверный пароль администратора; документы не изменены.",
        "waiting": "в очереди",
        "waiting_ahead": "в очереди: впереди загрузок: {ahead}",
        "doing": "{names}: {what}",
        "starting": "начало",
        "reading": "чтение {name}",
        "read_files": "прочитано файлов: {n}",
        "chunking": "разбиение на фрагменты: {n}/{total} документов",
        "embedding_passages": "векторизация фрагментов: {done}/{total}",
        "embedding_sentences": "векторизация предложений: {done}/{total}",
        "keyword_index": "построение индекса ключевых слов",
        "index_ready": "индекс готов",
        "index_ready_note": "индекс готов ({note})",
        "done": "готово",
    },
}


def said(lang: str, message: object) -> str:
    """kazrag's message (a Said, a kazrag error, a skipped file) in `lang`: by its key from
    SAID, its values said the same way (a nested reason, a list of them); as it came, in
    English, for English, for a message without a key, and for one SAID lacks."""
    found = said_of(message)
    if found is None:
        return str(message)
    words = SAID.get(lang_of(lang), {}).get(found.key)
    if words is None:
        return str(found)
    values = {
        name: "; ".join(said(lang, v) for v in value)
        if isinstance(value, (list, tuple))
        else said(lang, value)
        if said_of(value) is not None
        else value
        for name, value in found.values.items()
    }
    try:
        return words.format(**values)
    except (KeyError, IndexError, ValueError):  # a table entry out of step: English, not a crash
        return str(found)


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
