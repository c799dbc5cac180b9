"""Dependency-monkey writer on a real PostgreSQL: the real report, placeholders, re-sync, failures.

The one real report (dependency-monkey-dmzoo-inspection-2020-09-07, run from a laptop) has no document id,
so it is refused as it is and synced under the id of its file name. Real documents come from
../shared/data/documents/ when it exists (THOTH_STORAGES_TEST_DOCUMENTS=copies forces the copies, whose
report keeps only the first of its 11 responses), else from tests/data/documents/.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.sync._support import counts, delta, snapshot
from thoth_storages import GraphDatabase
from thoth_storages.documents import DocumentValidationError
from thoth_storages.exceptions import SchemaError

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "documents"
USE_SHARED = SHARED.is_dir() and os.environ.get("THOTH_STORAGES_TEST_DOCUMENTS") != "copies"
DATA = SHARED if USE_SHARED else REPO / "tests" / "data" / "documents"
REPORT = "dependency-monkey-dmzoo-inspection-2020-09-07"
MATMUL = "inspection-tfcpu-matmul-5e5a1563"


def report(document_id: str | None = REPORT) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((DATA / "dependency-monkey" / f"{REPORT}.json").read_text())
    document["metadata"]["document_id"] = document_id
    return document


def crafted(document_id: str, responses: list[str], count: int) -> dict[str, Any]:
    document = report(document_id)
    document["result"]["parameters"]["count"] = count
    document["result"]["report"]["responses"] = [{"response": response} for response in responses]
    return document


def inspection(inspection_id: str, number: int) -> dict[str, Any]:
    directory = DATA / "inspection" / MATMUL
    return {
        "document_id": inspection_id,
        "result_number": number,
        "specification": json.loads((directory / "build" / "specification").read_text()),
        "result": json.loads((directory / "results" / str(number) / "result").read_text()),
    }


def runs(graph: GraphDatabase, inspection_id: str) -> list[tuple[int, str, str | None]]:
    with graph.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT r.inspection_result_number, r.inspection_sync_state::text, d.dependency_monkey_document_id "
                "FROM inspection_run AS r LEFT JOIN dependency_monkey_run AS d ON d.id = r.dependency_monkey_run_id "
                "WHERE r.inspection_document_id = :id ORDER BY 1"
            ),
            {"id": inspection_id},
        ).all()
    return [(int(number), str(state), run) for number, state, run in rows]


def test_real_report_fills_the_hand_checked_rows(head_graph: GraphDatabase) -> None:
    with pytest.raises(DocumentValidationError, match=r"\$\.metadata\.document_id"):
        head_graph.sync_dependency_monkey_result(report(None))
    before = counts(head_graph)
    head_graph.sync_dependency_monkey_result(report())
    responses = {entry["response"] for entry in report()["result"]["report"]["responses"]}
    # Hand-checked from the report: runtime_environment rhel 8, python 3.6, hardware {cpu_family 5,
    # cpu_model 5} -> 1 hardware_information shared by the run and the build, 2 software_environment
    # (RUNTIME, BUILDTIME); 1 run; the Pipfile has one package (tensorflow ==2.1.0, no index) -> 1
    # python_package_requirement + 1 link; count 20 per submitted inspection: the full report submitted
    # 11 inspections -> 220 PENDING inspection_run placeholders (the shortened copy: 1 -> 20).
    assert len(responses) == (11 if USE_SHARED else 1)
    assert delta(before, counts(head_graph)) == {
        "hardware_information": 1,
        "software_environment": 2,
        "dependency_monkey_run": 1,
        "python_package_requirement": 1,
        "python_dependency_monkey_requirements": 1,
        "inspection_run": 20 * len(responses),
    }
    with head_graph.engine.connect() as connection:
        run = connection.execute(
            text(
                "SELECT decision, seed, count, limit_latest_versions, debug, dependency_monkey_error, duration, "
                "run_software_environment_id <> build_software_environment_id, "
                "run_hardware_information_id = build_hardware_information_id FROM dependency_monkey_run"
            )
        ).one()
        states = connection.execute(
            text("SELECT DISTINCT inspection_sync_state::text FROM inspection_run")
        ).all()
    assert tuple(run) == ("random", 9955, 20, -1, False, False, 167, True, True)
    assert [tuple(state) for state in states] == [("PENDING",)]
    assert head_graph.dependency_monkey_document_id_exists(REPORT)
    # A placeholder is not a synced result.
    assert not head_graph.inspection_document_id_result_number_exists(sorted(responses)[0], 0)


def test_resync_changes_no_table(head_graph: GraphDatabase) -> None:
    head_graph.sync_dependency_monkey_result(report())
    before = snapshot(head_graph)
    stats = head_graph.sync_dependency_monkey_result(report())
    assert sum(stats.inserted.values()) == 0
    assert snapshot(head_graph) == before


def test_failed_run_is_skipped(head_graph: GraphDatabase) -> None:
    document = report("dependency-monkey-test-failed")
    document["result"]["report"] = {"ERROR": "No direct dependencies found"}
    before = snapshot(head_graph)
    stats = head_graph.sync_dependency_monkey_result(document)
    assert stats.rows == 0
    assert snapshot(head_graph) == before


def test_placeholders_become_synced_when_results_arrive(head_graph: GraphDatabase) -> None:
    inspection_id = "inspection-test-dm-first"
    head_graph.sync_dependency_monkey_result(crafted("dependency-monkey-test-first", [inspection_id], 2))
    run_name = "dependency-monkey-test-first"
    assert runs(head_graph, inspection_id) == [(0, "PENDING", run_name), (1, "PENDING", run_name)]
    before = counts(head_graph)
    head_graph.sync_inspection_result(inspection(inspection_id, 0))
    # The placeholder is completed in place: no second inspection_run row for (id, 0).
    assert "inspection_run" not in delta(before, counts(head_graph))
    assert runs(head_graph, inspection_id) == [(0, "SYNCED", run_name), (1, "PENDING", run_name)]
    assert head_graph.inspection_document_id_result_number_exists(inspection_id, 0)
    assert not head_graph.inspection_document_id_result_number_exists(inspection_id, 1)
    head_graph.sync_inspection_result(inspection(inspection_id, 1))
    assert runs(head_graph, inspection_id) == [(0, "SYNCED", run_name), (1, "SYNCED", run_name)]
    with head_graph.engine.connect() as connection:
        completed = connection.execute(
            text(
                "SELECT count(*) FROM inspection_run AS r JOIN pi_matmul AS p ON p.inspection_run_id = r.id "
                "WHERE r.inspection_document_id = :id AND r.run_requests_cpu = 2 AND r.datetime IS NOT NULL"
            ),
            {"id": inspection_id},
        ).scalar_one()
    assert completed == 2
    content = snapshot(head_graph)
    head_graph.sync_dependency_monkey_result(crafted("dependency-monkey-test-first", [inspection_id], 2))
    head_graph.sync_inspection_result(inspection(inspection_id, 0))
    assert snapshot(head_graph) == content


def test_results_synced_before_the_report_are_linked(head_graph: GraphDatabase) -> None:
    inspection_id = "inspection-test-result-first"
    head_graph.sync_inspection_result(inspection(inspection_id, 0))
    assert runs(head_graph, inspection_id) == [(0, "SYNCED", None)]
    head_graph.sync_dependency_monkey_result(crafted("dependency-monkey-test-second", [inspection_id], 2))
    run_name = "dependency-monkey-test-second"
    assert runs(head_graph, inspection_id) == [(0, "SYNCED", run_name), (1, "PENDING", run_name)]


def test_broken_report_leaves_no_rows(head_graph: GraphDatabase) -> None:
    """An error found after the environments and the run were written rolls the whole report back."""
    document = crafted("dependency-monkey-test-broken", ["inspection-test-broken"], 3)
    document["result"]["parameters"]["project"]["runtime_environment"]["hardware"] = {"cpu_family": 7}
    document["result"]["parameters"]["project"]["requirements"]["packages"] = {"tensorflow": ["==2.1.0"]}
    before = snapshot(head_graph)
    with pytest.raises(SchemaError, match=r"\['packages'\]\['tensorflow'\]"):
        head_graph.sync_dependency_monkey_result(document)
    assert snapshot(head_graph) == before
    document = crafted("dependency-monkey-test-no-decision", ["inspection-test-broken"], 3)
    del document["result"]["parameters"]["decision_type"]
    with pytest.raises(SchemaError, match=r"decision_type: missing"):
        head_graph.sync_dependency_monkey_result(document)
    assert snapshot(head_graph) == before


def test_concurrent_report_and_results_end_as_one_sync(head_graph: GraphDatabase) -> None:
    """The report and its results synced at once, each twice, in any order: 2 SYNCED runs, linked."""
    inspection_id = "inspection-test-concurrent"
    report_document = crafted("dependency-monkey-test-concurrent", [inspection_id], 2)
    jobs = [lambda: head_graph.sync_dependency_monkey_result(report_document)] * 2
    jobs += [lambda n=n: head_graph.sync_inspection_result(inspection(inspection_id, n)) for n in (0, 1)] * 2
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()
    run_name = "dependency-monkey-test-concurrent"
    assert runs(head_graph, inspection_id) == [(0, "SYNCED", run_name), (1, "SYNCED", run_name)]
