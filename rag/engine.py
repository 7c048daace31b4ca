"""`Kazrag`: the one object the command line, the chat and the evaluation talk to.

    engine = Kazrag.open(config, corpus=[Path("data/corpus")], progress=print_progress)
    answer = engine.ask("Сколько судей было наказано?")

An engine answers from a `Snapshot`: one loaded index version with its retriever, immutable,
replaced in one assignment. A question reads the snapshot once, so a reload in the middle of
it (another process added a document) never pairs a new ranking with old sentence vectors.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from kazrag.errors import DocumentError, QuestionError
from kazrag.index.base import IndexVersion, Store
from kazrag.said import Said

from .answer import compose
from .answerability import load_answerability
from .config import BUNDLED_CORPUS, Config, check_top_k
from .courtesy import Courtesy, load_courtesy_model, read_courtesy, word_count
from .embedding import Embedder, load_embedder
from .followup import follows_on, with_context
from .formats import Document
from .indexing import (
    READING_SHARE,
    BuildReport,
    Progress,
    add_documents,
    build_index,
    drop_same_text,
    load_corpus,
    plan_open,
    quiet,
    resolve_embedder,
    settings_of,
    span,
)
from .lang import LANGS, detect, frame
from .records import Answer, Passage
from .retrieval import Retriever
from .stores import open_store
from .text import clean_question
from .translit import Vocabulary, normalise_question

_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Snapshot:
    """One index version as the engine answers from it."""

    version: IndexVersion
    retriever: Retriever
    # the corpus's words, that Kazakh typed in Latin or with Russian letters is restored to
    # (None for an index built before they were recorded: the rules alone then)
    vocabulary: Vocabulary | None = None

    @classmethod
    def of(cls, version: IndexVersion, embedder: Embedder, config: Config) -> Snapshot:
        words = version.manifest.get("corpus_vocabulary")
        vocabulary = Vocabulary.from_dict(words) if words else None
        return cls(version, Retriever(version, embedder, config), vocabulary)

    def searched_form(self, question: str) -> tuple[str, str]:
        """(the question as it is searched, how it was typed): Kazakh typed in Latin or with
        Russian letters, in Cyrillic with its Kazakh letters (`rag.translit`), without the
        greetings and polite requests around it (`rag.courtesy`)."""
        reading = self.reading(question)
        return reading.searched, reading.typed

    def knows_a_word_of(self, text: str) -> bool:
        """Whether the corpus has one of `text`'s words (as written or by its skeleton)."""
        if self.vocabulary is None:
            return True  # an index without its words: take every word for known
        vocabulary = self.vocabulary
        return any(w in vocabulary or vocabulary.restore(w) for w in _WORD.findall(text))

    def reading(self, question: str) -> Reading:
        """How `question` is read. Courtesy is read off as typed, so that the typing-habit
        checks see the question alone, and again once read (a greeting typed in the wrong
        layout, or romanised)."""
        courtesy = read_courtesy(question)
        if courtesy.kind:
            return Reading(question, question, "cyrillic", courtesy)
        searched, typed = normalise_question(courtesy.question, self.vocabulary)
        again = read_courtesy(searched)
        return Reading(
            courtesy.question, again.question or searched, typed, again if again.kind else None
        )


@dataclass(frozen=True)
class Reading:
    asked: str  # the question without the courtesy around it, as typed
    searched: str  # that, as it is searched (`Snapshot.searched_form`)
    typed: str  # how it was typed (`rag.translit.normalise_question`)
    # for a message that asks nothing, what it was (its `kind` set), else None (`rag.courtesy`)
    courtesy: Courtesy | None


def courtesy_reply(question: str, lang: str, kind: str) -> Answer:
    """The plain reply to a message that asks nothing (`rag.courtesy`): no quote, no search."""
    return Answer(question, lang, "refused", frame(lang, kind))


def as_paths(given: Sequence[Path | str] | Path | str) -> list[Path]:
    """Folders and files as a caller gives them: one path or several, as text or Path (a
    lone string is one path, not a sequence of its characters)."""
    if isinstance(given, (str, Path)):
        given = [given]
    return [Path(p) for p in given]


