"""The sync API of the original: `sync_documents`, the eight `sync_*_documents` and `HANDLERS_MAPPING`.

Every handler returns `(processed, synced, skipped, failed)`. A document is written in one transaction
(whole or not at all); a document the graph already has is skipped unless `force`; with `graceful`,
a failing document is logged with its id and the reason and counted as failed, and the sync goes on.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import IO, Literal, Protocol

from sqlalchemy.exc import SQLAlchemyError

from ..config import sync_batch_size
from ..exceptions import ThothStorageExceptionError
from ..graph import GraphDatabase
from ..graph.sync_writers import Prepared, prepare
from ..solver_stream import is_large, read_whole
from .sources import PREFIXES, Item, local_items, prefix_of, store_items

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


_CHUNK = 100
"""Documents whose existence is checked with one query."""


def _chunks(items: Iterator[Item]) -> Iterator[list[Item]]:
    while chunk := list(islice(items, _CHUNK)):
        yield chunk


def _synced(graph: GraphDatabase, prefix: str, chunk: list[Item]) -> set[str]:
    """The labels of the items the graph already has."""
    if prefix == "inspection":
        results = [(item.document_id, item.result_number or 0) for item in chunk]
        found = graph.synced_inspection_results(results)
        return {item.label for item in chunk if (item.document_id, item.result_number or 0) in found}
    ids = graph.synced_document_ids(prefix, [item.document_id for item in chunk])
    return {item.label for item in chunk if item.document_id in ids}


def _synced_retried(graph: GraphDatabase, prefix: str, chunk: list[Item], graceful: bool) -> set[str]:
    """`_synced`, asked again once in a graceful sync when the database refused (a broken pinned
    connection is replaced on the second try)."""
    try:
        return _synced(graph, prefix, chunk)
    except SQLAlchemyError:
        if not graceful:
            raise
        _LOGGER.warning("checking which documents exist failed; trying once more", exc_info=True)
        return _synced(graph, prefix, chunk)


Fetched = Prepared | IO[bytes]
"""A validated document bound to its writer, or a large solver document's file (streamed)."""


def _fetch(item: Item) -> Fetched:
    """The document's I/O (a file read, an S3 GET) and validation, done one document ahead in a
    thread so that they overlap the writing of the previous one."""
    if item.prefix == "solver" and item.open is not None:
        file = item.open()
        if is_large(file):
            return file
        with file:
            return prepare("solver", read_whole(file, item.label))
    return prepare(item.prefix, item.load())


def _ahead(fetcher: ThreadPoolExecutor, items: list[Item]) -> Generator[Future[Fetched]]:
    """The fetch of each item in order, the next item's fetch started before this one is handed out,
    so that it overlaps the writing of this one. Files fetched and not handed out are closed."""
    futures: deque[Future[Fetched]] = deque()
    try:
        for item in items:
            futures.append(fetcher.submit(_fetch, item))
            if len(futures) > 1:
                yield futures.popleft()
        while futures:
            yield futures.popleft()
    finally:
        for future in futures:
            if not future.cancel() and future.exception() is None:
                fetched = future.result()
                if not callable(fetched):
                    fetched.close()


def _write_fetched(graph: GraphDatabase, item: Item, fetched: Fetched) -> int:
    if callable(fetched):
        return graph.sync_prepared(fetched).rows
    with fetched as file:
        return graph.sync_solver_file(file, item.label).rows


def _connected(graph: GraphDatabase | None) -> GraphDatabase:
    if graph is None:
        graph = GraphDatabase()
    if not graph.is_connected():
        graph.connect()
    return graph


_ERRORS = (ThothStorageExceptionError, SQLAlchemyError, OSError, ValueError)
"""What fails one document (a graceful sync reports it and goes on)."""

_BATCHED = frozenset({"solver"})
"""Handlers whose documents may be written several per transaction (THOTH_STORAGES_SYNC_BATCH): their
writers only ensure rows, they do not read the writer's counters or update rows."""


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
        """Count and report the failure in a graceful sync; raise it otherwise."""
        if not self.graceful:
            error.add_note(f"while syncing {item.label}")
            raise error
        self.failed += 1
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        _LOGGER.error("failed to sync %s: %s", item.label, reason)
        self._report(SyncEvent(self.prefix, item.label, "failed", error=reason))

    def attempt(self, item: Item, write: Callable[[], int]) -> None:
        try:
            rows = write()
        except _ERRORS as error:
            self.fail(item, error)
        else:
            self.land(item, rows)

    def _report(self, event: SyncEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)


