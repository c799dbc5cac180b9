"""What the reliability suite shares: its scale, the figures it prints, the real documents as stored in
S3 or in a local folder, fresh databases, and comparisons with a clean run.

The real documents are stored byte for byte (not re-serialised, not validated: the ones the sync refuses
are stored too) under the keys the store classes read, so a sync from S3 meets exactly the files a sync
of the local folder meets.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from generated.models import Base
from tests.documents._documents_support import DATA_DIR
from tests.sync.order_support import DatabaseTemplate, contents_of
from thoth_storages import GraphDatabase
from thoth_storages.config import DatabaseSettings
from thoth_storages.graph.contents import Contents, diff_contents
from thoth_storages.s3 import (
    AdvisersResultsStore,
    AnalysisResultsStore,
    DependencyMonkeyReportsStore,
    InspectionBuildsStore,
    InspectionResultsStore,
    SIAggregatedStore,
    SolverResultsStore,
)
from thoth_storages.s3.interface import DocumentStore
from thoth_storages.sync import sync_documents
from thoth_storages.sync.api import SyncEvent

FULL = os.environ.get("THOTH_STORAGES_RELIABILITY", "fast") == "full"
"""`make reliability` sets THOTH_STORAGES_RELIABILITY=full: the full sizes; otherwise the fast subset."""


def scale(fast: int, full: int, name: str) -> int:
    """How many of something a run does: THOTH_STORAGES_RELIABILITY_<NAME> when set, else `full` in a full
    run and `fast` otherwise."""
    return int(os.environ.get(f"THOTH_STORAGES_RELIABILITY_{name.upper()}", full if FULL else fast))


SEED = int(os.environ.get("THOTH_STORAGES_RELIABILITY_SEED", "14"))
"""The seed every random choice of the suite derives from (THOTH_STORAGES_RELIABILITY_SEED)."""

FIGURES: dict[str, str] = {}
"""Name -> one line of figures, printed at the end of the session (conftest.py)."""


def record(name: str, line: str) -> None:
    """Keep one figure line for the session's table (recorded before the test asserts on it)."""
    FIGURES[name] = f"{name}: {line}"


# ------------------------------------------------------------------------------------------------- S3

BUCKET = "thoth-reliability"


@dataclass(frozen=True)
class S3:
    """moto's S3 server: its endpoint and the environment the stores read to use one bucket prefix."""

    url: str

    def environment(self, prefix: str) -> dict[str, str]:
        """THOTH_* settings for the stores under `prefix`."""
        return {
            "THOTH_S3_ENDPOINT_URL": self.url,
            "THOTH_CEPH_KEY_ID": "testing-key-id",
            "THOTH_CEPH_SECRET_KEY": "testing-secret-key",
            "THOTH_CEPH_BUCKET": BUCKET,
            "THOTH_CEPH_BUCKET_PREFIX": prefix,
            "THOTH_CEPH_REGION": "us-east-1",
            "THOTH_DEPLOYMENT_NAME": "reliability",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }


