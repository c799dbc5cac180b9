"""Three of Thoth's deployed jobs as they use thoth-storages, written by us: `thoth.storages` imports only.

Configured, as the deployed jobs are, by the environment alone (KNOWLEDGE_GRAPH_*, THOTH_S3_ENDPOINT_URL,
THOTH_CEPH_*, THOTH_DEPLOYMENT_NAME, GRAPH_BACKUP_STORE_ROTATE). Run as `python graph_jobs.py JOB`; each
prints what it did as one JSON object.

* sync: THOTH_SYNC_DOCUMENT_ID (comma-separated ids; empty = every stored document), THOTH_FORCE_SYNC;
  sync_documents(..., graceful=True) and its per-handler (processed, synced, skipped, failed) tuples.
* backup: pg_dump of the knowledge graph into a temporary file, GraphBackupStore.store_dump.
* metrics: the figures the metrics exporter publishes: table counts, bloat, database size and the
  solver, adviser and inspection counts.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from thoth.storages import GraphBackupStore, GraphDatabase, sync_documents


def _graph() -> GraphDatabase:
    graph = GraphDatabase()
    graph.connect()
    return graph


def sync() -> dict[str, object]:
    """The graph-sync job: the ids it is given, or everything."""
    document_ids = [item for item in os.getenv("THOTH_SYNC_DOCUMENT_ID", "").split(",") if item]
    force = bool(int(os.getenv("THOTH_FORCE_SYNC", "0")))
    stats = sync_documents(document_ids, force=force, graceful=True, graph=_graph())
    return {"stats": {prefix: list(numbers) for prefix, numbers in stats.items()}}


def backup() -> dict[str, object]:
    """The graph-backup job: pg_dump, then store_dump (which rotates)."""
    with tempfile.TemporaryDirectory() as directory:
        dump = Path(directory) / "dump.sql"
        subprocess.run(
            [
                "pg_dump",
                "--host",
                os.getenv("KNOWLEDGE_GRAPH_HOST", "localhost"),
                "--port",
                os.getenv("KNOWLEDGE_GRAPH_PORT", "5432"),
                "--username",
                os.getenv("KNOWLEDGE_GRAPH_USER", "postgres"),
                "--dbname",
                os.getenv("KNOWLEDGE_GRAPH_DATABASE", "postgres"),
                "--file",
                str(dump),
            ],
            env={**os.environ, "PGPASSWORD": os.getenv("KNOWLEDGE_GRAPH_PASSWORD", "postgres")},
            check=True,
        )
        store = GraphBackupStore()
        store.connect()
        key = store.store_dump(str(dump))
        return {"key": key, "sha256": hashlib.sha256(dump.read_bytes()).hexdigest()}


def metrics() -> dict[str, object]:
    """The metrics exporter's figures."""
    graph = _graph()
    return {
        "main_tables": graph.get_main_table_count(),
        "relation_tables": graph.get_relation_table_count(),
        "performance_tables": graph.get_performance_table_count(),
        "bloat": graph.get_bloat_data(),
        "index_bloat": graph.get_index_bloat_data(),
        "database_size": graph.get_database_size(),
        "solver_documents": graph.get_solver_documents_count_all(),
        "ecosystem_solvers": graph.get_ecosystem_solver_count_all(),
        "adviser_runs_per_source_type": graph.get_adviser_run_count_per_source_type(),
        "inspection_components": {
            component: graph.get_pi_count(component) for component in graph.get_pi_component_all()
        },
    }


JOBS: dict[str, Callable[[], dict[str, object]]] = {"sync": sync, "backup": backup, "metrics": metrics}

if __name__ == "__main__":
    json.dump(JOBS[sys.argv[1]](), sys.stdout, default=str)
