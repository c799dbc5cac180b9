"""The purges on a database of their own (filled from the real documents) with the documents also put
in the result stores: the local store, and S3 through moto's server. A purge moves exactly the documents
of the rows it deletes to the purge folder and leaves the others."""

from __future__ import annotations

import datetime
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import connected, filled_template
from tests.queries.conftest import real_documents
from thoth_storages import GraphDatabase
from thoth_storages.graph.purge import sibling_store
from thoth_storages.s3.results import AdvisersResultsStore, AnalysisResultsStore, SolverResultsStore

BUCKET = "thoth-purge-test"
DEPLOYMENT = "purge-deployment"
ENVIRONMENT = (
    "THOTH_S3_ENDPOINT_URL",
    "THOTH_CEPH_KEY_ID",
    "THOTH_CEPH_SECRET_KEY",
    "THOTH_CEPH_BUCKET",
    "THOTH_CEPH_BUCKET_PREFIX",
    "THOTH_CEPH_REGION",
    "THOTH_DEPLOYMENT_NAME",
    "THOTH_STORAGES_LOCAL_ROOT",
)


@pytest.fixture(scope="module", params=["local", "moto"])
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def graph(backend_name: str) -> Iterator[GraphDatabase]:
    """A database per back end (the purges delete rows)."""
    with connected(filled_template()) as graph:
        yield graph


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def backend(
    backend_name: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> str:
    """Configure one back end through the environment, as a deployment would; its name."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("THOTH_CEPH_BUCKET", BUCKET)
    monkeypatch.setenv("THOTH_CEPH_BUCKET_PREFIX", f"purge-{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv("THOTH_DEPLOYMENT_NAME", DEPLOYMENT)
    monkeypatch.setenv("THOTH_CEPH_REGION", "us-east-1")
    if backend_name == "local":
        monkeypatch.setenv("THOTH_STORAGES_LOCAL_ROOT", str(tmp_path / "documents"))
    else:
        import boto3

        url: str = request.getfixturevalue("moto_url")
        for name, value in {
            "THOTH_S3_ENDPOINT_URL": url,
            "THOTH_CEPH_KEY_ID": "testing",
            "THOTH_CEPH_SECRET_KEY": "testing",
            "AWS_EC2_METADATA_DISABLED": "true",
        }.items():
            monkeypatch.setenv(name, value)
        client = boto3.client(
            "s3",
            endpoint_url=url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )
        if BUCKET not in [bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])]:
            client.create_bucket(Bucket=BUCKET)
    return backend_name


def _store_documents(
    store: SolverResultsStore | AdvisersResultsStore | AnalysisResultsStore, folder: str
) -> list[str]:
    """Put the real documents of one folder in the store under their ids (as synced); their ids."""
    store.connect()
    ids = []
    for path in real_documents():
        if Path(path).parent.name == folder:
            document_id = Path(path).stem
            store.ceph.store_blob(Path(path).read_bytes(), document_id)
            ids.append(document_id)
    return sorted(ids)


def _purged(store: SolverResultsStore | AdvisersResultsStore | AnalysisResultsStore, kind: str) -> list[str]:
    """The ids in the store's purge folders of that kind."""
    parent = store.prefix.rstrip("/").rsplit("/", 1)[0] + "/"
    root = sibling_store(store.ceph, parent)
    root.connect()
    found = []
    for folder in root.get_folder_listing(f"{kind}-purge-"):
        target = sibling_store(store.ceph, f"{parent}{kind}-purge-{folder}")
        target.connect()
        found.extend(target.get_document_listing())
    return sorted(found)


def _scalars(graph: GraphDatabase, sql: str) -> list[str]:
    with graph.engine.connect() as connection:
        return [str(value) for value in connection.execute(text(sql)).scalars()]


def test_purge_solver_documents(graph: GraphDatabase, backend: str) -> None:
    store = SolverResultsStore()
    stored = _store_documents(store, "solver")
    fedora = _scalars(
        graph,
        "SELECT DISTINCT s.document_id FROM solved s JOIN ecosystem_solver e ON e.id = s.ecosystem_solver_id "
        "WHERE e.os_name = 'fedora' ORDER BY 1",
    )
    rows = len(
        _scalars(graph, f"SELECT 1 FROM solved WHERE document_id IN ({', '.join(repr(i) for i in fedora)})")
    )
    assert set(fedora) <= set(stored) and rows
    assert graph.purge_solver_documents(os_name="Fedora", store=store) == rows
    assert _purged(store, "solver") == fedora
    assert sorted(store.ceph.get_document_listing()) == sorted(set(stored) - set(fedora))
    assert graph.get_solver_run_document_ids_all(os_name="fedora", count=None) == []
    assert graph.get_solver_run_document_ids_all(os_name="debian", count=None)
    assert graph.purge_solver_documents(os_name="fedora", store=store) == 0


def test_purge_adviser_documents(graph: GraphDatabase, backend: str) -> None:
    store = AdvisersResultsStore()
    stored = _store_documents(store, "adviser")
    with pytest.raises(ValueError, match="needs"):
        graph.purge_adviser_documents(store=store)
    with graph.engine.connect() as connection:
        runs = connection.execute(
            text("SELECT adviser_document_id, datetime FROM adviser_run ORDER BY datetime")
        ).all()
    newest = runs[-1][1]
    older = sorted(document_id for document_id, when in runs if when < newest)
    assert graph.purge_adviser_documents(end_datetime=newest, store=store) == len(older)
    assert _purged(store, "adviser") == [i for i in older if i in stored]
    assert sorted(store.ceph.get_document_listing()) == sorted(set(stored) - set(older))
    assert sorted(graph.get_adviser_run_document_ids_all(count=None)) == sorted(
        document_id for document_id, _ in runs if document_id not in older
    )
    assert graph.purge_adviser_documents(adviser_version="no-such-version", store=store) == 0


def test_purge_package_extract_documents(graph: GraphDatabase, backend: str) -> None:
    store = AnalysisResultsStore()
    stored = _store_documents(store, "package-extract")
    with pytest.raises(ValueError, match="needs"):
        graph.purge_package_extract_documents(store=store)
    assert graph.purge_package_extract_documents(end_datetime=datetime.datetime(2000, 1, 1), store=store) == 0
    analyses = _scalars(graph, "SELECT analysis_document_id FROM package_extract_run")
    assert analyses == ["package-extract-220106085041-a6e38c8593af545e"]
    assert graph.purge_package_extract_documents(package_extract_version="1.3.0", store=store) == 1
    assert _purged(store, "package-extract") == analyses
    assert sorted(store.ceph.get_document_listing()) == sorted(set(stored) - set(analyses))
    assert not graph.analysis_document_id_exist(analyses[0])
