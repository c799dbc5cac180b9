"""Helpers shared by the object-store tests: test documents, back-end description, raw S3 client."""

from __future__ import annotations

import functools
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

REPO = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("THOTH_STORAGES_S3_TEST_DOCUMENTS") or REPO / "tests" / "data" / "s3")
CEPH_SCRIPT = REPO / "scripts" / "ceph-rgw.sh"
CEPH_START_TIMEOUT = int(os.environ.get("THOTH_CEPH_START_TIMEOUT", "240"))
BUCKET = "thoth-test"
DEPLOYMENT = "test-deployment"
REGION = "us-east-1"
BACKENDS = ("moto", "ceph", "local")

CLEARED_VARIABLES = (
    "THOTH_S3_ENDPOINT_URL",
    "THOTH_CEPH_KEY_ID",
    "THOTH_CEPH_SECRET_KEY",
    "THOTH_CEPH_BUCKET",
    "THOTH_CEPH_BUCKET_PREFIX",
    "THOTH_CEPH_REGION",
    "THOTH_DEPLOYMENT_NAME",
    "THOTH_STORAGES_LOCAL_ROOT",
    "THOTH_S3_CONNECT_TIMEOUT",
    "THOTH_S3_READ_TIMEOUT",
    "THOTH_S3_MAX_ATTEMPTS",
    "GRAPH_BACKUP_STORE_ROTATE",
    "AWS_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
)


def data_path(relative: str) -> Path:
    """A file of the test documents (tests/data/s3, or THOTH_STORAGES_S3_TEST_DOCUMENTS)."""
    return DATA / relative


def load_document(relative: str) -> dict[str, object]:
    """A test document parsed as a JSON object."""
    document = json.loads(data_path(relative).read_bytes())
    assert isinstance(document, dict)
    return document


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@functools.cache
def s3_client(endpoint: str, key_id: str, secret_key: str) -> S3Client:
    """A plain boto3 client, for test set-up and for checking what the stores wrote."""
    return boto3.session.Session(
        aws_access_key_id=key_id, aws_secret_access_key=secret_key, region_name=REGION
    ).client(
        "s3",
        endpoint_url=endpoint,
        config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard", "total_max_attempts": 3}),
    )


@dataclass(frozen=True)
class Backend:
    """The back end a test runs on and the settings it was given."""

    name: str
    endpoint: str | None
    key_id: str | None
    secret_key: str | None
    bucket_prefix: str
    local_root: Path | None

    @property
    def is_s3(self) -> bool:
        return self.endpoint is not None

    def client(self) -> S3Client:
        assert self.endpoint and self.key_id and self.secret_key, "not an S3 back end"
        return s3_client(self.endpoint, self.key_id, self.secret_key)
