"""Every real document synced from S3 through a proxy that gives 20 % of the requests a fault (5xx,
connection resets, stalls, bodies cut short): the documents of a clean run are all synced, and the
database equals the clean run's on all columns."""

from __future__ import annotations

from collections import Counter

from tests.faults.fault_sync import sync_through_proxy
from tests.faults.s3proxy import Fault, random_faults
from tests.reliability.support import (
    SEED,
    CleanRun,
    Corpus,
    connected,
    differing_tables,
    environment,
    record,
    scale,
)
from tests.sync.order_support import DatabaseTemplate

RATE = 0.2
KINDS = (Fault.ERROR_500, Fault.ERROR_503, Fault.RESET, Fault.STALL, Fault.TRUNCATE)
LIMITS = {"THOTH_S3_CONNECT_TIMEOUT": "1", "THOTH_S3_READ_TIMEOUT": "1", "THOTH_S3_MAX_ATTEMPTS": "8"}
"""A stall costs one read timeout; at 20 % a request fails all of 8 attempts with probability 2.6e-6."""


def test_every_document_syncs_through_s3_faults_into_the_clean_database(
    corpus: Corpus, template: DatabaseTemplate, clean: CleanRun
) -> None:
    rounds = scale(1, 3, "s3_fault_rounds")
    upstream = corpus.variables["THOTH_S3_ENDPOINT_URL"]
    synced: list[int] = []
    requests = 0
    faults: Counter[Fault] = Counter()
    differing: dict[int, list[str]] = {}
    missing: dict[int, set[str]] = {}
    for number in range(rounds):
        with (
            template.copy() as settings,
            environment({**corpus.variables, **LIMITS}),
            connected(settings) as graph,
        ):
            policy = random_faults(RATE, SEED + number, KINDS)
            run = sync_through_proxy(upstream, policy, graph, stall_limit=5)
            landed = {
                f"{event.prefix}:{event.document_id}" for event in run.events if event.outcome == "synced"
            }
            synced.append(len(landed & clean.run.synced))
            if clean.run.synced - landed:
                missing[number] = clean.run.synced - landed
            requests += run.proxy.requests
            faults.update(run.proxy.faults)
            if diffs := differing_tables(settings, clean.contents):
                differing[number] = diffs
    expected = len(clean.run.synced) * rounds
    kinds = ", ".join(f"{fault.value} {faults[fault]}" for fault in KINDS)
    record(
        "s3 faults",
        f"{sum(synced)}/{expected} documents synced in {rounds} round(s), database "
        f"{'equal' if not differing else f'different in {len(differing)} round(s)'} "
        f"({sum(faults.values())} of {requests} requests faulted: {kinds}; seed {SEED})",
    )
    assert not missing, missing
    assert not differing, "\n".join(f"round {number}:\n" + "\n".join(d) for number, d in differing.items())
