"""CephCache and the four cache stores: records, misses and the 4-hour TTL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from s3_helpers import DEPLOYMENT, Backend, load_document

from thoth_storages.exceptions import CacheMissError, NotFoundError, SchemaError
from thoth_storages.s3 import (
    AdvisersCacheStore,
    AnalysesCacheStore,
    BuildLogsAnalysesCacheStore,
    CephCache,
    ProvenanceCacheStore,
)

ADVISER = "adviser/adviser-220131050913-b7c4ef0fc532ac45.json"
ADVISER_ID = "adviser-220131050913-b7c4ef0fc532ac45"


@pytest.mark.parametrize(
    ("store_class", "result_type"),
    [
        (AdvisersCacheStore, "adviser-cache"),
        (AnalysesCacheStore, "analysis-cache"),
        (BuildLogsAnalysesCacheStore, "buildlogs-analysis-cache"),
        (ProvenanceCacheStore, "provenance-cache"),
    ],
)
def test_cache_layout(backend: Backend, store_class: type[CephCache], result_type: str) -> None:
    assert store_class().prefix == f"{backend.bucket_prefix}/{DEPLOYMENT}/{result_type}/"
    assert timedelta(hours=4) == store_class.CACHE_TTL


def test_adviser_cache_ttl(backend: Backend) -> None:
    cache = AdvisersCacheStore()
    cache.connect()
    assert cache.store_document(load_document(ADVISER)) == ADVISER_ID
    assert cache.retrieve_document_ttl(ADVISER_ID) == pytest.approx(14400, abs=10)
    written = cache.ceph.last_modified(ADVISER_ID)
    assert cache.retrieve_document_ttl(ADVISER_ID, now=written + timedelta(hours=3)) == pytest.approx(3600)
    assert cache.retrieve_document_ttl(ADVISER_ID, now=written + timedelta(hours=5)) == 0.0
    assert cache.retrieve_document_ttl(ADVISER_ID, now=datetime.now(UTC) + timedelta(days=1)) == 0.0


def test_cache_records(backend: Backend) -> None:
    cache = BuildLogsAnalysesCacheStore()
    cache.connect()
    with pytest.raises(CacheMissError):
        cache.retrieve_document_record("buildlog-1")
    with pytest.raises(NotFoundError):
        cache.retrieve_document_ttl("buildlog-1")
    cache.store_document_record("buildlog-1", {"anything": ["goes"]})
    assert cache.retrieve_document_record("buildlog-1") == {"anything": ["goes"]}
    assert 0 < cache.retrieve_document_ttl("buildlog-1") <= 14400


def test_records_skip_validation_but_store_document_validates(backend: Backend) -> None:
    cache = AdvisersCacheStore()
    cache.connect()
    cache.store_document_record("adviser-x", {"not": "an adviser document"})
    assert cache.retrieve_document_record("adviser-x") == {"not": "an adviser document"}
    with pytest.raises(SchemaError):
        cache.store_document({"metadata": {"document_id": "adviser-y"}, "result": {}})
