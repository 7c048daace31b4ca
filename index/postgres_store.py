"""The shared store: an index in PostgreSQL with pgvector, for many kazrag processes at once.

    kazrag index build docs/ --store postgresql://kazrag@db.example/kazrag
    kazrag serve --store postgresql://…@primary/kazrag --read-dsn postgresql://…@replica/kazrag

Layout, in one schema (default `kazrag`; the evaluation uses one per corpus):

    versions(id, manifest, created_at)          every complete version
    current(version)                            one row: the version readers load
    chunks_N(row, record, embedding vector(D), sentence_vectors, sentence_count)
    terms_N(term, df, rows, scores)             BM25 of version N: each term's posting list
    documents_N(position, document)             the documents themselves

A write creates version N's tables, fills them with COPY, builds the HNSW index
(`vector_ip_ops`: inner product of normalised vectors = cosine) and moves `current` to N, all
in one transaction: a reader sees the old version or the new one whole, and a build that dies
half-way leaves nothing but the old version (PostgreSQL rolls the transaction back; tables of
versions no `versions` row names are dropped by the next write anyway). Writers queue on an
advisory lock, which a dead writer's connection releases. As in the folder store, the version
just replaced stays for readers still on it; older ones are dropped.

BM25 is bm25s's own: the build runs bm25s over the analyzer's tokens and stores its
per-passage scores, one row per term holding the rows and scores of its passages as two
arrays (with df, the passage count and mean length). A question fetches its terms' rows and
sums them with the folder store's own code (`keyword.summed`), so the scores equal the folder
store's (not PostgreSQL's `ts_rank`, which has no IDF). Summing in SQL, over one row per
posting, cost 141 ms a question at 100,000 passages (a hash aggregate over every passage
holding a frequent term); fetching the arrays and summing them here is a few ms.

Reads go to `read_dsn` when given (a streaming replica); writes, and the reads of a writer
holding the lock, go to the primary. A replica that cannot be reached is left for the
primary, with a note.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np

from kazrag.errors import ConfigError, IndexStoreError

from .base import (
    ChunkTable,
    IndexContents,
    IndexVersion,
    KeywordIndex,
    SentenceVectors,
    Store,
    VectorIndex,
)
from .faiss_vectors import choose_kind
from .keyword import Bm25Index, best, summed

try:
    import psycopg
    from pgvector.psycopg import register_vector
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict
    from psycopg.types.json import Json
    from psycopg_pool import ConnectionPool, PoolTimeout
except ImportError:  # pragma: no cover - the extra is not installed
    psycopg = None  # type: ignore[assignment]

FORMAT_VERSION = 2  # 2: posting lists as arrays, one row per term (1: a row per posting)
LOCK_CLASS = 0x6B7A  # "kz": the first key of kazrag's advisory locks, the schema's hash second
REBUILD = "rebuild with `kazrag index build --rebuild`"
VERSION_TABLES = ("chunks", "terms", "documents")
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

log = logging.getLogger("kazrag.store")
T = TypeVar("T")


def describe_dsn(dsn: str) -> str:
    """`host:port/database` of a DSN, never its password (for messages)."""
    if psycopg is None:
        raise ConfigError(
            "the PostgreSQL store needs psycopg and pgvector: pip install 'kazrag[postgres]'"
        )
    try:
        parts = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise ConfigError(f"--store is not a PostgreSQL address ({exc})") from None
    host = parts.get("host") or "localhost"
    return f"{host}:{parts.get('port') or 5432}/{parts.get('dbname') or parts.get('user') or ''}"


def _array(vector: Any) -> np.ndarray:
    """A pgvector value as float32 (the binary loader gives a `Vector`, the text one an
    array)."""
    return np.asarray(vector.to_numpy() if hasattr(vector, "to_numpy") else vector, np.float32)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


PGVECTOR_MAX_EF_SEARCH = 1000  # hnsw.ef_search's upper bound in pgvector


class PostgresStore(Store):
    format_version = FORMAT_VERSION

    def __init__(
        self,
        dsn: str,
        read_dsn: str | None = None,
        schema: str = "kazrag",
        ef_search: int = 512,
        connections: int = 4,
        connect_seconds: float = 5.0,
    ):
        if psycopg is None:
            raise ConfigError(
                "the PostgreSQL store needs psycopg and pgvector: pip install 'kazrag[postgres]'"
            )
        if not SCHEMA_NAME.fullmatch(schema):
            raise ConfigError(
                f"store schema {schema!r} must be lower-case letters, digits and _ "
                "(at most 63, not starting with a digit)"
            )
        self.dsn, self.read_dsn, self.schema = dsn, read_dsn, schema
        self.where = describe_dsn(dsn)
        self.location = f"{self.where} (schema {schema})"
        self.ef_search = min(ef_search, PGVECTOR_MAX_EF_SEARCH)
        self.connections = connections
        self.connect_seconds = connect_seconds
        self.notes: list[str] = []  # what reading had to work around (a lost replica)
        if ef_search > PGVECTOR_MAX_EF_SEARCH:
            # said, not silently cut: the user raised it to get recall back and would not
            # know why it did not come (benchmarks/README.md §11: recall by size and effort)
            self.notes.append(
                f"pgvector visits at most {PGVECTOR_MAX_EF_SEARCH:,} candidates per question: "
                f"the search effort (--ef-search) {ef_search:,} is used as {PGVECTOR_MAX_EF_SEARCH:,}"
            )
        self._pools: dict[str, ConnectionPool] = {}
        self._pools_guard = threading.Lock()
        self._reading_from = read_dsn or dsn
        # the writer: one connection holding the advisory lock, re-entrant in its thread
        self._writer: psycopg.Connection | None = None
        self._writer_thread: int | None = None
        self._writer_depth = 0
        self._writer_guard = threading.RLock()

    # ------------------------------------------------------------------- connections
    def _connect(self, dsn: str, autocommit: bool = True) -> psycopg.Connection:
        try:
            conn = psycopg.connect(
                dsn, autocommit=autocommit, connect_timeout=max(1, round(self.connect_seconds))
            )
        except psycopg.OperationalError as exc:
            raise IndexStoreError(
                f"cannot reach the PostgreSQL server at {describe_dsn(dsn)} "
                f"({_first_line(exc)}); check that it runs and that the host, port, user and "
                "database in the address are right"
            ) from None
        self._configure(conn)
        return conn

    def _configure(self, conn: psycopg.Connection) -> None:
        with contextlib.suppress(psycopg.ProgrammingError):  # no pgvector yet: a first build
            register_vector(conn)
        conn.execute(sql.SQL("SET hnsw.ef_search = {}").format(sql.Literal(self.ef_search)))
        if not conn.autocommit:
            conn.commit()

    def _pool(self, dsn: str) -> ConnectionPool:
        with self._pools_guard:
            pool = self._pools.get(dsn)
            if pool is None:
                self._connect(dsn).close()  # a clear error now, not a pool timeout later
                pool = ConnectionPool(
                    dsn,
                    min_size=1,
                    max_size=self.connections,
                    kwargs={"autocommit": True},
                    configure=self._configure,
                    timeout=max(self.connect_seconds, 1.0) * 2,
                    open=True,
                )
                self._pools[dsn] = pool
            return pool

    def close(self) -> None:
        with self._pools_guard:
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()

    def _holds_lock(self) -> bool:
        return self._writer is not None and self._writer_thread == threading.get_ident()

    def read(self, query: Callable[[psycopg.Connection], T]) -> T:
        """Run `query` on a reading connection: the writer's own while this thread holds the
        writer lock (a read-modify-write must see the primary), else the replica or primary.
        A replica that fails is given up for the primary, with a note."""
        if self._holds_lock():
            assert self._writer is not None
            return query(self._writer)
        while True:
            dsn = self._reading_from
            try:
                with self._pool(dsn).connection() as conn:
                    if conn.adapters.types.get("vector") is None:
                        self._configure(conn)  # made before the first build enabled pgvector
                    return query(conn)
            except (IndexStoreError, psycopg.OperationalError, PoolTimeout) as exc:
                if dsn == self.dsn:
                    if isinstance(exc, IndexStoreError):
                        raise
                    raise IndexStoreError(
                        f"lost the connection to the PostgreSQL server at {self.where} "
                        f"({_first_line(exc)}); check that it runs, then ask again"
                    ) from None
                self._leave_replica(dsn, exc)

    def _leave_replica(self, dsn: str, exc: BaseException) -> None:
        with self._pools_guard:
            if self._reading_from != dsn:
                return  # another thread did it
            self._reading_from = self.dsn
            pool = self._pools.pop(dsn, None)
        if pool is not None:
            pool.close(timeout=0)
        note = (
            f"the read replica at {describe_dsn(dsn)} cannot be used ({_first_line(exc)}); "
            f"reading from the primary at {self.where} instead"
        )
        self.notes.append(note)
        log.warning("kazrag: note: %s", note)

    # ------------------------------------------------------------------------ names
    def _t(self, name: str, version: int | None = None) -> sql.Composed:
        table = name if version is None else f"{name}_{version}"
        return sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(table))

    def _exists(self, conn: psycopg.Connection) -> bool:
        row = conn.execute("SELECT to_regclass(%s)", (f"{self.schema}.current",)).fetchone()
        return row is not None and row[0] is not None

    # -------------------------------------------------------------------------- state
    def state(self) -> str:
        def probe(conn: psycopg.Connection) -> str:
            if self._exists(conn):
                return "index" if self._current_number(conn) is not None else "empty"
            others = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                "ORDER BY 1 LIMIT 5",
                (self.schema,),
            ).fetchall()
            if others:
                raise IndexStoreError(
                    f"schema {self.schema} in {self.where} holds tables that are not a kazrag "
                    f"index ({', '.join(r[0] for r in others)}); choose another schema "
                    "(--store-schema) or database"
                )
            return "empty"

        return self.read(probe)

    def _current(self, conn: psycopg.Connection) -> tuple[int, dict] | None:
        row = conn.execute(
            sql.SQL("SELECT v.id, v.manifest FROM {} c JOIN {} v ON v.id = c.version").format(
                self._t("current"), self._t("versions")
            )
        ).fetchone()
        return None if row is None else (int(row[0]), row[1])

    def _current_number(self, conn: psycopg.Connection) -> int | None:
        """The current version's number, without its manifest (which holds the corpus
        vocabulary, megabytes for a large corpus)."""
        if not self._exists(conn):
            return None
        found = conn.execute(
            sql.SQL("SELECT version FROM {}").format(self._t("current"))
        ).fetchone()
        return None if found is None or found[0] is None else int(found[0])

    def current_id(self) -> str | None:
        number = self.read(self._current_number)
        return None if number is None else str(number)

    def read_manifest(self) -> dict | None:
        def query(conn: psycopg.Connection) -> dict | None:
            current = self._current(conn) if self._exists(conn) else None
            return None if current is None else current[1]

        return self.read(query)

    # ------------------------------------------------------------------------ loading
    def load(self) -> IndexVersion:
        def query(conn: psycopg.Connection) -> tuple[int, dict, int, int, float]:
            current = self._current(conn) if self._exists(conn) else None
            if current is None:
                raise IndexStoreError(
                    f"no index in {self.location}; build one with "
                    "`kazrag index build PATH --store …`"
                )
            number, manifest = current
            if manifest.get("format_version") != FORMAT_VERSION:
                raise IndexStoreError(
                    f"the index in {self.location} has format {manifest.get('format_version')}, "
                    f"this kazrag reads {FORMAT_VERSION}; {REBUILD}"
                )
            counted = conn.execute(
                sql.SQL("SELECT count(*), coalesce(sum(sentence_count), 0) FROM {}").format(
                    self._t("chunks", number)
                )
            ).fetchone()
            assert counted is not None
            stats = manifest.get("bm25", {})
            return number, manifest, int(counted[0]), int(counted[1]), stats.get("passages", 0)

        number, manifest, chunks, sentences, passages = self.read(query)
        if not (chunks == manifest.get("chunks") == passages) or sentences != manifest.get(
            "sentences"
        ):
            raise IndexStoreError(
                f"the index in {self.location} (version {number}) is inconsistent ({chunks} "
                f"chunks and {sentences} sentences stored, the manifest says "
                f"{manifest.get('chunks')} and {manifest.get('sentences')}); {REBUILD}"
            )
        return IndexVersion(
            str(number),
            f"{self.location}, version {number}",
            manifest,
            PgChunkTable(self, number, chunks),
            PgVectors(self, number, manifest),
            PgSentenceVectors(self, number, sentences, int(manifest["dim"])),
            PgKeywordIndex(self, number, manifest["bm25"]),
            tuple(self.notes),
        )

    def load_documents(self) -> list[dict]:
        def query(conn: psycopg.Connection) -> list[dict]:
            number = self._current_number(conn)
            if number is None:
                return []
            rows = conn.execute(
                sql.SQL("SELECT document FROM {} ORDER BY position").format(
                    self._t("documents", number)
                )
            )
            return [r[0] for r in rows]

        return self.read(query)

    def describe(self) -> dict:
        def query(conn: psycopg.Connection) -> dict:
            number = self._current_number(conn)
            if number is None:
                return {}
            size = conn.execute(
                "SELECT sum(pg_total_relation_size(format('%%I.%%I', %s::text, t)::regclass)) "
                "FROM unnest(%s::text[]) t",
                (self.schema, [f"{t}_{number}" for t in VERSION_TABLES]),
            ).fetchone()
            return {
                "size_bytes": int(size[0] or 0) if size else 0,
                "store": "postgresql",
                "reading_from": describe_dsn(self._reading_from),
            }

        return self.read(query)

    # ------------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def writer_lock(self) -> Iterator[None]:
        """One writer at a time per schema, across processes and machines: an advisory lock
        on a connection of its own, released by PostgreSQL when that connection ends (so a
        killed writer never leaves it stuck). Re-entrant within a thread."""
        with self._writer_guard:
            if self._holds_lock():
                self._writer_depth += 1
                try:
                    yield
                finally:
                    self._writer_depth -= 1
                return
            conn = self._connect(self.dsn, autocommit=True)
            try:
                conn.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", (LOCK_CLASS, self.schema))
                self._writer, self._writer_thread, self._writer_depth = (
                    conn,
                    threading.get_ident(),
                    1,
                )
                yield
            finally:
                self._writer = self._writer_thread = None
                self._writer_depth = 0
                conn.close()  # ends the session: the lock goes with it

    def write(self, contents: IndexContents) -> str:
        with self.writer_lock():
            assert self._writer is not None
            conn = self._writer
            try:
                self._prepare(conn)
                previous = self._current_number(conn)
                with conn.transaction():
                    self._drop_orphans(conn)
                    number = self._write_version(conn, contents)
                    conn.execute(
                        sql.SQL("UPDATE {} SET version = %s").format(self._t("current")),
                        (number,),
                    )
                if previous is not None:
                    self._drop_older(conn, previous)
                # after the commit (VACUUM runs outside transactions): sets the new rows'
                # hint bits and visibility, so the first questions do not write pages
                for table in ("chunks", "terms"):
                    conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(self._t(table, number)))
            except psycopg.Error as exc:
                raise IndexStoreError(
                    f"could not write the new index in {self.location} ({_first_line(exc)}); "
                    "the previous index is unchanged and in use"
                ) from None
        return str(number)

    def _prepare(self, conn: psycopg.Connection) -> None:
        """pgvector, the schema and the two version tables, made on the first write."""
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        except psycopg.errors.FeatureNotSupported:
            raise IndexStoreError(
                f"the PostgreSQL server at {self.where} has no pgvector extension: install "
                "pgvector on it (https://github.com/pgvector/pgvector; managed PostgreSQL "
                "services offer it), or use the folder store (no --store)"
            ) from None
        except psycopg.errors.InsufficientPrivilege:
            raise IndexStoreError(
                f"the user in --store may not enable pgvector in {self.where}: ask the "
                "database owner to run `CREATE EXTENSION vector;` in that database once"
            ) from None
        register_vector(conn)
        with conn.transaction():
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema))
            )
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (id bigint GENERATED ALWAYS AS IDENTITY "
                    "PRIMARY KEY, manifest json NOT NULL, created_at timestamptz NOT NULL "
                    "DEFAULT now())"
                ).format(self._t("versions"))
            )
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (one boolean PRIMARY KEY DEFAULT true "
                    "CHECK (one), version bigint REFERENCES {} (id))"
                ).format(self._t("current"), self._t("versions"))
            )
            conn.execute(
                sql.SQL("INSERT INTO {} (version) VALUES (NULL) ON CONFLICT DO NOTHING").format(
                    self._t("current")
                )
            )

    def _write_version(self, conn: psycopg.Connection, contents: IndexContents) -> int:
        vectors = np.ascontiguousarray(contents.chunk_vectors, dtype=np.float32)
        sentences = np.ascontiguousarray(contents.sentence_vectors, dtype=np.float32)
        dim = vectors.shape[1]
        kind = choose_kind(
            len(vectors),
            contents.vector_settings.get("kind", "auto"),
            contents.vector_settings.get("hnsw_threshold", 100_000),
        )
        keyword = contents.manifest.get("keyword", {})
        bm25 = Bm25Index.build(
            contents.keyword_tokens, keyword.get("k1", 1.2), keyword.get("b", 0.75)
        )
        lengths = [len(tokens) for tokens in contents.keyword_tokens]
        manifest = dict(
            contents.manifest,
            format_version=FORMAT_VERSION,
            vector_index=kind,
            bm25={
                "passages": len(lengths),
                "mean_length": float(np.mean(lengths)) if lengths else 0.0,
                "k1": keyword.get("k1", 1.2),
                "b": keyword.get("b", 0.75),
            },
        )
        row = conn.execute(
            sql.SQL("INSERT INTO {} (manifest) VALUES (%s) RETURNING id").format(
                self._t("versions")
            ),
            (Json(manifest),),
        ).fetchone()
        assert row is not None
        number = int(row[0])
        chunks, terms, documents = (self._t(t, number) for t in VERSION_TABLES)
        conn.execute(
            sql.SQL(
                "CREATE TABLE {} (row integer PRIMARY KEY, record json NOT NULL, "
                "embedding vector({}) NOT NULL, sentence_vectors bytea NOT NULL, "
                "sentence_count integer NOT NULL)"
            ).format(chunks, sql.Literal(dim))
        )
        conn.execute(
            sql.SQL(
                "CREATE TABLE {} (term text PRIMARY KEY, df integer NOT NULL, "
                "rows bytea NOT NULL, scores bytea NOT NULL)"
            ).format(terms)
        )
        for column in ("rows", "scores"):  # stored as they are: pglz gains nothing on them
            conn.execute(  # and would cost a decompression of each list on every question
                sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET STORAGE EXTERNAL").format(
                    terms, sql.Identifier(column)
                )
            )
        conn.execute(
            sql.SQL(
                "CREATE TABLE {} (position integer PRIMARY KEY, document json NOT NULL)"
            ).format(documents)
        )
        offset = 0
        with conn.cursor().copy(
            sql.SQL(
                "COPY {} (row, record, embedding, sentence_vectors, sentence_count) "
                "FROM STDIN (FORMAT BINARY)"
            ).format(chunks)
        ) as copy:
            copy.set_types(["integer", "json", "vector", "bytea", "integer"])
            for i, (record, count) in enumerate(zip(contents.records, contents.sentence_counts)):
                block = sentences[offset : offset + count]
                offset += count
                copy.write_row((i, Json(record), vectors[i], block.tobytes(), count))
        with conn.cursor().copy(
            sql.SQL("COPY {} (term, df, rows, scores) FROM STDIN (FORMAT BINARY)").format(terms)
        ) as copy:
            copy.set_types(["text", "integer", "bytea", "bytea"])
            for term, rows, scores in bm25.postings():
                copy.write_row(
                    (
                        term,
                        len(rows),
                        rows.astype("<i4", copy=False).tobytes(),
                        scores.astype("<f4", copy=False).tobytes(),
                    )
                )
        with conn.cursor().copy(
            sql.SQL("COPY {} (position, document) FROM STDIN (FORMAT BINARY)").format(documents)
        ) as copy:
            copy.set_types(["integer", "json"])
            for i, document in enumerate(contents.documents):
                copy.write_row((i, Json(document)))
        if kind == "hnsw":
            self._build_hnsw(conn, chunks, len(vectors), contents.vector_settings)
        for table in (chunks, terms):  # plans for the first questions, before VACUUM
            conn.execute(sql.SQL("ANALYZE {}").format(table))
        return number

    def _build_hnsw(
        self, conn: psycopg.Connection, chunks: sql.Composed, count: int, settings: dict
    ) -> None:
        """The HNSW index, built after the rows are in (far faster than row by row). A graph
        larger than the session's `maintenance_work_mem` (64 MB by default: about 25,000
        passages) is finished on disk, several times slower; pgvector says so only in a
        NOTICE, which is passed on to the user with what to change."""
        outgrown: list[str] = []

        def notice(diag: psycopg.errors.Diagnostic) -> None:
            if "maintenance_work_mem" in (diag.message_primary or ""):
                outgrown.append(diag.message_primary or "")

        conn.add_notice_handler(notice)
        try:
            conn.execute(
                sql.SQL(
                    "CREATE INDEX ON {} USING hnsw (embedding vector_ip_ops) "
                    "WITH (m = {}, ef_construction = {})"
                ).format(
                    chunks,
                    sql.Literal(int(settings.get("hnsw_m", 32))),
                    sql.Literal(int(settings.get("hnsw_ef_construction", 200))),
                )
            )
        finally:
            conn.remove_notice_handler(notice)
        if outgrown:
            row = conn.execute(
                "SELECT current_setting('maintenance_work_mem'), quote_ident(current_user)"
            ).fetchone()
            wanted = max(64, -(-count * 3 // 1024))  # ~3 KB a passage at M 32, in MB
            note = (
                f"the HNSW graph of {count} passages outgrew the server's maintenance_work_mem "
                f"({row[0] if row else '?'}; pgvector: {outgrown[0]}), so it was built the slow "
                f"way; for faster builds give the role about {wanted} MB: "
                f"ALTER ROLE {row[1] if row else '…'} SET maintenance_work_mem = '{wanted}MB' (or "
                f"?options=-c%20maintenance_work_mem%3D{wanted}MB in --store)"
            )
            # a note on this build, not on the version: readers are not told (self.notes)
            log.warning("kazrag: note: %s", note)

    def _version_tables(self, conn: psycopg.Connection) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for (name,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (self.schema,)
        ):
            # postings_N: a format-1 version's, dropped like the others
            match = re.fullmatch(r"(chunks|terms|postings|documents)_(\d+)", name)
            if match:
                found.setdefault(int(match.group(2)), []).append(name)
        return found

    def _drop_tables(self, conn: psycopg.Connection, names: list[str]) -> None:
        for name in names:
            conn.execute(
                sql.SQL("DROP TABLE IF EXISTS {}.{}").format(
                    sql.Identifier(self.schema), sql.Identifier(name)
                )
            )

    def _drop_orphans(self, conn: psycopg.Connection) -> None:
        """Tables of a version that never became one (nothing PostgreSQL itself would not
        already have rolled back, unless someone dropped rows by hand)."""
        known = {
            r[0] for r in conn.execute(sql.SQL("SELECT id FROM {}").format(self._t("versions")))
        }
        for number, names in self._version_tables(conn).items():
            if number not in known:
                self._drop_tables(conn, names)

    def _drop_older(self, conn: psycopg.Connection, previous: int) -> None:
        """Versions older than the one just replaced: that one stays for readers on it."""
        with conn.transaction():
            for number, names in sorted(self._version_tables(conn).items()):
                if number < previous:
                    self._drop_tables(conn, names)
            conn.execute(
                sql.SQL("DELETE FROM {} WHERE id < %s").format(self._t("versions")), (previous,)
            )

    # ------------------------------------------------------- reading one version's tables
    def version_query(self, number: int, query: Callable[[psycopg.Connection], T]) -> T:
        """`query` on version `number`'s tables; a version dropped meanwhile (replaced twice
        while this process answered from it) is a clear error, the next question reloads."""
        try:
            return self.read(query)
        except (psycopg.errors.UndefinedTable, psycopg.errors.SerializationFailure) as exc:
            raise IndexStoreError(
                f"index version {number} in {self.location} was replaced while in use "
                f"({_first_line(exc)}); ask again"
            ) from None


# ------------------------------------------------------------------ a loaded version
class PgChunkTable(ChunkTable):
    def __init__(self, store: PostgresStore, number: int, count: int):
        self.store, self.number, self.count = store, number, count

    def __len__(self) -> int:
        return self.count

    def get(self, rows: Sequence[int]) -> list[dict]:
        wanted = [int(r) for r in rows]
        found: dict[int, Any] = self.store.version_query(
            self.number,
            lambda conn: dict(
                conn.execute(
                    sql.SQL("SELECT row, record FROM {} WHERE row = ANY(%s)").format(
                        self.store._t("chunks", self.number)
                    ),
                    (wanted,),
                ).fetchall()
            ),
        )
        return [found[r] for r in wanted]


class PgVectors(VectorIndex):
    def __init__(self, store: PostgresStore, number: int, manifest: dict):
        self.store, self.number = store, number
        self.kind = manifest.get("vector_index", "flat")
        self._dim, self._count = int(manifest["dim"]), int(manifest["chunks"])

    @property
    def dim(self) -> int:
        return self._dim

    def __len__(self) -> int:
        return self._count

    def add(self, vectors: np.ndarray) -> None:
        raise IndexStoreError("a stored PostgreSQL version is read-only; write a new version")

    def save(self, path: Any) -> None:
        raise IndexStoreError("a PostgreSQL version lives in its database, not in a file")

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        k = min(k, self._count)
        scores = np.zeros((len(queries), max(k, 0)), np.float32)
        rows = np.full((len(queries), max(k, 0)), -1, np.int64)
        if k <= 0:
            return scores, rows
        statement = sql.SQL(
            "SELECT row, -(embedding <#> %s) FROM {} ORDER BY embedding <#> %s LIMIT %s"
        ).format(self.store._t("chunks", self.number))

        def query(conn: psycopg.Connection) -> list[list[tuple[int, float]]]:
            return [conn.execute(statement, (q, q, k)).fetchall() for q in queries]

        for i, found in enumerate(self.store.version_query(self.number, query)):
            for j, (row, score) in enumerate(found):
                rows[i, j], scores[i, j] = row, score
        return scores, rows

    def reconstruct(self, rows: np.ndarray) -> np.ndarray:
        wanted = np.asarray(rows, dtype=np.int64).tolist()
        found: dict[int, Any] = self.store.version_query(
            self.number,
            lambda conn: dict(
                conn.cursor(binary=True)
                .execute(
                    sql.SQL("SELECT row, embedding FROM {} WHERE row = ANY(%s)").format(
                        self.store._t("chunks", self.number)
                    ),
                    (wanted,),
                )
                .fetchall()
            ),
        )
        if not wanted:
            return np.zeros((0, self._dim), np.float32)
        return np.stack([_array(found[r]) for r in wanted])


class PgSentenceVectors(SentenceVectors):
    def __init__(self, store: PostgresStore, number: int, count: int, dim: int):
        self.store, self.number, self.count, self.dim = store, number, count, dim

    def __len__(self) -> int:
        return self.count

    def of_chunks(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        wanted = np.asarray(rows, dtype=np.int64).tolist()
        found = self.store.version_query(
            self.number,
            lambda conn: {
                row: blob
                for row, blob in conn.cursor(binary=True).execute(
                    sql.SQL("SELECT row, sentence_vectors FROM {} WHERE row = ANY(%s)").format(
                        self.store._t("chunks", self.number)
                    ),
                    (wanted,),
                )
            },
        )
        blocks = [np.frombuffer(found[r], dtype=np.float32).reshape(-1, self.dim) for r in wanted]
        counts = np.array([len(b) for b in blocks], dtype=np.int64)
        vectors = np.concatenate(blocks) if blocks else np.zeros((0, self.dim), np.float32)
        return vectors, counts


class PgKeywordIndex(KeywordIndex):
    """BM25 from the stored per-passage scores: the posting lists (rows and float32 scores)
    of the question's tokens, fetched in one statement and summed by the folder store's own
    code (`keyword.summed`, repeats counted, in float64) and ordered by score, then row
    (`keyword.best`): the same scores to the bit, and equal passages tie the same way."""

    def __init__(self, store: PostgresStore, number: int, stats: dict):
        self.store, self.number = store, number
        self._size = int(stats["passages"])

    @property
    def size(self) -> int:
        return self._size

    def search(self, tokens: Sequence[str], k: int) -> dict[int, float]:
        if not tokens or k <= 0:
            return {}
        statement = sql.SQL("SELECT term, rows, scores FROM {} WHERE term = ANY(%s)").format(
            self.store._t("terms", self.number)
        )
        found = {
            term: (np.frombuffer(rows, "<i4"), np.frombuffer(scores, "<f4"))
            for term, rows, scores in self.store.version_query(
                self.number,
                lambda conn: (
                    conn.cursor(binary=True).execute(statement, (sorted(set(tokens)),)).fetchall()
                ),
            )
        }
        return best(summed([found[t] for t in tokens if t in found], self._size), k)

    def idf(self, tokens: Sequence[str]) -> np.ndarray:
        statement = sql.SQL("SELECT term, df FROM {} WHERE term = ANY(%s)").format(
            self.store._t("terms", self.number)
        )
        df: dict[str, int] = dict(
            self.store.version_query(
                self.number, lambda conn: conn.execute(statement, (list(tokens),)).fetchall()
            )
        )
        n = self._size
        out = np.zeros(len(tokens), dtype=np.float32)
        for i, token in enumerate(tokens):
            if df.get(token):
                out[i] = np.log(1 + (n - df[token] + 0.5) / (df[token] + 0.5))
        return out
