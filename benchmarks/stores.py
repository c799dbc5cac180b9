"""Put/get throughput of the document stores, side by side: moto server, Ceph RADOS Gateway, local files.

    .venv/bin/python benchmarks/stores.py                  # moto + local, + Ceph when it runs
    .venv/bin/python benchmarks/stores.py --start-ceph     # start the gateway (scripts/ceph-rgw.sh) first
    .venv/bin/python benchmarks/stores.py --threads 8 --objects 1000 --size 4096

Every back end gets the same work through the same interface (CephStore / LocalStore): `store_blob`
N objects, then `retrieve_blob` them, then list and delete them. Rates are objects/s and MB/s
(10^6 bytes) of payload. moto runs in this process, so its figures include the Python server's cost.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
from rich.console import Console
from rich.table import Table

from thoth_storages.s3 import CephStore, DocumentStore, LocalStore

REPO = Path(__file__).resolve().parents[1]
CEPH_SCRIPT = REPO / "scripts" / "ceph-rgw.sh"
BUCKET = "thoth-benchmark"


@dataclass(frozen=True)
class Result:
    backend: str
    size: int
    objects: int
    put_seconds: float
    get_seconds: float
    list_seconds: float

    def rate(self, seconds: float) -> tuple[float, float]:
        return self.objects / seconds, self.objects * self.size / seconds / 1e6


@contextmanager
def moto_endpoint() -> Iterator[tuple[str, str, str]]:
    import socket

    from moto.server import ThreadedMotoServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}", "benchmark", "benchmark"
    finally:
        server.stop()


def ceph_endpoint(start: bool) -> tuple[str, str, str] | None:
    """The running gateway's endpoint and keys (started first with `start`), or None."""
    command = "start" if start else "env"
    try:
        done = subprocess.run(
            [str(CEPH_SCRIPT), command], capture_output=True, text=True, timeout=300, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    settings = {}
    for line in done.stdout.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export":
            name, _, value = words[1].partition("=")
            settings[name] = value
    return (
        settings["THOTH_S3_ENDPOINT_URL"],
        settings["THOTH_CEPH_KEY_ID"],
        settings["THOTH_CEPH_SECRET_KEY"],
    )


def s3_store(endpoint: str, key_id: str, secret_key: str) -> CephStore:
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret_key,
        region_name="us-east-1",
    )
    existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
    if BUCKET not in existing:
        client.create_bucket(Bucket=BUCKET)
    store = CephStore(
        f"benchmark-{uuid.uuid4().hex[:8]}",
        host=endpoint,
        key_id=key_id,
        secret_key=secret_key,
        bucket=BUCKET,
        region="us-east-1",
    )
    store.connect()
    return store


def timed(work: Callable[[int], object], count: int, threads: int) -> float:
    began = time.perf_counter()
    if threads <= 1:
        for item in range(count):
            work(item)
    else:
        with ThreadPoolExecutor(threads) as pool:
            for _ in pool.map(work, range(count)):
                pass
    return time.perf_counter() - began


def run(name: str, store: DocumentStore, size: int, objects: int, threads: int) -> Result:
    payload = os.urandom(size)
    keys = [f"objects/{item:06d}" for item in range(objects)]

    def put(item: int) -> None:
        store.store_blob(payload, keys[item])

    def get(item: int) -> None:
        if len(store.retrieve_blob(keys[item])) != size:
            raise AssertionError(f"{name}: short read of {keys[item]}")

    put_seconds = timed(put, objects, threads)
    get_seconds = timed(get, objects, threads)
    began = time.perf_counter()
    listed = sum(1 for _ in store.get_document_listing("objects/"))
    list_seconds = time.perf_counter() - began
    if listed != objects:
        raise AssertionError(f"{name}: listed {listed} of {objects} objects")
    timed(lambda item: store.delete(keys[item]), objects, threads)
    return Result(name, size, objects, put_seconds, get_seconds, list_seconds)


def human(size: int) -> str:
    for unit, factor in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} B"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--objects", type=int, default=300, help="objects per small-object run (default 300)")
    parser.add_argument("--size", type=int, default=4096, help="small object size in bytes (default 4096)")
    parser.add_argument("--large-objects", type=int, default=30, help="objects per 1 MiB run (default 30)")
    parser.add_argument("--threads", type=int, default=1, help="concurrent requests (default 1)")
    parser.add_argument(
        "--start-ceph", action="store_true", help="start the Ceph gateway if it is not running"
    )
    parser.add_argument("--no-ceph", action="store_true", help="leave the Ceph gateway out")
    arguments = parser.parse_args(argv)
    console = Console(width=max(Console().width, 110))
    workloads = [(arguments.size, arguments.objects), (1 << 20, arguments.large_objects)]
    results: list[Result] = []
    notes: list[str] = []

    with moto_endpoint() as moto, tempfile.TemporaryDirectory(prefix="thoth-bench-") as root:
        backends: list[tuple[str, Callable[[], DocumentStore]]] = [("moto server", lambda: s3_store(*moto))]
        ceph = None if arguments.no_ceph else ceph_endpoint(arguments.start_ceph)
        if ceph is not None:
            backends.append(("Ceph RGW", lambda: s3_store(*ceph)))
        elif not arguments.no_ceph:
            notes.append("Ceph gateway not running (use --start-ceph, or scripts/ceph-rgw.sh start)")

        def local() -> DocumentStore:
            store = LocalStore(f"benchmark-{uuid.uuid4().hex[:8]}", root=root)
            store.connect()
            return store

        backends.append(("local files", local))
        for size, objects in workloads:
            for name, factory in backends:
                console.print(f"[dim]{name}: {objects} x {human(size)} ...[/dim]")
                results.append(run(name, factory(), size, objects, arguments.threads))

    table = Table(title=f"document store throughput ({arguments.threads} thread(s))")
    for column in ("back end", "object", "count", "put obj/s", "put MB/s", "get obj/s", "get MB/s", "list s"):
        table.add_column(column, justify="left" if column in {"back end", "object"} else "right")
    for result in results:
        put_objects, put_mb = result.rate(result.put_seconds)
        get_objects, get_mb = result.rate(result.get_seconds)
        table.add_row(
            result.backend,
            human(result.size),
            str(result.objects),
            f"{put_objects:,.0f}",
            f"{put_mb:,.1f}",
            f"{get_objects:,.0f}",
            f"{get_mb:,.1f}",
            f"{result.list_seconds:.3f}",
        )
    console.print(table)
    for note in notes:
        console.print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
