"""BuildLogsStore: content-hash ids and the buildlogs/ layout."""

from __future__ import annotations

from s3_helpers import DEPLOYMENT, Backend

from thoth_storages.s3 import BuildLogsStore

FOO_BAR_ID = "buildlog-bbe8e9a86be651f9efc8e8df7fb76999d8e9a4a9674df9be8de24f4fb3d872a2"


def test_prefix_from_env_and_arguments(backend: Backend) -> None:
    assert BuildLogsStore().prefix == f"{backend.bucket_prefix}/{DEPLOYMENT}/buildlogs/"
    assert BuildLogsStore("testenv", bucket_prefix="thoth-test").prefix == "thoth-test/testenv/buildlogs/"


def test_document_id_is_the_sha256_of_dict2blob() -> None:
    assert BuildLogsStore.get_document_id({"foo": "bar"}) == FOO_BAR_ID


def test_store_retrieve_and_list(backend: Backend) -> None:
    store = BuildLogsStore()
    store.connect()
    assert store.is_connected()
    assert store.store_document({"foo": "bar"}) == FOO_BAR_ID
    assert store.store_document({"foo": "bar"}) == FOO_BAR_ID
    other = store.store_document({"log": "step 1/3\nstep 2/3\n"})
    assert store.document_exists(FOO_BAR_ID)
    assert store.retrieve_document(FOO_BAR_ID) == {"foo": "bar"}
    assert store.ceph.retrieve_blob(FOO_BAR_ID) == b'{\n  "foo": "bar"\n}'
    assert sorted(store.get_document_listing()) == sorted([FOO_BAR_ID, other])
    assert dict(store.iterate_results()) == {
        FOO_BAR_ID: {"foo": "bar"},
        other: {"log": "step 1/3\nstep 2/3\n"},
    }
