"""kill -9 at random points of `thoth-storages sync` of every real document from S3, then a re-sync: the
database equals a clean run on all columns (ids mapped through the rows they name)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from tests.reliability.support import (
    SEED,
    CleanRun,
    Corpus,
    connected,
    differing_tables,
    record,
    row_count,
    scale,
    sync_all,
)
from tests.sync.order_support import DatabaseTemplate
from thoth_storages.config import DatabaseSettings
from thoth_storages.graph.connection import make_engine

CLI = str(Path(sys.executable).with_name("thoth-storages"))


def _sync_command(settings: DatabaseSettings, corpus: Corpus) -> subprocess.Popen[bytes]:
    """`thoth-storages sync --graceful` of everything in the corpus, started and waited for until it has
    connected to the database."""
    process = subprocess.Popen(
        [CLI, "sync", "--graceful"],
        env={**os.environ, **corpus.variables, **settings.environment()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    probe = make_engine(settings, autocommit=True)  # its one connection is the only one besides the sync's
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    try:
        with probe.connect() as connection:
            while not connection.execute(query).scalar_one() and process.poll() is None:
                time.sleep(0.01)
    finally:
        probe.dispose()
    return process


def _kill_after(
    process: subprocess.Popen[bytes], settings: DatabaseSettings, rows: int, extra: float
) -> None:
    """SIGKILL the sync `extra` seconds after the database holds at least `rows` rows (unless it ends
    first)."""
    with connected(settings) as graph:
        while process.poll() is None and row_count(graph) < rows:
            time.sleep(0.005)
    time.sleep(extra)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait()


def test_kill_9_at_random_points_then_a_resync_equals_a_clean_run(
    corpus: Corpus, template: DatabaseTemplate, clean: CleanRun
) -> None:
    runs = scale(2, 20, "kill_runs")
    rng = random.Random(f"kill-9:{SEED}")
    mid_sync = 0
    differing: dict[int, list[str]] = {}
    lost: dict[int, set[str]] = {}
    for run in range(runs):
        with template.copy() as settings:
            # a random point of the sync: once a random share of the rows is written, and up to 50 ms
            # later (inside the next document's transaction, or between two)
            _kill_after(
                _sync_command(settings, corpus), settings, rng.randrange(1, clean.rows), rng.uniform(0, 0.05)
            )
            with connected(settings) as graph:
                rows = row_count(graph)
            mid_sync += 0 < rows < clean.rows
            if missing := clean.lost(sync_all(settings, corpus.variables)):
                lost[run] = missing
            if diffs := differing_tables(settings, clean.contents):
                differing[run] = diffs
    tables = sum(len(diffs) for diffs in differing.values())
    record(
        "kill -9",
        f"{runs} runs ({mid_sync} killed mid-sync, seed {SEED}), {tables} differing tables, "
        f"{len(lost)} runs with documents not synced again",
    )
    assert not differing, "\n".join(f"run {run}:\n" + "\n".join(diffs) for run, diffs in differing.items())
    assert not lost, lost
