"""A chat question that follows on from the one before it.

In a chat people ask on: `Ал 2016 жылы ше?`, `А за что?`, `What was his sentence?`. Alone,
such a question names nothing the documents could be searched for, and its answer quoted
whatever shared its few words. A question `follows_on` when it opens as a continuation (ал,
а, and, what about), ends in the Kazakh particle ше, stands for a thing by a pronoun (оның,
его, his), or is two words at most (`Неге?`, `How long?`); it is then searched together
with the question it follows (`with_context`), and the answer says so. A question that names
its own subject is searched alone, as it is outside a chat (eval/README.md "Follow-up
questions").
"""

from __future__ import annotations

import re

from .courtesy import read_courtesy

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)")

# a continuation: the question opens with one of these, then a space or a comma (so the
# initial of `А. Байтұрсынов` is not `а`, "and")
_OPENING = re.compile(
    r"^\W*(?:ал|енді|тағы|а|и|and|also|so|what\s+about|how\s+about)(?=[\s,])", re.I
)
_ENDINGS = frozenset({"ше"})  # Kazakh `Ал әйелдер ше?`: "and what of the women?"
_ENDING_WORDS = 5  # at most: `Ал 2016 жылы ше?`; a longer one asks on inside itself
# Pronouns that stand for something named before, by the question's language (not `it` or
# `there`, which English uses with nothing before them: `Is it true that …`, `Are there …`).
_PRONOUNS = {
    # ол (he, she, it, that) and олар (they) in their cases, сол (that one), мұның
    "kk": frozenset(
        "ол оны оның оған онда одан онымен олар оларды олардың оларға оларда олардан "
        "олармен сол соны соның соған сонда содан сонымен мұның бұның бұл бұған бұны мұны "
        "бұдан мұнда бұнда осы осыған осыны осының осыдан".split()
    ),
    "ru": frozenset(
        "он она оно они его её ее их ему ей им него неё нее них нему ней ним нём нем "
        "этот эта эти этого этой этих этому этим тот та те того той тех там тогда ещё еще".split()
    ),
    "en": frozenset(
        "he she they him her them his hers their theirs its this these those then else".split()
    ),
}
# The words a question may open with before such a pronoun and still name nothing itself:
# question words, auxiliaries, prepositions. A pronoun after a noun (`Босқын мәртебесі …
# және оны жаңарту керек пе?`) points back inside its own question.
_LEAD = {
    "kk": frozenset(
        "не кім кімге кімді кімнің нені неге неліктен қайда қашан қалай қандай қай қанша "
        "неше және ал енді тағы да де".split()
    ),
    "ru": frozenset(
        "что кто кого кому чем где когда почему зачем как какой какая какое какие каким "
        "какую какого сколько ли за в во на с со у к по о об от до из был была были было "
        "будет и а же ну".split()
    ),
    "en": frozenset(
        "what who whom whose where when why how which was were is are did does do has have "
        "had will would can could should in on at for to of with by from about much many "
        "long old the a an and so".split()
    ),
}
_SHORT = 2  # words: `Неге?`, `Who else?`, `2016 жылы?`
_SHORT_WITH_PRONOUN = 5  # words, at most, for a pronoun anywhere in it to point back


def follows_on(question: str, lang: str) -> bool:
    """Whether `question` (in `lang`, as `rag.lang.detect` says) reads as a continuation
    of the one asked before it."""
    words = [w.casefold() for w in _WORD.findall(question)]
    if not words:
        return False
    if len(words) <= _SHORT or _OPENING.match(question):
        return True
    if words[-1] in _ENDINGS and len(words) <= _ENDING_WORDS:
        return True
    pronouns, lead = _PRONOUNS.get(lang, frozenset()), _LEAD.get(lang, frozenset())
    if len(words) <= _SHORT_WITH_PRONOUN:
        # too short to name what its pronoun stands for: `Судья оны қанша күнде қарайды?`
        return any(w in pronouns for w in words)
    for word in words:
        if word in pronouns:
            return True
        if word not in lead:
            return False
    return False


def with_context(question: str, previous: str) -> str:
    """What is searched for `question` asked after `previous`: the two together, the new
    question first. A year of the new question replaces the old one's (`… 2017 жылы …?` then
    `Ал 2016 жылы ше?` asks of 2016 only)."""
    if _YEAR.search(question):
        previous = _YEAR.sub("", previous)
    return f"{question.strip()} {' '.join(previous.split())}"


_AFTER_QUESTION_MARK = re.compile(r"(?<=\?)\s+(?=\S)")


def questions_in(message: str, most: int) -> list[str]:
    """The questions of one chat message, in order: it is cut after each question mark
    followed by more (`Макс Бокаев кім? Оған қандай жаза берілді?`); a part of courtesy alone
    (`… ? Рахмет!`) goes with the question before it; past `most` parts, the rest stays
    with the last. A message of one question is itself."""
    parts: list[str] = []
    for part in _AFTER_QUESTION_MARK.split(message.strip()):
        if parts and (read_courtesy(part).kind or len(parts) == most):
            parts[-1] = f"{parts[-1]} {part}"
        else:
            parts.append(part)
    return parts or [message]
