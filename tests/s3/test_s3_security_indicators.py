"""Security-indicator stores on real si-bandit, si-cloc and si-aggregator documents."""

from __future__ import annotations

import pytest
from s3_helpers import DEPLOYMENT, Backend, load_document

from thoth_storages.exceptions import NotFoundError, SchemaError
from thoth_storages.s3 import SecurityIndicatorsResultsStore, SIAggregatedStore, SIBanditStore, SIClocStore

SI_ID = "security-indicators-54c6daf9"
AGGREGATED = f"security-indicator/{SI_ID}.json"
BANDIT = f"security-indicator/raw/{SI_ID}--bandit.json"
CLOC = f"security-indicator/raw/{SI_ID}--cloc.json"


def test_layout(backend: Backend) -> None:
    root = f"{backend.bucket_prefix}/{DEPLOYMENT}/security-indicators/{SI_ID}/"
    for store_class, name in (
        (SIBanditStore, "bandit"),
        (SIClocStore, "cloc"),
        (SIAggregatedStore, "aggregated"),
    ):
        store = store_class(SI_ID)
        assert store.prefix == root
        assert name == store.RESULT_TYPE


def test_round_trip_and_iteration(backend: Backend) -> None:
    results = SecurityIndicatorsResultsStore(SI_ID)
    assert not results.is_connected()
    results.connect()
    assert results.is_connected()
    results.check_connection()
    assert not results.si_aggregated.document_exists()
    with pytest.raises(NotFoundError):
        results.si_bandit.retrieve_document()
    documents = {
        "bandit": load_document(BANDIT),
        "cloc": load_document(CLOC),
        "aggregated": load_document(AGGREGATED),
    }
    results.si_bandit.store_document(documents["bandit"])
    results.si_cloc.store_document(documents["cloc"])
    results.si_aggregated.store_document(documents["aggregated"])
    assert results.si_bandit.retrieve_document() == documents["bandit"]
    assert results.si_cloc.retrieve_document() == documents["cloc"]
    assert results.si_aggregated.retrieve_document() == documents["aggregated"]
    assert results.si_aggregated.document_exists()
    assert sorted(results.si_bandit.ceph.get_document_listing()) == ["aggregated", "bandit", "cloc"]

    second = SIClocStore("security-indicator-0002")
    second.connect()
    second.store_document(documents["cloc"])
    assert list(SecurityIndicatorsResultsStore.iter_security_indicators()) == sorted(
        [SI_ID, "security-indicator-0002"]
    )
    assert SecurityIndicatorsResultsStore.get_security_indicators_count() == 2


def test_documents_are_validated(backend: Backend) -> None:
    bandit = SIBanditStore(SI_ID)
    bandit.connect()
    with pytest.raises(SchemaError):
        bandit.store_document({"metadata": {"document_id": SI_ID}, "result": "x"})
    assert not bandit.document_exists()
