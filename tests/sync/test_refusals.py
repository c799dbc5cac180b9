"""Every refusal names what and where before anything is written (real documents, real database).

JSON paths for document errors (NaN and Infinity read whole or streamed alike, nesting 3000 deep, NUL,
malformed dates and quantities, an id that is not the file name), `table.column` for values a column
cannot hold (checked against generated/constraints.py, which codegen derives from the schema), ids
checked before any store call, and reasons that are one bounded, escaped line.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import BigInteger, Integer, SmallInteger

from generated.constraints import COLUMN_CHECKS
from generated.models import Base
from tests.documents._documents_support import DATA_DIR
from tests.sync._support import counts
from thoth_storages import GraphDatabase
from thoth_storages.documents import MAX_DEPTH, DocumentValidationError
from thoth_storages.exceptions import InvalidDocumentIdError, SchemaError, ThothStorageExceptionError
from thoth_storages.graph.row_checks import ColumnValueError
from thoth_storages.reasons import ELLIPSIS, one_line, reason, short_id
from thoth_storages.s3 import LocalStore
from thoth_storages.sync import SyncEvent, sync_documents, sync_solver_documents

SOLVER = DATA_DIR / "solver" / "solver-debian-12-py38-261126040556-97cfda9d9386e41.json"
ADVISER = DATA_DIR / "adviser" / "adviser-04ab56d6.json"
MATMUL = DATA_DIR / "inspection" / "inspection-tfcpu-matmul-5e5a1563"


def _load(path: Path) -> dict[str, object]:
    document = json.loads(path.read_bytes())
    assert isinstance(document, dict)
    return document


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.json"
    path.write_text(text, encoding="utf-8")
    return path


def _refusal(graph: GraphDatabase, path: Path) -> ThothStorageExceptionError:
    """Sync `path` (not gracefully): the error raised, after checking that nothing was written."""
    before = counts(graph)
    with pytest.raises(ThothStorageExceptionError) as raised:
        sync_documents([str(path)], force=True, graph=graph, is_local=True)
    assert counts(graph) == before
    return raised.value


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_with_their_path_read_whole_or_streamed(
    graph: GraphDatabase, tmp_path: Path, streamed: bool, constant: str
) -> None:
    graph.sync_settings = replace(graph.sync_settings, stream_threshold=1 if streamed else 100_000_000)
    text = SOLVER.read_text(encoding="utf-8").replace('"duration": 28', f'"duration": {constant}', 1)
    error = _refusal(graph, _write(tmp_path, SOLVER.stem, text))
    assert isinstance(error, DocumentValidationError)
    assert error.path == "$.metadata.duration"
    assert "NaN and Infinity are refused" in str(error)
    document = _load(SOLVER)
    tree = document["result"]["tree"]  # type: ignore[index]
    tree[0]["package_version"] = float(constant.replace("Infinity", "inf"))
    error = _refusal(graph, _write(tmp_path, SOLVER.stem, json.dumps(document)))
    assert isinstance(error, DocumentValidationError)
    assert error.path == "$.result.tree[0].package_version"


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
def test_nesting_3000_deep_is_refused_with_a_path_not_a_recursion_error(
    graph: GraphDatabase, tmp_path: Path, streamed: bool
) -> None:
    graph.sync_settings = replace(graph.sync_settings, stream_threshold=1 if streamed else 100_000_000)
    text = SOLVER.read_text(encoding="utf-8").replace(
        '"duration": 28', '"duration": ' + "[" * 3000 + "]" * 3000
    )
    error = _refusal(graph, _write(tmp_path, SOLVER.stem, text))
    assert isinstance(error, DocumentValidationError)
    assert error.path.startswith("$.metadata.duration[0][0]") and f"deeper than {MAX_DEPTH}" in str(error)


def test_a_deep_mapping_given_to_a_writer_is_refused_with_a_path(graph: GraphDatabase) -> None:
    document = _load(ADVISER)
    deep: list[object] = []
    for _ in range(3000):
        deep = [deep]
    document["result"]["report"] = deep  # type: ignore[index]
    with pytest.raises(DocumentValidationError, match=r"\$\.result\.report(\[0\])+: nested deeper"):
        graph.sync_adviser_result(document)


@pytest.mark.parametrize("bad", ["\x00", "\ud800"], ids=["nul", "lone-surrogate"])
def test_text_no_column_can_hold_is_refused_with_its_path(
    graph: GraphDatabase, tmp_path: Path, bad: str
) -> None:
    document = _load(SOLVER)
    document["metadata"]["hostname"] = f"host{bad}name"  # type: ignore[index]
    error = _refusal(graph, _write(tmp_path, SOLVER.stem, json.dumps(document)))
    assert isinstance(error, DocumentValidationError) and error.path == "$.metadata.hostname"


def test_an_integer_out_of_its_column_range_is_refused_naming_table_and_column(
    graph: GraphDatabase, tmp_path: Path
) -> None:
    for value in (2**31, -(2**31) - 1, 10**30):
        document = _load(SOLVER)
        document["metadata"]["duration"] = value  # type: ignore[index]
        error = _refusal(graph, _write(tmp_path, SOLVER.stem, json.dumps(document)))
        assert isinstance(error, ColumnValueError) and isinstance(error, SchemaError)
        assert (error.table, error.column) == ("solved", "duration")
        assert str(error).startswith(f"solved.duration: {value} is out of the column's range")


def test_the_constraint_table_follows_the_schema() -> None:
    bits = {SmallInteger: 15, Integer: 31, BigInteger: 63}
    assert set(COLUMN_CHECKS) == set(Base.metadata.tables)
    for name, table in Base.metadata.tables.items():
        assert set(COLUMN_CHECKS[name]) == {column.name for column in table.columns}
        for column in table.columns:
            check = COLUMN_CHECKS[name][column.name]
            width = next((b for kind, b in bits.items() if type(column.type) is kind), None)
            if width is not None:
                assert (check.kind, check.low, check.high) == ("integer", -(2**width), 2**width - 1)
            if not column.nullable and column.default is None and column.server_default is None:
                assert not check.nullable or column.autoincrement is True


def test_a_malformed_date_and_quantity_are_refused_with_their_path(
    graph: GraphDatabase, tmp_path: Path
) -> None:
    document = _load(SOLVER)
    document["metadata"]["datetime"] = "2021-02-30T10:00:00"  # type: ignore[index]
    error = _refusal(graph, _write(tmp_path, SOLVER.stem, json.dumps(document)))
    assert isinstance(error, DocumentValidationError) and error.path == "$.metadata.datetime"
    assert "not an ISO 8601 date and time" in str(error)

    inspection = tmp_path / MATMUL.name
    (inspection / "build").mkdir(parents=True)
    (inspection / "results" / "0").mkdir(parents=True)
    (inspection / "results" / "0" / "result").write_bytes((MATMUL / "results" / "0" / "result").read_bytes())
    specification = _load(MATMUL / "build" / "specification")
    specification["run"]["requests"]["memory"] = "1.2.3Gi"  # type: ignore[index]
    (inspection / "build" / "specification").write_text(json.dumps(specification), encoding="utf-8")
    error = _refusal(graph, inspection)
    assert isinstance(error, DocumentValidationError) and error.path == "$.run.requests.memory"
    assert error.document_id == f"{MATMUL.name}/build/specification"


def test_a_document_claiming_another_id_is_refused_naming_both(graph: GraphDatabase, tmp_path: Path) -> None:
    path = _write(
        tmp_path, "solver-debian-12-py38-261126040556-000000000000000", SOLVER.read_text(encoding="utf-8")
    )
    error = _refusal(graph, path)
    assert isinstance(error, DocumentValidationError) and error.path == "$.metadata.document_id"
    assert SOLVER.stem in str(error) and path.stem in str(error)


def test_ids_are_checked_before_any_store_call(
    graph: GraphDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("THOTH_S3_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("THOTH_STORAGES_LOCAL_ROOT", str(tmp_path / "store"))
    monkeypatch.setenv("THOTH_CEPH_BUCKET_PREFIX", "data")
    monkeypatch.setenv("THOTH_DEPLOYMENT_NAME", "refusals")
    long_id = "solver-" + "x" * 293
    events: list[SyncEvent] = []
    stats = sync_solver_documents(
        [long_id, "solver-a\u2028b"], graceful=True, graph=graph, on_event=events.append
    )
    assert stats == (2, 0, 0, 2)
    first, second = (event.error or "" for event in events)
    assert "300 characters long (at most 200)" in first and ELLIPSIS in first and len(first) < 400
    assert "\\u2028" in second and "\u2028" not in second
    with pytest.raises(InvalidDocumentIdError, match="300 characters long"):
        sync_solver_documents([long_id], graph=graph)

    store = LocalStore("data/refusals/solver")
    store.connect()
    with pytest.raises(InvalidDocumentIdError, match="at most 255"):
        store.retrieve_document(long_id)
    with pytest.raises(InvalidDocumentIdError, match="at most 255"):
        store.store_document({"a": 1}, long_id)


def test_reasons_are_one_escaped_bounded_line() -> None:
    text = "first\nsecond\u2028third\u2029\x00\x1b[31m\ud800 end"
    line = one_line(text)
    assert line == "first\\nsecond\\u2028third\\u2029\\u0000\\u001b[31m\\ud800 end"
    assert one_line("x" * 10_000, 500).endswith(ELLIPSIS) and len(one_line("x" * 10_000, 500)) == 500
    huge = "solver-" + "y" * 100_000 + "-end"
    shown = short_id(huge)
    assert len(shown) == 120 and shown.startswith("solver-") and shown.endswith("-end") and ELLIPSIS in shown
    error = DocumentValidationError(huge, "$.result", "broken")
    assert "$.result: broken" in str(error) and len(str(error)) < 200
    assert reason(OSError(2, "No such file")) == "FileNotFoundError: [Errno 2] No such file"


def test_a_lock_whose_sources_are_not_a_list_is_refused_with_its_path(
    graph: GraphDatabase, tmp_path: Path
) -> None:
    inspection = tmp_path / MATMUL.name
    (inspection / "build").mkdir(parents=True)
    (inspection / "results" / "0").mkdir(parents=True)
    (inspection / "results" / "0" / "result").write_bytes((MATMUL / "results" / "0" / "result").read_bytes())
    specification = _load(MATMUL / "build" / "specification")
    specification["python"]["requirements_locked"]["_meta"]["sources"] = True  # type: ignore[index]
    (inspection / "build" / "specification").write_text(json.dumps(specification), encoding="utf-8")
    error = _refusal(graph, inspection)
    assert "requirements_locked._meta.sources: a list of sources expected, not bool" in str(error)
