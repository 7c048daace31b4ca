"""What a chat message says besides its question: greetings, polite requests, thanks.

People write to a chat window as they would to a person: `Здравствуйте! Подскажите,
пожалуйста, сколько судей было наказано?`, `Hi! Can you tell me how many …`, `Рахмет!`.
The greeting and the request are not part of what is searched (they pull the question's
vector away from its answer), and a message that is nothing but courtesy asks nothing of the
documents: it gets a plain reply, never a quote (eval/README.md "Courtesy").

`read_courtesy(text)` works on the question as it is searched (`rag.translit` has read a
Latin or wrong-layout question into Cyrillic by then); its phrases are Kazakh, Russian and
English. A phrase is only taken off the start or the end of the message, where courtesy
stands, so a word inside the question (`пока` as "while") is never touched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# Each list is alternatives of one regular expression, matched case-insensitively on whole
# words, by the language the reply to a message of them alone is given in. Kazakh ones allow
# the Russian letter a Russian keyboard leaves (`салем`), and the commonest are also given in
# Latin letters (`salem`, `rakhmet`), which a message this short is not read from.
_GREETINGS = {
    "kk": (
        r"с[әа]леметсіз(?:дер)?\s+бе",
        r"с[әа]леметсің\s+бе",
        r"с[әа]лем(?:етсіз)?",
        r"армысыз(?:дар)?",
        r"қайырлы\s+(?:таң|күн|кеш)",
        r"ассал[ао]у?м(?:а[ғг]?)?[ао]?л[еa]йк[үу]м",
        r"s[aäá]lem(?:etsi[zń]\s+be)?",
    ),
    "ru": (
        r"салам(?:\s+алейкум)?",
        r"здравствуй(?:те)?",
        r"здра(?:сь)?сте",
        r"привет(?:ствую)?",
        r"добр(?:ый|ое|ого)\s+(?:день|утро|вечер|дня|утра|вечера)",
    ),
    "en": (
        r"(?:hello|hi|hey|hiya)(?:\s+there)?",
        r"good\s+(?:morning|afternoon|evening|day)",
        r"greetings",
    ),
}
_THANKS = {
    "kk": (
        r"(?:көп\s+)?р[аa][хқк]?мет(?:\s+сізге)?(?:\s+көп)?",
        r"алғыс(?:ым)?\s+(?:білдіремін|айтамын)",
        r"(?:kóp\s+|kop\s+)?ra[hkq]{1,2}met",
    ),
    "ru": (
        r"(?:большое\s+)?спасибо(?:\s+(?:большое|огромное|вам))?",
        r"благодарю(?:\s+вас)?",
        r"спс",
    ),
    "en": (
        r"(?:many\s+)?thanks?(?:\s+(?:a\s+lot|so\s+much|you(?:\s+(?:very|so)\s+much)?))?",
        r"thx",
        r"cheers",
    ),
}
_FAREWELLS = {
    "kk": (
        r"сау\s+бол(?:ыңыз(?:дар)?)?",
        r"қош\s+бол(?:ыңыз(?:дар)?)?",
        r"көріскенше(?:\s+сау\s+бол(?:ыңыз)?)?",
        r"sau\s+bol(?:y[ńn]y[zs])?",
    ),
    "ru": (r"до\s+свидания", r"пока", r"всего\s+(?:доброго|хорошего)"),
    "en": (r"good\s*bye", r"bye", r"see\s+you(?:\s+later)?"),
}
# asking what kazrag is or how it is: answered with what it does
_SMALLTALK = {
    "kk": (
        r"қал(?:ыңыз|ың)\s+қалай",
        r"қалайсыз",
        r"(?:сен|сіз)\s+кім(?:сің|сіз)",
        r"не\s+істей\s+аласыз",
    ),
    "ru": (
        r"как\s+(?:дела|ты|вы|поживаете)",
        r"(?:кто|что)\s+(?:ты|вы)(?:\s+такое|\s+такой)?",
        r"что\s+(?:ты|вы)\s+(?:умеете|умеешь)",
    ),
    "en": (
        r"how\s+are\s+you(?:\s+doing)?",
        r"who\s+are\s+you",
        r"what\s+(?:are\s+you|can\s+you\s+do)",
    ),
}
# an answer to kazrag's own reply: it asks nothing
_ACKNOWLEDGEMENTS = {
    "kk": (r"жақсы", r"түсінікті", r"түсіндім", r"иә"),
    "ru": (r"ок(?:ей)?", r"хорошо", r"понятно", r"ясно", r"ага", r"отлично"),
    "en": (r"ok(?:ay)?", r"got\s+it", r"great", r"cool", r"nice", r"i\s+see"),
}


def _all(phrases: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(p for by_lang in phrases.values() for p in by_lang)


# polite requests around the question: `Подскажите, …`, `Can you tell me …`
_REQUESTS = (
    r"(?:маған\s+)?айтыңызшы",
    r"(?:маған\s+)?айтып\s+(?:беріңізші|беріңіз|бересіз\s+бе|бере\s+аласыз\s+ба)",
    r"түсіндіріп\s+(?:беріңізші|беріңіз|бересіз\s+бе|бере\s+аласыз\s+ба)",
    r"көмектесіп\s+жіберіңізші",
    r"көмектесіңізші",
    r"(?:менің\s+)?(?:бір\s+)?сұрағым\s+бар",
    r"бір\s+сұрақ",
    r"білгім\s+(?:келеді|келіп\s+еді)",
    r"білуге\s+бола\s+ма",
    r"өтінемін",
    r"өтініш",
    r"(?:не\s+)?подскажите",
    r"не\s+подскажете",
    r"скажите",
    r"расскажите",
    r"объясните",
    r"(?:не\s+)?могли\s+бы\s+вы\s+(?:мне\s+)?(?:сказать|подсказать|рассказать|объяснить)",
    r"(?:вы\s+)?можете\s+(?:мне\s+)?(?:сказать|подсказать|рассказать|объяснить)",
    r"можно\s+(?:узнать|спросить)",
    r"хотел(?:а|ось)?\s+бы\s+(?:узнать|спросить)",
    r"хочу\s+(?:узнать|спросить)",
    r"у\s+меня\s+(?:есть\s+)?(?:один\s+)?вопрос",
    r"вопрос(?=\s*:)",
    r"интересно",
    r"пожалуйста",
    r"будьте\s+добры",
    r"(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:tell|show|explain\s+to)\s+me",
    r"(?:please\s+)?tell\s+me",
    r"i\s+(?:want|wanted|would\s+like|'d\s+like)\s+to\s+know",
    r"i\s+(?:was\s+)?wonder(?:ing|ed)?",
    r"do\s+you\s+know",
    r"i\s+have\s+a\s+question",
    r"(?:a\s+)?quick\s+question",
    r"question(?=\s*:)",
    r"please",
)


def _either(phrases: tuple[str, ...]) -> str:
    return "(?:" + "|".join(phrases) + ")"


_EDGE = r"[\s,.!?:;…)(\-–—]*"  # the marks between phrases
_MARK = r"\s*[,.!?:;…]"
_EMOJI = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]+")
# Where courtesy ends and the question begins. A greeting or a request may run straight
# into the question (`Привет подскажите сколько …`); thanks and small talk only before a
# mark (`Спасибо! А …`), so `Thanks to whom …` and `What are you …` stay whole.
_LEADING = re.compile(
    rf"^{_EDGE}(?:{_either(_all(_GREETINGS) + _REQUESTS)}(?![\w'-])"
    rf"|{_either(_all(_THANKS) + _all(_SMALLTALK))}(?={_MARK})){_EDGE}",
    re.I,
)
_TRAILING = re.compile(
    rf"(?<![\w'-])(?:{_either(_all(_THANKS) + _all(_FAREWELLS) + _REQUESTS)}){_EDGE}$", re.I
)


def _word(phrases: tuple[str, ...]) -> re.Pattern:
    return re.compile(rf"(?<![\w'-]){_either(phrases)}(?![\w'-])", re.I)


# a message of courtesy alone: the kind of reply, in priority order (`Рахмет, сау болыңыз!`
# is a goodbye), and the language of the words that chose it
_SOCIAL_ONLY = [
    (kind, lang, _word(phrases[lang]))
    for kind, phrases in (
        ("farewell", _FAREWELLS),
        ("smalltalk", _SMALLTALK),
        ("greeting", _GREETINGS),
        ("thanks", _THANKS),
        ("thanks", _ACKNOWLEDGEMENTS),
    )
    for lang in phrases
]
_ANY_SOCIAL = _word(
    _all(_GREETINGS)
    + _all(_THANKS)
    + _all(_FAREWELLS)
    + _all(_SMALLTALK)
    + _all(_ACKNOWLEDGEMENTS)
    + _REQUESTS
)
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Courtesy:
    question: str  # what is left to search; "" when the message asks nothing
    kind: str | None = None  # for a message that asks nothing: its reply's kind
    lang: str | None = None  # and the language of its words


def read_courtesy(text: str) -> Courtesy:
    """The question inside `text`, without the greetings, requests and thanks around it.
    When nothing else is left, `kind` says what the message was: "greeting", "thanks"
    (acknowledgements too), "farewell" or "smalltalk" (how are you, who are you), and `lang`
    the language of its words (`Рахмет!` is Kazakh, though it has no Kazakh letter)."""
    plain = _EMOJI.sub(" ", text).strip()
    if not _LETTER.search(_ANY_SOCIAL.sub(" ", plain)):
        for kind, lang, pattern in _SOCIAL_ONLY:
            if pattern.search(plain):
                return Courtesy("", kind, lang)
    question = plain
    while True:
        stripped = _TRAILING.sub("", _LEADING.sub("", question, count=1), count=1).strip()
        if stripped == question or not _LETTER.search(stripped):
            break
        question = stripped
    if question == plain:
        return Courtesy(text)
    first = _LETTER.search(plain)
    if first and first.group().isupper() and question[:1].islower():
        # written as a sentence of its own: `Подскажите, сколько …` is `Сколько …` (the model
        # reads a lower-case first word otherwise)
        question = question[0].upper() + question[1:]
    if plain.rstrip().endswith("?") and not question.endswith(("?", ".", "!")):
        question = question.rstrip(" ,;:—–-") + "?"  # the question mark went with `…, please?`
    return Courtesy(question)
