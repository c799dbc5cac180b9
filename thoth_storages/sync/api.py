"""The sync API of the original: `sync_documents` and the runtime of the `sync_*_documents` handlers
(generated per kind of schema/documents/kinds.yaml into generated/sync_handlers.py, with `HANDLERS_MAPPING`).

Every handler returns `(processed, synced, skipped, failed)`. A document is written in one transaction
(whole or not at all); a document the graph already has is skipped unless `force`.

With `graceful`, nothing about one item stops the run: a document that cannot be read or validated or
written, an inspection without its specification, a listing that cannot be read is counted as failed,
logged and passed to `on_event` with a one-line reason naming it, and the sync goes on. When the
database goes away (connections terminated or refused), the sync waits for it with growing pauses for
up to `graph.sync_settings.reconnect_timeout` seconds and resumes with the document at hand. Without
`graceful`, the first failure is reported to `on_event` the same way and then raised.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import IO, Literal, Protocol, TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_delay, wait_exponential

from generated.graph_documents import PREPARE
from generated.kinds import KINDS_BY_PREFIX, PREFIXES

from ..config import SyncSettings
from ..documents import UnknownDocumentTypeError, same_document_id
from ..exceptions import StorageConnectionError
from ..graph import GraphDatabase
from ..graph.sync_writers import OpenBatch, Prepared, prepare_solver_file
from ..reasons import one_line, reason, short_id
from ..s3.jsontypes import JSONObject
from ..solver_stream import is_large
from .sources import Item, local_items, prefix_of, store_items

_LOGGER = logging.getLogger(__name__)

Stats = tuple[int, int, int, int]
Outcome = Literal["synced", "skipped", "failed"]


@dataclass(frozen=True)
class SyncEvent:
    """What happened to one document; passed to the `on_event` callback (progress bars, reports)."""

    prefix: str
    document_id: str
    outcome: Outcome
    rows: int = 0
    error: str | None = None


EventCallback = Callable[[SyncEvent], None]


class Handler(Protocol):
    """The signature every `sync_*_documents` function shares."""

    def __call__(
        self,
        document_ids: Iterable[str] | None = None,
        force: bool = False,
        graceful: bool = False,
        graph: GraphDatabase | None = None,
        is_local: bool = False,
        *,
        on_event: EventCallback | None = None,
        batch: int | None = None,
    ) -> Stats: ...


def _chunks(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    while chunk := list(islice(items, size)):
        yield chunk


def _synced(graph: GraphDatabase, prefix: str, chunk: list[Item]) -> set[str]:
    """The labels of the items the graph already has (items that failed already are not asked for)."""
    chunk = [item for item in chunk if item.failure is None]
    if prefix == "inspection":
        results = [(item.document_id, item.result_number or 0) for item in chunk]
        found = graph.synced_inspection_results(results)
        return {item.label for item in chunk if (item.document_id, item.result_number or 0) in found}
    ids = graph.synced_document_ids(prefix, [item.document_id for item in chunk])
    return {item.label for item in chunk if item.document_id in ids}


_OUTAGE_CODES = frozenset({"57P01", "57P02", "57P03"})
"""SQLSTATEs of a server shutting down or terminating the connection (class 08 is the rest)."""


def is_outage(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached (refused, terminated, connection lost),
    rather than that it refused this document: worth waiting for."""
    if isinstance(error, StorageConnectionError):  # connecting failed (GraphDatabase explains it)
        return True
    if not isinstance(error, DBAPIError):
        return False
    code = getattr(error.orig, "pgcode", None)
    if code is None:  # no answer from the server: the connection, not the statement, failed
        return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
    return code.startswith("08") or code in _OUTAGE_CODES


Result = TypeVar("Result")


