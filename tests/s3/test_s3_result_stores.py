"""ResultStorageBase and the result stores: key layout, validation, requests, dated listings."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from s3_helpers import BUCKET, DEPLOYMENT, Backend, load_document
from sqlalchemy import text

from thoth_storages import GraphDatabase
from thoth_storages.exceptions import NoDocumentIdError, NotFoundError, SchemaError
from thoth_storages.s3 import (
    AdvisersResultsStore,
    AnalysisByDigest,
    AnalysisResultsStore,
    BuildLogsParsedResultsStore,
    DependencyMonkeyReportsStore,
    DependencyMonkeyRequestsStore,
    GraphBackupStore,
    ObservationResultsStore,
    ProvenanceResultsStore,
    ResultStorageBase,
    RevSolverResultsStore,
    SolverInfo,
    SolverResultsStore,
)
from thoth_storages.s3.dates import cover_stamps, day_range
from thoth_storages.sync import sync_solver_documents

ADVISER = "adviser/adviser-220131050913-b7c4ef0fc532ac45.json"
ADVISER_ID = "adviser-220131050913-b7c4ef0fc532ac45"
SOLVER = "solver/solver-debian-12-py38-261126040556-97cfda9d9386e41.json"
SOLVER_ID = "solver-debian-12-py38-261126040556-97cfda9d9386e41"
DEBIAN_PY38: SolverInfo = {"os_name": "debian", "os_version": "12", "python_version": "3.8"}

RESULT_TYPES = {
    AdvisersResultsStore: "adviser",
    AnalysisResultsStore: "analysis",
    AnalysisByDigest: "analysis-by-digest",
    BuildLogsParsedResultsStore: "buildlogs-parsed",
    DependencyMonkeyReportsStore: "dependency-monkey-reports",
    DependencyMonkeyRequestsStore: "dependency-monkey-requests",
    ObservationResultsStore: "observations",
    ProvenanceResultsStore: "provenance-checker",
    RevSolverResultsStore: "revsolver",
    SolverResultsStore: "solver",
    GraphBackupStore: "graph-backup",
}


@pytest.mark.parametrize(("store_class", "result_type"), RESULT_TYPES.items(), ids=lambda v: str(v))
def test_prefix_layout(backend: Backend, store_class: type[ResultStorageBase], result_type: str) -> None:
    assert result_type == store_class.RESULT_TYPE
    store = store_class()
    assert store.prefix == f"{backend.bucket_prefix}/{DEPLOYMENT}/{result_type}/"
    explicit = store_class("thoth-my-deployment", prefix="some-analyses/")
    assert explicit.prefix == f"some-analyses//thoth-my-deployment/{result_type}/"


def test_result_type_is_required(backend: Backend) -> None:
    class NoType(ResultStorageBase):
        pass

    with pytest.raises(AssertionError, match="RESULT_TYPE"):
        NoType()


def test_get_document_id() -> None:
    assert AdvisersResultsStore.get_document_id({"metadata": {"document_id": "adviser-1"}}) == "adviser-1"
    documents: list[dict[str, object]] = [
        {},
        {"metadata": {}},
        {"metadata": {"document_id": ""}},
        {"metadata": "x"},
    ]
    for document in documents:
        with pytest.raises(NoDocumentIdError):
            AdvisersResultsStore.get_document_id(document)


def test_adviser_round_trip_and_undated_listing(backend: Backend) -> None:
    store = AdvisersResultsStore()
    store.connect()
    assert store.is_connected()
    document = load_document(ADVISER)
    assert store.store_document(document) == ADVISER_ID
    assert store.document_exists(ADVISER_ID)
    assert store.retrieve_document(ADVISER_ID) == document
    # Without dates the original listed nothing (a None formatted into the prefix).
    assert list(store.get_document_listing()) == [ADVISER_ID]
    assert dict(store.iterate_results()) == {ADVISER_ID: document}
    assert store.get_document_count() == 1
    if backend.is_s3:
        key = f"{backend.bucket_prefix}/{DEPLOYMENT}/adviser/{ADVISER_ID}"
        backend.client().head_object(Bucket=BUCKET, Key=key)
    with pytest.raises(NotFoundError):
        store.retrieve_document("adviser-000000000000-0")


def test_invalid_documents_are_refused_and_not_stored(backend: Backend) -> None:
    store = AdvisersResultsStore()
    store.connect()
    document = load_document(ADVISER)
    broken = dict(document, result="not an adviser result")
    with pytest.raises(SchemaError):
        store.store_document(broken)
    with pytest.raises(SchemaError):
        store.store_document({"metadata": {"document_id": "adviser-1"}})
    assert list(store.get_document_listing()) == []


def test_stores_without_schema_store_as_is(backend: Backend) -> None:
    store = AnalysisByDigest()
    store.connect()
    assert store.store_document({"analysis_id": "x"}, "sha256:0123") == "sha256:0123"
    assert store.retrieve_document("sha256:0123") == {"analysis_id": "x"}


def test_dated_listing_uses_the_document_id_prefix(backend: Backend) -> None:
    store = AdvisersResultsStore()
    store.connect()
    document = load_document(ADVISER)
    ids = ["adviser-220130235959-aa", "adviser-220131050913-bb", "adviser-220201000000-cc"]
    for document_id in ids:
        store.store_document(document, document_id)
    january_31 = date(2022, 1, 31)
    february_1 = date(2022, 2, 1)
    assert list(store.get_document_listing(start_date=january_31, end_date=february_1)) == ids[1:2]
    assert (
        list(store.get_document_listing(start_date=january_31, end_date=february_1, include_end_date=True))
        == ids[1:]
    )
    assert list(store.get_document_listing(start_date=january_31)) == ids[1:]
    assert store.get_document_count(start_date=date(2022, 1, 30), end_date=january_31) == 1
    assert dict(store.iterate_results(start_date=february_1)) == {ids[2]: document}
    with pytest.raises(ValueError, match="start_date"):
        list(store.get_document_listing(end_date=january_31))
    with pytest.raises(ValueError, match="before"):
        list(store.get_document_listing(start_date=february_1, end_date=january_31))


def test_dated_listing_of_stores_whose_ids_differ_from_result_type(backend: Backend) -> None:
    store = AnalysisResultsStore()
    store.connect()
    store.ceph.store_document({"n": 1}, "package-extract-220106085041-a6e38c8593af545e")
    listing = list(
        store.get_document_listing(
            start_date=date(2022, 1, 6), end_date=date(2022, 1, 6), include_end_date=True
        )
    )
    assert listing == ["package-extract-220106085041-a6e38c8593af545e"]


def test_requests(backend: Backend) -> None:
    store = AdvisersResultsStore()
    store.connect()
    store.store_document(load_document(ADVISER))
    assert not store.request_exists(ADVISER_ID)
    assert store.store_request(ADVISER_ID, {"requirements": "flask"}) == f"{ADVISER_ID}.request"
    assert store.request_exists(ADVISER_ID)
    assert store.retrieve_request(ADVISER_ID) == {"requirements": "flask"}
    assert list(store.get_document_listing()) == [ADVISER_ID]
    assert list(store.get_document_listing(only_requests=True)) == [f"{ADVISER_ID}.request"]
    assert store.get_document_count(only_requests=True) == 1
    assert [document_id for document_id, _ in store.iterate_results()] == [ADVISER_ID]


def test_solver_listing(backend: Backend) -> None:
    store = SolverResultsStore()
    store.connect()
    assert store.store_document(load_document(SOLVER)) == SOLVER_ID
    store.ceph.store_document({"other": True}, "solver-fedora-31-py37-012b745d")
    assert SolverResultsStore.get_solver_name_from_document_id(SOLVER_ID) == "solver-debian-12-py38"
    assert SolverResultsStore.get_solver_name_from_document_id("solver-fedora-31-py37-0a0b591a") == (
        "solver-fedora-31-py37"
    )
    with pytest.raises(ValueError):
        SolverResultsStore.get_solver_name_from_document_id("adviser-1")
    assert list(store.get_document_listing()) == [SOLVER_ID, "solver-fedora-31-py37-012b745d"]
    assert list(store.get_document_listing(DEBIAN_PY38)) == [SOLVER_ID]
    fedora: SolverInfo = {"os_name": "fedora", "os_version": "31", "python_version": "3.7"}
    assert list(store.get_document_listing(fedora)) == ["solver-fedora-31-py37-012b745d"]
    day = date(2026, 11, 26)
    assert list(
        store.get_document_listing(DEBIAN_PY38, start_date=day, end_date=day, include_end_date=True)
    ) == [SOLVER_ID]
    assert store.get_document_count(DEBIAN_PY38, start_date=date(2026, 11, 25), end_date=day) == 0
    assert dict(store.iterate_results(solver_info=DEBIAN_PY38, start_date=day)) == {
        SOLVER_ID: store.retrieve_document(SOLVER_ID)
    }
    with pytest.raises(ValueError, match="solver_info"):
        list(store.get_document_listing(start_date=day))


def test_dependency_monkey_inspection_ids(backend: Backend) -> None:
    store = DependencyMonkeyReportsStore()
    store.connect()
    store.ceph.store_document({"result": {"output": ["inspection-a", "inspection-b"]}}, "dependency-monkey-1")
    store.ceph.store_document({"result": {"output": None}}, "dependency-monkey-2")
    store.ceph.store_document({"result": {"output": ["inspection-c"]}}, "dependency-monkey-3")
    assert list(store.iterate_inspection_ids()) == ["inspection-a", "inspection-b", "inspection-c"]


def test_date_prefix_cover() -> None:
    first, last = date(2021, 12, 30), date(2023, 2, 2)
    assert list(cover_stamps(first, last)) == ["211230", "211231", "22", "2301", "230201", "230202"]
    assert day_range(first, last, include_end_date=False) == (first, date(2023, 2, 1))
    assert day_range(first, first, include_end_date=False) is None
    assert day_range(first, None, include_end_date=False) == (first, date.today())


def test_dated_listing_skips_ids_without_timestamp(backend: Backend) -> None:
    store = AdvisersResultsStore()
    store.connect()
    for document_id in ("adviser-22a89155", "adviser-220615000000-aa", "adviser-221231235959-bb"):
        store.ceph.store_document({}, document_id)
    listing = store.get_document_listing(
        start_date=date(2022, 1, 1), end_date=date(2022, 12, 31), include_end_date=True
    )
    assert list(listing) == ["adviser-220615000000-aa", "adviser-221231235959-bb"]


def test_a_large_solver_document_streams_from_the_store(backend: Backend, graph: GraphDatabase) -> None:
    # every document counts as large, and streams in several slices
    graph.sync_settings = replace(graph.sync_settings, stream_threshold=0, slice_rows=50)
    document = load_document(SOLVER)
    store = SolverResultsStore()
    store.connect()
    store.store_document(document)
    with store.open_document(SOLVER_ID) as file:
        assert json.loads(file.read()) == document
    assert sync_solver_documents([SOLVER_ID], graph=graph) == (1, 1, 0, 0)
    assert graph.solver_document_id_exists(SOLVER_ID)
    tree = document["result"]["tree"]  # type: ignore[index]
    with graph.engine.connect() as connection:
        solved = connection.execute(text("SELECT count(*) FROM solved")).scalar_one()
    assert solved >= len(tree) > 0
