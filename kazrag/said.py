"""A message for the user that the chat page can say in its own language.

    raise DocumentError(Said("empty", "{name}: the file is empty", name=path.name))

A `Said` is its English text (what the command line, logs and the REST API show: it is a
`str`), with a stable `key` and the `values` filled in, by which `kazrag.ui.i18n.said` says
the same in Kazakh or Russian. The English stays where the message is made; a message with
no key, or one the page's table lacks, is shown in English.
"""

from __future__ import annotations

from collections.abc import Mapping


def _english(value: object) -> object:
    """A value as the English text shows it: a list of reasons joined with "; "."""
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    return value


class Said(str):
    key: str
    values: Mapping[str, object]

    def __new__(cls, key: str, english: str, **values: object) -> Said:
        said = super().__new__(cls, english.format(**{k: _english(v) for k, v in values.items()}))
        said.key = key
        said.values = values
        return said

    def __reduce__(self):  # str's own would call __new__ with the text alone
        return (_restore, (str(self), self.key, dict(self.values)))


def _restore(text: str, key: str, values: dict) -> Said:
    said = str.__new__(Said, text)
    said.key, said.values = key, values
    return said


def said_of(message: object) -> Said | None:
    """The `Said` behind a message: itself, a kazrag error's or a skipped file's (their
    `said`), or None for plain text."""
    if isinstance(message, Said):
        return message
    inner = getattr(message, "said", None)
    return inner if isinstance(inner, Said) else None
