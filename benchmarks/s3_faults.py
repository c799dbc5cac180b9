"""A sync of real documents from S3 through the fault-injecting proxy, against a clean sync of the same.

    .venv/bin/python benchmarks/s3_faults.py                          # 20 % faults of every kind, 8 attempts
    .venv/bin/python benchmarks/s3_faults.py --kinds truncate --rate 1 --attempts 1   # no retries at all
    .venv/bin/python benchmarks/s3_faults.py --documents DIR --seed 7 --read-timeout 2

The documents (../shared/data/documents when present, else tests/data/documents) are put byte for byte
into a moto S3 server in this process; two fresh databases on the PostgreSQL named by KNOWLEDGE_GRAPH_*
are synced from it, one straight and one through the proxy. Prints requests, faults injected by kind,
retries, documents per outcome, wall time, and the tables whose contents differ (all columns).
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import boto3  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

from tests.conftest import new_database  # noqa: E402
from tests.faults.fault_sync import FaultySync, publish_files, sync_through_proxy  # noqa: E402
from tests.faults.s3proxy import EVERY_FAULT, Fault, always, random_faults  # noqa: E402
from thoth_storages import GraphDatabase  # noqa: E402
from thoth_storages.exceptions import ThothStorageExceptionError  # noqa: E402
from thoth_storages.graph.contents import Contents, diff_contents, table_contents  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "documents"
DOCUMENTS = SHARED if SHARED.is_dir() else ROOT / "tests" / "data" / "documents"
BUCKET = "thoth-faults"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def synced(upstream: str, policy_name: str, args: argparse.Namespace) -> tuple[FaultySync, Contents]:
    """One sync into a fresh database; returns its figures and the database's contents."""
    with new_database() as settings:
        graph = GraphDatabase(settings)
        graph.connect()
        graph.initialize_schema()
        try:
            kinds = [Fault(kind) for kind in args.kinds.split(",")] if args.kinds else list(EVERY_FAULT)
            policy = (
                always(Fault.NONE) if policy_name == "clean" else random_faults(args.rate, args.seed, kinds)
            )
            run = sync_through_proxy(
                upstream, policy, graph, delay=args.delay, stall_limit=30, seed=args.seed
            )
            return run, table_contents(graph.engine)
        finally:
            graph.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=Path, default=DOCUMENTS)
    parser.add_argument("--rate", type=float, default=0.2, help="share of requests given a fault")
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument(
        "--kinds", default="", help="comma-separated: " + ",".join(f.value for f in EVERY_FAULT)
    )
    parser.add_argument("--attempts", type=int, default=8, help="THOTH_S3_MAX_ATTEMPTS")
    parser.add_argument("--read-timeout", type=float, default=1.0, help="THOTH_S3_READ_TIMEOUT, seconds")
    parser.add_argument("--delay", type=float, default=0.2, help="seconds a delayed answer waits")
    args = parser.parse_args()

    logging.basicConfig(level=logging.ERROR)
    logging.getLogger().handlers[0].setLevel(logging.CRITICAL)  # retries are counted, not printed
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    upstream = f"http://127.0.0.1:{port}"
    os.environ.update(
        THOTH_S3_ENDPOINT_URL=upstream,
        THOTH_CEPH_KEY_ID="benchmark",
        THOTH_CEPH_SECRET_KEY="benchmark",
        THOTH_CEPH_BUCKET=BUCKET,
        THOTH_CEPH_REGION="us-east-1",
        THOTH_CEPH_BUCKET_PREFIX=f"faults-{uuid.uuid4().hex[:8]}",
        THOTH_DEPLOYMENT_NAME="benchmark",
        THOTH_S3_MAX_ATTEMPTS=str(args.attempts),
        THOTH_S3_READ_TIMEOUT=str(args.read_timeout),
        THOTH_S3_CONNECT_TIMEOUT="1",
    )
    try:
        boto3.client(
            "s3",
            endpoint_url=upstream,
            aws_access_key_id="b",
            aws_secret_access_key="b",
            region_name="us-east-1",
        ).create_bucket(Bucket=BUCKET)
        published = publish_files(args.documents)
        print(f"published {published} documents of {args.documents.name}/ to S3")
        print(
            f"faults: rate {args.rate:g}, seed {args.seed}, kinds {args.kinds or 'all'}; "
            f"THOTH_S3_MAX_ATTEMPTS={args.attempts} THOTH_S3_READ_TIMEOUT={args.read_timeout:g}"
        )
        clean, clean_tables = synced(upstream, "clean", args)
        print(f"clean run:  {clean.line()}")
        try:
            faulty, faulty_tables = synced(upstream, "faulty", args)
        except ThothStorageExceptionError as error:
            print(f"fault run:  the sync stopped: {error}")
            raise SystemExit(1) from None
        print(f"fault run:  {faulty.line()}")
        differing = diff_contents(clean_tables, faulty_tables)
        print(f"tables differing from the clean run (all columns): {len(differing)} of {len(clean_tables)}")
        for diff in differing:
            print(diff.describe())
        outcomes = Counter((event.prefix, event.document_id, event.outcome) for event in clean.events)
        changed = outcomes - Counter(
            (event.prefix, event.document_id, event.outcome) for event in faulty.events
        )
        print(f"documents whose outcome differs from the clean run: {changed.total()}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
