"""Changing the corpus from the web: who may, and the one worker that indexes uploads.

    access = CorpusAccess.serving_on("0.0.0.0", password=None)   # read-only from the web
    indexer = UploadIndexer(engine)
    job = indexer.add([Path("/tmp/gradio/…/abai.txt")])          # returns at once
    for state in job.follow(): print(state)                      # "abai.txt: embedding …"

Uploads are indexed by one background thread, batch after batch in the order they came:
the chat keeps answering meanwhile (each question reads one engine snapshot), a batch waits
its turn instead of holding a server worker, and a bad file is reported while the rest of
its batch is indexed. An upload never replaces an indexed document of the same name (that
is refused by name), and its file is deleted once it is indexed or refused, so anonymous
uploads do not pile up on disk.
"""

from __future__ import annotations

import hmac
import ipaddress
import queue
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kazrag.errors import AccessError, KazragError
from kazrag.said import Said

from . import i18n

if TYPE_CHECKING:  # the command line imports this module before anything heavy is needed
    from kazrag.rag.engine import Kazrag
    from kazrag.rag.indexing import BuildReport

ADMIN_PASSWORD_ENV = "KAZRAG_ADMIN_PASSWORD"
GIVEN_KEPT = 10_000  # recent uploads remembered, so that one is not indexed twice


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: may resolve to anything
        return False


@dataclass(frozen=True)
class CorpusAccess:
    """Whether the web may add and remove documents: yes on a loopback address (only this
    machine reaches it), with the operator's password on any other, never without one."""

    editable: bool
    password: str | None = field(default=None, repr=False)

    @classmethod
    def serving_on(cls, host: str, password: str | None = None) -> CorpusAccess:
        if password:
            return cls(True, password)
        return cls(is_loopback(host))

    @property
    def needs_password(self) -> bool:
        return self.editable and self.password is not None

    @property
    def description(self) -> str:
        if not self.editable:
            return (
                "the corpus is read-only from the web (not served on 127.0.0.1 and no "
                f"--admin-password or ${ADMIN_PASSWORD_ENV}); add documents with kazrag index add"
            )
        if self.needs_password:
            return "adding and removing documents from the web asks for the admin password"
        return "anyone on this machine may add and remove documents from the web"

    def check(self, given: object) -> None:
        """Raise AccessError unless a change with password `given` is allowed."""
        if not self.editable:
            raise AccessError(
                Said(
                    "access_read_only",
                    "This server's documents are read-only from the web; the operator adds "
                    "documents with kazrag index add, or serves with --admin-password.",
                )
            )
        if self.password is None:
            return
        if not isinstance(given, str) or not given:
            raise AccessError(
                Said("access_no_password", "Changing the documents needs the admin password.")
            )
        if not hmac.compare_digest(given.encode(), self.password.encode()):
            raise AccessError(
                Said("access_wrong_password", "Wrong admin password; the documents are unchanged.")
            )


@dataclass
class JobState:
    """What a user is told about one upload job at one moment."""

    text: str  # "abai.txt: embedding passages: 64/120", "waiting: 1 upload ahead"; a Said
    fraction: float | None  # of the job's own work; None while it waits

    def text_in(self, lang: str) -> str:
        return i18n.said(lang, self.text)


@dataclass
class UploadJob:
    """One batch of uploaded files (or one removal), indexed by the worker in its turn."""

    names: list[str]
    run: Callable[[Callable[[str, float], None]], BuildReport]
    cleanup: Callable[[], None]
    report: BuildReport | None = None
    error: KazragError | None = None
    state: JobState = field(default_factory=lambda: JobState(Said("waiting", "waiting"), None))
    done: threading.Event = field(default_factory=threading.Event)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def _set(self, text: str, fraction: float | None) -> None:
        with self._changed:
            self.state = JobState(text, fraction)
            self._changed.notify_all()

    @property
    def outcome(self) -> str:
        """What the job did, in English (the REST API's words)."""
        return self.outcome_in("en")

    def outcome_in(self, lang: str) -> str:
        """What the job did, for the user in the page's language: one line, then a line per
        file not added and why."""
        if self.error is not None:
            return i18n.said(lang, self.error)
        report = self.report
        if report is None:
            return i18n.text(lang, "waiting")
        done = [
            i18n.text(lang, key, names=", ".join(names))
            for key, names in (
                ("did_added", report.added),
                ("did_updated", report.updated),
                ("did_removed", report.removed),
            )
            if names
        ]
        lines = [
            i18n.text(
                lang,
                "index_now",
                done="; ".join(done) or i18n.text(lang, "did_nothing"),
                documents=report.documents,
                chunks=report.chunks,
            )
        ]
        lines += [
            i18n.text(lang, "not_added", problem=i18n.said(lang, problem))
            for problem in report.skipped
        ]
        return "\n".join(lines)

    def follow(self, every: float = 0.25) -> Iterator[JobState]:
        """The job's states until it is done (the last one is its end)."""
        last = None
        while True:
            with self._changed:
                if self.state == last and not self.done.is_set():
                    self._changed.wait(every)
                state = self.state
            if state != last:
                last = state
                yield state
            if self.done.is_set():
                return


