"""validate_document picks the document type from the id prefix or from document_type."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from _documents_support import (
    DATA_DIR,
    EXPECTED_REJECTIONS,
    SCHEMA_DIR,
    document_files,
    expected_type,
    load,
    relative,
)

from generated.documents import (
    DOCUMENT_MODELS,
    InspectionResult,
    InspectionSpecification,
    ProvenanceCheckerDocument,
    RevsolverDocument,
    SecurityIndicatorAggregatedDocument,
    SecurityIndicatorBanditDocument,
    SecurityIndicatorClocDocument,
    SolverDocument,
)
from thoth_storages.documents import (
    DOCUMENT_TYPES,
    PREFIXES,
    DocumentValidationError,
    UnknownDocumentTypeError,
    document_type_of,
    json_path,
    resolve_document_type,
    validate_document,
)
from thoth_storages.exceptions import SchemaError

SOLVER = DATA_DIR / "solver/solver-debian-12-py38-261126040558-77bff4f4676720a3.json"
INSPECTION = DATA_DIR / "inspection/inspection-tfcpu-matmul-5e5a1563"


def _metadata(document_id: str, arguments: dict[str, Any]) -> dict[str, Any]:
    metadata: dict[str, Any] = copy.deepcopy(load(SOLVER)["metadata"])
    metadata.update(document_id=document_id, arguments=arguments, analyzer="thoth-adviser")
    return metadata


def test_document_types_are_the_schemas() -> None:
    schemas = sorted(path.stem for path in SCHEMA_DIR.glob("*.json"))
    assert sorted([*DOCUMENT_TYPES, "metadata"]) == schemas
    assert set(PREFIXES.values()) <= set(DOCUMENT_TYPES)


@pytest.mark.parametrize(
    ("document_id", "prefix"),
    [
        ("adviser-211123195453-bb9f6846b33a9810", "adviser"),
        ("dependency-monkey-0123abcd", "dependency"),
        ("inspection-tfcpu-matmul-5e5a1563", "inspection"),
        ("package-extract-220106085041-a6e38c8593af545e", "package"),
        ("provenance-checker-0123abcd", "provenance"),
        ("revsolver-0123abcd", "revsolver"),
        ("security-indicator-0a1b0355", "security"),
        ("security-indicators-54c6daf9", "security"),
        ("solver-fedora-31-py37-012b745d", "solver"),
        # Ids given as paths: only the last segment counts, so hyphenated folders do not matter.
        ("/data/thoth-docs/solver/solver-rhel-8-py38-0123.json", "solver"),
        ("results\\my-dir\\adviser-0123", "adviser"),
    ],
)
def test_document_type_of(document_id: str, prefix: str) -> None:
    assert document_type_of(document_id) == prefix


@pytest.mark.parametrize("document_id", ["fridex-thoth-package-extract-x", "", "/a-b/", "inspections-x"])
def test_document_type_of_unknown_prefix(document_id: str) -> None:
    with pytest.raises(UnknownDocumentTypeError) as caught:
        document_type_of(document_id)
    assert isinstance(caught.value, SchemaError)
    assert isinstance(caught.value, ValueError)  # as the original sync's unknown prefix
    assert "unknown document id prefix" in str(caught.value)


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in document_files()
        if relative(p) not in EXPECTED_REJECTIONS and not relative(p).startswith("inspection/")
    ],
    ids=relative,
)
def test_type_from_id_prefix_of_real_documents(path: Any) -> None:
    document = load(path)
    assert resolve_document_type(document) == expected_type(path)
    assert type(validate_document(document)) is DOCUMENT_MODELS[expected_type(path)]


def test_security_prefix_is_refined_by_analyzer() -> None:
    for path in document_files():
        if relative(path).startswith("security-indicator/"):
            document = load(path)
            assert document["metadata"]["document_id"].startswith("security-")
            model = validate_document(document, "security")
            assert isinstance(
                model,
                SecurityIndicatorAggregatedDocument
                | SecurityIndicatorBanditDocument
                | SecurityIndicatorClocDocument,
            )
            assert type(model) is DOCUMENT_MODELS[expected_type(path)]


def test_inspection_prefix_is_refined_by_shape() -> None:
    specification = load(INSPECTION / "build/specification")
    result = load(INSPECTION / "results/0/result")
    assert isinstance(validate_document(specification, "inspection"), InspectionSpecification)
    assert isinstance(validate_document(result, "inspection"), InspectionResult)
    assert isinstance(validate_document(result, "inspection-result"), InspectionResult)
    # A full type name is taken as is: a specification is not a valid result.
    with pytest.raises(DocumentValidationError) as caught:
        validate_document(specification, "inspection-result", document_id="inspection-tfcpu-matmul-5e5a1563")
    assert str(caught.value).startswith("inspection-tfcpu-matmul-5e5a1563: $.exit_code: Field required")


def test_full_type_name_overrides_the_prefix() -> None:
    document = load(SOLVER)
    assert isinstance(validate_document(document, "solver"), SolverDocument)
    with pytest.raises(DocumentValidationError) as caught:
        validate_document(document, "adviser")
    assert caught.value.document_id == document["metadata"]["document_id"]
    assert caught.value.path == "$.metadata.arguments['thoth-adviser']"


def test_unknown_document_type_argument() -> None:
    with pytest.raises(UnknownDocumentTypeError, match="unknown document type 'analysis'"):
        validate_document(load(SOLVER), "analysis")


def test_not_a_mapping() -> None:
    with pytest.raises(DocumentValidationError, match="a document is a JSON object, not list"):
        validate_document([], "solver")  # type: ignore[call-overload]


def test_revsolver_document_without_real_example() -> None:
    document: dict[str, Any] = {
        "metadata": _metadata(
            "revsolver-0123abcd", {"app.py": {"package_name": "six", "package_version": "1.16.0"}}
        ),
        "result": [
            {
                "extra": None,
                "index_url": "https://pypi.example.org/simple",
                "marker": None,
                "marker_evaluation_result": True,
                "os_name": "rhel",
                "os_version": "8",
                "package_name": "requests",
                "package_version": "2.28.2",
                "python_version": "3.8",
                "version_range": ">=1.5",
            }
        ],
    }
    model = validate_document(document)
    assert isinstance(model, RevsolverDocument)
    assert model.metadata.arguments.app_py.package_name == "six"
    del document["result"][0]["version_range"]
    with pytest.raises(DocumentValidationError) as caught:
        validate_document(document)
    assert str(caught.value) == "revsolver-0123abcd: $.result[0].version_range: Field required"


def test_provenance_checker_document_without_real_example() -> None:
    document: dict[str, Any] = {
        "metadata": _metadata(
            "provenance-checker-0123abcd",
            {"thoth-adviser": {"verbose": False, "metadata": {"origin": "https://github.example.org/a/b"}}},
        ),
        "result": {
            "error": False,
            "parameters": {
                "project": {"requirements": {"packages": {"six": "*"}}, "requirements_locked": None}
            },
            "report": [
                {
                    "id": "MISSING-PACKAGE",
                    "package_name": "six",
                    "package_version": "==1.16.0",
                    "source": {"url": "https://pypi.example.org/simple"},
                }
            ],
        },
    }
    model = validate_document(document)
    assert isinstance(model, ProvenanceCheckerDocument)
    document["result"]["report"][0]["id"] = None
    with pytest.raises(DocumentValidationError) as caught:
        validate_document(document)
    assert caught.value.path == "$.result.report[0].id"


def test_json_path_notation() -> None:
    document = {"a": {"b-c": [{"d": 1}], "e.f": 1, "it's": 2}}
    assert json_path(document, ("a", "b-c", 0, "d")) == "$.a['b-c'][0].d"
    assert json_path(document, ("a", "e.f")) == "$.a['e.f']"
    assert json_path(document, ("a", "it's")) == "$.a['it\\'s']"
    # Union member names added by pydantic are not part of the path; a missing key is kept only if asked.
    assert json_path(document, ("a", "b-c", 0, "d", "str")) == "$.a['b-c'][0].d"
    assert json_path(document, ("a", "x"), missing=True) == "$.a.x"
    assert json_path(document, ("a", "x")) == "$.a"


def test_error_message_names_document_and_path() -> None:
    document = load(SOLVER)
    document["result"]["tree"][0]["dependencies"] = [{"package_name": 1, "resolved_versions": []}]
    with pytest.raises(DocumentValidationError) as caught:
        validate_document(document)
    assert str(caught.value) == (
        "solver-debian-12-py38-261126040558-77bff4f4676720a3: "
        "$.result.tree[0].dependencies[0].package_name: Input should be a valid string"
    )
    assert caught.value.path == "$.result.tree[0].dependencies[0].package_name"
    assert caught.value.errors == (
        ("$.result.tree[0].dependencies[0].package_name", "Input should be a valid string"),
    )


def test_several_errors_are_all_reported() -> None:
    document = load(SOLVER)
    del document["metadata"]["hostname"]
    document["result"]["tree"][0]["sha256"] = [1]
    with pytest.raises(DocumentValidationError) as caught:
        validate_document(document)
    assert [path for path, _ in caught.value.errors] == ["$.metadata.hostname", "$.result.tree[0].sha256[0]"]
    assert str(caught.value).endswith("(and 1 more: $.result.tree[0].sha256[0])")
