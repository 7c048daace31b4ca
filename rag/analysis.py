"""How text becomes keyword tokens: one analyzer object for indexing and for questions.

The analyzer that built an index is recorded in its manifest (`describe()`), and retrieval
rebuilds the same analyzer from there (`from_manifest`), so a question is always tokenised as
the passages were, even when the defaults have changed since.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import KEYWORD_FOLDS, Config
from .text import NORMALISER_VERSION, keyword_tokens
from .translit import search_form, skeleton_of_normal

# The analyzer before Latin Kazakh and the skeleton fold: what indexes built then recorded.
_FOLDED_PREFIX = "folded-prefix"
_KAZAKH_PREFIX = "kazakh-prefix"
ANALYZER_VERSION = "1"  # bump when `tokens` changes what it returns: indexes are rebuilt


@dataclass(frozen=True)
class KeywordAnalyzer:
    """Folded (`rag.text.match_key`), lower-cased word tokens cut to their first `prefix`
    letters: Kazakh has no stemmer in the usual toolkits, and a prefix lets suffix chains
    (`сот-тар-ы-на`) share a key with their stem (measured: eval/README.md "keyword prefix").
    Numbers are kept whole.

    Two steps make Kazakh as people type it meet the documents' Kazakh:
    - Latin Kazakh text (a document or sentence in one of the Latin alphabets) is read in
      Cyrillic first (`rag.translit.search_form`), so `saılaý` and `сайлау` are one token;
    - with `fold="skeleton"`, each token is folded to its skeleton before it is cut (the
      Kazakh letters to the Russian ones a phone keyboard types for them: ә→а, ғ→г, қ→к,
      ң→н, ө→о, ұ/ү→у, һ→х, і/ы→и), so `Ғабдуллин` and `Габдуллин` are one token
      (measured: eval/README.md "skeleton fold").
    """

    prefix: int = Config.keyword_prefix
    fold: str = Config.keyword_fold  # one of KEYWORD_FOLDS
    latin_kazakh: bool = True  # read Latin Kazakh text in Cyrillic first
    name: str = _KAZAKH_PREFIX
    version: str = f"{NORMALISER_VERSION}.{ANALYZER_VERSION}"

    def __post_init__(self) -> None:
        if self.fold not in KEYWORD_FOLDS:
            raise ValueError(f"fold must be one of {', '.join(KEYWORD_FOLDS)}, not {self.fold!r}")

    def tokens(self, text: str) -> list[str]:
        if self.latin_kazakh:
            text = search_form(text)
        if self.fold == "none":
            return keyword_tokens(text, self.prefix)
        # keyword_tokens are match_key'd already: the fold alone gives their skeleton
        tokens = [t if t.isdigit() else skeleton_of_normal(t) for t in keyword_tokens(text)]
        if self.prefix <= 0:
            return tokens
        return [t if t.isdigit() else t[: self.prefix] for t in tokens]

    def describe(self) -> dict:
        described = {"analyzer": self.name, "version": self.version, "prefix": self.prefix}
        if self.name != _FOLDED_PREFIX:
            described.update(fold=self.fold, latin_kazakh=self.latin_kazakh)
        return described

    @classmethod
    def from_manifest(cls, keyword: dict) -> KeywordAnalyzer:
        """The analyzer an index was built with, as its manifest describes it (an index from
        before the Kazakh steps gets the plain folded-prefix analyzer it was built with)."""
        prefix = int(keyword.get("prefix", 0))
        if keyword.get("analyzer", _FOLDED_PREFIX) == _FOLDED_PREFIX:
            return cls(
                prefix=prefix,
                fold="none",
                latin_kazakh=False,
                name=_FOLDED_PREFIX,
                version=str(keyword.get("version", NORMALISER_VERSION)),
            )
        return cls(
            prefix=prefix,
            fold=str(keyword.get("fold", "none")),
            latin_kazakh=bool(keyword.get("latin_kazakh", False)),
            version=str(keyword.get("version", "")),
        )
