"""The jobs' world: a fresh database at head and moto's S3 server over HTTP, as environment variables."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

from tests.s3.s3_helpers import BUCKET, CLEARED_VARIABLES, DEPLOYMENT, REGION, free_port, s3_client
from thoth.storages import GraphDatabase

KEY_ID, SECRET_KEY = "testing-key-id", "testing-secret-key"


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


@pytest.fixture
def job_env(graph: GraphDatabase, s3_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of a job (and of this process, so the test's own store calls see the same)."""
    variables = {
        **graph.settings.environment(),
        "THOTH_S3_ENDPOINT_URL": s3_url,
        "THOTH_CEPH_KEY_ID": KEY_ID,
        "THOTH_CEPH_SECRET_KEY": SECRET_KEY,
        "THOTH_CEPH_BUCKET": BUCKET,
        "THOTH_CEPH_REGION": REGION,
        "THOTH_CEPH_BUCKET_PREFIX": f"jobs-{uuid.uuid4().hex[:10]}",
        "THOTH_DEPLOYMENT_NAME": DEPLOYMENT,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for name in CLEARED_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return {**os.environ, **variables}
