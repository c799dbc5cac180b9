"""Fixtures of the object-store suite: one set of tests, three back ends.

* `moto`: moto's S3 server in this process, on 127.0.0.1 and a free port, reached over HTTP through
  THOTH_S3_ENDPOINT_URL; reset before every test (POST /moto-api/reset).
* `ceph`: a real Ceph RADOS Gateway started by scripts/ceph-rgw.sh (one monitor, one memstore OSD,
  radosgw on loopback). Skipped only when its packages are missing and cannot be installed, or when
  THOTH_STORAGES_TEST_CEPH=0 asks for it. The start-up is bounded by THOTH_CEPH_START_TIMEOUT seconds.
* `local`: the embedded local document store in a temporary directory.

Each test gets its own THOTH_CEPH_BUCKET_PREFIX, so S3 tests never see each other's objects.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from s3_helpers import (
    BACKENDS,
    BUCKET,
    CEPH_SCRIPT,
    CEPH_START_TIMEOUT,
    CLEARED_VARIABLES,
    DEPLOYMENT,
    REGION,
    Backend,
    free_port,
    s3_client,
)

CEPH_PACKAGES_MISSING = 77


@dataclass(frozen=True)
class S3Endpoint:
    url: str
    key_id: str
    secret_key: str


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[S3Endpoint]:
    """moto's S3 server over HTTP on loopback, for the whole session."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield S3Endpoint(f"http://127.0.0.1:{port}", "testing-key-id", "testing-secret-key")
    finally:
        server.stop()


def _ceph_script(command: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CEPH_SCRIPT), command], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="session")
def ceph_endpoint() -> Iterator[S3Endpoint]:
    """A real Ceph RADOS Gateway from scripts/ceph-rgw.sh; stopped afterwards unless it was running."""
    if os.environ.get("THOTH_STORAGES_TEST_CEPH", "1") == "0":
        pytest.skip("Ceph back end skipped: THOTH_STORAGES_TEST_CEPH=0")
    was_running = _ceph_script("status", 30).returncode == 0
    for attempt in (1, 2):  # a first start on a new machine has been seen to time out once; retry it
        try:
            started = _ceph_script("start", CEPH_START_TIMEOUT)
        except subprocess.TimeoutExpired:
            _ceph_script("stop", 60)
            if attempt == 2:
                pytest.fail(
                    f"scripts/ceph-rgw.sh start did not finish within {CEPH_START_TIMEOUT}s", pytrace=False
                )
            continue
        if started.returncode in (0, CEPH_PACKAGES_MISSING):
            break
        _ceph_script("stop", 60)
    if started.returncode == CEPH_PACKAGES_MISSING:
        pytest.skip(
            "Ceph back end skipped: the radosgw, ceph-mon and ceph-osd packages are not installed and "
            f"cannot be installed here ({started.stderr.strip().splitlines()[-1:]})"
        )
    if started.returncode != 0:
        pytest.fail(f"scripts/ceph-rgw.sh start failed:\n{started.stderr[-3000:]}", pytrace=False)
    settings: dict[str, str] = {}
    for line in started.stdout.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, _, value = words[1].partition("=")
            settings[name] = value
    endpoint = S3Endpoint(
        settings["THOTH_S3_ENDPOINT_URL"], settings["THOTH_CEPH_KEY_ID"], settings["THOTH_CEPH_SECRET_KEY"]
    )
    try:  # stopped whatever happens from here on, so no daemon outlives the session
        client = s3_client(endpoint.url, endpoint.key_id, endpoint.secret_key)
        if BUCKET not in {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}:
            client.create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        if not was_running and os.environ.get("THOTH_STORAGES_KEEP_CEPH", "0") == "0":
            _ceph_script("stop", 60)


def _reset_moto(endpoint: S3Endpoint) -> None:
    request = urllib.request.Request(f"{endpoint.url}/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No S3/Thoth settings from the caller's environment leak into a test."""
    for name in CLEARED_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    return monkeypatch


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, clean_env: pytest.MonkeyPatch, tmp_path: Path) -> Backend:
    """Configure the environment for one back end; every store class then uses it."""
    name: str = request.param
    prefix = f"thoth-{uuid.uuid4().hex[:10]}"
    clean_env.setenv("THOTH_CEPH_BUCKET", BUCKET)
    clean_env.setenv("THOTH_CEPH_BUCKET_PREFIX", prefix)
    clean_env.setenv("THOTH_DEPLOYMENT_NAME", DEPLOYMENT)
    clean_env.setenv("THOTH_CEPH_REGION", REGION)
    if name == "local":
        root = tmp_path / "documents"
        clean_env.setenv("THOTH_STORAGES_LOCAL_ROOT", str(root))
        return Backend(name, None, None, None, prefix, root)
    endpoint: S3Endpoint = request.getfixturevalue(f"{name}_endpoint")
    clean_env.setenv("THOTH_S3_ENDPOINT_URL", endpoint.url)
    clean_env.setenv("THOTH_CEPH_KEY_ID", endpoint.key_id)
    clean_env.setenv("THOTH_CEPH_SECRET_KEY", endpoint.secret_key)
    selected = Backend(name, endpoint.url, endpoint.key_id, endpoint.secret_key, prefix, None)
    if name == "moto":
        _reset_moto(endpoint)
        selected.client().create_bucket(Bucket=BUCKET)
    return selected
