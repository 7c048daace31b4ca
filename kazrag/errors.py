"""The one family of errors kazrag reports to a user.

Every error a user can cause or fix (a bad question, an unreadable document, a damaged index,
a missing model, an option out of range) is a `KazragError` whose `str()` is a one-line
message saying what is wrong and what to do. The command line and the chat catch this family
only; anything else is a bug and is reported as one (`kazrag.ui.cli.main`).
"""

from __future__ import annotations

from .said import Said


class KazragError(Exception):
    """Base of every error meant for the user; the message is complete in itself. Raised
    with a `Said` (kazrag.said), the chat page says it in its own language."""

    @property
    def said(self) -> Said | None:
        first = self.args[0] if self.args else None
        return first if isinstance(first, Said) else None


class QuestionError(KazragError):
    """A question kazrag cannot search for (empty, no words, another script)."""


class DocumentError(KazragError):
    """A document that cannot be read or indexed; names the file and the reason. `kind` is
    that reason in a word or two ("empty", "binary", "damaged", "over a limit"…), so that a
    batch of hundreds of files can be summed up by reason."""

    def __init__(self, message: str, kind: str = "unreadable"):
        super().__init__(message)
        self.kind = kind


class IndexStoreError(KazragError):
    """An index that cannot be used or written; says how to repair it."""


class ModelError(KazragError):
    """The embedding model cannot be found, converted or loaded."""


class ConfigError(KazragError):
    """A setting or option with a value kazrag cannot use."""


class QuestionFileError(KazragError):
    """An evaluation question file with a problem, named by file and line."""


class AccessError(KazragError):
    """A change this client may not make (the corpus is read-only from the web, or the admin
    password is missing or wrong)."""


class FeedbackError(KazragError):
    """A like or dislike that is not recorded (not for an answer this server gave, or too big)."""