class UploadIndexer:
    """One background thread that changes the corpus, one job at a time, in order."""

    def __init__(self, engine: Kazrag, upload_folder: Path):
        self.engine = engine
        self.upload_folder = Path(upload_folder).resolve()  # where the web server stores uploads
        self._jobs: queue.Queue[UploadJob] = queue.Queue()
        self._waiting: list[UploadJob] = []
        # the job each recent upload was given to: the upload box still holds a file while
        # it is indexed, and a file dropped on the box meanwhile comes with it again
        self._given: OrderedDict[Path, UploadJob | None] = OrderedDict()
        self._lock = threading.Lock()
        self._worker = threading.Thread(target=self._work, name="kazrag-uploads", daemon=True)
        self._worker.start()

    def add(self, paths: list[Path]) -> UploadJob | None:
        """Queue uploaded files for indexing; they are deleted when their job ends. A file
        already given to a job (still being indexed, or indexed and deleted) is not given
        again; None when no file is new."""
        with self._lock:
            paths = [p for p in paths if not self._already_given(Path(p))]
            for path in paths:
                self._given[Path(path).resolve()] = None  # its job is being made
            while len(self._given) > GIVEN_KEPT:
                self._given.popitem(last=False)
        if not paths:
            return None
        names = [p.name for p in paths]

        def run(progress: Callable[[str, float], None]) -> BuildReport:
            return self.engine.add_documents(paths, progress, may_replace=False)

        job = self._submit(UploadJob(names, run, lambda: delete_uploads(paths, self.upload_folder)))
        with self._lock:
            for path in paths:
                self._given[Path(path).resolve()] = job
        return job

    def _already_given(self, path: Path) -> bool:
        """In a job that has not ended, or in one that ended and deleted it (the same
        file uploaded again is stored anew at the same place: that is a new upload)."""
        path = path.resolve()
        if path not in self._given:
            return False
        job = self._given[path]
        return job is None or not job.done.is_set() or not path.exists()

    def discard(self, paths: list[Path]) -> None:
        """Delete uploads that will not be indexed (the client may not change the corpus)."""
        delete_uploads(paths, self.upload_folder)

    def remove(self, doc_id: str) -> UploadJob:
        def run(progress: Callable[[str, float], None]) -> BuildReport:
            return self.engine.remove_document(doc_id, progress)

        return self._submit(UploadJob([doc_id], run, lambda: None))

    def _submit(self, job: UploadJob) -> UploadJob:
        with self._lock:
            self._waiting.append(job)
        self._tell_waiting()
        self._jobs.put(job)
        return job

    def _tell_waiting(self) -> None:
        """Tell each job that has not started how many jobs are ahead of it (the one being
        indexed included); the first in line is the next to start and is told nothing."""
        with self._lock:
            waiting = list(self._waiting)
        for ahead, job in enumerate(waiting):
            if ahead and job.state.fraction is None:
                english = (
                    "waiting: {ahead} uploads ahead" if ahead > 1 else "waiting: 1 upload ahead"
                )
                job._set(Said("waiting_ahead", english, ahead=ahead), None)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            label = ", ".join(job.names)

            def progress(
                what: str, fraction: float, job: UploadJob = job, label: str = label
            ) -> None:
                job._set(Said("doing", "{names}: {what}", names=label, what=what), fraction)

            try:
                progress(Said("starting", "starting"), 0.0)
                job.report = job.run(progress)
            except KazragError as exc:
                job.error = exc
            except Exception as exc:  # a bug: reported on this job, the worker lives on
                job.error = KazragError(
                    Said("job_bug", "indexing failed unexpectedly: {bug}", bug=repr(exc))
                )
            finally:
                job.cleanup()
                with self._lock:
                    self._waiting.remove(job)
                self._tell_waiting()
                job._set(Said("done", "done"), 1.0)
                job.done.set()


def delete_uploads(paths: list[Path], upload_folder: Path) -> None:
    """Delete uploaded files and the folder the web server made for each (one per upload),
    only ever inside `upload_folder`."""
    for path in paths:
        path = Path(path).resolve()
        if upload_folder not in path.parents:
            continue
        path.unlink(missing_ok=True)
        folder = path.parent
        if folder != upload_folder and not any(folder.iterdir()):
            shutil.rmtree(folder, ignore_errors=True)
