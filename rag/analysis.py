"""How text becomes keyword tokens: one analyzer object for indexing and for questions.

The analyzer that built an index is recorded in its manifest (`describe()`), and retrieval
rebuilds the same analyzer from there (`from_manifest`), so a question is always tokenised as
the passages were, even when the defaults have changed since.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import NORMALISER_VERSION, keyword_tokens


@dataclass(frozen=True)
class KeywordAnalyzer:
    """Folded (`rag.text.match_key`), lower-cased word tokens cut to their first `prefix`
    letters: Kazakh has no stemmer in the usual toolkits, and a prefix lets suffix chains
    (`сот-тар-ы-на`) share a key with their stem (measured: eval/README.md "keyword prefix").
    Numbers are kept whole."""

    prefix: int = 5
    name: str = "folded-prefix"
    version: str = NORMALISER_VERSION

    def tokens(self, text: str) -> list[str]:
        return keyword_tokens(text, self.prefix)

    def describe(self) -> dict:
        return {"analyzer": self.name, "version": self.version, "prefix": self.prefix}

    @classmethod
    def from_manifest(cls, keyword: dict) -> KeywordAnalyzer:
        return cls(prefix=int(keyword.get("prefix", 0)))
