"""A sync of everything in the configured S3 stores, run through the fault-injecting proxy, with figures.

Shared by tests/s3/test_s3_fault_sync.py and benchmarks/s3_faults.py. The caller configures the stores
(THOTH_CEPH_* variables, the timeouts and attempts); `sync_through_proxy` points THOTH_S3_ENDPOINT_URL
at the proxy for the run and restores it afterwards.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.faults.s3proxy import FaultProxy, Policy, ProxyStats
from thoth_storages import GraphDatabase
from thoth_storages.s3 import (
    InspectionStore,
    SIAggregatedStore,
)
from thoth_storages.sync import SyncEvent, sync_documents
from thoth_storages.sync.sources import result_stores

RETRY_LOGGER = "thoth_storages.s3.retry"


def publish_files(folder: Path) -> int:
    """Put the files of `folder` (laid out as tests/data/documents) into the configured stores byte for
    byte, unvalidated, as workflows would have left them (broken documents too); returns how many."""
    count = 0
    for kind, store_class in result_stores().items():  # a folder per kind's document type
        store = store_class()
        store.connect()
        for path in sorted((folder / kind.types[0]).glob("*.json")):
            store.ceph.store_blob(path.read_bytes(), path.stem)
            count += 1
    for root in sorted(path for path in (folder / "inspection").iterdir() if path.is_dir()):
        inspection = InspectionStore(root.name)
        inspection.connect()
        specification = root / "build" / "specification"
        if specification.is_file():
            inspection.build.ceph.store_blob(specification.read_bytes(), "specification")
        for result in sorted(root.glob("results/*/result")):
            inspection.results.ceph.store_blob(result.read_bytes(), f"{result.parent.name}/result")
            count += 1
    for path in sorted((folder / "security-indicator").glob("*.json")):
        si_store = SIAggregatedStore(path.stem)
        si_store.connect()
        si_store.ceph.store_blob(path.read_bytes(), si_store.RESULT_TYPE)
        count += 1
    return count


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@contextmanager
def counting_retries() -> Iterator[_Counter]:
    """Counts the retries CephStore logs while the block runs."""
    logger = logging.getLogger(RETRY_LOGGER)
    counter, level = _Counter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.WARNING)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


@dataclass
class FaultySync:
    """What a sync through the proxy did."""

    proxy: ProxyStats
    endpoint: str
    """The proxy's URL, which error messages name."""
    retries: int
    seconds: float
    events: list[SyncEvent] = field(default_factory=list)

    def reports(self) -> dict[tuple[str, str], tuple[str, str | None]]:
        """(prefix, document id) -> (outcome, error), the proxy's URL in errors written `<endpoint>`."""
        return {
            (event.prefix, event.document_id): (
                event.outcome,
                None if event.error is None else event.error.replace(self.endpoint, "<endpoint>"),
            )
            for event in self.events
        }

    def outcomes(self) -> dict[str, int]:
        """Documents per outcome (synced, skipped, failed)."""
        counts: dict[str, int] = {}
        for event in self.events:
            counts[event.outcome] = counts.get(event.outcome, 0) + 1
        return counts

    def line(self) -> str:
        """One line of figures."""
        outcomes = ", ".join(f"{outcome}={count}" for outcome, count in sorted(self.outcomes().items()))
        return f"{self.proxy.line()} retries={self.retries} documents: {outcomes} wall={self.seconds:.1f} s"


def sync_through_proxy(
    upstream: str, policy: Policy, graph: GraphDatabase, **proxy_options: float
) -> FaultySync:
    """`sync_documents(graceful=True)` of every stored document, the S3 requests going through a proxy."""
    previous = os.environ.get("THOTH_S3_ENDPOINT_URL")
    events: list[SyncEvent] = []
    with FaultProxy(upstream, policy, **proxy_options) as proxy, counting_retries() as retries:
        os.environ["THOTH_S3_ENDPOINT_URL"] = proxy.url
        started = time.monotonic()
        try:
            sync_documents(graceful=True, graph=graph, on_event=events.append)
        finally:
            seconds = time.monotonic() - started
            if previous is None:
                del os.environ["THOTH_S3_ENDPOINT_URL"]
            else:
                os.environ["THOTH_S3_ENDPOINT_URL"] = previous
        return FaultySync(proxy.stats(), proxy.url, retries.count, seconds, events)
