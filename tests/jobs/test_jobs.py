"""Thoth's graph sync, backup and metrics jobs (tests/jobs/graph_jobs.py, `thoth.storages` imports only),
each run as its own process configured by the environment, against the real PostgreSQL and moto's S3
server over HTTP; the tests check what they did in the database and the bucket."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from tests.s3.s3_helpers import BUCKET, s3_client
from thoth.storages import (
    AdvisersResultsStore,
    GraphDatabase,
    SolverResultsStore,
    sync_documents,
)

JOBS = Path(__file__).with_name("graph_jobs.py")
DOCUMENTS = Path(__file__).resolve().parents[1] / "data" / "documents"
SOLVER = sorted((DOCUMENTS / "solver").glob("solver-*.json"))[:3]
ADVISERS = [
    DOCUMENTS / "adviser" / f"{name}.json"
    for name in ("adviser-220131050913-b7c4ef0fc532ac45", "adviser-e82b5ff8")
]
INSPECTION = DOCUMENTS / "inspection" / "inspection-tfcpu-matmul-5e5a1563"


def run_job(job: str, env: dict[str, str], **extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(JOBS), job], env={**env, **extra}, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def _publish(store: SolverResultsStore | AdvisersResultsStore, path: Path) -> str:
    store.connect()
    return store.store_document(json.loads(path.read_bytes()))


def test_sync_job_syncs_the_ids_it_is_given_then_everything(
    graph: GraphDatabase, job_env: dict[str, str]
) -> None:
    solver_ids = [_publish(SolverResultsStore(), path) for path in SOLVER]
    adviser_id = _publish(AdvisersResultsStore(), ADVISERS[0])
    missing = "solver-debian-12-py38-000000000000-0000000000000000"
    asked = ",".join([*solver_ids[:2], missing, "nonsense-document-1"])

    first = run_job("sync", job_env, THOTH_SYNC_DOCUMENT_ID=asked)["stats"]
    assert isinstance(first, dict)
    _processed, synced, skipped, failed = first["solver"]
    assert (synced, skipped, failed) == (
        2,
        0,
        1,
    )  # the missing one fails gracefully, the unknown one is logged
    assert all(first[prefix] == [0, 0, 0, 0] for prefix in first if prefix != "solver")
    assert graph.get_solver_documents_count_all() == 2
    assert [graph.solver_document_id_exists(i) for i in solver_ids] == [True, True, False]
    assert not graph.adviser_document_id_exist(adviser_id)

    everything = run_job("sync", job_env)["stats"]  # no ids: every stored document, as the original
    assert isinstance(everything, dict)
    assert everything["solver"][1:] == [1, 2, 0] and everything["adviser"][1:] == [1, 0, 0]
    assert graph.get_solver_documents_count_all() == 3
    assert graph.adviser_document_id_exist(adviser_id)


def test_backup_job_dumps_and_keeps_the_newest_rotation(
    graph: GraphDatabase, job_env: dict[str, str]
) -> None:
    graph.register_python_package_index("https://example.org/jobs/simple")
    runs = []
    for _ in range(3):
        runs.append(run_job("backup", job_env, GRAPH_BACKUP_STORE_ROTATE="2"))
        time.sleep(1.1)  # dump names have a resolution of one second
    prefix = f"{job_env['THOTH_CEPH_BUCKET_PREFIX']}/{job_env['THOTH_DEPLOYMENT_NAME']}/graph-backup/"
    client = s3_client(
        job_env["THOTH_S3_ENDPOINT_URL"], job_env["THOTH_CEPH_KEY_ID"], job_env["THOTH_CEPH_SECRET_KEY"]
    )
    stored = {
        item["Key"] for item in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    }
    assert stored == {prefix + str(run["key"]) for run in runs[1:]}  # exactly the newest two
    for run in runs[1:]:
        body = client.get_object(Bucket=BUCKET, Key=prefix + str(run["key"]))["Body"].read()
        assert hashlib.sha256(body).hexdigest() == run["sha256"]
        assert (
            b"https://example.org/jobs/simple" in body
            and b"CREATE TABLE public.python_package_version" in body
        )


def test_metrics_job_reports_what_the_database_holds(graph: GraphDatabase, job_env: dict[str, str]) -> None:
    local = [str(path) for path in [*SOLVER[:2], *ADVISERS, INSPECTION]]
    stats = sync_documents(local, graph=graph, is_local=True)
    assert sum(numbers[3] for numbers in stats.values()) == 0
    with graph.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))

    figures = run_job("metrics", job_env)

    tables = {
        **figures["main_tables"],
        **figures["relation_tables"],
        **figures["performance_tables"],
    }
    with graph.engine.connect() as connection:
        counted = {
            name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in tables
        }
        size = connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        every_table = set(
            connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
        )
    assert tables == counted
    # the original's groups: 35 main and 32 relation tables (10 tables are in neither), 4 performance tables
    assert [len(figures[group]) for group in ("main_tables", "relation_tables", "performance_tables")] == [
        35,
        32,
        4,
    ]
    assert tables["pi_matmul"] == 2 and tables["ecosystem_solver"] == figures["ecosystem_solvers"]
    assert abs(int(figures["database_size"]) - size) <= size // 100
    assert figures["solver_documents"] == 2
    solvers = {SolverResultsStore.get_solver_name_from_document_id(path.stem) for path in SOLVER[:2]}
    assert figures["ecosystem_solvers"] == len(solvers)
    assert sum(figures["adviser_runs_per_source_type"].values()) == 2
    components = figures["inspection_components"]
    assert isinstance(components, dict)
    assert sum(sum(per_table.values()) for per_table in components.values()) == 2
    bloat, index_bloat = figures["bloat"], figures["index_bloat"]
    assert isinstance(bloat, list) and isinstance(index_bloat, list)
    assert {row["tablename"] for row in bloat} <= every_table and "python_package_version" in {
        row["tablename"] for row in bloat
    }
    assert all({"pct_bloat", "mb_bloat"} <= set(row) for row in bloat)
    assert all({"table_name", "index_name", "bloat_pct", "bloat_mb"} <= set(row) for row in index_bloat)
