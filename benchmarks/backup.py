"""Backup and restore of a large graph database: time, dump size and the backup process's peak memory.

    .venv/bin/python benchmarks/backup.py               # 200 MB of table data, S3 (moto) and local store
    .venv/bin/python benchmarks/backup.py --mb 50

A throwaway database at head gets `--mb` MB of rows in python_package_version_entity (random names, so
the dump does not compress to nothing). Each back end then runs `thoth_storages.ops.backup.backup` in a
child process, which samples its own resident memory every 20 ms while the backup runs (pg_dump is a
grandchild, not counted), and
`thoth_storages.ops.restore.restore` into a new database. moto's server runs in this process, so the S3
child's memory is the backup's own.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

from moto.server import ThreadedMotoServer
from rich.console import Console
from rich.table import Table
from sqlalchemy import text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import admin, new_database  # noqa: E402
from tests.s3.s3_helpers import free_port, s3_client  # noqa: E402
from thoth_storages import GraphDatabase  # noqa: E402
from thoth_storages.config import DatabaseSettings  # noqa: E402

CHILD = """
import json, os, threading, time
from thoth_storages.config import DatabaseSettings
from thoth_storages.ops.backup import backup
from thoth_storages.s3 import GraphBackupStore

def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

store = GraphBackupStore()
store.connect()
before, peak, done = rss_mb(), [0.0], threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss_mb())
        time.sleep(0.02)
sampler = threading.Thread(target=sample)
sampler.start()
started = time.perf_counter()
manifest = backup(DatabaseSettings.from_env(), store)
seconds = time.perf_counter() - started
done.set()
sampler.join()
print(json.dumps({"key": manifest.key, "size": manifest.size, "rows": manifest.rows, "seconds": seconds,
                  "rss_before_mb": before, "rss_peak_mb": peak[0]}))
"""


def fill(graph: GraphDatabase, megabytes: int) -> int:
    """Rows of about 100 bytes in python_package_version_entity until the table holds `megabytes` MB."""
    rows = megabytes * 10_000
    with graph.engine.begin() as connection:
        index = connection.execute(
            text(
                "INSERT INTO python_package_index (url, verify_ssl, enabled) VALUES (:url, true, true) RETURNING id"
            ),
            {"url": "https://example.org/benchmark/simple"},
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO python_package_version_entity (package_name, package_version, python_package_index_id) "
                "SELECT md5(n::text) || md5(random()::text), n::text || '.' || md5(random()::text), :index "
                "FROM generate_series(1, :rows) AS n"
            ),
            {"index": index, "rows": rows},
        )
        connection.execute(text("ANALYZE"))
    return rows


def run_child(environment: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=environment, capture_output=True, text=True, check=False, cwd=REPO
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=int, default=200, help="MB of table data to dump (default 200)")
    arguments = parser.parse_args()
    table = Table(title=f"graph backup and restore, {arguments.mb} MB of rows")
    for column in (
        "store",
        "database",
        "dump",
        "backup",
        "RSS during backup",
        "restore (download, pg_restore, verify)",
    ):
        table.add_column(column, justify="left" if column == "store" else "right")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    s3_client(url, "benchmark", "benchmark").create_bucket(Bucket="thoth-benchmark")
    try:
        with new_database() as settings, tempfile.TemporaryDirectory() as root:
            graph = GraphDatabase(settings)
            graph.connect()
            graph.initialize_schema()
            fill(graph, arguments.mb)
            size = graph.get_database_size()
            common = {
                **os.environ,
                **settings.environment(),
                "THOTH_CEPH_BUCKET_PREFIX": f"benchmark-{uuid.uuid4().hex[:8]}",
                "THOTH_DEPLOYMENT_NAME": "benchmark",
            }
            backends = {
                "S3 (moto over HTTP)": {
                    **common,
                    "THOTH_S3_ENDPOINT_URL": url,
                    "THOTH_CEPH_KEY_ID": "benchmark",
                    "THOTH_CEPH_SECRET_KEY": "benchmark",
                    "THOTH_CEPH_BUCKET": "thoth-benchmark",
                    "AWS_EC2_METADATA_DISABLED": "true",
                },
                "local store": {**common, "THOTH_STORAGES_LOCAL_ROOT": root},
            }
            for name, environment in backends.items():
                figures = run_child(environment)
                restored = restore_in(environment, settings, str(figures["key"]))
                table.add_row(
                    name,
                    f"{size / 1e6:,.0f} MB",
                    f"{figures['size'] / 1e6:,.1f} MB",
                    f"{figures['seconds']:.1f} s ({figures['size'] / 1e6 / figures['seconds']:.1f} MB/s)",
                    f"{figures['rss_peak_mb']:.0f} MB ({figures['rss_before_mb']:.0f} MB before)",
                    restored,
                )
            graph.disconnect()
    finally:
        server.stop()
    Console(width=160).print(table)


def restore_in(environment: dict[str, str], settings: DatabaseSettings, key: str) -> str:
    """Restore `key` into a new database with the back end of `environment`; its times, then drop it."""
    from thoth_storages.ops.restore import restore
    from thoth_storages.s3 import GraphBackupStore

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environment)
    target = replace(settings, database=f"thoth_bench_{uuid.uuid4().hex[:8]}")
    try:
        store = GraphBackupStore()
        store.connect()
        started = time.perf_counter()
        report = restore(settings, store, key, target.database)
        total = time.perf_counter() - started
    finally:
        os.environ.clear()
        os.environ.update(saved)
        admin(target, f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    return f"{total:.1f} s ({report.download_seconds:.1f}, {report.restore_seconds:.1f}, {report.verify_seconds:.1f})"


if __name__ == "__main__":
    main()