class Kazrag:
    def __init__(
        self, config: Config, embedder: Embedder, store: Store, version: IndexVersion | None = None
    ):
        self.config = config
        self.embedder = embedder
        self.store = store
        self._writing = threading.Lock()  # one corpus change at a time in this process
        self.answerability = load_answerability(config.answerability)
        courtesy = load_courtesy_model(config.courtesy_model)
        # a model fitted on another embedder's vectors would read noise: the lists alone then
        self.courtesy = courtesy if courtesy and courtesy.reads(embedder.name) else None
        self.snapshot = Snapshot.of(version or store.load(), embedder, config)
        self.last_build: BuildReport | None = None  # what opening had to build, if anything

    # ----------------------------------------------------------------------- opening
    @classmethod
    def open(
        cls,
        config: Config,
        corpus: Sequence[Path | str] | Path | str | None = None,
        progress: Progress = quiet,
        rebuild: bool = False,
    ) -> Kazrag:
        """Open the index of `config`, deciding once what that takes (`plan_open`): index the
        given `corpus` (reused when unchanged), the bundled demo corpus when the index folder
        holds nothing, or the index's own stored documents when it was made with other
        settings (or `rebuild`); otherwise just load it."""
        # the one-time model conversion and export take half a minute: say so
        embedder = load_embedder(config, lambda message: progress(message, 0.0))
        store = open_store(config)
        plan = plan_open(store, settings_of(config, embedder, store), bool(corpus), rebuild)
        report = None
        if plan.action in ("build", "bundled"):
            report = cls.build(
                config,
                embedder,
                as_paths(corpus) if corpus else [BUNDLED_CORPUS],
                progress,
                force=rebuild,
                store=store,
            )
        elif plan.action == "rebuild":
            report = cls._rebuild_stored(config, embedder, store, progress, plan.reason, rebuild)
        engine = cls(config, embedder, store)
        engine.last_build = report
        return engine

    @staticmethod
    def _rebuild_stored(
        config: Config,
        embedder: Embedder,
        store: Store,
        progress: Progress,
        reason: str | None,
        force: bool,
    ) -> BuildReport:
        """An index made with other settings (say, before an upgrade changed the model's
        backend) is rebuilt from the documents stored in it: its vectors would not be
        comparable with this model's questions."""
        with store.writer_lock():
            progress(f"index {reason}", 0.0)
            documents = [Document.from_dict(d) for d in store.load_documents()]
            # under the lock again: another process may have rebuilt it meanwhile, and then
            # the unchanged check inside build_index reuses its work
            return build_index(
                documents, config, embedder, progress, force=force, reason=reason, store=store
            )

    @staticmethod
    def build(
        config: Config,
        embedder: Embedder | Callable[[], Embedder],
        corpus: list[Path],
        progress: Progress = quiet,
        force: bool = False,
        store: Store | None = None,
    ) -> BuildReport:
        """Index the documents under `corpus` as the whole corpus (reused when unchanged).
        `embedder` may be a function giving it, called once something readable was found."""
        documents, skipped = load_corpus(corpus, config, span(progress, 0.0, READING_SHARE))
        documents = drop_same_text(documents, {}, skipped)
        if not documents:
            problems = "; ".join(skipped) if skipped else "no readable documents found"
            raise DocumentError(f"nothing to index in {', '.join(map(str, corpus))}: {problems}")
        store = store or open_store(config)
        with store.writer_lock():
            return build_index(
                documents,
                config,
                resolve_embedder(embedder),
                span(progress, READING_SHARE, 1.0),
                skipped,
                force,
                store=store,
            )

    # ------------------------------------------------------------- changing the corpus
    def documents(self) -> dict[str, dict]:
        """doc id -> {chunks, format, path, sha256} of the indexed documents."""
        return dict(self.snapshot.version.manifest["documents"])

    def add_documents(
        self,
        paths: Sequence[Path | str] | Path | str,
        progress: Progress = quiet,
        may_replace: bool = True,
    ) -> BuildReport:
        """Add (or update) documents; only their new chunks are embedded. The report's
        `added`/`updated` are this call's own (rag/indexing.py `add_documents`); with
        `may_replace` off a file named like an indexed document is refused, not an update."""
        with self._writing:
            report = add_documents(
                self.store,
                self.config,
                self.embedder,
                as_paths(paths),
                progress,
                may_replace=may_replace,
            )
            self.reload()
        return report

    def remove_document(self, doc_id: str, progress: Progress = quiet) -> BuildReport:
        with self._writing, self.store.writer_lock():
            self.reload()
            current = self._stored_documents()
            kept = [d for d in current if d.doc_id != doc_id]
            if len(kept) == len(current):
                known = ", ".join(sorted(d.doc_id for d in current)[:10])
                raise DocumentError(
                    Said(
                        "no_such_document",
                        "no document {name} in the index (it has: {known})",
                        name=repr(doc_id),
                        known=known,
                    )
                )
            if not kept:
                raise DocumentError(
                    Said(
                        "last_document",
                        "{name} is the last document; an index cannot be empty",
                        name=doc_id,
                    )
                )
            report = build_index(kept, self.config, self.embedder, progress, store=self.store)
            self.reload()
        report.removed = [doc_id]
        return report

    def _stored_documents(self) -> list[Document]:
        return [Document.from_dict(d) for d in self.store.load_documents()]

    def reload(self) -> None:
        """Pick up the store's current version (atomic: old or new, never half)."""
        self.snapshot = Snapshot.of(self.store.load(), self.embedder, self.config)

    def reload_if_changed(self) -> bool:
        """Switch to a newer version written by another process, if there is one."""
        if self.store.current_id() in (None, self.snapshot.version.id):
            return False
        self.reload()
        return True

    # ------------------------------------------------------------------------ asking
    @staticmethod
    def prepare(
        question: str, max_chars: int = Config.max_question_chars
    ) -> tuple[str, str, str | None]:
        """Clean a question: (question, lang, notice). Raises QuestionError if unusable.
        Static, so a caller can reject a bad question before loading anything."""
        question = clean_question(question or "")
        lang = detect(question) if question else "en"
        if not question:
            raise QuestionError(frame("en", "empty") + " / " + frame("kk", "empty"))
        if not re.search(r"[^\W\d_]", question):
            raise QuestionError(frame("en", "no_words") + " / " + frame("kk", "no_words"))
        notice = None
        if len(question) > max_chars:
            question = question[:max_chars]
            notice = frame(lang if lang != "other" else "en", "cut", n=max_chars)
        return question, lang, notice

    def search(
        self, question: str, mode: str | None = None, top_k: int | None = None
    ) -> list[Passage]:
        question, _, _ = self.prepare(question, self.config.max_question_chars)
        snapshot = self.snapshot
        searched, _ = snapshot.searched_form(question)
        return snapshot.retriever.search(searched, mode, self._top_k(top_k))[0]

    def ask(
        self,
        question: str,
        mode: str | None = None,
        top_k: int | None = None,
        previous: str | None = None,
    ) -> Answer:
        """The answer to `question`. `previous` is the question it follows in a chat (the
        earlier answer's `searched`): a question that reads as a continuation of it
        (`Ал 2016 жылы ше?`, `What was his sentence?`: `rag.followup`) is searched with it."""
        question, lang, notice = self.prepare(question, self.config.max_question_chars)
        snapshot = self.snapshot  # read once: one index version for the whole answer
        retriever = snapshot.retriever
        mode = mode or self.config.mode
        reading = snapshot.reading(question)
        courtesy = reading.courtesy
        if courtesy and courtesy.kind:  # a greeting, thanks or goodbye: a reply, no search
            return courtesy_reply(question, courtesy.lang or "en", courtesy.kind)
        searched = reading.searched
        if reading.typed != "cyrillic" and searched != reading.asked:
            # say how a Latin or Russian-letter question was read, so a wrong reading shows
            read_as = frame(lang, "read_as", text=searched)
            notice = f"{notice} {read_as}" if notice else read_as
        before = None
        if previous and follows_on(searched, lang):
            before = self._previous_searched(previous, snapshot)
        if before:
            searched = with_context(searched, before)
            read_with = frame(lang if lang in LANGS else "en", "read_with", text=before)
            notice = f"{notice} {read_with}" if notice else read_with
        # the answer always sees the dense side: sentence choice needs the question vector
        ranking = retriever.rank(searched, tuple({mode, "dense"}))
        passages, _ = retriever.search(searched, mode, self._top_k(top_k), ranking)
        quoted_by = None
        own_vector = ranking.question_vector
        if before:
            # the two questions together find the passages and judge whether they answer;
            # the follow-up's own vector and words choose the sentence quoted, else it is the
            # one the question before was answered with (eval/README.md "Follow-up questions")
            own_vector = retriever.embedder.encode_queries([reading.searched])[0]
            quoted_by = replace(
                ranking,
                question_vector=own_vector,
                question_tokens=retriever.tokens(reading.searched),
            )
        if lang == "other":
            return Answer(
                question,
                "en",
                "refused",
                frame("en", "abstain"),
                [],
                passages,
                frame("en", "script"),
            )
        if self._asks_nothing(reading.searched, own_vector, snapshot):
            # courtesy no list holds (`спасиба бауырым`): what kazrag does, no quote
            return courtesy_reply(question, lang, "smalltalk")
        answer = compose(
            searched,
            lang,
            passages,
            ranking,
            retriever,
            self.config,
            self.answerability,
            notice,
            quoted_by,
        )
        # the question as the user typed it, and as it was searched (for a next follow-up)
        return replace(answer, question=question, searched=searched)

    def _asks_nothing(self, message: str, vector, snapshot: Snapshot) -> bool:
        """Whether the courtesy model takes a short message for one that asks nothing. A
        message of one or two words is a search as often (`Бокаев`, `Адам саудасы`: the model
        reads them as courtesy too), so it is only read so when the documents have none of its
        words (eval/README.md "Courtesy in the chat")."""
        words = word_count(message)
        if self.courtesy is None or words > self.config.courtesy_max_words:
            return False
        if words < 3 and snapshot.knows_a_word_of(message):
            return False
        return self.courtesy.probability(vector) >= self.config.courtesy_threshold

    def _previous_searched(self, previous: str, snapshot: Snapshot) -> str | None:
        """The earlier question as it was searched (read by the answer's own `snapshot`), or
        None where it asked nothing."""
        previous = clean_question(previous)[: self.config.max_question_chars]
        if not re.search(r"[^\W\d_]", previous):
            return None
        reading = snapshot.reading(previous)
        return None if reading.courtesy else reading.searched

    def _top_k(self, top_k: int | None) -> int:
        return self.config.top_k if top_k is None else check_top_k(top_k, self.config.max_top_k)
