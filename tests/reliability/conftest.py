"""Fixtures of the reliability suite: moto's S3 server over HTTP, the real documents stored in it, a
template database at head, and the clean run every faulty run is compared with. The figures each test
records are printed as one table at the end of the session."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import pytest

from tests.reliability.support import (
    BUCKET,
    FIGURES,
    FULL,
    S3,
    CleanRun,
    Corpus,
    Uploader,
    environment,
    sync_all,
)
from tests.sync.order_support import DatabaseTemplate, contents_of


@pytest.fixture(scope="session")
def s3() -> Iterator[S3]:
    """moto's S3 server over HTTP on loopback, for the whole session."""
    from moto.server import ThreadedMotoServer

    from tests.s3.s3_helpers import free_port, s3_client

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = S3(f"http://127.0.0.1:{port}")
        s3_client(endpoint.url, "testing-key-id", "testing-secret-key").create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.stop()


@pytest.fixture(scope="session")
def corpus(s3: S3) -> Corpus:
    """The real documents, stored byte for byte in moto under a prefix of their own."""
    variables = s3.environment(f"corpus-{uuid.uuid4().hex[:8]}")
    with environment(variables):
        Uploader().upload_all()
    return Corpus(variables)


@pytest.fixture(scope="session")
def template() -> DatabaseTemplate:
    """A database at head on the configured server, copied for every run."""
    return DatabaseTemplate()


@pytest.fixture(scope="session")
def clean(corpus: Corpus, template: DatabaseTemplate) -> Iterator[CleanRun]:
    """The clean run every disturbed run is compared with."""
    with template.copy() as settings:
        run = CleanRun(
            sync_all(settings, corpus.variables), contents_of(settings), DatabaseTemplate(settings)
        )
        assert run.run.synced and run.rows > 0
        yield run


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES:
        return
    terminalreporter.write_sep("=", f"reliability figures ({'full run' if FULL else 'fast subset'})")
    for line in FIGURES.values():
        terminalreporter.write_line(line)
