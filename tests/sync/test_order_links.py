"""No document's rows are lost to another's, and links are set whatever the order documents arrive in.

Built from real documents (tests/data/documents), changed in code where said:

* SOLVER: solver-debian-12-py38-...-77bff4f4676720a3, six 1.16.0 with metadata and a licence;
* AGAIN: the same run under another document id and time (the solver solving six again);
* ADVISED: adviser-22a89155 with its runtime environment moved to debian 12 / Python 3.8 and its
  product's lock pinning six 1.16.0, so that the adviser creates the python_package_version row the
  solver documents describe.
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.sync.order_support import (
    DOCUMENTS,
    DatabaseTemplate,
    SyncUnit,
    contents_of,
    overlapping_workers,
    sync_concurrently,
    sync_serially,
    sync_units,
)
from thoth_storages import GraphDatabase
from thoth_storages.config import DatabaseSettings
from thoth_storages.graph.contents import Contents, diff_contents
from thoth_storages.sync import sync_solver_documents

SOLVER = "solver-debian-12-py38-261126040558-77bff4f4676720a3"
AGAIN = "solver-debian-12-py38-261126050558-00000000000000aa"
ADVISED = "adviser-22a89155-debian"
SIX = (
    "SELECT v.python_package_metadata_id, v.package_license, v.package_license_warning "
    "FROM python_package_version AS v WHERE v.package_name = 'six' AND v.package_version = '1.16.0' "
    "AND v.os_name = 'debian' AND v.os_version = '12' AND v.python_version = '3.8'"
)


def _read(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three documents in the layout of tests/data/documents."""
    root = tmp_path_factory.mktemp("documents")
    (root / "solver").mkdir()
    (root / "adviser").mkdir()
    shutil.copy(DOCUMENTS / "solver" / f"{SOLVER}.json", root / "solver" / f"{SOLVER}.json")
    again = _read(DOCUMENTS / "solver" / f"{SOLVER}.json")
    again["metadata"]["document_id"] = AGAIN
    again["metadata"]["datetime"] = "2026-11-26T05:07:29.257674"
    (root / "solver" / f"{AGAIN}.json").write_text(json.dumps(again))
    advised = _read(DOCUMENTS / "adviser" / "adviser-22a89155.json")
    advised["metadata"]["document_id"] = ADVISED
    environment = advised["result"]["parameters"]["project"]["runtime_environment"]
    environment.update(
        name="debian:12", operating_system={"name": "debian", "version": "12"}, python_version="3.8"
    )
    lock = advised["result"]["report"]["products"][0]["project"]["requirements_locked"]["default"]
    assert lock["six"]["index"] == "pypi-org"
    lock["six"]["version"] = "==1.16.0"
    (root / "adviser" / f"{ADVISED}.json").write_text(json.dumps(advised))
    return root


@pytest.fixture(scope="module")
def template() -> DatabaseTemplate:
    return DatabaseTemplate()


def _units(documents: Path) -> list[SyncUnit]:
    units = sync_units(documents)
    assert [Path(unit.path).name.removesuffix(".json") for unit in units] == [ADVISED, SOLVER, AGAIN]
    return units


def _six(settings: DatabaseSettings) -> list[tuple[object, ...]]:
    graph = GraphDatabase(settings)
    graph.connect()
    try:
        with graph.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(SIX))]
    finally:
        graph.disconnect()


def _differences(expected: Contents, actual: Contents) -> str:
    return "\n".join(difference.describe() for difference in diff_contents(expected, actual))


def test_a_version_solved_again_by_another_document_keeps_both_rows(
    template: DatabaseTemplate, documents: Path
) -> None:
    with template.copy() as settings:
        graph = GraphDatabase(settings)
        graph.connect()
        try:
            for name in (SOLVER, AGAIN):
                graph.sync_solver_result(_read(documents / "solver" / f"{name}.json"))
            query = "SELECT document_id, count(*) FROM solved GROUP BY document_id ORDER BY 1"
            with graph.engine.connect() as connection:
                solved = [tuple(row) for row in connection.execute(text(query))]
            tree = _read(documents / "solver" / f"{SOLVER}.json")["result"]["tree"]
            # One row per document entry: each document solved the same version on the same solver.
            assert solved == [(SOLVER, len(tree)), (AGAIN, len(tree))]
            assert graph.synced_document_ids("solver", [SOLVER, AGAIN]) == {SOLVER, AGAIN}
            before = contents_of(settings)
            graph.sync_solver_result(_read(documents / "solver" / f"{AGAIN}.json"))
            assert not _differences(before, contents_of(settings))  # a re-sync changes nothing
        finally:
            graph.disconnect()


def test_every_order_gives_one_database_with_the_metadata_link(
    template: DatabaseTemplate, documents: Path
) -> None:
    units = _units(documents)
    results: dict[tuple[str, ...], Contents] = {}
    for order in itertools.permutations(units):
        with template.copy() as settings:
            assert sync_serially(settings, order) == set()
            ((metadata_id, license_id, _warning),) = _six(settings)
            assert metadata_id is not None and license_id is not None, [unit.label for unit in order]
            results[tuple(unit.label for unit in order)] = contents_of(settings)
    (first, expected), *others = results.items()
    for order, contents in others:
        assert not _differences(expected, contents), (first, order)


def test_four_concurrent_workers_give_the_serial_database(
    template: DatabaseTemplate, documents: Path
) -> None:
    units = _units(documents)
    with template.copy() as settings:
        sync_serially(settings, units)
        expected = contents_of(settings)
    for seed in range(3):
        workers = overlapping_workers(units * 2, seed)
        with template.copy() as settings:
            assert sync_concurrently(settings, workers) == set()
            assert not _differences(expected, contents_of(settings)), seed


def test_a_forced_resync_repairs_a_link_left_null(template: DatabaseTemplate, documents: Path) -> None:
    units = _units(documents)
    with template.copy() as settings:
        sync_serially(settings, units[:2])  # the adviser, then the solver document
        ((metadata_id, license_id, _warning),) = _six(settings)
        assert metadata_id is not None and license_id is not None
        expected = contents_of(settings)
        # As a database synced before links were filled in any order left it:
        graph = GraphDatabase(settings)
        graph.connect()
        try:
            with graph.engine.begin() as connection:
                connection.execute(
                    text(
                        "UPDATE python_package_version SET python_package_metadata_id = NULL, "
                        "package_license = NULL, package_license_warning = NULL WHERE package_name = 'six'"
                    )
                )
            assert _six(settings) == [(None, None, None)]
            path = str(documents / "solver" / f"{SOLVER}.json")
            assert sync_solver_documents([path], graph=graph, is_local=True) == (
                1,
                0,
                1,
                0,
            )  # synced: skipped
            assert _six(settings) == [(None, None, None)]
            assert sync_solver_documents([path], force=True, graph=graph, is_local=True) == (1, 1, 0, 0)
        finally:
            graph.disconnect()
        assert not _differences(expected, contents_of(settings))
