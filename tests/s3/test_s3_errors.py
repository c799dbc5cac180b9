"""Clear errors for a missing bucket, refused credentials, an unreachable endpoint and bad settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from s3_helpers import Backend, free_port

from thoth_storages.config import S3RequestLimits
from thoth_storages.exceptions import ConfigurationError, StorageConnectionError
from thoth_storages.s3 import AdvisersResultsStore, CephStore, LocalStore, S3Settings, open_document_store

INVALID_KEY_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code>'
    b"<Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>"
)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, *args: object, **kwargs: object) -> Iterator[bytes]:
        yield self._body


def _no_botocore_context(error: BaseException) -> None:
    assert error.__cause__ is None
    assert error.__suppress_context__


def test_missing_bucket(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    if not backend.is_s3:
        pytest.skip("buckets exist on S3 back ends only")
    monkeypatch.setenv("THOTH_CEPH_BUCKET", "no-such-bucket-here")
    store = AdvisersResultsStore()
    with pytest.raises(StorageConnectionError, match="no-such-bucket-here") as error:
        store.connect()
    assert backend.endpoint and backend.endpoint in str(error.value)
    assert "THOTH_CEPH_BUCKET" in str(error.value)
    _no_botocore_context(error.value)
    assert not store.is_connected()


def test_refused_credentials(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    if not backend.is_s3:
        pytest.skip("credentials exist on S3 back ends only")
    if backend.name == "ceph":
        # The real gateway checks signatures.
        monkeypatch.setenv("THOTH_CEPH_SECRET_KEY", "wrong-secret")
        with pytest.raises(ConfigurationError, match="THOTH_CEPH_SECRET_KEY") as error:
            AdvisersResultsStore().connect()
    else:
        # moto accepts any key, so answer as S3 does for an unknown key, through a botocore event hook.
        store = CephStore(f"{backend.bucket_prefix}/x")
        store.connect()

        def refuse(request: object, **kwargs: object) -> AWSResponse:
            return AWSResponse(str(getattr(request, "url", "")), 403, HTTPHeaders(), _Raw(INVALID_KEY_BODY))

        # A before-send handler that returns a response short-circuits the HTTP call; the stubs say None.
        store.client.meta.events.register("before-send.s3", refuse)  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError, match="InvalidAccessKeyId") as error:
            store.retrieve_blob("k")
    assert "THOTH_CEPH_KEY_ID" in str(error.value)
    _no_botocore_context(error.value)


def test_unreachable_endpoint(clean_env: pytest.MonkeyPatch) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    clean_env.setenv("THOTH_S3_ENDPOINT_URL", endpoint)
    clean_env.setenv("THOTH_S3_MAX_ATTEMPTS", "1")
    clean_env.setenv("THOTH_CEPH_BUCKET", "thoth")
    clean_env.setenv("THOTH_CEPH_KEY_ID", "k")
    clean_env.setenv("THOTH_CEPH_SECRET_KEY", "s")
    with pytest.raises(StorageConnectionError, match="THOTH_S3_ENDPOINT_URL") as error:
        CephStore("prefix").connect()
    assert endpoint in str(error.value)
    _no_botocore_context(error.value)


def test_missing_settings_name_the_variable(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("THOTH_S3_ENDPOINT_URL", "http://127.0.0.1:9")
    with pytest.raises(ConfigurationError, match="THOTH_CEPH_BUCKET"):
        open_document_store("prefix")
    clean_env.setenv("THOTH_CEPH_BUCKET", "thoth")
    with pytest.raises(ConfigurationError, match="THOTH_CEPH_BUCKET_PREFIX"):
        AdvisersResultsStore()
    clean_env.setenv("THOTH_CEPH_BUCKET_PREFIX", "data")
    with pytest.raises(ConfigurationError, match="THOTH_DEPLOYMENT_NAME"):
        AdvisersResultsStore()
    clean_env.setenv("THOTH_S3_ENDPOINT_URL", "not a url")
    with pytest.raises(ConfigurationError, match="THOTH_S3_ENDPOINT_URL"):
        AdvisersResultsStore("deployment").connect()


def test_local_root_must_be_a_directory(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    clean_env.setenv("THOTH_STORAGES_LOCAL_ROOT", str(blocker / "documents"))
    store = open_document_store("prefix")
    assert isinstance(store, LocalStore)
    with pytest.raises(ConfigurationError, match="THOTH_STORAGES_LOCAL_ROOT"):
        store.connect()


def test_local_root_default(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.chdir(tmp_path)
    store = open_document_store("prefix")
    assert isinstance(store, LocalStore)
    assert store.root == tmp_path / ".thoth-storages" / "documents"


@pytest.mark.parametrize("backend", ["moto"], indirect=True)
def test_request_limits_come_from_the_environment_and_are_checked(
    backend: Backend, clean_env: pytest.MonkeyPatch
) -> None:
    assert S3Settings.resolve().limits == S3RequestLimits(connect_timeout=5, read_timeout=10, max_attempts=3)
    clean_env.setenv("THOTH_S3_CONNECT_TIMEOUT", "0.5")
    clean_env.setenv("THOTH_S3_READ_TIMEOUT", "2")
    clean_env.setenv("THOTH_S3_MAX_ATTEMPTS", "4")
    store = CephStore("prefix")
    assert store.settings.limits == S3RequestLimits(connect_timeout=0.5, read_timeout=2, max_attempts=4)
    store.connect()
    config = store.client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (0.5, 2)
    assert config.retries == {"mode": "standard", "total_max_attempts": 1}  # CephStore retries itself
    for name, value in (
        ("THOTH_S3_READ_TIMEOUT", "0"),
        ("THOTH_S3_CONNECT_TIMEOUT", "soon"),
        ("THOTH_S3_MAX_ATTEMPTS", "0"),
    ):
        with clean_env.context() as patch:
            patch.setenv(name, value)
            with pytest.raises(ConfigurationError, match=name):
                S3Settings.resolve()
