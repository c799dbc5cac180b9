"""The operator's world: a database synced from the real documents, moto's S3 server over HTTP (or the
embedded local store) for the graph-backup store, and databases to restore into."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from tests.conftest import admin, head_template, new_database, scratch_name
from tests.s3.s3_helpers import BUCKET, CLEARED_VARIABLES, DEPLOYMENT, REGION, free_port, s3_client
from thoth_storages import GraphDatabase
from thoth_storages.cli_sync import expand_local
from thoth_storages.config import DatabaseSettings
from thoth_storages.ops.pgtools import ToolVersionError, find_tool, require_at_least, server_version
from thoth_storages.s3 import GraphBackupStore
from thoth_storages.sync import sync_documents

DOCUMENTS = Path(__file__).resolve().parents[1] / "data" / "documents"
INSTALL = Path(__file__).resolve().parents[2] / "scripts" / "install-system-packages.sh"
KEY_ID, SECRET_KEY = "testing-key-id", "testing-secret-key"


@pytest.fixture(scope="session")
def pg_client_tools() -> None:
    """pg_dump and pg_restore of the server's major version, installed (postgresql-client-N) when missing."""
    major = int(server_version(DatabaseSettings.from_env(), "postgres")[0])
    try:
        for name in ("pg_dump", "pg_restore"):
            require_at_least(find_tool(name, major), major, "the test server")
    except ToolVersionError:
        subprocess.run([str(INSTALL), f"postgresql-client-{major}"], check=False, timeout=900)
        for name in ("pg_dump", "pg_restore"):
            require_at_least(find_tool(name, major), major, "the test server")


@pytest.fixture(scope="module")
def synced(pg_client_tools: None) -> Iterator[GraphDatabase]:
    """A database at head holding every real document of tests/data that syncs (the others are refused)."""
    with new_database(head_template()) as settings:
        graph = GraphDatabase(settings)
        graph.connect()
        stats = sync_documents(expand_local((DOCUMENTS,)), graceful=True, graph=graph, is_local=True)
        assert sum(counts[1] for counts in stats.values()) > 30
        yield graph
        graph.disconnect()


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    """moto's S3 server on loopback, with the test bucket."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    s3_client(url, KEY_ID, SECRET_KEY).create_bucket(Bucket=BUCKET)
    try:
        yield url
    finally:
        server.stop()


def _clean(monkeypatch: pytest.MonkeyPatch, settings: DatabaseSettings) -> None:
    for name in CLEARED_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("THOTH_CEPH_BUCKET_PREFIX", f"ops-{uuid.uuid4().hex[:10]}")
    monkeypatch.setenv("THOTH_DEPLOYMENT_NAME", DEPLOYMENT)


@pytest.fixture
def s3_store(synced: GraphDatabase, s3_url: str, monkeypatch: pytest.MonkeyPatch) -> GraphBackupStore:
    """The graph-backup store on moto's S3 server; the KNOWLEDGE_GRAPH_* settings name the synced database."""
    _clean(monkeypatch, synced.settings)
    for name, value in {
        "THOTH_S3_ENDPOINT_URL": s3_url,
        "THOTH_CEPH_KEY_ID": KEY_ID,
        "THOTH_CEPH_SECRET_KEY": SECRET_KEY,
        "THOTH_CEPH_BUCKET": BUCKET,
        "THOTH_CEPH_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    store = GraphBackupStore()
    store.connect()
    return store


@pytest.fixture
def local_store(synced: GraphDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GraphBackupStore:
    """The graph-backup store on the embedded local document store (no S3 endpoint configured)."""
    _clean(monkeypatch, synced.settings)
    monkeypatch.setenv("THOTH_STORAGES_LOCAL_ROOT", str(tmp_path / "documents"))
    store = GraphBackupStore()
    store.connect()
    return store


@pytest.fixture
def target(synced: GraphDatabase) -> Iterator[DatabaseSettings]:
    """Settings naming a database that does not exist yet (dropped after the test)."""
    settings = replace(synced.settings, database=scratch_name())
    try:
        yield settings
    finally:
        admin(settings, f'DROP DATABASE IF EXISTS "{settings.database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pushgateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prometheus Pushgateway (Debian's prometheus-pushgateway, installed when missing) on a free
    port of 127.0.0.1, keeping metrics in memory only (Debian's default persists them to a file under
    /var/lib), stopped afterwards; its URL."""
    binary = shutil.which("prometheus-pushgateway")
    if binary is None:
        subprocess.run([str(INSTALL), "prometheus-pushgateway"], check=False, timeout=900)
        binary = shutil.which("prometheus-pushgateway")
    assert binary, (
        "prometheus-pushgateway is missing and could not be installed (see scripts/install-system-packages.sh)"
    )
    port = free_port()
    log = tmp_path_factory.mktemp("pushgateway") / "pushgateway.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [binary, f"--web.listen-address=127.0.0.1:{port}", "--persistence.file="],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"the Pushgateway did not get ready: {log.read_text()}"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
