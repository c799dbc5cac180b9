"""Metrics printed, pushed to a real Prometheus Pushgateway and read back from its /metrics; each sync
pushes its own, and a sync whose gateway is down still succeeds."""

from __future__ import annotations

import json
import logging
import re
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from generated.kinds import KINDS
from tests.ops.conftest import DOCUMENTS
from tests.s3.s3_helpers import free_port
from thoth_storages import GraphDatabase
from thoth_storages.cli import cli
from thoth_storages.graph.connection import make_engine
from thoth_storages.ops.manifest import count_rows
from thoth_storages.ops.metrics import DOCUMENT_TABLES

Labels = frozenset[tuple[str, str]]


def scrape(url: str, job: str) -> dict[str, dict[Labels, float]]:
    """The samples of `job` in the Pushgateway's /metrics: {name: {labels without job/instance: value}}."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as answer:
        exposition = answer.read().decode()
    samples: dict[str, dict[Labels, float]] = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.labels.get("job") != job:
                continue
            labels = frozenset((k, v) for k, v in sample.labels.items() if k not in ("job", "instance"))
            samples.setdefault(sample.name, {})[labels] = sample.value
    return samples


def _env(monkeypatch: pytest.MonkeyPatch, graph: GraphDatabase) -> None:
    for name, value in graph.settings.environment().items():
        monkeypatch.setenv(name, value)


def test_the_document_tables_come_from_the_kinds_registry_under_the_same_labels() -> None:
    assert dict(DOCUMENT_TABLES) == {
        "adviser": ("adviser_run", "adviser_document_id"),
        "dependency-monkey": ("dependency_monkey_run", "dependency_monkey_document_id"),
        "inspection": ("inspection_run", "inspection_document_id"),
        "package-extract": ("package_extract_run", "analysis_document_id"),
        "provenance-checker": ("provenance_checker_run", "provenance_checker_document_id"),
        "security-indicator": ("si_aggregated_run", "si_aggregated_run_document_id"),
        "solver": ("solved", "document_id"),
    }
    recorded = [kind for kind in KINDS if kind.recorded_in is not None]
    assert {DOCUMENT_TABLES[kind.metric_label] for kind in recorded} == {
        kind.recorded_in for kind in recorded
    }
    assert all(kind.synced_by in (None, kind.recorded_in) for kind in KINDS)


def test_graph_metrics_printed_pushed_and_read_back(
    synced: GraphDatabase, pushgateway: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch, synced)
    with synced.engine.connect() as connection:
        connection.execute(text("ANALYZE"))  # the bloat estimates read the planner's statistics
        connection.commit()
    runner = CliRunner()
    done = runner.invoke(cli, ["metrics", "--push", pushgateway], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert "thoth_graph_table_rows" in done.output and "python_package_version" in done.output

    database = synced.settings.database
    pushed = scrape(pushgateway, "thoth-storages-graph")
    engine = make_engine(synced.settings)
    with engine.connect() as connection:
        rows = count_rows(connection)
    engine.dispose()
    table_rows = {dict(labels)["table"]: value for labels, value in pushed["thoth_graph_table_rows"].items()}
    assert table_rows == {name: float(rows[name]) for name in synced.get_main_table_count()}
    assert table_rows["python_package_version"] > 100
    assert all(dict(labels)["database"] == database for labels in pushed["thoth_graph_table_rows"])

    documents = {
        dict(labels)["document_type"]: value for labels, value in pushed["thoth_graph_documents"].items()
    }
    assert documents["solver"] == synced.get_solver_documents_count_all() > 10
    advisers = [path.stem for path in (DOCUMENTS / "adviser").glob("*.json")]
    assert documents["adviser"] == sum(synced.adviser_document_id_exist(name) for name in advisers) > 0
    assert documents["inspection"] > 0 and documents["package-extract"] > 0
    assert set(documents) == {kind.metric_label for kind in KINDS if kind.recorded_in is not None}

    def single(name: str) -> float:
        (value,) = pushed[name].values()
        return value

    assert (
        single("thoth_graph_unsolved_python_packages")
        == synced.get_unsolved_python_package_versions_count_all()
    )
    assert single("thoth_graph_unanalyzed_python_packages") == (
        synced.get_si_unanalyzed_python_package_versions_count_all()
    )
    assert abs(single("thoth_graph_database_size_bytes") / synced.get_database_size() - 1) < 0.1
    assert single("thoth_graph_corrupted") == 0
    head = synced.get_script_alembic_version_head()
    (labels,) = pushed["thoth_graph_schema_up_to_date"]
    assert dict(labels)["revision"] == head and pushed["thoth_graph_schema_up_to_date"][labels] == 1
    assert pushed["thoth_graph_table_bloat_bytes"] and pushed["thoth_graph_index_bloat_bytes"]

    as_json = json.loads(runner.invoke(cli, ["metrics", "--json"], catch_exceptions=False).output)
    assert {row["table"]: row["value"] for row in as_json["thoth_graph_table_rows"]} == table_rows


def test_each_sync_pushes_its_metrics(
    graph: GraphDatabase, pushgateway: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch, graph)
    monkeypatch.setenv("PROMETHEUS_PUSHGATEWAY_URL", pushgateway)
    solver = DOCUMENTS / "solver"
    done = CliRunner().invoke(cli, ["sync", "--local", str(solver)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    written = re.search(r"([\d,]+) rows in", done.output)
    assert written is not None

    pushed = scrape(pushgateway, "thoth-storages-sync")
    documents = {
        (dict(labels)["document_type"], dict(labels)["outcome"]): value
        for labels, value in pushed["thoth_sync_documents"].items()
    }
    files = len(list(solver.glob("*.json")))
    assert documents[("solver", "processed")] == files
    assert documents[("solver", "synced")] == graph.get_solver_documents_count_all() == files
    assert documents[("solver", "failed")] == 0 and documents[("adviser", "processed")] == 0
    (rows,) = pushed["thoth_sync_rows_written"].values()
    assert rows == int(written.group(1).replace(",", "")) > 1000
    (duration,) = pushed["thoth_sync_duration_seconds"].values()
    assert 0 < duration < 600


def test_a_sync_whose_gateway_is_down_succeeds_with_a_warning(
    graph: GraphDatabase, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _env(monkeypatch, graph)
    down = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("PROMETHEUS_PUSHGATEWAY_URL", down)
    document = sorted((DOCUMENTS / "solver").glob("*.json"))[0]
    with caplog.at_level(logging.WARNING):
        done = CliRunner().invoke(cli, ["sync", "--local", str(document)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert graph.get_solver_documents_count_all() == 1
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert any(f"sync metrics not pushed to the Pushgateway {down}" in line for line in warnings), warnings


def test_metrics_push_to_a_dead_gateway_is_an_error(
    synced: GraphDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch, synced)
    down = f"http://127.0.0.1:{free_port()}"
    done = CliRunner().invoke(cli, ["metrics", "--push", down])
    assert done.exit_code == 1 and f"cannot push the metrics to the Pushgateway {down}" in done.output
