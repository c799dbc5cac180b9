"""Aggregated security-indicator writer on a real PostgreSQL: the solver precondition, counts, re-sync.

A security-indicator document may only be synced once its package was solved. No real solver document
covers the two analysed packages (websocket-client 0.32.0, botocore 1.3.23), so a minimal solver document
for each is made from a real one (thoth-solver 1.15.0, six 1.16.0) by renaming its only package. Real
documents come from ../shared/data/documents/ when it exists (THOTH_STORAGES_TEST_DOCUMENTS=copies forces
the copies), else from tests/data/documents/.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.sync._support import counts, delta, snapshot
from thoth_storages import GraphDatabase
from thoth_storages.documents import DocumentValidationError
from thoth_storages.exceptions import SolverNotRunError

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "documents"
USE_SHARED = SHARED.is_dir() and os.environ.get("THOTH_STORAGES_TEST_DOCUMENTS") != "copies"
DATA = SHARED if USE_SHARED else REPO / "tests" / "data" / "documents"
WEBSOCKET = "security-indicator-0a1b0355"  # websocket-client 0.32.0, no bandit findings (no SEVERITY keys)
BOTOCORE = "security-indicators-54c6daf9"  # botocore 1.3.23, with bandit findings
SIX_SOLVER = "solver-debian-12-py38-261126040558-77bff4f4676720a3"


def security(document_id: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((DATA / "security-indicator" / f"{document_id}.json").read_text())
    return result


def solver_for(name: str, version: str, suffix: str) -> dict[str, Any]:
    """A real solver document whose only tree entry is renamed to `name` `version` (no dependencies)."""
    document: dict[str, Any] = json.loads((DATA / "solver" / f"{SIX_SOLVER}.json").read_text())
    document["metadata"]["document_id"] = f"solver-debian-12-py38-{suffix}"
    (entry,) = document["result"]["tree"]
    entry.update(
        package_name=name, package_version=version, package_version_requested=version, dependencies=[]
    )
    entry["importlib_metadata"]["metadata"].update(Name=name, Version=version)
    return document


def run_row(graph: GraphDatabase, document_id: str) -> dict[str, Any]:
    with graph.engine.connect() as connection:
        row = connection.execute(
            text("SELECT * FROM si_aggregated_run WHERE si_aggregated_run_document_id = :id"),
            {"id": document_id},
        ).one()
    return dict(row._mapping)


@pytest.mark.parametrize("document_id", [WEBSOCKET, BOTOCORE])
def test_unsolved_package_is_refused(head_graph: GraphDatabase, document_id: str) -> None:
    before = snapshot(head_graph)
    with pytest.raises(SolverNotRunError, match="was not solved by any solver"):
        head_graph.sync_security_indicator_aggregated_result(security(document_id))
    assert snapshot(head_graph) == before


def test_syncs_once_the_package_was_solved(head_graph: GraphDatabase) -> None:
    head_graph.sync_solver_result(solver_for("websocket-client", "0.32.0", "000000000001-aaaaaaaaaaaaaaa1"))
    before = counts(head_graph)
    head_graph.sync_security_indicator_aggregated_result(security(WEBSOCKET))
    # One run row and one edge to the solved package (its entity and its python_package_version).
    assert delta(before, counts(head_graph)) == {"si_aggregated_run": 1, "si_aggregated": 1}
    row = run_row(head_graph, WEBSOCKET)
    # No SEVERITY.* keys in this document: all twelve bandit counts default to 0.
    assert {key: value for key, value in row.items() if key.startswith("severity_")} == dict.fromkeys(
        [
            f"severity_{s}_confidence_{c}"
            for s in ("high", "low", "medium")
            for c in ("high", "low", "medium", "undefined")
        ],
        0,
    )
    # cloc: Python.nFiles 17, .comment 605, .blank 558, .code 1789; SUM: 18 files, 3166 lines.
    assert (
        row["number_of_python_files"],
        row["number_of_lines_with_comments_in_python_files"],
        row["number_of_blank_lines_in_python_files"],
        row["number_of_lines_with_code_in_python_files"],
        row["total_number_of_files"],
        row["total_number_of_lines"],
        row["total_number_of_lines_with_comments"],
        row["total_number_of_blank_lines"],
        row["total_number_of_lines_with_code"],
        row["error"],
    ) == (17, 605, 558, 1789, 18, 3166, 607, 637, 1922, False)
    with head_graph.engine.connect() as connection:
        linked = connection.execute(
            text(
                "SELECT v.package_name, v.package_version, e.package_name FROM si_aggregated AS s "
                "JOIN python_package_version AS v ON v.id = s.python_package_version_id "
                "JOIN python_package_version_entity AS e ON e.id = s.python_package_version_entity_id "
                "JOIN si_aggregated_run AS r ON r.id = s.si_aggregated_run_id "
                "WHERE r.si_aggregated_run_document_id = :id"
            ),
            {"id": WEBSOCKET},
        ).one()
    assert tuple(linked) == ("websocket-client", "0.32.0", "websocket-client")
    assert head_graph.si_aggregated_document_id_exists(WEBSOCKET)


def test_bandit_counts_are_stored(head_graph: GraphDatabase) -> None:
    head_graph.sync_solver_result(solver_for("botocore", "1.3.23", "000000000002-aaaaaaaaaaaaaaa2"))
    head_graph.sync_security_indicator_aggregated_result(security(BOTOCORE))
    row = run_row(head_graph, BOTOCORE)
    # SEVERITY.HIGH__CONFIDENCE.LOW 8, .HIGH__CONFIDENCE.MEDIUM 12, .MEDIUM__CONFIDENCE.LOW 10, others 0.
    assert {key: value for key, value in row.items() if key.startswith("severity_") and value} == {
        "severity_high_confidence_low": 8,
        "severity_high_confidence_medium": 12,
        "severity_medium_confidence_low": 10,
    }
    assert (
        row["number_of_analyzed_files"],
        row["number_of_files_total"],
        row["number_of_filtered_files"],
    ) == (
        126,
        214,
        88,
    )


def test_resync_changes_no_table(head_graph: GraphDatabase) -> None:
    head_graph.sync_solver_result(solver_for("websocket-client", "0.32.0", "000000000001-aaaaaaaaaaaaaaa1"))
    head_graph.sync_security_indicator_aggregated_result(security(WEBSOCKET))
    before = snapshot(head_graph)
    stats = head_graph.sync_security_indicator_aggregated_result(security(WEBSOCKET))
    assert sum(stats.inserted.values()) == 0
    assert snapshot(head_graph) == before


def test_names_are_normalised_before_the_lookup(head_graph: GraphDatabase) -> None:
    head_graph.sync_solver_result(solver_for("websocket-client", "0.32.0", "000000000001-aaaaaaaaaaaaaaa1"))
    document = security(WEBSOCKET)
    document["metadata"]["document_id"] = "security-indicator-test-normalised"
    document["metadata"]["arguments"]["app.py"].update(
        package_name="WebSocket_Client", package_version="v0.32.0"
    )
    head_graph.sync_security_indicator_aggregated_result(document)
    assert head_graph.si_aggregated_document_id_exists("security-indicator-test-normalised")


def test_a_version_row_without_a_solver_run_does_not_count(head_graph: GraphDatabase) -> None:
    """Stacks (inspections, advised) may create python_package_version rows; only solved ones count."""
    with head_graph.engine.begin() as connection:
        index_id = connection.execute(
            text(
                "INSERT INTO python_package_index (url, verify_ssl, enabled, only_if_package_seen) "
                "VALUES ('https://pypi.example.org/simple', true, false, true) "
                "ON CONFLICT (url) DO UPDATE SET url = EXCLUDED.url RETURNING id"
            )
        ).scalar_one()
        entity_id = connection.execute(
            text(
                "INSERT INTO python_package_version_entity (package_name, package_version, python_package_index_id) "
                "VALUES ('unsolved-package', '1.0.0', :index) RETURNING id"
            ),
            {"index": index_id},
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO python_package_version (package_name, package_version, os_name, os_version, "
                "python_version, entity_id, python_package_index_id, is_missing, provides_source_distro) "
                "VALUES ('unsolved-package', '1.0.0', 'rhel', '8', '3.6', :entity, :index, false, true)"
            ),
            {"entity": entity_id, "index": index_id},
        )
    document = security(WEBSOCKET)
    document["metadata"]["document_id"] = "security-indicator-test-unsolved"
    document["metadata"]["arguments"]["app.py"].update(
        package_name="unsolved-package", package_version="1.0.0"
    )
    with pytest.raises(SolverNotRunError, match=r"'unsolved-package' in version '1\.0\.0'"):
        head_graph.sync_security_indicator_aggregated_result(document)


def test_missing_cloc_counts_are_refused(head_graph: GraphDatabase) -> None:
    document = security(WEBSOCKET)
    document["metadata"]["document_id"] = "security-indicator-test-broken"
    del document["result"]["SUM.nFiles"]
    before = snapshot(head_graph)
    with pytest.raises(
        DocumentValidationError, match=r"security-indicator-test-broken: \$\.result\['SUM\.nFiles'\]"
    ):
        head_graph.sync_security_indicator_aggregated_result(document)
    assert snapshot(head_graph) == before
