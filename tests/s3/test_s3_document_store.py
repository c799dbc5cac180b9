"""CephStore and LocalStore through `open_document_store`: the 14-method interface on every back end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from s3_helpers import BUCKET, Backend

from thoth_storages.exceptions import NotConnectedError, NotFoundError, SchemaError
from thoth_storages.s3 import CephStore, DocumentStore, LocalStore, dict2blob, open_document_store


def connected(backend: Backend, prefix: str = "store") -> DocumentStore:
    store = open_document_store(f"{backend.bucket_prefix}/{prefix}")
    store.connect()
    return store


def test_factory_picks_the_back_end(backend: Backend) -> None:
    store = open_document_store(f"{backend.bucket_prefix}/x")
    assert isinstance(store, CephStore if backend.is_s3 else LocalStore)
    assert store.prefix == f"{backend.bucket_prefix}/x/"
    assert not store.is_connected()
    store.connect()
    assert store.is_connected()
    store.check_connection()


def test_dict2blob_is_byte_exact() -> None:
    assert dict2blob({"foo": "bar"}) == b'{\n  "foo": "bar"\n}'
    assert dict2blob({"b": [1, {"z": None}], "a": "\u00fc"}) == (
        b'{\n  "a": "\\u00fc",\n  "b": [\n    1,\n    {\n      "z": null\n    }\n  ]\n}'
    )
    assert CephStore.dict2blob is LocalStore.dict2blob or CephStore.dict2blob({}) == b"{}"


def test_blob_round_trip_exists_and_delete(backend: Backend) -> None:
    store = connected(backend)
    blob = bytes(range(256)) * 10
    assert not store.document_exists("a/b")
    store.store_blob(blob, "a/b")
    assert store.document_exists("a/b")
    assert store.retrieve_blob("a/b") == blob
    store.delete("a/b")
    assert not store.document_exists("a/b")
    store.delete("a/b")  # deleting a missing key is not an error, as in S3
    assert list(store.get_document_listing()) == []


def test_open_blob_reads_back_a_large_object(backend: Backend) -> None:
    store = connected(backend)
    blob = bytes(range(256)) * 36_000  # 9.2 MB: more than the in-memory part of S3's spool
    store.store_blob(blob, "large")
    with store.open_blob("large") as file:
        assert file.read() == blob
        file.seek(0)
        assert file.read(256) == blob[:256]
    with pytest.raises(NotFoundError):
        store.open_blob("missing")


def test_document_round_trip_stores_dict2blob_bytes(backend: Backend) -> None:
    store = connected(backend)
    document = {"b": 1, "a": "\u00fc", "nested": {"list": [1.5, True, None]}}
    store.store_document(document, "doc")
    assert store.retrieve_blob("doc") == dict2blob(document)
    assert store.retrieve_document("doc") == document
    if backend.is_s3:
        raw = backend.client().get_object(Bucket=BUCKET, Key=f"{backend.bucket_prefix}/store/doc")
        assert raw["Body"].read() == dict2blob(document)


def test_listing_and_iterate_results_without_prefix_addition(backend: Backend) -> None:
    store = connected(backend)
    other = connected(backend, "store-other")
    for key in ("x-2", "x-1", "y-1"):
        store.store_document({"key": key}, key)
    other.store_document({"key": "x-3"}, "x-3")
    assert list(store.get_document_listing()) == ["x-1", "x-2", "y-1"]
    assert list(store.get_document_listing("x-")) == ["x-1", "x-2"]
    assert list(store.get_document_listing("nothing")) == []
    # The original formatted a default None into the prefix and listed nothing here.
    assert dict(store.iterate_results()) == {key: {"key": key} for key in ("x-1", "x-2", "y-1")}
    assert dict(store.iterate_results("y")) == {"y-1": {"key": "y-1"}}


def test_folder_listing(backend: Backend) -> None:
    store = connected(backend)
    for key in ("i1/build/specification", "i1/results/0/result", "i2/results/0/result", "top"):
        store.store_blob(b"{}", key)
    assert list(store.get_folder_listing()) == ["i1", "i2"]
    assert list(store.get_folder_listing("i1/")) == ["build", "results"]
    assert list(store.get_folder_listing("i1/results/")) == ["0"]
    assert list(store.get_folder_listing("missing/")) == []
    store.delete("i2/results/0/result")
    assert list(store.get_folder_listing()) == ["i1"]


def test_missing_keys_raise_not_found(backend: Backend) -> None:
    store = connected(backend)
    with pytest.raises(NotFoundError, match="missing"):
        store.retrieve_blob("missing")
    with pytest.raises(NotFoundError):
        store.retrieve_document("missing")
    with pytest.raises(NotFoundError):
        store.retrieve_document_attr("missing", "LastModified")
    with pytest.raises(NotFoundError):
        store.last_modified("missing")
    assert store.document_exists("missing") is False


def test_attributes(backend: Backend) -> None:
    store = connected(backend)
    store.store_blob(b"12345", "k")
    modified = store.retrieve_document_attr("k", "LastModified")
    assert isinstance(modified, datetime)
    assert abs(store.last_modified("k") - datetime.now(UTC)) < timedelta(minutes=2)
    assert store.retrieve_document_attr("k", "ContentLength") == 5
    with pytest.raises(KeyError):
        store.retrieve_document_attr("k", "NoSuchAttribute")


def test_store_file(backend: Backend, tmp_path: Path) -> None:
    store = connected(backend)
    source = tmp_path / "dump.bin"
    source.write_bytes(b"0123456789abcdef" * 40_000)
    store.store_file(source, "files/dump.bin")
    assert store.retrieve_blob("files/dump.bin") == source.read_bytes()
    with pytest.raises(NotFoundError):
        store.store_file(tmp_path / "absent", "files/absent")


def test_unusual_keys_round_trip(backend: Backend) -> None:
    store = connected(backend)
    keys = ["with space/\u00fcnicode-key", "double//slash", "percent%41", "dots/./x", "a/%"]
    for number, key in enumerate(keys):
        store.store_document({"n": number}, key)
    assert sorted(store.get_document_listing()) == sorted(keys)
    for number, key in enumerate(keys):
        assert store.retrieve_document(key) == {"n": number}


def test_non_json_object_is_a_schema_error_naming_key_and_path(backend: Backend) -> None:
    store = connected(backend)
    store.store_blob(b"not json", "text")
    store.store_blob(b"[1, 2]", "list")
    store.store_blob(b'{"a": ' + b"[" * 3000 + b"]" * 3000 + b"}", "deep")  # a RecursionError for json
    with pytest.raises(SchemaError, match=r"/store/text: \$: not valid JSON"):
        store.retrieve_document("text")
    with pytest.raises(SchemaError, match=r"/store/list: \$: a document is a JSON object"):
        store.retrieve_document("list")
    with pytest.raises(SchemaError) as deep:
        store.retrieve_document("deep")
    assert str(deep.value).endswith("/store/deep: $.a" + "[0]" * 99 + ": nested deeper than 100 levels")


def test_calls_before_connect_raise(backend: Backend) -> None:
    store = open_document_store(f"{backend.bucket_prefix}/store")
    with pytest.raises(NotConnectedError):
        store.retrieve_blob("k")
    with pytest.raises(NotConnectedError):
        store.store_blob(b"", "k")