def _log_wait(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    pause = state.next_action.sleep if state.next_action else 0.0
    _LOGGER.warning(
        "the database cannot be reached (%s); trying again in %.1f s", reason(error or Exception()), pause
    )


def reconnecting(graceful: bool, call: Callable[[], Result], timeout: float) -> Result:
    """`call()`; in a graceful sync, called again with growing pauses (0.2 s doubling up to 5 s) while
    the database cannot be reached, for up to `timeout` seconds."""
    if not graceful:
        return call()
    retrying = Retrying(
        retry=retry_if_exception(is_outage),
        wait=wait_exponential(multiplier=0.2, max=5),
        stop=stop_after_delay(timeout),
        before_sleep=_log_wait,
        reraise=True,
    )
    return retrying(call)


@dataclass(frozen=True)
class _Planned:
    """A document read, validated and bound to its writer; `file`: a large solver document's, which
    the writer streams, closed once the document is done."""

    prepared: Prepared
    file: IO[bytes] | None = None

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def _same_id(item: Item, document: JSONObject) -> JSONObject:
    """`document`, refused unless it claims the id it was read under (inspection results carry none)."""
    if item.result_number is None:
        same_document_id(document, item.document_id)
    return document


def _fetch(item: Item, settings: SyncSettings) -> _Planned:
    """The document's I/O (a file read, an S3 GET) and validation, done ahead in a thread so that
    they overlap the writing of the documents before it."""
    if item.prefix == "solver" and item.open is not None:
        file = item.open()
        try:
            planned = _Planned(prepare_solver_file(file, item.label, settings, item.document_id), file)
            if not is_large(file, settings.stream_threshold):  # read whole: the file is no longer needed
                file.close()
                planned = _Planned(planned.prepared)
        except BaseException:
            file.close()
            raise
        return planned
    return _Planned(PREPARE[item.prefix](_same_id(item, item.load())))


def _ahead(
    fetcher: ThreadPoolExecutor, items: list[Item], depth: int, settings: SyncSettings
) -> Generator[Future[_Planned]]:
    """The fetch of each item in order, the fetches of the next `depth` items started before this one
    is handed out, so that they overlap the writing of the batch. Files fetched and not handed out
    are closed."""
    futures: deque[Future[_Planned]] = deque()
    try:
        for item in items:
            futures.append(fetcher.submit(_fetch, item, settings))
            if len(futures) > depth:
                yield futures.popleft()
        while futures:
            yield futures.popleft()
    finally:
        for future in futures:
            if not future.cancel() and future.exception() is None:
                future.result().close()


def _connected(graph: GraphDatabase | None) -> GraphDatabase:
    if graph is None:
        graph = GraphDatabase()
    if not graph.is_connected():
        graph.connect()
    return graph


@dataclass
class _Tally:
    """What happened to each document of one handler's run: counted, logged, passed to `on_event`."""

    prefix: str
    graceful: bool
    on_event: EventCallback | None
    processed: int = 0
    synced: int = 0
    skipped: int = 0
    failed: int = 0

    def skip(self, item: Item) -> None:
        self.skipped += 1
        self._report(SyncEvent(self.prefix, item.label, "skipped"))

    def land(self, item: Item, rows: int) -> None:
        self.synced += 1
        self._report(SyncEvent(self.prefix, item.label, "synced", rows))

    def fail(self, item: Item, error: Exception) -> None:
        """Count, log and report the failure (one line naming the document); a sync that is not
        graceful raises it then."""
        self.failed += 1
        why = reason(error)
        _LOGGER.error("failed to sync %s: %s", short_id(item.label), why)
        _LOGGER.debug("failure of %s", short_id(item.label), exc_info=error)
        self._report(SyncEvent(self.prefix, item.label, "failed", error=why))
        if not self.graceful:
            error.add_note(f"while syncing {short_id(item.label)}")
            raise error

    def _report(self, event: SyncEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)


Entry = _Planned | Exception | None
"""A document of the plan: to write, failed before writing (read, validation, existence check), or
skipped (None: the graph has it)."""


@dataclass
class _Plan:
    """The sync's one path: the documents of a batch are planned (read, validated and bound to their
    writers, or found synced already) and written into one open transaction as they come, so that
    reading the next document overlaps writing this one (whole solver documents are held, then written
    together at the commit: see `OpenBatch`); the transaction is committed when the batch
    is full (a batch of one: written then), then the batch is reported in the documents' order. A
    batch that fails is written again (`sync_prepared_many`, waiting for the database in a graceful
    sync), and then, if it fails again, one document per transaction, so that only the broken
    documents fail and nothing of theirs is written."""

    graph: GraphDatabase
    tally: _Tally
    size: int
    entries: list[tuple[Item, Entry]] = field(default_factory=list)
    planned: int = 0
    open: OpenBatch | None = None
    failed: bool = False
    """A write into the open transaction failed: the batch is rolled back, written again at the end."""

    def add(self, item: Item, entry: Entry) -> None:
        """Plan one document (written into the batch's transaction at once); the batch is committed
        when full, and at once before a failure that stops a sync which is not graceful. Outcomes
        known with nothing to write are reported at once."""
        self.entries.append((item, entry))
        if isinstance(entry, _Planned):
            self.planned += 1
            if self.size > 1:  # a batch of one is written as it is committed, below
                self._write_ahead(entry)
        stops = isinstance(entry, Exception) and not self.tally.graceful
        if self.planned >= self.size or not self.planned or stops:
            self.execute()

    def _write_ahead(self, document: _Planned) -> None:
        if self.failed:
            return
        try:
            if self.open is None:
                self.open = self.graph.open_batch()
            self.open.write(document.prepared)
        except Exception as error:  # rolled back; `execute` writes the batch again
            _LOGGER.info("writing a batch failed (%s); it is written again when complete", reason(error))
            if self.open is not None:
                self.open.abort(error)
            self.open, self.failed = None, True

    def discard(self) -> None:
        """Roll back a batch left open (the sync stopped before committing it)."""
        if self.open is not None:
            self.open.abort()
            self.open = None

    def execute(self) -> None:
        """Commit the batch's documents, then report every entry in order."""
        entries, self.entries, self.planned = self.entries, [], 0
        documents = [entry for _item, entry in entries if isinstance(entry, _Planned)]
        try:
            outcomes = self._commit(documents)
        finally:
            for document in documents:
                document.close()
        written = iter(outcomes)
        for item, entry in entries:
            outcome = next(written) if isinstance(entry, _Planned) else entry
            if outcome is None:
                self.tally.skip(item)
            elif isinstance(outcome, Exception):
                self.tally.fail(item, outcome)  # a sync that is not graceful stops here
            else:
                self.tally.land(item, outcome)

    def _commit(self, documents: list[_Planned]) -> list[int | Exception]:
        """Rows written per document, or its failure."""
        batch, failed, self.open, self.failed = self.open, self.failed, None, False
        if batch is not None and not failed:
            try:
                return [written.rows for written in batch.commit()]
            except Exception as error:  # rolled back by commit: written again below
                _LOGGER.info(
                    "committing a batch of %d documents failed (%s); writing it again",
                    len(documents),
                    reason(error),
                )
        return self._write(documents)

    def _write(self, documents: list[_Planned]) -> list[int | Exception]:
        """The batch written again in one transaction, else one document per transaction."""
        if not documents:
            return []
        try:
            stats = self._reconnecting(lambda: self.graph.sync_prepared_many([d.prepared for d in documents]))
        except Exception as error:
            if len(documents) == 1:
                return [error]
            _LOGGER.warning(
                "a batch of %d documents failed (%s); writing them one by one", len(documents), reason(error)
            )
            return self._one_by_one(documents)
        return [written.rows for written in stats]

    def _reconnecting(self, call: Callable[[], Result]) -> Result:
        return reconnecting(self.tally.graceful, call, self.graph.sync_settings.reconnect_timeout)

    def _one_by_one(self, documents: list[_Planned]) -> list[int | Exception]:
        outcomes: list[int | Exception] = []
        for document in documents:
            try:
                outcomes.append(self._reconnecting(partial(self.graph.sync_prepared, document.prepared)).rows)
            except Exception as error:  # this document's failure, whatever it is
                outcomes.append(error)
                if not self.tally.graceful:
                    break
        return outcomes


def _given(document_ids: Iterable[str] | None) -> list[str] | None:
    """The ids asked for; None for all of them (no ids, or none: the original's `document_ids or listing`)."""
    ids = list(document_ids) if document_ids is not None else []
    return ids or None


def _run(
    prefix: str,
    document_ids: Iterable[str] | None,
    force: bool,
    graceful: bool,
    graph: GraphDatabase | None,
    is_local: bool,
    on_event: EventCallback | None,
    batch: int | None,
) -> Stats:
    ids = _given(document_ids)
    if is_local and ids is None:
        raise ValueError("is_local=True needs document_ids: the paths of the documents to sync")
    graph = _connected(graph)
    settings = graph.sync_settings
    items = (
        local_items(prefix, ids or []) if is_local else store_items(prefix, ids, settings.randomize_listing)
    )
    tally = _Tally(prefix, graceful, on_event)
    plan = _Plan(graph, tally, max(1, batch if batch is not None else settings.batch))
    timeout = settings.reconnect_timeout
    with ExitStack() as stack, ThreadPoolExecutor(1, "thoth-sync-fetch") as fetcher:
        _pin(stack, graph, graceful)
        stack.callback(plan.discard)
        for chunk in _chunks(iter(items), settings.existence_chunk):
            tally.processed += len(chunk)
            try:
                synced_before = (
                    set()
                    if force
                    else reconnecting(graceful, partial(_synced, graph, prefix, chunk), timeout)
                )
            except Exception as error:  # the database is still unreachable: this chunk fails
                for item in chunk:
                    plan.add(item, error)
                continue
            todo = [item for item in chunk if item.label not in synced_before and item.failure is None]
            with closing(_ahead(fetcher, todo, plan.size, settings)) as fetches:
                for item in chunk:
                    if item.failure is not None or item.label in synced_before:
                        plan.add(item, item.failure)
                        continue
                    try:
                        entry: Entry = next(fetches).result()
                    except Exception as error:  # reading or validating failed: this document fails
                        entry = error
                    plan.add(item, entry)
        plan.execute()
    return tally.processed, tally.synced, tally.skipped, tally.failed


def _pin(stack: ExitStack, graph: GraphDatabase, graceful: bool) -> None:
    """Pin one connection for the run; a graceful sync that cannot get one now goes on unpinned
    (each call then connects, and waits for the database, on its own)."""
    try:
        reconnecting(
            graceful,
            lambda: stack.enter_context(graph.pinned_connection()),
            graph.sync_settings.reconnect_timeout,
        )
    except Exception as error:
        if not graceful:
            raise
        _LOGGER.warning("no connection to pin for the sync (%s); going on without", reason(error))


def handler(prefix: str) -> Handler:
    """The `sync_*_documents` function of the kind `prefix` (see generated/sync_handlers.py)."""

    def sync_kind(
        document_ids: Iterable[str] | None = None,
        force: bool = False,
        graceful: bool = False,
        graph: GraphDatabase | None = None,
        is_local: bool = False,
        *,
        on_event: EventCallback | None = None,
        batch: int | None = None,
    ) -> Stats:
        return _run(prefix, document_ids, force, graceful, graph, is_local, on_event, batch)

    kind = KINDS_BY_PREFIX[prefix]
    sync_kind.__name__ = sync_kind.__qualname__ = kind.handler
    sync_kind.__doc__ = f"Sync {kind.describes}; returns (processed, synced, skipped, failed)."
    return sync_kind


def sync_documents(
    document_ids: Iterable[str] | None = None,
    force: bool = False,
    graceful: bool = False,
    graph: GraphDatabase | None = None,
    is_local: bool = False,
    *,
    on_event: EventCallback | None = None,
    batch: int | None = None,
) -> dict[str, Stats]:
    """Sync the given documents, routed by id prefix, or (ids None or empty) everything in every store.

    `batch` (default `graph.sync_settings.batch`, from THOTH_STORAGES_SYNC_BATCH) writes up to that many documents per
    transaction; a batch that fails is written again one document at a time."""
    from generated.sync_handlers import HANDLERS_MAPPING  # generated from this module's `handler`

    stats: dict[str, Stats] = dict.fromkeys(PREFIXES, (0, 0, 0, 0))
    graph = _connected(graph)
    ids = _given(document_ids)
    if ids is None:
        buckets: dict[str, list[str] | None] = dict.fromkeys(PREFIXES)
    else:
        buckets = {}
        for document_id in ids:
            prefix = prefix_of(document_id)
            if prefix not in HANDLERS_MAPPING:
                message = f"{short_id(document_id)}: unknown document type {prefix!r} (expected one of {', '.join(PREFIXES)})"
                label = document_id.rstrip("/").rsplit("/", 1)[-1].removesuffix(".json")
                _LOGGER.error("failed to sync %s: %s", short_id(label), one_line(message))
                if on_event is not None:
                    on_event(SyncEvent(prefix, label, "failed", error=one_line(message)))
                if not graceful:
                    raise UnknownDocumentTypeError(label, "$.metadata.document_id", message)
                continue
            bucket = buckets.setdefault(prefix, [])
            assert bucket is not None
            bucket.append(document_id)
    for prefix, ids in buckets.items():
        stats[prefix] = HANDLERS_MAPPING[prefix](
            ids, force, graceful, graph, is_local, on_event=on_event, batch=batch
        )
    return stats
