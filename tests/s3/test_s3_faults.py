"""CephStore through the fault-injecting proxy in front of the moto server: what is retried, what is not,
and how long a dead endpoint holds a request."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import boto3
import pytest
from botocore.config import Config
from s3_helpers import Backend

from tests.faults.s3proxy import Fault, FaultProxy, Policy, always, first_attempts
from thoth_storages.exceptions import SchemaError, StorageConnectionError
from thoth_storages.s3 import CephStore
from thoth_storages.s3.retry import BACKOFF_CAP, BACKOFF_FIRST

pytestmark = pytest.mark.parametrize("backend", ["moto", "ceph"], indirect=True)

DOCUMENT = {"metadata": {"document_id": "doc"}, "result": {"values": list(range(2000))}}
RETRY_LOGGER = "thoth_storages.s3.retry"


@contextmanager
def proxied(backend: Backend, policy: Policy, **options: float) -> Iterator[tuple[FaultProxy, CephStore]]:
    """The proxy in front of the backend, and a connected store reaching the bucket through it."""
    assert backend.endpoint is not None
    with FaultProxy(backend.endpoint, policy, **options) as proxy:
        store = CephStore(f"{backend.bucket_prefix}/faults", host=proxy.url)
        store.connect()  # HEAD of the bucket: faults from the policy apply to it too
        yield proxy, store


def direct(backend: Backend) -> CephStore:
    """A connected store on the backend itself, to put the objects the tests read."""
    store = CephStore(f"{backend.bucket_prefix}/faults", host=backend.endpoint)
    store.connect()
    return store


def retries(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == RETRY_LOGGER]


def limits(monkeypatch: pytest.MonkeyPatch, *, attempts: int, read_timeout: float = 1.0) -> None:
    monkeypatch.setenv("THOTH_S3_MAX_ATTEMPTS", str(attempts))
    monkeypatch.setenv("THOTH_S3_READ_TIMEOUT", str(read_timeout))
    monkeypatch.setenv("THOTH_S3_CONNECT_TIMEOUT", "1")


def read_streamed(store: CephStore, key: str) -> object:
    with store.open_blob(key) as file:
        return json.load(file)


def read_blob(store: CephStore, key: str) -> object:
    return json.loads(store.retrieve_blob(key))


READERS = {
    "retrieve_document": CephStore.retrieve_document,
    "retrieve_blob": read_blob,
    "open_blob": read_streamed,
}


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize(
    "fault", [Fault.TRUNCATE, Fault.CORRUPT, Fault.RESET, Fault.ERROR_500, Fault.ERROR_503]
)
def test_a_read_that_fails_once_is_read_again(
    backend: Backend,
    clean_env: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    fault: Fault,
    reader: str,
) -> None:
    direct(backend).store_document(
        DOCUMENT, "doc"
    )  # default limits: a slow first PUT is not this test's retry
    limits(clean_env, attempts=3)
    caplog.set_level(logging.WARNING, RETRY_LOGGER)
    with proxied(backend, first_attempts(fault, methods=frozenset({"GET"}))) as (proxy, store):
        assert READERS[reader](store, "doc") == DOCUMENT
        stats = proxy.stats()
    assert stats.faults == {fault: 1}
    assert stats.by_method == {"HEAD": 1, "GET": 2}
    assert len(retries(caplog)) == 1
    assert "faults/doc" in retries(caplog)[0] and "attempt 1 of 3" in retries(caplog)[0]


@pytest.mark.parametrize("fault", [Fault.ERROR_500, Fault.ERROR_503, Fault.RESET])
def test_writes_heads_deletes_and_the_bucket_check_are_retried(
    backend: Backend, clean_env: pytest.MonkeyPatch, fault: Fault
) -> None:
    limits(clean_env, attempts=2)
    every_method = frozenset({"GET", "PUT", "HEAD", "DELETE"})
    with proxied(backend, first_attempts(fault, methods=every_method)) as (proxy, store):
        store.store_document(DOCUMENT, "doc")
        assert store.document_exists("doc")
        assert store.retrieve_document("doc") == DOCUMENT
        store.delete("doc")
        assert not store.document_exists("doc")  # the same HEAD again: not faulted a second time
        stats = proxy.stats()
    # bucket HEAD, PUT, object HEAD, GET and DELETE each failed once and passed on the second attempt
    assert stats.faults == {fault: 5}
    assert stats.by_method == {"HEAD": 2 + 2 + 1, "PUT": 2, "GET": 2, "DELETE": 2}


def test_every_listing_page_is_retried(backend: Backend, clean_env: pytest.MonkeyPatch) -> None:
    # no stalls here: a generous read timeout, so that a 1,000-key page of a loaded server is not a fault
    limits(clean_env, attempts=3, read_timeout=10.0)
    prefix = f"{backend.bucket_prefix}/faults/"
    keys = [f"listed/{number:05d}" for number in range(1001)]  # two ListObjectsV2 pages of at most 1000
    client = backend.client()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda key: client.put_object(Bucket="thoth-test", Key=prefix + key, Body=b"{}"), keys))
    policy = first_attempts(Fault.TRUNCATE)  # each page's first answer is cut short
    with proxied(backend, policy) as (proxy, store):
        assert list(store.get_document_listing("listed/")) == keys
        assert list(store.get_folder_listing()) == ["listed"]
        stats = proxy.stats()
    assert stats.faults == {Fault.TRUNCATE: 3}  # two document pages and one folder page
    assert stats.by_method["GET"] == 6
    with (
        proxied(backend, always(Fault.TRUNCATE)) as (proxy, store),
        pytest.raises(StorageConnectionError) as error,
    ):
        list(store.get_document_listing("listed/"))
    assert f"listing of '{prefix}listed/' (page 1) in bucket 'thoth-test' at {proxy.url}" in str(error.value)
    assert "failed after 3 attempts: HTTP 500 with no S3 error in the body" in str(error.value)


def test_a_stalled_endpoint_fails_within_the_bound_naming_key_bucket_and_endpoint(
    backend: Backend, clean_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    attempts, timeout = 2, 1.0
    limits(clean_env, attempts=attempts, read_timeout=timeout)
    direct(backend).store_document(DOCUMENT, "doc")
    with proxied(backend, first_attempts(Fault.STALL, times=attempts), stall_limit=30) as (proxy, store):
        started = time.monotonic()
        with pytest.raises(StorageConnectionError) as error:
            store.retrieve_document("doc")
        elapsed = time.monotonic() - started
        assert store.retrieve_document("doc") == DOCUMENT  # the endpoint answers again: so does the store
        assert proxy.stats().faults == {Fault.STALL: attempts}
    backoff = sum(min(BACKOFF_CAP, BACKOFF_FIRST * 2**n) for n in range(attempts - 1))
    print(f"\nstalled GET: {attempts} attempts x {timeout:g} s read timeout gave up after {elapsed:.2f} s")
    assert attempts * timeout <= elapsed < attempts * timeout + backoff + 1.0
    message = str(error.value)
    assert "\n" not in message
    for part in (f"{backend.bucket_prefix}/faults/doc", "thoth-test", proxy.url, "after 2 attempts"):
        assert part in message
    assert "no answer within THOTH_S3_READ_TIMEOUT=1 s" in message
    assert len(retries(caplog)) == attempts - 1


def test_an_answer_slower_than_nothing_but_within_the_timeout_is_taken(
    backend: Backend, clean_env: pytest.MonkeyPatch
) -> None:
    limits(clean_env, attempts=1, read_timeout=2.0)
    direct(backend).store_document(DOCUMENT, "doc")
    with proxied(backend, first_attempts(Fault.DELAY), delay=0.5) as (proxy, store):
        started = time.monotonic()
        assert store.retrieve_document("doc") == DOCUMENT
        assert time.monotonic() - started >= 0.5
        assert proxy.stats().faults == {Fault.DELAY: 1}


@pytest.mark.parametrize("fault", [Fault.TRUNCATE, Fault.CORRUPT, Fault.RESET, Fault.ERROR_503])
def test_after_the_last_attempt_the_error_says_what_happened_in_one_line(
    backend: Backend, clean_env: pytest.MonkeyPatch, fault: Fault
) -> None:
    limits(clean_env, attempts=3)
    direct(backend).store_document(DOCUMENT, "doc")
    with proxied(backend, first_attempts(fault, times=3)) as (proxy, store):
        with pytest.raises(StorageConnectionError) as error:
            store.retrieve_document("doc")
        assert proxy.stats().by_method["GET"] == 3
    message = str(error.value)
    what = {
        Fault.TRUNCATE: "the body was cut short (",
        Fault.CORRUPT: "the body does not match its checksum"
        if backend.name == "moto"
        else "the body does not match the MD5 its ETag gives",  # the Ceph 16 gateway keeps no checksums
        Fault.RESET: "the connection was closed before an answer",
        Fault.ERROR_503: "HTTP 503 SlowDown: Please reduce your request rate.",
    }[fault]
    assert what in message and "after 3 attempts" in message and "\n" not in message
    assert f"GET of '{backend.bucket_prefix}/faults/doc' in bucket 'thoth-test' at {proxy.url}" in message


def _put_without_checksum(backend: Backend, key: str, body: bytes) -> None:
    """An object as older clients wrote it: no checksum stored with it."""
    boto3.session.Session(
        aws_access_key_id=backend.key_id, aws_secret_access_key=backend.secret_key, region_name="us-east-1"
    ).client(
        "s3",
        endpoint_url=backend.endpoint,
        config=Config(s3={"addressing_style": "path"}, request_checksum_calculation="when_required"),
    ).put_object(Bucket="thoth-test", Key=f"{backend.bucket_prefix}/faults/{key}", Body=body)


def multipart_etag(parsed: dict[str, object], **kwargs: object) -> None:
    """An after-call hook: the ETag as of an object uploaded in parts, which is no MD5 of the content."""
    parsed["ETag"] = '"' + "0" * 32 + '-2"'


def test_a_body_nothing_vouches_for_that_does_not_parse_is_read_again_then_refused(
    backend: Backend, clean_env: pytest.MonkeyPatch
) -> None:
    limits(clean_env, attempts=3)
    _put_without_checksum(backend, "broken", b'{"cut": "sho')
    with proxied(backend, always(Fault.NONE)) as (proxy, store):
        store.client.meta.events.register("after-call.s3.GetObject", multipart_etag)
        with pytest.raises(SchemaError, match=r"after 3 attempts: .*faults/broken: \$\.cut: not valid JSON"):
            store.retrieve_document("broken")
        assert proxy.stats().by_method["GET"] == 3
        # the same bytes vouched for by the MD5 of their ETag: refused at the first read
        store.client.meta.events.unregister("after-call.s3.GetObject", multipart_etag)
        with pytest.raises(SchemaError, match=r"faults/broken: \$\.cut: not valid JSON") as refused:
            store.retrieve_document("broken")
        assert "attempt" not in str(refused.value)
        assert proxy.stats().by_method["GET"] == 4


def test_a_body_without_checksum_is_checked_against_the_md5_of_its_etag(
    backend: Backend, clean_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    limits(clean_env, attempts=3)
    _put_without_checksum(backend, "doc", json.dumps(DOCUMENT).encode())
    caplog.set_level(logging.WARNING, RETRY_LOGGER)
    with proxied(backend, first_attempts(Fault.CORRUPT)) as (proxy, store):
        assert store.retrieve_document("doc") == DOCUMENT
        assert proxy.stats().faults == {Fault.CORRUPT: 1}
        assert proxy.stats().by_method["GET"] == 2
    assert ["MD5 its ETag gives" in message for message in retries(caplog)] == [True]


def test_where_an_etag_is_not_the_md5_of_the_content_the_same_bytes_read_twice_are_taken(
    backend: Backend, clean_env: pytest.MonkeyPatch
) -> None:
    limits(clean_env, attempts=3)
    _put_without_checksum(backend, "doc", json.dumps(DOCUMENT).encode())

    def other_etag(parsed: dict[str, object], **kwargs: object) -> None:
        parsed["ETag"] = '"' + "0" * 32 + '"'  # as a store whose ETags are not MD5s of the content

    with proxied(backend, always(Fault.NONE)) as (proxy, store):
        store.client.meta.events.register("after-call.s3.GetObject", other_etag)
        assert store.retrieve_document("doc") == DOCUMENT
        assert proxy.stats().by_method["GET"] == 2


def test_the_proxy_counts_only_what_it_injected(backend: Backend, clean_env: pytest.MonkeyPatch) -> None:
    limits(clean_env, attempts=1)
    direct(backend).store_document(DOCUMENT, "doc")
    with proxied(backend, first_attempts(Fault.CORRUPT, methods=frozenset({"GET", "HEAD"}))) as (
        proxy,
        store,
    ):
        assert store.document_exists("doc")  # a HEAD has no body to corrupt
        assert list(store.get_document_listing()) == ["doc"]  # a listing has no checksum: not corrupted
        assert proxy.stats().faults == {}
        with pytest.raises(
            StorageConnectionError, match=r"does not match (its checksum|the MD5 its ETag gives)"
        ):
            store.retrieve_document("doc")
        assert proxy.stats().faults == {Fault.CORRUPT: 1}
