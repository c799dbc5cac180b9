"""Large solver documents stream: the rows of a whole parse, validation per tree entry, all or nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import connected, head_template
from tests.sync._support import counts
from tests.sync.test_sync_api import real_documents
from thoth_storages import GraphDatabase
from thoth_storages.config import SyncSettings
from thoth_storages.sync import SyncEvent, sync_solver_documents
from thoth_storages.sync.sources import prefix_of

EDGES = (
    "SELECT v.package_name, v.package_version, v.os_name, e.package_name, e.package_version, "
    "d.version_range, d.marker, d.extra FROM depends_on d JOIN python_package_version v ON v.id = d.version_id "
    "JOIN python_package_version_entity e ON e.id = d.entity_id ORDER BY 1, 2, 3, 4, 5, 6, 7, 8"
)


def combined(directory: Path, entries: int = 6) -> Path:
    """A solver document whose tree holds the entries of several real debian-12-py38 documents (real
    ones solve a package each), under the first one's envelope and name."""
    paths = sorted(p for p in real_documents() if prefix_of(p) == "solver" and "solver-debian-12-py38-" in p)
    documents = [json.loads(Path(path).read_text()) for path in paths]
    documents = [d for d in documents if d["result"]["tree"] and "index_url" in d["result"]["tree"][0]]
    assert len(documents) >= 3
    document = documents[0]
    document["result"]["tree"] = [entry for d in documents[:entries] for entry in d["result"]["tree"]]
    for key in ("errors", "unparsed", "unresolved"):
        document["result"][key] = [item for d in documents[:entries] for item in d["result"].get(key) or []]
    path = directory / Path(paths[0]).name
    path.write_text(json.dumps(document))
    return path


def edges(graph: GraphDatabase) -> list[tuple[object, ...]]:
    with graph.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(EDGES))]


WHOLE = SyncSettings(stream_threshold=1 << 40)
STREAMED = SyncSettings(stream_threshold=0, slice_rows=20)
"""Every solver document streams, in slices of about 20 rows."""


def count_slices(graph: GraphDatabase) -> Callable[[], int]:
    """A function telling how many statements inserted into `solved` since (one per slice of a tree):
    a statement trigger of the database counts them with a sequence, which a rollback does not undo."""
    with graph.engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE SEQUENCE solved_inserts;"
            " CREATE FUNCTION count_solved_inserts() RETURNS trigger LANGUAGE plpgsql"
            " AS $$ BEGIN PERFORM nextval('solved_inserts'); RETURN NULL; END $$;"
            " CREATE TRIGGER count_solved_inserts AFTER INSERT ON solved"
            " FOR EACH STATEMENT EXECUTE FUNCTION count_solved_inserts()"
        )

    def slices() -> int:
        with graph.engine.connect() as connection:
            row = connection.exec_driver_sql("SELECT last_value, is_called FROM solved_inserts").one()
        return int(row[0]) if row[1] else 0

    return slices


@pytest.fixture
def streamed(graph: GraphDatabase) -> Callable[[], int]:
    """`graph` streaming every solver document in slices of about 20 rows; counts the slices written."""
    graph.sync_settings = STREAMED
    return count_slices(graph)


def _synced(paths: list[str], sync: SyncSettings) -> tuple[dict[str, int], list[tuple[object, ...]], int]:
    """Counts and edges of the documents synced into a new database, and the slices written."""
    with connected(head_template()) as graph:
        graph.sync_settings = sync
        slices = count_slices(graph)
        stats = sync_solver_documents(paths, graph=graph, is_local=True)
        assert stats == (len(paths), len(paths), 0, 0)
        return counts(graph), edges(graph), slices()


def test_streamed_documents_write_what_whole_documents_write(tmp_path: Path) -> None:
    paths = [str(combined(tmp_path))]
    *whole, whole_slices = _synced(paths, WHOLE)
    assert whole_slices == 1
    *streamed, slices = _synced(paths, STREAMED)
    assert streamed == whole
    assert slices > 2  # several slices
    assert whole[1]  # the documents have dependency edges to compare


def test_an_invalid_entry_late_in_a_streamed_document_writes_nothing(
    streamed: Callable[[], int], graph: GraphDatabase, tmp_path: Path
) -> None:
    path = combined(tmp_path)
    document = json.loads(path.read_text())
    last = len(document["result"]["tree"]) - 1
    document["result"]["tree"][last]["package_name"] = 5
    path.write_text(json.dumps(document))
    before = counts(graph)
    events: list[SyncEvent] = []
    stats = sync_solver_documents(
        [str(path)], graceful=True, graph=graph, is_local=True, on_event=events.append
    )
    assert stats == (1, 0, 0, 1)
    assert f"$.result.tree[{last}].package_name" in (events[0].error or "")
    assert streamed() >= 1  # earlier slices were written inside the transaction, then rolled back
    assert counts(graph) == before


def test_a_streamed_document_that_is_not_json_is_refused_with_its_id(
    streamed: Callable[[], int], graph: GraphDatabase, tmp_path: Path
) -> None:
    path = tmp_path / "solver-debian-12-py38-000000000000-broken.json"
    path.write_text('{"metadata": {"document_id": "x"}, "result": {"tree": [')
    events: list[SyncEvent] = []
    stats = sync_solver_documents(
        [str(path)], graceful=True, graph=graph, is_local=True, on_event=events.append
    )
    assert stats == (1, 0, 0, 1)
    assert "solver-debian-12-py38-000000000000-broken" in (events[0].error or "")
    assert "not valid JSON" in (events[0].error or "")
