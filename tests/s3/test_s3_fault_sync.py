"""The real documents, published to the moto server, synced through the fault-injecting proxy at a 20 %
fault rate of every kind: every document lands and the database equals a clean run's on all columns."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from s3_helpers import REPO, Backend

from tests.conftest import connected, head_template
from tests.faults.fault_sync import publish_files, sync_through_proxy
from tests.faults.s3proxy import EVERY_FAULT, Fault, always, random_faults
from thoth_storages import GraphDatabase
from thoth_storages.graph.contents import diff_contents, table_contents

DOCUMENTS = REPO / "tests" / "data" / "documents"
RATE = 0.2
SEED = 20261205
ATTEMPTS = 8
"""At a 20 % fault rate a request fails all of 8 attempts with probability 0.2^8 = 2.6e-6."""


def _graph() -> Iterator[GraphDatabase]:
    with connected(head_template()) as graph:
        yield graph


@pytest.fixture
def clean_graph() -> Iterator[GraphDatabase]:
    yield from _graph()


@pytest.fixture
def faulty_graph() -> Iterator[GraphDatabase]:
    yield from _graph()


@pytest.mark.parametrize("backend", ["moto", "ceph"], indirect=True)
def test_every_document_syncs_through_faults_into_the_same_database(
    backend: Backend,
    clean_env: pytest.MonkeyPatch,
    clean_graph: GraphDatabase,
    faulty_graph: GraphDatabase,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert backend.endpoint is not None
    clean_env.setenv("THOTH_S3_READ_TIMEOUT", "1")
    clean_env.setenv("THOTH_S3_CONNECT_TIMEOUT", "1")
    clean_env.setenv("THOTH_S3_MAX_ATTEMPTS", str(ATTEMPTS))
    published = publish_files(DOCUMENTS)

    clean = sync_through_proxy(backend.endpoint, always(Fault.NONE), clean_graph)
    faulty = sync_through_proxy(
        backend.endpoint, random_faults(RATE, SEED), faulty_graph, delay=0.2, stall_limit=10, seed=SEED
    )
    with capsys.disabled():
        print(f"\n{backend.name}: published {published} documents to S3")
        print(f"clean run:       {clean.line()}")
        print(f"20 % fault run:  {faulty.line()}")

    assert clean.proxy.injected == clean.retries == 0
    assert set(faulty.proxy.faults) == set(EVERY_FAULT), "a kind of fault was never injected"
    assert faulty.proxy.injected >= 0.1 * faulty.proxy.requests
    # every fault but a delay (answered within the read timeout) cost exactly one retry
    assert faulty.retries == faulty.proxy.injected - faulty.proxy.faults.get(Fault.DELAY, 0)
    # the same documents synced, and the same refused for the same reasons, as without faults
    assert faulty.reports() == clean.reports()
    # the documents that fail, fail for what they hold (refused by the clean run as well), none for S3
    assert clean.outcomes()["synced"] > 0
    assert [error for _, error in faulty.reports().values() if error and "S3 " in error] == []
    differences = diff_contents(table_contents(clean_graph.engine), table_contents(faulty_graph.engine))
    assert differences == [], "\n".join(diff.describe() for diff in differences)
