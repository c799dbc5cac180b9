"""Inspection stores on the real Amun layout (inspections/<id>/build/..., results/<n>/...)."""

from __future__ import annotations

import json
import logging

import pytest
from s3_helpers import DEPLOYMENT, Backend, data_path, load_document

from thoth_storages.exceptions import NoDocumentIdError, NotFoundError, SchemaError
from thoth_storages.s3 import (
    InspectionBuildsStore,
    InspectionResultsStore,
    InspectionStore,
    open_document_store,
)

FULL = "inspection-rhtf-conv2d-0f845f38"
RESULTS_ONLY = "inspection-iotf-1-conv1d-2a71492d"


def upload_inspection(backend: Backend, inspection_id: str) -> int:
    """Copy data/inspection/<id>/ byte for byte to inspections/<id>/ of the configured back end."""
    source = data_path(f"inspection/{inspection_id}")
    store = open_document_store(f"{backend.bucket_prefix}/{DEPLOYMENT}/inspections/{inspection_id}")
    store.connect()
    files = [path for path in sorted(source.rglob("*")) if path.is_file()]
    for path in files:
        store.store_blob(path.read_bytes(), path.relative_to(source).as_posix())
    return len(files)


def test_layout(backend: Backend) -> None:
    root = f"{backend.bucket_prefix}/{DEPLOYMENT}/inspections/{FULL}/"
    assert InspectionBuildsStore(FULL).prefix == root + "build/"
    assert InspectionResultsStore(FULL).prefix == root + "results/"
    assert InspectionResultsStore(FULL, "other", prefix="p").prefix == f"p/other/inspections/{FULL}/results/"


def test_inspection_store_on_real_documents(backend: Backend) -> None:
    assert upload_inspection(backend, FULL) == 4
    assert upload_inspection(backend, RESULTS_ONLY) == 3
    inspection = InspectionStore(FULL)
    assert not inspection.is_connected()
    inspection.connect()
    assert inspection.is_connected()
    inspection.check_connection()
    assert inspection.exists()
    specification = load_document(f"inspection/{FULL}/build/specification")
    assert inspection.retrieve_specification() == specification
    assert inspection.build.retrieve_specification() == specification
    assert inspection.results.get_results_count() == 3
    for item in range(3):
        expected = json.loads(data_path(f"inspection/{FULL}/results/{item}/result").read_bytes())
        assert inspection.results.retrieve_result(item) == expected
    results = list(inspection.results.iter_inspection_results())
    assert len(results) == 3
    assert InspectionResultsStore.get_document_id({"inspection_id": FULL}) == FULL
    with pytest.raises(NoDocumentIdError):
        InspectionResultsStore.get_document_id({})

    results_only = InspectionStore(RESULTS_ONLY)
    results_only.connect()
    assert results_only.exists()
    assert results_only.results.get_results_count() == 3
    with pytest.raises(NotFoundError):
        results_only.retrieve_specification()

    assert list(InspectionStore.iter_inspections()) == sorted([FULL, RESULTS_ONLY])
    assert InspectionStore.get_inspection_count() == 2
    missing = InspectionStore("inspection-missing")
    missing.connect()
    assert not missing.exists()
    assert missing.results.get_results_count() == 0


def test_build_and_run_artefacts_round_trip(backend: Backend) -> None:
    build = InspectionBuildsStore("inspection-x")
    build.connect()
    build.store_dockerfile("FROM example.org/ubi8\n")
    build.store_log("STEP 1: FROM ...\n")
    build.store_specification(load_document(f"inspection/{FULL}/build/specification"))
    assert build.retrieve_dockerfile() == "FROM example.org/ubi8\n"
    assert build.retrieve_log() == "STEP 1: FROM ...\n"
    assert build.retrieve_specification()["identifier"] == "rhtf-conv2d"
    with pytest.raises(SchemaError):
        build.store_specification({"identifier": 1})

    results = InspectionResultsStore("inspection-x")
    results.connect()
    results.store_result(0, load_document(f"inspection/{FULL}/results/0/result"))
    results.store_hwinfo(0, {"cpu": "x86_64"})
    results.store_log(0, "run log")
    assert results.retrieve_hwinfo(0) == {"cpu": "x86_64"}
    assert results.retrieve_log(0) == "run log"
    assert results.get_results_count() == 1
    with pytest.raises(SchemaError):
        results.store_result(1, {"stdout": 3})
    assert results.get_results_count() == 1


def test_gaps_in_run_numbers_are_reported(backend: Backend, caplog: pytest.LogCaptureFixture) -> None:
    results = InspectionResultsStore("inspection-gap")
    results.connect()
    document = load_document(f"inspection/{FULL}/results/0/result")
    results.store_result(0, document)
    results.store_result(2, document)
    with caplog.at_level(logging.WARNING):
        assert results.get_results_count() == 3
    assert "[1]" in caplog.text
    with pytest.raises(NotFoundError):
        list(results.iter_inspection_results())
