"""A graceful sync never stops for one item: real broken parts, broken listings, database outages.

Everything runs against the real PostgreSQL; outages are real (backends terminated with
pg_terminate_backend, the database closed to connections with ALTER DATABASE ... ALLOW_CONNECTIONS).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import DBAPIError

from tests.conftest import admin, connected, head_template
from tests.documents._documents_support import DATA_DIR
from thoth_storages import GraphDatabase
from thoth_storages.cli import cli
from thoth_storages.exceptions import ListingError, NotFoundError
from thoth_storages.graph.connection import make_engine
from thoth_storages.graph.contents import Contents, diff_contents, table_contents
from thoth_storages.s3 import InspectionStore
from thoth_storages.sync import SyncEvent, sync_documents, sync_solver_documents

NO_SPECIFICATION = "inspection-iotf-1-conv1d-2a71492d"
"""A real Amun inspection copied without its build/specification."""

INSPECTIONS = DATA_DIR / "inspection"
SOLVERS = sorted(str(path) for path in (DATA_DIR / "solver").glob("solver-debian-*.json"))


def _run_cli(graph: GraphDatabase, *arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["sync", *arguments], env=graph.settings.environment())
    return result.exit_code, result.output


def test_cli_graceful_reports_the_inspection_without_specification_and_syncs_the_rest(
    graph: GraphDatabase,
) -> None:
    assert not (INSPECTIONS / NO_SPECIFICATION / "build").exists()
    code, output = _run_cli(graph, "--graceful", "--local", str(INSPECTIONS))
    assert code == 1, output
    lines = [line for line in output.splitlines() if line.startswith("failed ")]
    assert lines == [
        f"failed {NO_SPECIFICATION}: {INSPECTIONS / NO_SPECIFICATION}: no build/specification (an "
        "inspection needs one)"
    ]
    results = sum(
        len(list((folder / "results").iterdir()))
        for folder in INSPECTIONS.iterdir()
        if (folder / "build" / "specification").is_file()
    )
    with graph.engine.connect() as connection:
        runs = connection.exec_driver_sql("SELECT count(*) FROM inspection_run").scalar_one()
    assert runs == results > 0

    code, stopped = _run_cli(graph, "--force", "--local", str(INSPECTIONS / NO_SPECIFICATION))
    assert code == 1
    assert f"error: {lines[0]}" in stopped.splitlines()


def test_cli_exit_status_is_zero_when_nothing_failed(graph: GraphDatabase) -> None:
    code, output = _run_cli(graph, "--graceful", "--local", SOLVERS[0])
    assert code == 0, output
    assert not [line for line in output.splitlines() if line.startswith("failed ")]


def _publish_inspections(root: Path) -> list[str]:
    """The real inspections into the local document store under `root`, byte for byte (the one
    without specification too); returns their ids."""
    ids = []
    for folder in sorted(INSPECTIONS.iterdir()):
        store = InspectionStore(folder.name)
        store.connect()
        specification = folder / "build" / "specification"
        if specification.is_file():
            store.build.ceph.store_blob(specification.read_bytes(), "specification")
        for result in sorted(folder.glob("results/*/result")):
            store.results.ceph.store_blob(result.read_bytes(), f"{result.parent.name}/result")
        ids.append(folder.name)
    return ids


@pytest.fixture
def local_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "documents"
    monkeypatch.delenv("THOTH_S3_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("THOTH_STORAGES_LOCAL_ROOT", str(root))
    monkeypatch.setenv("THOTH_CEPH_BUCKET_PREFIX", "data")
    monkeypatch.setenv("THOTH_DEPLOYMENT_NAME", "graceful")
    return root


def test_store_sync_reports_the_inspection_without_specification_and_goes_on(
    graph: GraphDatabase, local_store: Path
) -> None:
    ids = _publish_inspections(local_store)
    events: list[SyncEvent] = []
    stats = sync_documents(None, graceful=True, graph=graph, on_event=events.append)
    failed = [event for event in events if event.outcome == "failed"]
    assert [(event.document_id, event.prefix) for event in failed] == [(NO_SPECIFICATION, "inspection")]
    assert failed[0].error and "build/specification" in failed[0].error
    processed, synced, skipped, failures = stats["inspection"]
    assert failures == 1 and synced == processed - 1 > 0 and skipped == 0
    assert {event.document_id.split("/results/")[0] for event in events} == set(ids)

    with pytest.raises(NotFoundError, match="build/specification"):
        sync_documents([NO_SPECIFICATION], graph=graph)


def _too_long_to_list(root: Path) -> None:
    """A folder under `root` whose path is longer than the kernel takes (PATH_MAX): listing it fails
    with ENAMETOOLONG, even for root, whom permissions do not stop."""
    descriptor = os.open(root, os.O_RDONLY)
    depth = 0
    try:
        while depth * 200 < 4200:
            name = "d" * 199
            os.mkdir(name, dir_fd=descriptor)
            child = os.open(name, os.O_RDONLY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = child
            depth += 1
        document = os.open("solver-x.json", os.O_WRONLY | os.O_CREAT, dir_fd=descriptor)
        os.write(document, b"{}")
        os.close(document)
    finally:
        os.close(descriptor)


def _remove_deep(root: Path) -> None:
    """Remove what `_too_long_to_list` made (shutil.rmtree works with descriptors)."""
    shutil.rmtree(root)


def test_an_unlistable_local_folder_is_reported_and_the_rest_syncs(
    graph: GraphDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "documents" / "solver"
    folder.mkdir(parents=True)
    shutil.copy(SOLVERS[0], folder)
    deep = tmp_path / "documents" / "deep"
    deep.mkdir()
    _too_long_to_list(deep)
    try:
        code, output = _run_cli(graph, "--graceful", "--local", str(tmp_path / "documents"))
        assert code == 1, output
        failures = [line for line in output.splitlines() if line.startswith("failed ")]
        assert len(failures) == 1 and "cannot be listed" in failures[0] and "name too long" in failures[0]
        assert len(failures[0]) < 1000
        assert graph.solver_document_id_exists(Path(SOLVERS[0]).stem)
        code, output = _run_cli(graph, "--local", str(tmp_path / "documents"))
        assert code == 1 and "cannot be listed" in output
    finally:
        _remove_deep(deep)


def test_an_unlistable_store_folder_fails_that_listing_only(graph: GraphDatabase, local_store: Path) -> None:
    _publish_inspections(local_store)
    deep = local_store / "data" / "graceful" / "solver"
    deep.mkdir(parents=True)
    _too_long_to_list(deep)
    events: list[SyncEvent] = []
    stats = sync_documents(None, graceful=True, graph=graph, on_event=events.append)
    failed = [event for event in events if event.outcome == "failed"]
    assert [event.document_id for event in failed] == [NO_SPECIFICATION, "the solver listing"]
    reason = failed[1].error
    assert reason and "the solver listing: cannot be listed" in reason and "name too long" in reason
    assert "\n" not in reason and len(reason) <= 500
    assert stats["solver"] == (1, 0, 0, 1)
    assert stats["inspection"][1] > 0
    with pytest.raises(ListingError, match="the solver listing: cannot be listed"):
        sync_solver_documents(graph=graph)
    _remove_deep(deep)


# --------------------------------------------------------------------------------------- database outages


@pytest.fixture
def reconnect_soon(graph: GraphDatabase) -> None:
    graph.sync_settings = replace(graph.sync_settings, reconnect_timeout=60)


def _terminate(graph: GraphDatabase) -> int:
    """Terminate every connection to the graph's database (from the server's maintenance database);
    how many there were."""
    server = make_engine(graph.settings, "postgres", autocommit=True)
    try:
        with server.connect() as connection:
            return len(
                connection.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %(name)s",
                    {"name": graph.settings.database},
                ).all()
            )
    finally:
        server.dispose()


@pytest.fixture(scope="module")
def expected() -> Contents:
    """Every table of a clean sync of the debian solver documents (ids resolved to the rows they name)."""
    with connected(head_template()) as reference:
        assert sync_solver_documents(SOLVERS, graph=reference, is_local=True)[3] == 0
        return table_contents(reference.engine)


def test_connections_terminated_mid_run_are_reconnected_and_nothing_is_lost(
    graph: GraphDatabase, reconnect_soon: None, expected: Contents
) -> None:
    terminated: list[int] = []

    def outage(event: SyncEvent) -> None:
        if event.outcome == "synced" and len(terminated) < 3:
            terminated.append(_terminate(graph))

    stats = sync_solver_documents(SOLVERS, graceful=True, graph=graph, is_local=True, on_event=outage)
    assert terminated and all(count >= 1 for count in terminated)
    assert stats == (len(SOLVERS), len(SOLVERS), 0, 0)
    assert [diff.describe() for diff in diff_contents(table_contents(graph.engine), expected)] == []


def test_a_database_refusing_connections_for_a_while_is_waited_for(
    graph: GraphDatabase, reconnect_soon: None, expected: Contents
) -> None:
    name = graph.settings.database
    reopened = threading.Event()

    def reopen() -> None:
        admin(graph.settings, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        reopened.set()

    timer: list[threading.Timer] = []

    def outage(event: SyncEvent) -> None:
        if event.outcome == "synced" and not timer:
            admin(graph.settings, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            _terminate(graph)
            timer.append(threading.Timer(2.0, reopen))
            timer[0].start()

    started = time.monotonic()
    try:
        stats = sync_solver_documents(SOLVERS, graceful=True, graph=graph, is_local=True, on_event=outage)
    finally:
        for running in timer:
            running.join()
        if not reopened.is_set():
            reopen()
    assert reopened.is_set() and time.monotonic() - started >= 2.0  # it waited for the database
    assert stats == (len(SOLVERS), len(SOLVERS), 0, 0)
    assert [diff.describe() for diff in diff_contents(table_contents(graph.engine), expected)] == []


def test_without_graceful_an_outage_stops_the_run_reporting_the_document(graph: GraphDatabase) -> None:
    events: list[SyncEvent] = []

    def outage(event: SyncEvent) -> None:
        events.append(event)
        if event.outcome == "synced":
            _terminate(graph)

    with pytest.raises(DBAPIError) as raised:
        sync_solver_documents(SOLVERS, graph=graph, is_local=True, on_event=outage)
    assert [event.outcome for event in events] == ["synced", "failed"]
    assert events[1].document_id == Path(SOLVERS[1]).stem
    assert events[1].error and "\n" not in events[1].error
    assert any(events[1].document_id in note for note in raised.value.__notes__)


def test_an_empty_local_folder_syncs_nothing(graph: GraphDatabase, tmp_path: Path) -> None:
    # no ids means every stored document (as the original); no local document means none
    code, output = _run_cli(graph, "--local", str(tmp_path))
    assert code == 0, output
    assert graph.get_solver_documents_count_all() == 0
