"""The delete methods on a database of their own (filled from the real documents): each removes exactly
the rows it names (with what references them) and leaves the others."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from tests.conftest import connected, filled_template
from thoth_storages import GraphDatabase


@pytest.fixture(scope="module")
def graph() -> Iterator[GraphDatabase]:
    with connected(filled_template()) as graph:
        yield graph


def _count(graph: GraphDatabase, sql: str) -> int:
    with graph.engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


def test_delete_solver_result_removes_that_document_only(graph: GraphDatabase) -> None:
    first, *others = graph.get_solver_run_document_ids_all(count=None)
    rows = _count(graph, f"SELECT count(*) FROM solved WHERE document_id = '{first}'")
    total = _count(graph, "SELECT count(*) FROM solved")
    assert rows > 0 and others
    assert graph.delete_solver_result(first) == rows
    assert graph.get_solver_run_document_ids_all(count=None) == others
    assert _count(graph, "SELECT count(*) FROM solved") == total - rows
    assert graph.delete_solver_result(first) == 0


def test_delete_solved_removes_the_solvers_of_one_environment(graph: GraphDatabase) -> None:
    before = _count(graph, "SELECT count(*) FROM ecosystem_solver")
    fedora = _count(graph, "SELECT count(*) FROM ecosystem_solver WHERE os_name = 'fedora'")
    assert 0 < fedora < before
    assert graph.delete_solved("Fedora", "31", "3.7") == fedora
    assert graph.get_ecosystem_solver_all() == ["solver-debian-12-py38"]
    assert graph.get_solver_run_document_ids_all(os_name="fedora") == []
    assert graph.get_solver_run_document_ids_all(os_name="debian")


def test_delete_adviser_runs(graph: GraphDatabase) -> None:
    with pytest.raises(ValueError, match="needs"):
        graph.delete_adviser_run()
    ids = graph.get_adviser_run_document_ids_all(count=None)
    assert len(ids) > 2
    assert graph.delete_adviser_result(ids[0]) == 1
    assert graph.get_adviser_run_document_ids_all(count=None) == ids[1:]
    with graph.engine.connect() as connection:
        dates = sorted(row[0] for row in connection.execute(text("SELECT datetime FROM adviser_run")))
    older = sum(1 for date in dates if date < dates[-1])
    assert older > 0
    assert graph.delete_adviser_run(end_datetime=dates[-1]) == older
    assert _count(graph, "SELECT count(*) FROM adviser_run") == len(dates) - older
    assert graph.delete_adviser_run(adviser_version="no-such-version") == 0


def test_delete_analyses(graph: GraphDatabase) -> None:
    with pytest.raises(ValueError, match="needs"):
        graph.delete_package_extract_run()
    assert graph.delete_package_extract_run(end_datetime=datetime.datetime(2000, 1, 1)) == 0
    document = "package-extract-220106085041-a6e38c8593af545e"
    assert graph.get_rpm_package_version_all(document)
    assert graph.delete_analysis_result(document) == 1
    assert graph.get_rpm_package_version_all(document) == []  # the cache was emptied
    assert _count(graph, "SELECT count(*) FROM found_rpm") == 0
    assert _count(graph, "SELECT count(*) FROM rpm_package_version") == 2  # the RPM nodes stay


def test_delete_rule_and_index(graph: GraphDatabase) -> None:
    with graph.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO python_package_version_entity_rule (id, package_name) VALUES (1, 'six'), (2, 'flask')"
            )
        )
    assert graph.delete_python_rule(1) == 1
    assert [rule["id"] for rule in graph.get_python_rule_all()] == [2]
    urls = graph.get_python_package_index_urls_all()
    legacy = "https://legacy-pypi.example.org/simple"
    entities = _count(graph, "SELECT count(*) FROM python_package_version_entity")
    on_legacy = _count(
        graph,
        "SELECT count(*) FROM python_package_version_entity e JOIN python_package_index i "
        f"ON e.python_package_index_id = i.id WHERE i.url = '{legacy}'",
    )
    assert graph.delete_python_package_index(legacy) == 1
    assert graph.get_python_package_index_urls_all() == [url for url in urls if url != legacy]
    assert _count(graph, "SELECT count(*) FROM python_package_version_entity") == entities - on_legacy
