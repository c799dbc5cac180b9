"""A graceful sync from S3 goes on when one store's listing fails: moto's S3 server over HTTP, behind a
proxy that refuses the listings of one key prefix (AccessDenied, as S3 answers a missing permission)."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from s3_helpers import Backend

from tests.documents._documents_support import DATA_DIR
from thoth_storages import GraphDatabase
from thoth_storages.exceptions import ListingError
from thoth_storages.s3 import AdvisersResultsStore, SolverResultsStore
from thoth_storages.sync import SyncEvent, sync_documents, sync_solver_documents

DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
    b"<Message>Access Denied</Message></Error>"
)


class _Proxy(BaseHTTPRequestHandler):
    """Forwards every request to the S3 server, except listings whose prefix contains `refused`."""

    upstream: tuple[str, int]
    refused: str

    def _forward(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        if self.command == "GET" and self.refused in query.get("prefix", [""])[0]:
            self.send_response(403)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(DENIED)))
            self.end_headers()
            self.wfile.write(DENIED)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        connection = http.client.HTTPConnection(*self.upstream, timeout=30)
        headers = {name: value for name, value in self.headers.items() if name.lower() != "host"}
        connection.request(self.command, self.path, body=body or None, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        connection.close()

    do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = _forward

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def refusing_proxy(backend: Backend, clean_env: pytest.MonkeyPatch) -> Iterator[str]:
    """The S3 endpoint seen through a proxy refusing listings of the solver store."""
    if backend.name != "moto":
        pytest.skip("the proxy sits in front of moto's server")
    assert backend.endpoint
    upstream = urlsplit(backend.endpoint)
    assert upstream.hostname and upstream.port
    handler = type(
        "Refusing", (_Proxy,), {"upstream": (upstream.hostname, upstream.port), "refused": "/solver/"}
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    clean_env.setenv("THOTH_S3_ENDPOINT_URL", f"http://127.0.0.1:{server.server_address[1]}")
    try:
        yield backend.bucket_prefix
    finally:
        server.shutdown()
        server.server_close()


def test_a_refused_store_listing_fails_that_listing_and_the_other_stores_sync(
    refusing_proxy: str, graph: GraphDatabase
) -> None:
    advisers = sorted((DATA_DIR / "adviser").glob("*.json"))[:2]
    for path in advisers:
        store = AdvisersResultsStore()
        store.connect()
        store.ceph.store_blob(path.read_bytes(), path.stem)
    solver = SolverResultsStore()
    solver.connect()
    solver.ceph.store_blob(next((DATA_DIR / "solver").glob("*.json")).read_bytes(), "solver-x")

    events: list[SyncEvent] = []
    stats = sync_documents(None, graceful=True, graph=graph, on_event=events.append)
    failed = [event for event in events if event.outcome == "failed"]
    assert [event.document_id for event in failed] == ["the solver listing"]
    reason = str(failed[0].error)
    assert reason.startswith("the solver listing: cannot be listed") and "denied" in reason.lower()
    assert "\n" not in reason
    assert stats["solver"] == (1, 0, 0, 1)
    assert stats["adviser"] == (len(advisers), len(advisers), 0, 0)
    assert {Path(path).stem for path in advisers} == {
        event.document_id for event in events if event.outcome == "synced"
    }
    with pytest.raises(ListingError, match="the solver listing: cannot be listed"):
        sync_solver_documents(graph=graph)
