"""Four workers sync overlapping sets of the real documents from S3 at once, K rounds: every round's
database equals the serial clean run on all columns, and PostgreSQL's deadlock count is reported."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from tests.reliability.support import (
    SEED,
    CleanRun,
    Corpus,
    Outcomes,
    SyncRun,
    differing_tables,
    environment,
    record,
    scale,
    sync_ids,
)
from tests.sync.order_support import DatabaseTemplate, overlapping_workers
from thoth_storages import GraphDatabase
from thoth_storages.config import DatabaseSettings
from thoth_storages.graph.connection import make_engine
from thoth_storages.sync import sync_documents

WORKERS = 4


def run_workers(settings: DatabaseSettings, lists: list[list[str]]) -> SyncRun:
    """One thread per list, each with its own connection, released together; what they did together."""
    barrier = threading.Barrier(len(lists))
    outcomes = Outcomes([])
    errors: list[BaseException] = []

    def work(ids: list[str]) -> None:
        graph = GraphDatabase(settings)
        try:
            graph.connect()
            barrier.wait()
            sync_documents(ids, graceful=True, graph=graph, on_event=outcomes)
        except BaseException as error:  # re-raised by the test below
            errors.append(error)
            barrier.abort()
        finally:
            graph.disconnect()

    threads = [threading.Thread(target=work, args=(ids,)) for ids in lists]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return SyncRun(outcomes.labels("synced"), outcomes.labels("skipped"))


def deadlocks(settings: DatabaseSettings) -> int:
    """Deadlocks PostgreSQL detected in the database (reported once the sessions that met them end)."""
    engine = make_engine(settings, autocommit=True)
    try:
        with engine.connect() as connection:
            others = text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            deadline = time.monotonic() + 10
            while connection.execute(others).scalar_one() and time.monotonic() < deadline:
                time.sleep(0.05)
            query = text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
            return int(connection.execute(query).scalar_one())
    finally:
        engine.dispose()


def test_concurrent_workers_on_overlapping_sets_equal_the_serial_run(
    corpus: Corpus, template: DatabaseTemplate, clean: CleanRun
) -> None:
    rounds = scale(1, 5, "concurrency_rounds")
    ids = sync_ids()
    equal = 0
    detected = 0
    differing: dict[int, list[str]] = {}
    lost: dict[int, set[str]] = {}
    for number in range(rounds):
        with template.copy() as settings, environment(corpus.variables):
            run = run_workers(settings, overlapping_workers(ids, SEED * 1000 + number, WORKERS))
            if missing := clean.lost(run):
                lost[number] = missing
            if diffs := differing_tables(settings, clean.contents):
                differing[number] = diffs
            equal += not diffs and not missing
            detected += deadlocks(settings)
    record(
        "concurrency",
        f"{equal}/{rounds} rounds of {WORKERS} workers on overlapping sets equal to serial (seed {SEED}), "
        f"{detected} deadlocks",
    )
    assert not lost, lost
    assert not differing, "\n".join(
        f"round {number}:\n" + "\n".join(diffs) for number, diffs in differing.items()
    )
