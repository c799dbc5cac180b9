"""Large solver documents stream: the rows of a whole parse, validation per tree entry, all or nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import new_database
from tests.sync._support import counts
from tests.sync.test_sync_api import real_documents
from thoth_storages import GraphDatabase
from thoth_storages.graph import sync_writers
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


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every solver document streams, in slices of about 20 rows; the list receives each slice's size."""
    monkeypatch.setenv("THOTH_STORAGES_STREAM_THRESHOLD", "0")
    monkeypatch.setattr("thoth_storages.solver_stream.SLICE_ROWS", 20)
    sizes: list[int] = []
    original = sync_writers.solver_tree

    def counted(*arguments: object, **keywords: object) -> Iterator[list[object]]:
        for entries in original(*arguments, **keywords):  # type: ignore[arg-type]
            sizes.append(len(entries))
            yield entries  # type: ignore[misc]

    monkeypatch.setattr(sync_writers, "solver_tree", counted)
    return sizes


def _synced(paths: list[str]) -> tuple[dict[str, int], list[tuple[object, ...]]]:
    with new_database() as settings:
        graph = GraphDatabase(settings)
        graph.connect()
        graph.initialize_schema()
        stats = sync_solver_documents(paths, graph=graph, is_local=True)
        assert stats == (len(paths), len(paths), 0, 0)
        result = counts(graph), edges(graph)
        graph.disconnect()
    return result


def test_streamed_documents_write_what_whole_documents_write(
    streamed: list[int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    paths = [str(combined(tmp_path))]
    monkeypatch.setenv("THOTH_STORAGES_STREAM_THRESHOLD", str(1 << 40))
    whole = _synced(paths)
    assert not streamed
    monkeypatch.setenv("THOTH_STORAGES_STREAM_THRESHOLD", "0")
    assert _synced(paths) == whole
    assert len(streamed) > 2  # several slices
    assert whole[1]  # the documents have dependency edges to compare


def test_an_invalid_entry_late_in_a_streamed_document_writes_nothing(
    streamed: list[int], graph: GraphDatabase, tmp_path: Path
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
    assert len(streamed) >= 1  # earlier slices were written inside the transaction, then rolled back
    assert counts(graph) == before


def test_a_streamed_document_that_is_not_json_is_refused_with_its_id(
    streamed: list[int], graph: GraphDatabase, tmp_path: Path
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
