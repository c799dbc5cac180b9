"""The runtime of GraphDatabase's document writers and existence checks.

The per-kind methods (`sync_*_result`, `*_document_id_exist(s)`) are generated from
schema/documents/kinds.yaml into generated/graph_documents.py; each validates the document into its
model (`DocumentWriter.prepare`), then `sync_prepared_many` writes it with set-based statements
(`bulk.SetWriter`). The sync writes the prepared documents of a batch into one open transaction
(`OpenBatch`) as they are read, so a batch lands whole or not at all (the sync then writes a failed
batch again, and then each of its documents on its own); whole solver documents, whose writer runs as
steps (`Stepped`, see `steps`), are held and written together at the commit, so the batch's documents
share each statement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from typing import IO, Generic, TypeVar, cast

from psycopg2.errors import DeadlockDetected, SerializationFailure
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_random_exponential

from generated.kinds import KINDS

from ..config import SyncSettings
from ..documents import same_document_id, validate_document
from ..solver_stream import is_large, read_whole, solver_envelope, solver_tree
from .adapter import AdapterBase
from .bulk import SetWriter, Tally, raw_cursor
from .steps import Steps, run_alone, run_together
from .writers.solver import solver_steps, write_solver_result

Model = TypeVar("Model")
Document = Mapping[str, object]
Prepared = Callable[[SetWriter], None]
"""A validated document bound to its writer (see `DocumentWriter.prepare`)."""


@dataclass
class WriteStats:
    """Rows one write saw (after de-duplication) and inserted, per table."""

    seen: Counter[str] = field(default_factory=Counter)
    inserted: Counter[str] = field(default_factory=Counter)

    @property
    def rows(self) -> int:
        """Rows seen in all tables."""
        return sum(self.seen.values())


def _is_transient(error: BaseException) -> bool:
    """Deadlocks and serialization failures: concurrent syncs of overlapping documents; try again."""
    return isinstance(error, DBAPIError) and isinstance(error.orig, DeadlockDetected | SerializationFailure)


@dataclass(frozen=True)
class DocumentWriter(Generic[Model]):
    """One document kind of the sync: its model, how a mapping is validated into it, its writer."""

    model: type[Model]
    validate: Callable[[Document], Model]
    write: Callable[[SetWriter, Model], None]

    def model_of(self, document: Document | Model) -> Model:
        """The model of a mapping (validated) or the model itself."""
        if isinstance(document, self.model):
            return document
        return self.validate(cast(Document, document))  # not the model: a mapping

    def prepare(self, document: Document | Model) -> Prepared:
        """The document validated and bound to its writer."""
        model = self.model_of(document)
        return lambda writer: self.write(writer, model)


_retried = retry(
    retry=retry_if_exception(_is_transient),
    stop=stop_after_attempt(5),
    wait=wait_random_exponential(multiplier=0.05, max=2),
    reraise=True,
)
"""A sync transaction is retried whole when PostgreSQL aborts it to break a deadlock."""


@dataclass(frozen=True)
class Stepped:
    """A prepared document whose writer runs as steps (`steps`): an `OpenBatch` holds such documents
    and writes them together at its commit, sharing their round trips; called, it writes alone."""

    document: str
    """Its id, named by the errors of rows refused."""
    steps: Callable[[SetWriter], Steps]

    def __call__(self, writer: SetWriter) -> None:
        run_alone(writer, self.steps(writer))


class OpenBatch:
    """Documents written in turn into one open transaction, then the link rows of all of them in one
    round trip at `commit`: all of them or none. `Stepped` documents are held until the commit and
    written together, in lockstep (`run_together`). Each document's stats count the rows it saw and
    inserted (a row inserted by statements several documents share counts for the first of them that
    holds it; the link rows inserted by the final flush count for the last document)."""

    def __init__(
        self, transaction: AbstractContextManager[Connection], index_aliases: tuple[tuple[str, str], ...]
    ) -> None:
        self._stack = ExitStack()
        connection = self._stack.enter_context(transaction)
        self._writer = SetWriter(connection, defer=True, index_aliases=index_aliases)
        self._tallies: list[Tally] = []
        self._held: list[tuple[Tally, Stepped]] = []

    def write(self, prepared: Prepared) -> None:
        """Write one document into the transaction, or hold it for the commit when it is `Stepped`
        (on failure, `abort` the batch)."""
        tally = Tally()
        self._tallies.append(tally)
        if isinstance(prepared, Stepped):
            tally.document = prepared.document
            self._held.append((tally, prepared))
            return
        self._writer.use(tally)
        prepared(self._writer)

    def commit(self) -> list[WriteStats]:
        """Write the documents held, flush the link rows and commit; the stats of every document
        written, in order."""
        writer = self._writer
        try:
            held, self._held = self._held, []
            run_together(writer, [(tally, prepared.steps(writer)) for tally, prepared in held])
            if self._tallies:
                writer.use(self._tallies[-1])
            writer.flush()
        except BaseException as error:
            self.abort(error)
            raise
        self._stack.close()
        return [WriteStats(seen=tally.seen, inserted=tally.inserted) for tally in self._tallies]

    def abort(self, error: BaseException | None = None) -> None:
        """Roll the transaction back (`error`: what stopped it, if anything) and give its connection
        back; a connection that broke is given back as it is (the server dropped the transaction)."""
        error = error or BatchAbandoned("the batch was left before its commit")
        with suppress(DBAPIError):  # the connection is gone: so is its transaction
            self._stack.__exit__(type(error), error, error.__traceback__)


class BatchAbandoned(Exception):
    """Rolls back an `OpenBatch` that nothing failed in (its sync stopped)."""


class SyncRuntime(AdapterBase):
    """What the generated `sync_*_result` writers and `*_exist(s)` checks of GraphDatabase call."""

    def open_batch(self) -> OpenBatch:
        """A transaction that documents are written into as they come, committed by `OpenBatch.commit`
        (the sync writes each document of a batch as soon as it is read, so reading and writing overlap;
        `Stepped` documents are written together at the commit)."""
        return OpenBatch(self._transaction(), self.settings.index_aliases)

    @_retried
    def sync_prepared_many(self, documents: Sequence[Prepared]) -> list[WriteStats]:
        """Write prepared documents (`DocumentWriter.prepare`) in one transaction, in turn, then the
        link rows of all of them in one round trip: all of them or none (see `OpenBatch`). Retried
        whole when PostgreSQL aborts it to break a deadlock."""
        batch = self.open_batch()
        try:
            for prepared in documents:
                batch.write(prepared)
        except BaseException as error:
            batch.abort(error)
            raise
        return batch.commit()

    def _write(self, model: Model, write: Callable[[SetWriter, Model], None]) -> WriteStats:
        """One document in its own transaction."""
        return self.sync_prepared(lambda writer: write(writer, model))

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with self._connection(begin=True) as connection:
            if self.sync_settings.asynchronous_commit:
                connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
            yield connection

    # Writers -------------------------------------------------------------------------------------

    def sync_prepared(self, prepared: Prepared) -> WriteStats:
        """Write one document `DocumentWriter.prepare` validated, in its own transaction."""
        (stats,) = self.sync_prepared_many([prepared])
        return stats

    def sync_solver_file(
        self, file: IO[bytes], label: str = "solver document", *, document_id: str | None = None
    ) -> WriteStats:
        """Write a solver document from a seekable binary file (see `prepare_solver_file`)."""
        return self.sync_prepared(prepare_solver_file(file, label, self.sync_settings, document_id))

    # Existence checks (the sync skips documents the graph already has) ---------------------------

    def synced_document_ids(self, prefix: str, document_ids: Sequence[str]) -> set[str]:
        """Which of these documents of one sync handler (`solver`, `adviser`, ...) the graph already
        has, in one query: the batched form of the `*_exist(s)` checks (revsolver: none, as those)."""
        column = _SYNCED_BY.get(prefix)
        if column is None or not document_ids:
            return set()
        table, id_column = column
        bases = {_base(document_id): document_id for document_id in document_ids}
        with self._connection() as connection, raw_cursor(connection) as cursor:
            cursor.execute(
                f"SELECT DISTINCT {id_column} FROM {table} WHERE {id_column} = ANY(%s)", (sorted(bases),)
            )
            return {bases[found] for (found,) in cursor.fetchall()}

    def synced_inspection_results(self, results: Sequence[tuple[str, int]]) -> set[tuple[str, int]]:
        """Which of these (inspection id, result number) pairs the graph has as SYNCED, in one query."""
        if not results:
            return set()
        bases = {(_base(inspection), number): (inspection, number) for inspection, number in results}
        with self._connection() as connection, raw_cursor(connection) as cursor:
            cursor.execute(
                "SELECT r.inspection_document_id, r.inspection_result_number FROM inspection_run AS r "
                "JOIN unnest(%s::text[], %s::int[]) AS k(id, number) ON r.inspection_document_id = k.id "
                "AND r.inspection_result_number = k.number WHERE r.inspection_sync_state = 'SYNCED'",
                ([key[0] for key in bases], [key[1] for key in bases]),
            )
            return {bases[(found, number)] for found, number in cursor.fetchall()}


def prepare_solver_file(
    file: IO[bytes], label: str, settings: SyncSettings, document_id: str | None = None
) -> Prepared:
    """A solver document in a seekable binary file, validated and bound to its writer: parsed whole
    when small; above `settings.stream_threshold` bytes only its envelope is validated now, and the
    writer validates and writes its tree `settings.slice_rows` rows at a time (memory does not grow
    with the document), still in one transaction. `label` names it in errors; `document_id`, when given, is the id it
    was read under, which `metadata.document_id` must be."""
    if not is_large(file, settings.stream_threshold):
        document = read_whole(file, label)
        if document_id is not None:
            same_document_id(document, document_id)
        model = validate_document(document, "solver")
        return Stepped(model.metadata.document_id or label, lambda writer: solver_steps(writer, model))
    envelope = solver_envelope(file, label)
    if document_id is not None:
        same_document_id({"metadata": {"document_id": envelope.metadata.document_id}}, document_id)
    name = envelope.metadata.document_id or label
    return lambda writer: write_solver_result(writer, envelope, solver_tree(file, name, settings.slice_rows))


_SYNCED_BY = {kind.prefix: kind.synced_by for kind in KINDS if kind.synced_by is not None}
"""Handler prefix -> (table, column) whose rows name the documents synced (see the `*_exist(s)` checks)."""


def _base(document_id: str) -> str:
    """Documents are identified by the last segment of their id (as the original compared them)."""
    return document_id.rstrip("/").rsplit("/", 1)[-1]


__all__ = [
    "Document",
    "DocumentWriter",
    "OpenBatch",
    "Prepared",
    "Stepped",
    "SyncRuntime",
    "WriteStats",
    "prepare_solver_file",
]
