"""Every real Thoth document validates with the generated models, or is refused on purpose."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from _documents_support import (
    DATA_DIR,
    EXPECTED_REJECTIONS,
    USING_SHARED,
    document_files,
    expected_type,
    load,
    relative,
    validators,
)

from generated.documents import DOCUMENT_MODELS, DependencyMonkeyDocument
from thoth_storages import documents
from thoth_storages.documents import DocumentValidationError, LegacyDocumentError, validate_document
from thoth_storages.exceptions import SchemaError

FILES = document_files()
JSONSCHEMA = validators()


def _type_argument(path: Path) -> str | None:
    # Inspection documents carry no id, so the type is passed; the others are typed by their id prefix.
    return expected_type(path) if expected_type(path).startswith("inspection-") else None


def test_real_documents_are_found() -> None:
    assert FILES, f"no documents under {DATA_DIR}"
    types = {expected_type(path) for path in FILES}
    minimum = 50 if USING_SHARED else 8
    assert len(FILES) >= minimum
    assert {"adviser", "solver", "inspection-result", "inspection-specification"} <= types
    assert set(EXPECTED_REJECTIONS) <= {relative(path) for path in FILES}


@pytest.mark.parametrize("path", [p for p in FILES if relative(p) not in EXPECTED_REJECTIONS], ids=relative)
def test_real_document_validates(path: Path) -> None:
    document = load(path)
    model = validate_document(document, _type_argument(path))
    assert type(model) is DOCUMENT_MODELS[expected_type(path)]
    # The model keeps unknown keys, so it dumps back to the same JSON.
    assert model.model_dump(mode="json", by_alias=True, exclude_unset=True) == document


@pytest.mark.parametrize("path", [p for p in FILES if relative(p) in EXPECTED_REJECTIONS], ids=relative)
def test_real_document_rejected_on_purpose(path: Path) -> None:
    error_name, json_path, text = EXPECTED_REJECTIONS[relative(path)]
    document = load(path)
    with pytest.raises(SchemaError) as caught:
        validate_document(document, expected_type(path))
    assert type(caught.value).__name__ == error_name
    assert isinstance(caught.value, DocumentValidationError)
    assert caught.value.path == json_path
    assert text in str(caught.value)


@pytest.mark.parametrize("path", FILES, ids=relative)
def test_jsonschema_agrees_with_the_models(path: Path) -> None:
    """The plain JSON Schemas accept exactly the documents the generated models accept."""
    document = load(path)
    errors = list(JSONSCHEMA[expected_type(path)].iter_errors(document))
    if relative(path) in EXPECTED_REJECTIONS:
        assert errors
    else:
        assert errors == []


def test_legacy_package_extract_is_refused_whatever_the_type_argument() -> None:
    path = DATA_DIR / "package-extract/fridex-thoth-package-extract-tensorflow-serving-s2i.json"
    document = load(path)
    for document_type in (None, "package", "package-extract"):
        with pytest.raises(LegacyDocumentError) as caught:
            validate_document(document, document_type)
        assert caught.value.document_id == "fridex-thoth-package-extract-tensorflow-serving-s2i"
        assert caught.value.legacy_format == "2018 thoth-package-extract 1.0.0"
        assert "operating-system" in str(caught.value)


def test_legacy_solver_is_refused() -> None:
    """The 2018 thoth-solver 1.0.x format (reference, section 7.2): no real copy, so a minimal one."""
    document = {
        "metadata": {
            "analyzer": "thoth-solver",
            "analyzer_version": "1.0.2",
            "arguments": {"thoth-solver": {}},
            "datetime": "2018-05-01T10:00:00.000000",
            "distribution": {},
            "document_id": "fridex-thoth-solver-fc26-thoth-solver-fc26",
            "duration": 1,
            "hostname": "solver",
            "os_release": {},
            "python": {},
            "thoth_deployment_name": "thoth-prod",
            "timestamp": 1525168800,
        },
        "result": {
            "environment": [],
            "errors": [],
            "tree": [
                {
                    "package_name": "six",
                    "package_version": "1.11.0",
                    "dependencies": [
                        {"package_name": "x", "required_version": ">=1", "resolved_versions": ["1.0", "2.0"]}
                    ],
                }
            ],
            "unparsed": [],
            "unresolved": [{"package_name": "y", "version_spec": "==1"}],
        },
    }
    with pytest.raises(
        LegacyDocumentError, match=r"legacy 2018 thoth-solver 1\.0\.2 format is not supported"
    ):
        validate_document(document, "solver")


def test_dependency_monkey_report_validates_once_it_has_an_id() -> None:
    document = load(DATA_DIR / "dependency-monkey/dependency-monkey-dmzoo-inspection-2020-09-07.json")
    with pytest.raises(documents.UnknownDocumentTypeError, match="has no id"):
        validate_document(document)
    named = copy.deepcopy(document)
    named["metadata"]["document_id"] = "dependency-monkey-0123abcd"
    model = validate_document(named)
    assert isinstance(model, DependencyMonkeyDocument)
    assert model.result.parameters.count == 20
    assert [entry.response for entry in model.result.report.responses or []][:1] == [
        "inspection-tf-dm-np-b1103c8a"
    ]