@dataclass
class _Batch:
    """Prepared documents waiting to be written together (one transaction, combined statements)."""

    graph: GraphDatabase
    tally: _Tally
    size: int
    items: list[tuple[Item, Prepared]] = field(default_factory=list)

    def add(self, item: Item, prepared: Prepared) -> None:
        self.items.append((item, prepared))
        if len(self.items) >= self.size:
            self.write()

    def write(self) -> None:
        """Write the waiting documents; when the batch fails, each on its own, so that only the
        broken ones fail."""
        items, self.items = self.items, []
        if not items:
            return
        try:
            stats = self.graph.sync_prepared_batch([prepared for _item, prepared in items])
        except _ERRORS as error:
            _LOGGER.warning("a batch of %d documents failed (%s); writing them one by one", len(items), error)
            for item, prepared in items:
                self.tally.attempt(item, partial(_write_fetched, self.graph, item, prepared))
            return
        for (item, _prepared), written in zip(items, stats, strict=True):
            self.tally.land(item, written.rows)


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
    items = local_items(prefix, ids or []) if is_local else store_items(prefix, ids)
    tally = _Tally(prefix, graceful, on_event)
    size = max(1, batch if batch is not None else sync_batch_size())
    pending = _Batch(graph, tally, size if prefix in _BATCHED else 1)
    with graph.pinned_connection(), ThreadPoolExecutor(1, "thoth-sync-fetch") as fetcher:
        for chunk in _chunks(iter(items)):
            synced_before = set() if force else _synced_retried(graph, prefix, chunk, graceful)
            todo = [item for item in chunk if item.label not in synced_before]
            with closing(_ahead(fetcher, todo)) as fetches:
                for item in chunk:
                    tally.processed += 1
                    if item.label in synced_before:
                        pending.write()  # events stay in the documents' order
                        tally.skip(item)
                        continue
                    try:
                        fetched = next(fetches).result()
                    except _ERRORS as error:
                        pending.write()
                        tally.fail(item, error)
                        continue
                    if pending.size > 1 and callable(fetched):
                        pending.add(item, fetched)
                    else:
                        pending.write()
                        tally.attempt(item, partial(_write_fetched, graph, item, fetched))
                pending.write()
    return tally.processed, tally.synced, tally.skipped, tally.failed


def _handler(prefix: str, doc: str) -> Handler:
    def handler(
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

    handler.__doc__ = f"Sync {doc}; returns (processed, synced, skipped, failed)."
    return handler


sync_adviser_documents = _handler("adviser", "adviser documents")
sync_dependency_monkey_documents = _handler("dependency", "dependency-monkey reports")
sync_inspection_documents = _handler("inspection", "inspection results (each result of an inspection counts)")
sync_analysis_documents = _handler("package", "package-extract (image analysis) documents")
sync_provenance_checker_documents = _handler("provenance", "provenance-checker documents")
sync_solver_documents = _handler("solver", "solver documents")
sync_revsolver_documents = _handler("revsolver", "reverse-solver documents")
sync_security_indicators_documents = _handler("security", "aggregated security-indicator documents")

HANDLERS_MAPPING: dict[str, Handler] = {
    "adviser": sync_adviser_documents,
    "dependency": sync_dependency_monkey_documents,
    "inspection": sync_inspection_documents,
    "package": sync_analysis_documents,
    "provenance": sync_provenance_checker_documents,
    "solver": sync_solver_documents,
    "revsolver": sync_revsolver_documents,
    "security": sync_security_indicators_documents,
}


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

    `batch` (default THOTH_STORAGES_SYNC_BATCH, else 1) writes up to that many solver documents per
    transaction with combined statements; a batch that fails is written again one document at a time."""
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
                message = (
                    f"{document_id}: unknown document type {prefix!r} (expected one of {', '.join(PREFIXES)})"
                )
                if not graceful:
                    raise ValueError(message)
                _LOGGER.error("%s", message)
                if on_event is not None:
                    label = document_id.rstrip("/").rsplit("/", 1)[-1].removesuffix(".json")
                    on_event(SyncEvent(prefix, label, "failed", error=message))
                continue
            bucket = buckets.setdefault(prefix, [])
            assert bucket is not None
            bucket.append(document_id)
    for prefix, ids in buckets.items():
        stats[prefix] = HANDLERS_MAPPING[prefix](
            ids, force, graceful, graph, is_local, on_event=on_event, batch=batch
        )
    return stats