@contextmanager
def environment(variables: Mapping[str, str]) -> Iterator[None]:
    """`variables` set in this process's environment, restored afterwards."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass(frozen=True)
class Corpus:
    """Every real document stored in S3 under one bucket prefix (read only)."""

    variables: dict[str, str]


# ------------------------------------------------------------------------------------- real documents

SYNC_FOLDERS = (
    "adviser",
    "dependency-monkey",
    "inspection",
    "package-extract",
    "security-indicator",
    "solver",
)
"""The folders of the real documents the sync reads (security-indicator/raw holds aggregator inputs)."""


def real_files() -> list[Path]:
    """Every real document file the sync reads, relative to the documents folder, sorted."""
    return sorted(
        path.relative_to(DATA_DIR)
        for folder in SYNC_FOLDERS
        for path in (DATA_DIR / folder).rglob("*")
        if path.is_file() and "raw" not in path.relative_to(DATA_DIR).parts
    )


def _store_and_key(relative: Path) -> tuple[DocumentStore, str]:
    """The raw document store and key the store classes read `relative` from."""
    parts = relative.parts
    name = relative.name.removesuffix(".json")
    results = {
        "adviser": AdvisersResultsStore,
        "dependency-monkey": DependencyMonkeyReportsStore,
        "package-extract": AnalysisResultsStore,
        "solver": SolverResultsStore,
    }
    if parts[0] in results:
        return results[parts[0]]().ceph, name
    if parts[0] == "security-indicator":
        return SIAggregatedStore(name).ceph, SIAggregatedStore.RESULT_TYPE
    if parts[0] == "inspection" and parts[2] == "build":
        return InspectionBuildsStore(parts[1]).ceph, parts[3]
    if parts[0] == "inspection" and parts[2] == "results":
        return InspectionResultsStore(parts[1]).ceph, f"{parts[3]}/{parts[4]}"
    raise ValueError(f"{relative}: not a document the sync reads")


class Uploader:
    """Stores documents where the store classes read them, through the S3 settings of the environment
    at the time it is made (each store connected once)."""

    def __init__(self) -> None:
        self._stores: dict[Path, tuple[DocumentStore, str]] = {}

    def upload(self, relative: Path, blob: bytes) -> None:
        """Store `blob` where the store classes read the real document `relative` from."""
        if relative not in self._stores:
            store, key = _store_and_key(relative)
            store.connect()
            self._stores[relative] = store, key
        store, key = self._stores[relative]
        store.store_blob(blob, key)

    def upload_all(self) -> None:
        """Store every real document as it is."""
        for relative in real_files():
            self.upload(relative, (DATA_DIR / relative).read_bytes())


def sync_ids() -> list[str]:
    """The ids of all real documents, one per document, one per inspection."""
    return sorted(
        {
            relative.parts[1] if relative.parts[0] == "inspection" else relative.name.removesuffix(".json")
            for relative in real_files()
        }
    )


# ------------------------------------------------------------------------------------------ databases


@contextmanager
def connected(settings: DatabaseSettings) -> Iterator[GraphDatabase]:
    """A connected adapter, disconnected afterwards."""
    graph = GraphDatabase(settings)
    graph.connect()
    try:
        yield graph
    finally:
        graph.disconnect()


def differing_tables(settings: DatabaseSettings, clean: Contents) -> list[str]:
    """The tables of the database that differ from the clean run on any column, each described."""
    return [diff.describe() for diff in diff_contents(clean, contents_of(settings))]


def fingerprint(graph: GraphDatabase) -> tuple[str, ...]:
    """Per table (sorted by name): row count and an order-independent sum of row hashes, in one query,
    to see cheaply whether anything was written."""
    columns = ", ".join(
        f"(SELECT count(*) || ':' || coalesce(sum(hashtext(t::text)::bigint), 0) FROM \"{name}\" AS t)"
        for name in sorted(Base.metadata.tables)
    )
    with graph.engine.connect() as connection:
        return tuple(str(value) for value in connection.execute(text(f"SELECT {columns}")).one())


def row_count(graph: GraphDatabase) -> int:
    """Rows in all tables (one query)."""
    counts = " + ".join(f'(SELECT count(*) FROM "{name}")' for name in sorted(Base.metadata.tables))
    with graph.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT {counts}")).scalar_one())


@dataclass
class Outcomes:
    """The sync's events, collected through `on_event`; `then` is called after each."""

    events: list[SyncEvent]
    then: Callable[[SyncEvent], None] | None = None

    def __call__(self, event: SyncEvent) -> None:
        self.events.append(event)
        if self.then is not None:
            self.then(event)

    def labels(self, outcome: str) -> set[str]:
        return {f"{event.prefix}:{event.document_id}" for event in self.events if event.outcome == outcome}


# ------------------------------------------------------------------------------------------ syncs


@dataclass(frozen=True)
class SyncRun:
    """What one sync did: the documents (`<prefix>:<label>`) it synced and those it found synced."""

    synced: set[str]
    skipped: set[str]


def sync_all(
    settings: DatabaseSettings, variables: dict[str, str], outcomes: Outcomes | None = None
) -> SyncRun:
    """A graceful sync of everything the stores under `variables` hold into the database of `settings`
    (its events also go to `outcomes` when given)."""
    outcomes = outcomes or Outcomes([])
    with environment(variables), connected(settings) as graph:
        sync_documents(graceful=True, graph=graph, on_event=outcomes)
    return SyncRun(outcomes.labels("synced"), outcomes.labels("skipped"))


@dataclass(frozen=True)
class CleanRun:
    """A graceful sync of every real document from S3 into an empty database, undisturbed; its database
    stays for the session as a template (`database.copy()` gives a copy)."""

    run: SyncRun
    contents: Contents
    database: DatabaseTemplate

    @property
    def rows(self) -> int:
        return sum(table.total() for table in self.contents.values())

    def lost(self, run: SyncRun) -> set[str]:
        """Documents the clean run synced that `run` neither synced nor found already synced."""
        return self.run.synced - run.synced - run.skipped
