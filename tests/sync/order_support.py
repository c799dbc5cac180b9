"""Syncing the real documents in any order, serially or by concurrent workers, and comparing the results.

Importable as `tests.sync.order_support` (the repository root is on pytest's path): the order property
test and the reliability suite both use it.

- `sync_units()` lists every unit of sync work in `tests/data/documents` (one per document, one per
  inspection result), all document types, in sorted order.
- `DatabaseTemplate` is a database at the head revision from which each run's database is copied
  (`CREATE DATABASE ... TEMPLATE`, far faster than migrating each one).
- `sync_serially` writes units one by one in the given order; `sync_concurrently` runs one worker per
  unit list, each in its own thread with its own connection, all started together;
  `overlapping_workers` deals units to workers so that some are synced by two of them at once.
- `contents_of` reads a database as `graph.contents` does (ids mapped through natural keys), so two
  runs are equal on all columns exactly when `diff_contents` finds nothing.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from generated.graph_documents import PREPARE
from tests.conftest import admin, head_template, scratch_name
from thoth_storages import GraphDatabase
from thoth_storages.config import DatabaseSettings
from thoth_storages.exceptions import ThothStorageExceptionError
from thoth_storages.graph.connection import make_engine
from thoth_storages.graph.contents import Contents, table_contents
from thoth_storages.sync.sources import local_items

DOCUMENTS = Path(__file__).resolve().parents[1] / "data" / "documents"
"""The copies of the real documents (provenance in its SOURCES.md)."""

_FOLDERS = {
    "adviser": "adviser",
    "dependency": "dependency-monkey",
    "package": "package-extract",
    "security": "security-indicator",
    "solver": "solver",
}
"""Sync handler prefix -> folder of its documents (inspections are directories, listed apart)."""


Work = TypeVar("Work")


@dataclass(frozen=True, order=True)
class SyncUnit:
    """One document, or one result of an inspection: what one sync transaction writes."""

    prefix: str
    path: str
    result_number: int | None = None

    @property
    def label(self) -> str:
        name = Path(self.path).name
        return name if self.result_number is None else f"{name}/results/{self.result_number}"


def sync_units(root: Path = DOCUMENTS) -> list[SyncUnit]:
    """Every unit of every document type under `root` (folders as in tests/data/documents, any of
    them may be missing), sorted. Inspections without a build
    specification are left out: they cannot be synced in any order (the sync reports them)."""
    units = [
        SyncUnit(prefix, str(path))
        for prefix, folder in _FOLDERS.items()
        for path in (root / folder).glob("*.json")
    ]
    for inspection in (root / "inspection").glob("*"):
        if (inspection / "build" / "specification").is_file():
            for result in (inspection / "results").glob("*/result"):
                units.append(SyncUnit("inspection", str(inspection), int(result.parent.name)))
    return sorted(units)


def sync_unit(graph: GraphDatabase, unit: SyncUnit) -> str | None:
    """Validate and write one unit in its own transaction, as the sync does; the reason when the
    library refuses it (nothing is written then), None when it was written. Other errors propagate."""
    (item,) = [
        item
        for item in local_items(unit.prefix, [unit.path])
        if unit.result_number is None or item.result_number == unit.result_number
    ]
    document = item.load()
    metadata = document.get("metadata")
    if isinstance(metadata, dict) and metadata.get("document_id", "") is None:
        # The real dependency-monkey report has no id: it is synced under its file name.
        document = {**document, "metadata": {**metadata, "document_id": item.document_id}}
    try:
        graph.sync_prepared(PREPARE[unit.prefix](document))
    except ThothStorageExceptionError as error:
        return f"{unit.label}: {error}"
    return None


def sync_serially(settings: DatabaseSettings, units: Sequence[SyncUnit]) -> set[str]:
    """Write the units one after another, in the given order, on one connection; the refusals."""
    graph = GraphDatabase(settings)
    graph.connect()
    try:
        return {reason for unit in units if (reason := sync_unit(graph, unit)) is not None}
    finally:
        graph.disconnect()


def sync_concurrently(settings: DatabaseSettings, workers: Sequence[Sequence[SyncUnit]]) -> set[str]:
    """One thread per unit list, each with its own connection, released together; the refusals.
    Raises the first worker's error (naming the worker) after all have finished."""
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []
    refused: set[str] = set()

    def work(number: int, units: Sequence[SyncUnit]) -> None:
        graph = GraphDatabase(settings)
        try:
            graph.connect()
            barrier.wait()
            for unit in units:
                if (reason := sync_unit(graph, unit)) is not None:
                    refused.add(reason)
        except BaseException as error:
            error.add_note(f"in sync worker {number}")
            errors.append(error)
            barrier.abort()
        finally:
            graph.disconnect()

    threads = [
        threading.Thread(target=work, args=(n, units), name=f"sync-worker-{n}")
        for n, units in enumerate(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return refused


def overlapping_workers(units: Sequence[Work], seed: int, workers: int = 4) -> list[list[Work]]:
    """Each unit (or document id) given to one or two of the workers (so some are synced twice at once),
    each worker's list shuffled; seeded, so a round can be repeated."""
    rng = random.Random(seed)
    lists: list[list[Work]] = [[] for _ in range(workers)]
    for unit in units:
        for worker in rng.sample(range(workers), rng.choice([1, 2])):
            lists[worker].append(unit)
    for assigned in lists:
        rng.shuffle(assigned)
    return lists


def contents_of(settings: DatabaseSettings) -> Contents:
    """Every table of the database, ids mapped through natural keys (see `graph.contents`)."""
    engine = make_engine(settings, settings.database)
    try:
        return table_contents(engine)
    finally:
        engine.dispose()


class DatabaseTemplate:
    """A database that `copy()` clones for each run: the head template of tests/conftest.py or, given
    `existing`, that database as it is (its owner drops it)."""

    def __init__(self, existing: DatabaseSettings | None = None) -> None:
        self.settings = existing or replace(DatabaseSettings.from_env(), database=head_template())

    @contextmanager
    def copy(self) -> Iterator[DatabaseSettings]:
        """Settings of a fresh copy of the template, dropped afterwards."""
        settings = replace(self.settings, database=scratch_name())
        admin(settings, f'CREATE DATABASE "{settings.database}" TEMPLATE "{self.settings.database}"')
        try:
            yield settings
        finally:
            admin(settings, f'DROP DATABASE IF EXISTS "{settings.database}" WITH (FORCE)')
