"""The database restarted in the middle of a graceful sync of every real document from S3: the run
completes, nothing is lost, and the database equals the clean run on all columns. The restart happens on
a cluster of the suite's own (never the shared server)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tests.reliability.cluster import Cluster, own_cluster
from tests.reliability.support import (
    CleanRun,
    Corpus,
    Outcomes,
    connected,
    differing_tables,
    record,
    sync_all,
)
from thoth_storages.sync import SyncEvent

DOWN = 3.0
"""Seconds the database stays down."""


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with own_cluster() as started:
        if started is None:
            pytest.skip(
                "no PostgreSQL binaries under /usr/lib/postgresql (scripts/ensure-postgres.sh installs them)"
            )
        yield started


def test_a_restart_of_the_database_in_the_middle_of_a_graceful_sync_loses_nothing(
    cluster: Cluster, corpus: Corpus, clean: CleanRun
) -> None:
    settings = cluster.settings
    with connected(settings) as graph:
        graph.initialize_schema()
    middle = len(clean.run.synced) // 2
    restarts: list[threading.Thread] = []
    events_at_restart: list[int] = []

    def restart() -> None:
        cluster.stop("fast")
        time.sleep(DOWN)
        cluster.start()

    def in_the_middle(event: SyncEvent) -> None:
        if len(outcomes.events) == middle and not restarts:
            events_at_restart.append(len(outcomes.events))
            restarts.append(threading.Thread(target=restart))
            restarts[0].start()

    outcomes = Outcomes([], in_the_middle)
    started = time.perf_counter()
    error: BaseException | None = None
    try:
        run = sync_all(settings, corpus.variables, outcomes)
    except Exception as raised:  # the run did not complete: reported below
        error = raised
    seconds = time.perf_counter() - started
    for thread in restarts:
        thread.join()
    assert restarts, "the sync ended before its middle"
    if error is not None:
        record("restart", f"did not complete: {type(error).__name__}: {str(error)[:200]}")
        raise error
    lost = clean.lost(run)
    differing = differing_tables(settings, clean.contents)
    record(
        "restart",
        f"completed in {seconds:.1f} s (database down {DOWN:.0f} s after {events_at_restart[0]} of "
        f"{len(outcomes.events)} documents), {len(lost)} lost, {len(differing)} differing tables",
    )
    assert not lost, lost
    assert not differing, "\n".join(differing)
