"""What a chat message says besides its question: greetings, polite requests, thanks.

People write to a chat window as they would to a person: `Здравствуйте! Подскажите,
пожалуйста, сколько судей было наказано?`, `Hi! Can you tell me how many …`, `Рахмет!`.
The greeting and the request are not part of what is searched (they pull the question's
vector away from its answer), and a message that is nothing but courtesy asks nothing of the
documents: it gets a plain reply, never a quote (eval/README.md "Courtesy").

`read_courtesy(text)` works on the question as it is searched (`rag.translit` has read a
Latin or wrong-layout question into Cyrillic by then); its phrases are Kazakh, Russian and
English. A phrase is only taken off the start or the end of the message, where courtesy
stands, so a word inside the question (`пока` as "while") is never touched. What no list
holds (`бопты`, `спасиба бауырым`) the `CourtesyModel` reads from the message's vector (the
engine applies it: `Kazrag._asks_nothing`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from kazrag.errors import ConfigError

from .answerability import read_fitted
from .translit import skeleton_of_normal

# Each list is alternatives of one regular expression, matched case-insensitively on whole
# words, by the language the reply to a message of them alone is given in. Kazakh ones allow
# the Russian letter a Russian keyboard leaves (`салем`), and the commonest are also given in
# Latin letters (`salem`, `rakhmet`), which a message this short is not read from.
_GREETINGS = {
    "kk": (
        r"ассалаумағалейкум\s+бауыр(?:ым|лар)",
        r"с[әа]леметсізбе",
        r"с[әа]леметсіз(?:дер)?\s+бе",
        r"с[әа]леметсің\s+бе",
        r"с[әа]лем(?:етсіз)?",
        r"армысыз(?:дар)?",
        r"қайырлы\s+(?:таң|күн|кеш)",
        r"ассал[ао]у?м(?:а[ғг]?)?[ао]?л[еa]йк[үу]м",
        r"s[aäá]lem(?:etsi[zń]\s+be)?",
    ),
    "ru": (
        r"здра(?:в)?ствуй(?:те)?",
        r"приветики?",
        r"доброго\s+времени\s+суток",
        r"приветик",
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
        r"р[аa]+[хқк]?ме+т",
        r"(?:(?:көп|үлкен|зор|көп-көп|алдын\s+ала)\s+)?р[аa][хқк]?мет(?:\s+сізге)?(?:\s+көп)?",
        r"алғыс\w*\s+(?:білдіремін|айтамын)",
        r"(?:(?:kóp|kop|ulken|úlken)\s+)?ra[hkq]{1,2}met",
    ),
    "ru": (
        r"благодарю\s+за\s+(?:подробный\s+|быстрый\s+)?ответ",
        r"благодар(?:ю|ствую)(?:\s+(?:вас|за\s+помощь|за\s+ответ))?",
        r"(?:(?:большое|огромное|заранее)\s+)?спасибо(?:\s+(?:большое|огромное|вам|заранее))?"
        r"(?:\s+за\s+(?:ответ|помощь))?",
        r"благодарю(?:\s+вас)?",
        r"спс",
    ),
    "en": (
        r"(?:thnx|tnx|thx)(?:\s+(?:a\s+lot|so\s+much))?",
        r"(?:much|really)\s+appreciated",
        r"i\s+appreciate\s+it",
        r"thank\s+(?:u|you)(?:\s+so\s+much)?",
        r"(?:many\s+)?thanks?(?:\s+(?:a\s+lot|so\s+much|you(?:\s+(?:very|so)\s+much)?))?"
        r"(?:\s+for\s+(?:the\s+)?(?:answer|help)|\s+in\s+advance)?",
        r"cheers",
    ),
}
_FAREWELLS = {
    "kk": (
        r"кездескенше",
        r"келесі\s+жолы\s+(?:дейін|кездескенше)",
        r"қайырлы\s+түн",
        r"[хқ]ош",
        r"жақсы\s+күн\s+тілеймін",
        r"сау\s+бол(?:ыңыз(?:дар)?)?",
        r"қош\s+бол(?:ыңыз(?:дар)?)?",
        r"көріскенше(?:\s+сау\s+бол(?:ыңыз)?)?",
        r"sau\s+bol(?:y[ńn]y[zs])?",
    ),
    "ru": (
        r"пока-пока",
        r"до\s+(?:связи|встречи|скорого)",
        r"хорошего\s+(?:дня|вечера)",
        r"спокойной\s+ночи",
        r"удачи",
        r"до\s+свидания",
        r"пока",
        r"всего\s+(?:доброго|хорошего)",
    ),
    "en": (
        r"bye-bye",
        r"take\s+care",
        r"talk\s+(?:to\s+you\s+)?later",
        r"have\s+a\s+(?:nice|good|great)\s+(?:day|evening|one)",
        r"good\s+night",
        r"good\s*bye",
        r"bye",
        r"see\s+(?:you|ya)(?:\s+later)?",
    ),
}
# asking what kazrag is or how it is: answered with what it does
_SMALLTALK = {
    "kk": (
        r"(?:сен|сіз)\s+(?:адам|робот|бот)(?:сың|сыз)?\s+(?:ба|па)(?:\s+әлде\s+(?:адам|робот|бот)(?:сың|сыз)?\s+(?:ба|па))?",
        r"қалайсың",
        r"жағдай(?:ың|ыңыз)\s+(?:қалай|жақсы\s+ма)",
        r"ат(?:ың|ыңыз)\s+кім",
        r"не\s+істей\s+аласың",
        r"(?:сен|сіз)\s+кімсің",
        r"(?:бот|робот|адам)(?:сың|сыз)?\s+(?:ба|па)",
        r"qala[iy]syn",
        r"sen\s+kimsi[nń]",
        r"(?:қал|жағдай)(?:ыңыз|ың)\s+қалай",
        r"қалайсыз",
        r"qala[iıy]?syz",
        r"(?:сен|сіз)\s+кім(?:сің|сіз)",
        r"не\s+істей\s+аласыз",
    ),
    "ru": (
        r"как\s+жизнь",
        r"(?:ты|вы)\s+кто(?:\s+вообще)?",
        r"(?:ты|вы)\s+(?:бот|робот)",
        r"(?:ты|вы)\s+бот\s+или\s+(?:живой\s+)?человек",
        r"как\s+(?:(?:у\s+(?:тебя|вас)\s+)?дела|ты|вы|поживаете)",
        r"(?:кто|что)\s+(?:ты|вы)(?:\s+(?:такое|такой|умеете|умеешь))?",
    ),
    "en": (
        r"what\s+can\s+(?:you|u)\s+do",
        r"who\s+(?:are|r)\s+(?:you|u)",
        r"are\s+you\s+a\s+(?:bot|robot|human|person|real\s+person)",
        r"what(?:\'s|\s+is)\s+your\s+name",
        r"how\s+are\s+you(?:\s+doing)?",
        r"how(?:'s|\s+is)\s+it\s+going",
        r"what(?:'s|\s+is)\s+up",
        r"who\s+are\s+you",
        r"what\s+(?:are\s+you|can\s+you\s+do)",
    ),
}
# an answer to kazrag's own reply: it asks nothing
_ACKNOWLEDGEMENTS = {
    "kk": (
        r"жарайсың",
        r"жарайсыз",
        r"келістім",
        r"мақұл",
        r"дұрыс",
        r"керемет",
        r"ой",
        r"ал",
        r"ну",
        r"көмектестің",
        r"komektesti[nń](?:iz)?",
        r"[jz]h?arai?dy",
        r"жақсы",
        r"жарайды",
        r"түсінікті(?:\s+болды)?",
        r"түсіндім",
        r"иә",
        r"көмектестіңіз",
        r"ja[kq]sy",
        r"tusinikti|túsinikti",
    ),
    "ru": (
        r"то,?\s+что\s+нужно",
        r"принято",
        r"(?:очень\s+)?выручили",
        r"супер",
        r"ок(?:ей)?",
        r"хорошо",
        r"понятно",
        r"понял[аи]?",
        r"ясно",
        r"ага",
        r"отлично",
        r"(?:очень\s+)?помогли",
        r"ну(?:\s+вс[её])?",
    ),
    "en": (
        r"noted",
        r"(?:that\'s|that\s+is)\s+(?:what\s+i\s+needed|great)",
        r"(?:that\s+was\s+)?(?:really\s+|very\s+)?helpful",
        r"perfect",
        r"ok(?:ay)?",
        r"alright",
        r"got\s+it",
        r"understood",
        r"makes\s+sense",
        r"that\s+help(?:s|ed)",
        r"great",
        r"cool",
        r"nice",
        r"i\s+see",
    ),
}


def _all(phrases: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(p for by_lang in phrases.values() for p in by_lang)


# polite requests around the question: `Подскажите, …`, `Can you tell me …`
_REQUESTS = (
    r"(?:маған\s+)?айтыңызшы",
    # `… мүмкін екенін айтып бере аласыз ба?`: the question's own verb stays, екенін goes
    r"(?:екен(?:і|дігі)н\s+)?(?:маған\s+)?айтып\s+(?:беріңізші|беріңіз|бересіз\s+бе|бере\s+аласыз\s+ба)",
    r"(?:екен(?:і|дігі)н\s+)?түсіндіріп\s+(?:беріңізші|беріңіз|бересіз\s+бе|бере\s+аласыз\s+ба)",
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
    # longest first: an alternation takes the first that matches (`что вы умеете` whole,
    # not `что вы` and a word left over); written in the skeleton fold the text is read in
    folded = sorted({_fold(p) for p in phrases}, key=lambda p: (-len(p), p))
    return "(?:" + "|".join(folded) + ")"


def _fold(text: str) -> str:
    """Lower case with the Kazakh letters as a Russian keyboard types them (`улкен рахмет`,
    `САЛЕМЕТСИЗ БЕ`: rag.translit's skeleton fold), letter for letter, so a match's place
    is its place in the text."""
    return skeleton_of_normal("".join(c.lower() if len(c.lower()) == 1 else c for c in text))


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
# a whole message of courtesy phrases and the marks between them (a full match, so the
# phrases are found however their alternatives overlap: `thank u so much`)
_SOCIAL_MESSAGE = re.compile(
    rf"^{_EDGE}(?:{_either(_all(_GREETINGS) + _all(_THANKS) + _all(_FAREWELLS) + _all(_SMALLTALK) + _all(_ACKNOWLEDGEMENTS) + _REQUESTS)}(?![\w'-]){_EDGE})+$",
    re.I,
)
# a longer message asks something; and the whole-message match, which may try each way of
# cutting the words into phrases, stays short
_SOCIAL_MAX_WORDS = 10
_LETTER = re.compile(r"[^\W\d_]")
_WORDS = re.compile(r"[^\W\d_]+")


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
    folded = _fold(plain)
    if word_count(folded) <= _SOCIAL_MAX_WORDS and _SOCIAL_MESSAGE.match(folded):
        for kind, lang, pattern in _SOCIAL_ONLY:
            if pattern.search(folded):
                return Courtesy("", kind, lang)
    question = plain
    while True:
        lead = _LEADING.match(_fold(question))
        stripped = question[lead.end() :] if lead else question
        trail = _TRAILING.search(_fold(stripped))
        stripped = (stripped[: trail.start()] if trail else stripped).strip()
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


# ------------------------------------------------------------------ what the lists miss
FORMAT = "kazrag-courtesy-model/1"


@dataclass(frozen=True)
class CourtesyModel:
    """The probability that a message asks nothing, from its question vector: a logistic
    regression fitted on the chat sets' messages of courtesy against every real question of
    the sets (`scripts/experiments/social_classifier_cv.py`, eval/README.md "Courtesy in the
    chat"). It catches the formulae no list holds (`бопты`, `спасиба бауырым`, `helo`), and
    reads only the vectors of the model it was fitted on."""

    model: str  # the embedding model's name before its backend (`…@1571fc98`, not `+onnx`)
    coef: np.ndarray
    intercept: float

    @classmethod
    def from_dict(cls, data: dict) -> CourtesyModel:
        try:
            if data["format"] != FORMAT:
                raise ConfigError(f"not a {FORMAT} file")
            return cls(
                str(data["model"]), np.asarray(data["coef"], np.float32), float(data["intercept"])
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"not a courtesy model ({exc})") from None

    def reads(self, embedder_name: str) -> bool:
        """Whether vectors of this embedder are the ones it was fitted on."""
        return embedder_name.split("+")[0] == self.model

    def probability(self, vector: np.ndarray) -> float:
        if len(vector) != len(self.coef):
            return 0.0
        return 1.0 / (1.0 + math.exp(-(float(self.coef @ vector) + self.intercept)))


def load_courtesy_model(spec: str) -> CourtesyModel | None:
    """The model `Config.courtesy_model` names: "bundled", "none" (-> None) or a file."""
    return read_fitted(spec, "courtesy.json", "courtesy model", CourtesyModel.from_dict)


def word_count(text: str) -> int:
    return len(_WORDS.findall(text))
