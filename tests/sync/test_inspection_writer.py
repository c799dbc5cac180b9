"""Inspection writer on a real PostgreSQL: real Amun results, hand-checked row counts, re-sync, failures.

An inspection is `<id>/build/specification` plus `<id>/results/<n>/result`; each result is synced on its
own as {document_id, result_number, specification, result}. Real documents come from
../shared/data/documents/ when it exists (THOTH_STORAGES_TEST_DOCUMENTS=copies forces the copies), else
from tests/data/documents/.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import String, text

from generated.models import PiConv2D
from tests.sync._support import counts, delta, snapshot
from thoth_storages import GraphDatabase
from thoth_storages.documents import DocumentValidationError
from thoth_storages.exceptions import PerformanceIndicatorNotRegisteredError, SchemaError
from thoth_storages.graph.writers.inspection import InspectionDocument, parse_cpu, parse_memory

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "documents"
USE_SHARED = SHARED.is_dir() and os.environ.get("THOTH_STORAGES_TEST_DOCUMENTS") != "copies"
DATA = (SHARED if USE_SHARED else REPO / "tests" / "data" / "documents") / "inspection"
MATMUL = "inspection-tfcpu-matmul-5e5a1563"
CONV2D = "inspection-rhtf-conv2d-0f845f38"
# The original schema (0.74.2 migrations) declares pi_conv1d/pi_conv2d.padding integer, while every real
# convolution result reports padding as a string ("SAME"): such results cannot be stored until it is text.
PADDING_IS_TEXT = isinstance(PiConv2D.__table__.c.padding.type, String)


def inspection(inspection_id: str, number: int) -> dict[str, Any]:
    directory = DATA / inspection_id
    specification = directory / "build" / "specification"
    return {
        "document_id": inspection_id,
        "result_number": number,
        "specification": json.loads(specification.read_text()) if specification.is_file() else None,
        "result": json.loads((directory / "results" / str(number) / "result").read_text()),
    }


def real_results() -> list[tuple[str, int]]:
    return sorted(
        (path.parent.parent.parent.name, int(path.parent.name)) for path in DATA.glob("*/results/*/result")
    )


def test_first_result_fills_the_hand_checked_rows(head_graph: GraphDatabase) -> None:
    before = counts(head_graph)
    head_graph.sync_inspection_result(inspection(MATMUL, 0))
    # Hand-checked from inspection-tfcpu-matmul-5e5a1563 (result 0 and the build specification):
    # * hardware: the run's (runtime_environment.hardware: cpu_family 6, cpu_model 85) and the build's
    #   (build.requests has no hardware: all NULL) -> 2 hardware_information;
    # * rhel 8.2 (stored as 8), python 3.6, RUNTIME and BUILDTIME -> 2 software_environment;
    # * specification.python: Pipfile with 1 package (tensorflow-cpu ==2.2.0 from source "pypi") ->
    #   1 python_package_index, 1 python_package_requirement, 1 python_requirements + 1 link; the lock pins
    #   36 packages -> 36 entities, 36 python_package_version (rhel 8, 3.6), 1 lock + 36 links;
    #   1 INSPECTION python_software_stack;
    # * 1 inspection_run (SYNCED) and stdout.name PiMatmul -> 1 pi_matmul.
    assert delta(before, counts(head_graph)) == {
        "hardware_information": 2,
        "software_environment": 2,
        "python_package_index": 1,
        "python_package_requirement": 1,
        "python_requirements": 1,
        "has_python_requirements": 1,
        "python_package_version_entity": 36,
        "python_package_version": 36,
        "python_requirements_lock": 1,
        "has_python_requirement_lock": 36,
        "python_software_stack": 1,
        "inspection_run": 1,
        "pi_matmul": 1,
    }
    assert head_graph.inspection_document_id_result_number_exists(MATMUL, 0)


def test_second_result_adds_only_its_run_and_indicator(head_graph: GraphDatabase) -> None:
    head_graph.sync_inspection_result(inspection(MATMUL, 0))
    before = counts(head_graph)
    head_graph.sync_inspection_result(inspection(MATMUL, 1))
    assert delta(before, counts(head_graph)) == {"inspection_run": 1, "pi_matmul": 1}
    with head_graph.engine.connect() as connection:
        run = connection.execute(
            text(
                "SELECT inspection_sync_state::text, datetime::text, build_requests_cpu, build_requests_memory, "
                "run_requests_cpu, run_requests_memory, inspection_software_stack_id IS NOT NULL "
                "FROM inspection_run WHERE inspection_document_id = :id AND inspection_result_number = 1"
            ),
            {"id": MATMUL},
        ).one()
        indicator = connection.execute(
            text(
                "SELECT p.component, p.origin, p.version, p.exit_code, p.ru_maxrss, p.device, p.matrix_size, "
                "p.dtype, p.reps, round(p.rate::numeric, 2)::float FROM pi_matmul AS p "
                "JOIN inspection_run AS r ON r.id = p.inspection_run_id "
                "WHERE r.inspection_document_id = :id AND r.inspection_result_number = 1"
            ),
            {"id": MATMUL},
        ).one()
    # build requests 1 CPU / 1Gi, run requests 2 CPUs / 4Gi (memory stored in GiB); @created of the spec.
    assert tuple(run) == ("SYNCED", "2020-08-05 15:33:00.502699", 1.0, 1.0, 2.0, 4.0, True)
    result = inspection(MATMUL, 1)["result"]
    assert tuple(indicator)[:4] == (
        "tensorflow",
        "https://raw.githubusercontent.com/thoth-station/performance/master/tensorflow/matmul.py",
        result["script_sha256"],
        0,
    )
    assert tuple(indicator)[4:] == (result["usage"]["ru_maxrss"], "cpu", 512, "float32", 2000, 267.11)


def test_every_real_result_syncs_or_is_refused_with_a_clear_error(head_graph: GraphDatabase) -> None:
    synced = refused = 0
    for inspection_id, number in real_results():
        document = inspection(inspection_id, number)
        name = document["result"]["stdout"].get("name")
        if document["specification"] is None:  # inspection-iotf-1-conv1d-2a71492d: results only upstream
            with pytest.raises(SchemaError, match=rf"{inspection_id}: \$\.specification: .* missing"):
                head_graph.sync_inspection_result(document)
            refused += 1
        elif name in ("PiConv1D", "PiConv2D") and not PADDING_IS_TEXT:
            with pytest.raises(
                SchemaError, match=r"padding: 'SAME' does not fit column pi_conv\dd\.padding \(int\)"
            ):
                head_graph.sync_inspection_result(document)
            refused += 1
        else:
            head_graph.sync_inspection_result(document)
            assert head_graph.inspection_document_id_result_number_exists(inspection_id, number)
            synced += 1
    assert synced >= 2 and synced + refused == len(real_results())


def test_resync_changes_no_table(head_graph: GraphDatabase) -> None:
    head_graph.sync_inspection_result(inspection(MATMUL, 0))
    before = snapshot(head_graph)
    stats = head_graph.sync_inspection_result(inspection(MATMUL, 0))
    assert sum(stats.inserted.values()) == 0
    assert snapshot(head_graph) == before


def test_result_without_job_or_stack(head_graph: GraphDatabase) -> None:
    """No `script`: no job ran, so no indicator row; no `python`: no stack."""
    document = inspection(MATMUL, 0)
    document["document_id"] = "inspection-test-no-job"
    del document["specification"]["script"], document["specification"]["python"]
    document["specification"]["build"]["requests"] = {
        "cpu": "500m",
        "memory": "512Mi",
        "hardware": {"cpu_family": 6},
    }
    head_graph.sync_inspection_result(inspection(MATMUL, 0))  # the same environments, already there
    before = counts(head_graph)
    head_graph.sync_inspection_result(document)
    # New: the build hardware {cpu_family: 6} and the run; no stack tables, no pi_* row.
    assert delta(before, counts(head_graph)) == {"hardware_information": 1, "inspection_run": 1}
    with head_graph.engine.connect() as connection:
        run = connection.execute(
            text(
                "SELECT r.build_requests_cpu, r.build_requests_memory, r.inspection_software_stack_id, h.cpu_family "
                "FROM inspection_run AS r JOIN hardware_information AS h ON h.id = r.build_hardware_information_id "
                "WHERE r.inspection_document_id = 'inspection-test-no-job'"
            )
        ).one()
    assert tuple(run) == (0.5, 0.5, None, 6)


def _broken(change: str) -> dict[str, Any]:
    document = inspection(MATMUL, 0)
    document["document_id"] = f"inspection-test-broken-{change}"
    stdout = document["result"]["stdout"]
    if change == "unknown-indicator":
        stdout["name"] = "PiNoSuchIndicator"
    elif change == "empty-stdout":
        document["result"]["stdout"] = {}
    elif change == "no-result":
        del stdout["@result"]
    elif change == "collision":
        stdout["@result"]["reps"] = 1
    elif change == "reserved":
        stdout["@parameters"]["exit_code"] = 1
    elif change == "wrong-type":
        stdout["@parameters"]["matrix_size"] = "512"
    elif change == "missing-column":
        del stdout["@parameters"]["device"]
    return document


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (
            "unknown-indicator",
            PerformanceIndicatorNotRegisteredError,
            "no performance indicator 'PiNoSuchIndicator'",
        ),
        ("empty-stdout", SchemaError, r"\$\.stdout: empty"),
        ("no-result", SchemaError, r"\$\.stdout\['@result'\]: missing"),
        ("collision", SchemaError, "reps named both in @parameters and in @result"),
        ("reserved", SchemaError, "may not set the pi_matmul.exit_code column"),
        ("wrong-type", SchemaError, r"matrix_size: '512' does not fit column pi_matmul\.matrix_size \(int\)"),
        ("missing-column", SchemaError, "pi_matmul needs device, not reported"),
    ],
)
def test_broken_result_leaves_no_rows(
    head_graph: GraphDatabase, change: str, error: type[Exception], message: str
) -> None:
    document = _broken(change)
    before = snapshot(head_graph)
    with pytest.raises(error, match=message) as raised:
        head_graph.sync_inspection_result(document)
    assert f"inspection-test-broken-{change}/results/0" in str(raised.value)
    assert snapshot(head_graph) == before


def test_invalid_parts_name_the_inspection() -> None:
    document = inspection(MATMUL, 0)
    broken = copy.deepcopy(document)
    del broken["specification"]["run"]
    with pytest.raises(
        DocumentValidationError, match=rf"{MATMUL}/build/specification: \$\.run: Field required"
    ):
        InspectionDocument.from_mapping(broken)
    broken = copy.deepcopy(document)
    broken["result"]["usage"] = None
    with pytest.raises(DocumentValidationError, match=rf"{MATMUL}/results/0/result: \$\.usage"):
        InspectionDocument.from_mapping(broken)
    with pytest.raises(SchemaError, match=rf"{MATMUL}: \$\.result_number"):
        InspectionDocument.from_mapping({**document, "result_number": "0"})
    model = InspectionDocument.from_mapping(document)
    assert (model.document_id, model.result_number, model.result.stdout.name) == (MATMUL, 0, "PiMatmul")


@pytest.mark.parametrize(
    ("value", "cores"), [("4", 4.0), ("500m", 0.5), ("1.5", 1.5), (2, 2.0), (0.25, 0.25), ("250m", 0.25)]
)
def test_parse_cpu(value: str | float, cores: float) -> None:
    assert parse_cpu(value) == cores


@pytest.mark.parametrize(
    ("value", "gib"),
    [
        ("8Gi", 8.0),
        ("512Mi", 0.5),
        ("1Ti", 1024.0),
        ("1048576Ki", 1.0),
        ("2G", 2e9 / 1024**3),
        ("1073741824", 1.0),
    ],
)
def test_parse_memory(value: str | float, gib: float) -> None:
    assert parse_memory(value) == pytest.approx(gib)


@pytest.mark.parametrize("value", ["", "four", "1Gb", "-1", "1 Gi"])
def test_unparsable_requests_are_refused(value: str) -> None:
    with pytest.raises(SchemaError):
        parse_memory(value)
    with pytest.raises(SchemaError):
        parse_cpu(value)
