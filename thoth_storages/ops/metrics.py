"""Prometheus metrics of the knowledge graph and of each sync, and pushing them to a Pushgateway.

Graph metrics (job `thoth-storages-graph`, grouped by database): rows per main table, synced documents
per type, unsolved and unanalyzed packages, database size, table and index bloat, the amcheck
corruption flag and whether the schema is at the library's head. Sync metrics (job
`thoth-storages-sync`): documents processed, synced, skipped and failed per document type, rows written,
duration and the time the sync finished.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.error import URLError

from prometheus_client import CollectorRegistry, Gauge, push_to_gateway
from sqlalchemy import text

from generated.kinds import KINDS

from ..graph import GraphDatabase
from ..graph.maintenance import ExtensionUnavailableError
from ..sync.api import Stats

_LOGGER = logging.getLogger(__name__)

GRAPH_JOB = "thoth-storages-graph"
SYNC_JOB = "thoth-storages-sync"
PUSH_TIMEOUT = 10.0
"""Seconds a push may take before it is given up (a warning for a sync, an error for `metrics --push`)."""

DOCUMENT_TABLES: Mapping[str, tuple[str, str]] = {
    kind.metric_label: kind.recorded_in
    for kind in sorted(KINDS, key=lambda kind: kind.metric_label)
    if kind.recorded_in is not None
}
"""Where the graph records each document type it synced, and the column naming the document, by the
metric's `document_type` label (declared in schema/documents/kinds.yaml: `exists`, `metric_label`)."""


@dataclass
class Metric:
    """One gauge: its name, help, label names and a value per label-value tuple."""

    name: str
    help: str
    labels: tuple[str, ...] = ()
    values: dict[tuple[str, ...], float] = field(default_factory=dict)


def registry_of(metrics: list[Metric]) -> CollectorRegistry:
    """A Prometheus registry holding `metrics` as gauges."""
    registry = CollectorRegistry()
    for metric in metrics:
        gauge = Gauge(metric.name, metric.help, list(metric.labels), registry=registry)
        for labels, value in metric.values.items():
            (gauge.labels(*labels) if labels else gauge).set(value)
    return registry


def graph_metrics(graph: GraphDatabase) -> list[Metric]:
    """The graph metrics an operator watches, read from the connected database."""
    tables = Metric("thoth_graph_table_rows", "Rows per main table of the knowledge graph.", ("table",))
    tables.values = {(name,): float(rows) for name, rows in sorted(graph.get_main_table_count().items())}
    documents = Metric(
        "thoth_graph_documents", "Documents synced into the graph, per type.", ("document_type",)
    )
    with graph.engine.connect() as connection:
        for kind, (table, column) in DOCUMENT_TABLES.items():
            count = connection.execute(text(f"SELECT count(DISTINCT {column}) FROM {table}")).scalar_one()
            documents.values[(kind,)] = float(count)
    table_bloat = Metric(
        "thoth_graph_table_bloat_bytes", "Estimated bloat of each table (planner statistics).", ("table",)
    )
    table_bloat.values = {(row["tablename"],): row["mb_bloat"] * 1024**2 for row in graph.get_bloat_data()}
    index_bloat = Metric(
        "thoth_graph_index_bloat_bytes", "Estimated bloat of each btree index.", ("table", "index")
    )
    index_bloat.values = {
        (row["table_name"], row["index_name"]): row["bloat_mb"] * 1024**2
        for row in graph.get_index_bloat_data()
    }
    head, revision = graph.get_script_alembic_version_head(), graph.get_table_alembic_version_head()
    metrics = [
        tables,
        documents,
        Metric(
            "thoth_graph_unsolved_python_packages",
            "Python package versions no solver has resolved yet.",
            values={(): float(graph.get_unsolved_python_package_versions_count_all())},
        ),
        Metric(
            "thoth_graph_unanalyzed_python_packages",
            "Solved Python package versions without a security-indicator analysis.",
            values={(): float(graph.get_si_unanalyzed_python_package_versions_count_all())},
        ),
        Metric(
            "thoth_graph_database_size_bytes",
            "Size of the graph database.",
            values={(): float(graph.get_database_size())},
        ),
        table_bloat,
        index_bloat,
        Metric(
            "thoth_graph_schema_up_to_date",
            "1 when the database is at the library's head revision.",
            ("revision", "head"),
            {(revision, head): float(revision == head)},
        ),
    ]
    try:
        corrupted = graph.is_database_corrupted()
    except ExtensionUnavailableError as error:
        _LOGGER.warning("corruption flag left out: %s", error)
    else:
        metrics.append(
            Metric(
                "thoth_graph_corrupted",
                "1 when amcheck reports a corrupt btree index.",
                values={(): float(corrupted)},
            )
        )
    return metrics


def sync_metrics(stats: Mapping[str, Stats], rows: int, seconds: float) -> list[Metric]:
    """The metrics of one sync: its per-type counts, rows written and duration."""
    documents = Metric(
        "thoth_sync_documents",
        "Documents of the last sync, per type and outcome.",
        ("document_type", "outcome"),
    )
    for kind, counts in sorted(stats.items()):
        for outcome, value in zip(("processed", "synced", "skipped", "failed"), counts, strict=True):
            documents.values[(kind, outcome)] = float(value)
    return [
        documents,
        Metric("thoth_sync_rows_written", "Rows the last sync wrote.", values={(): float(rows)}),
        Metric("thoth_sync_duration_seconds", "How long the last sync took.", values={(): seconds}),
        Metric(
            "thoth_sync_last_finished_timestamp_seconds",
            "When the last sync finished (Unix time).",
            values={(): time.time()},
        ),
    ]


def push(url: str, job: str, metrics: list[Metric], grouping: Mapping[str, str] | None = None) -> None:
    """Replace the metrics of `job` (and `grouping`) in the Pushgateway at `url` with `metrics`."""
    push_to_gateway(
        url, job=job, registry=registry_of(metrics), grouping_key=dict(grouping or {}), timeout=PUSH_TIMEOUT
    )


def push_sync_metrics(stats: Mapping[str, Stats], rows: int, seconds: float, url: str | None) -> bool:
    """Push a sync's metrics to `url` (none: nothing pushed); True when pushed. A gateway that is down
    or refuses them is a logged warning, never an error: the sync itself succeeded."""
    if url is None:
        return False
    try:
        push(url, SYNC_JOB, sync_metrics(stats, rows, seconds))
    except (URLError, OSError, ValueError) as error:
        _LOGGER.warning("sync metrics not pushed to the Pushgateway %s: %s", url, error)
        return False
    return True


__all__ = [
    "DOCUMENT_TABLES",
    "GRAPH_JOB",
    "SYNC_JOB",
    "Metric",
    "graph_metrics",
    "push",
    "push_sync_metrics",
    "registry_of",
    "sync_metrics",
]
