"""Helpers of the document tests: where the real documents are, what each one is, and the schema walk.

Real documents are read from `../shared/data/documents/` next to the repository when it exists, else
from the copies in `tests/data/documents/` (provenance in its SOURCES.md); set
THOTH_STORAGES_TEST_DOCUMENTS=copies to use the copies anyway.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

REPO = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO / "schema" / "documents"
SHARED_DIR = REPO.parent / "shared" / "data" / "documents"
COPIES_DIR = REPO / "tests" / "data" / "documents"
# THOTH_STORAGES_TEST_DOCUMENTS=copies runs the tests on the copies even where the shared folder exists.
USING_SHARED = SHARED_DIR.is_dir() and os.environ.get("THOTH_STORAGES_TEST_DOCUMENTS") != "copies"
DATA_DIR = SHARED_DIR if USING_SHARED else COPIES_DIR

# Documents refused on purpose: relative path -> (exception class name, JSON path, text in the message).
EXPECTED_REJECTIONS: dict[str, tuple[str, str, str]] = {
    "package-extract/fridex-thoth-package-extract-tensorflow-serving-s2i.json": (
        "LegacyDocumentError",
        "$",
        "legacy 2018 thoth-package-extract 1.0.0 format is not supported",
    ),
    # Run from a laptop: metadata.document_id is null, so it can be neither typed by prefix nor stored.
    "dependency-monkey/dependency-monkey-dmzoo-inspection-2020-09-07.json": (
        "DocumentValidationError",
        "$.metadata.document_id",
        "Input should be a valid string",
    ),
}


def relative(path: Path) -> str:
    return path.relative_to(DATA_DIR).as_posix()


def document_files() -> list[Path]:
    """Every real document file (JSON), sorted."""
    return sorted(path for path in DATA_DIR.rglob("*") if path.is_file() and path.suffix != ".md")


def expected_type(path: Path) -> str:
    """The full document type of a real document, from the folder layout (see the data's SOURCES.md)."""
    parts = relative(path).split("/")
    if parts[0] == "inspection":
        return "inspection-specification" if parts[-2:] == ["build", "specification"] else "inspection-result"
    if parts[0] == "security-indicator":
        if parts[1] == "raw":
            return (
                "security-indicator-bandit"
                if path.name.endswith("--bandit.json")
                else "security-indicator-cloc"
            )
        return "security-indicator-aggregated"
    return parts[0]


def load(path: Path) -> dict[str, Any]:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


# --------------------------------------------------------------------------------------- schema walking


def load_schemas() -> dict[str, dict[str, Any]]:
    """Schema file name (e.g. `metadata.json`) -> parsed schema."""
    return {
        path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(SCHEMA_DIR.glob("*.json"))
    }


def validators() -> dict[str, Draft202012Validator]:
    """Document type -> jsonschema validator (every schema registered, so cross-file $refs resolve)."""
    schemas = load_schemas()
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    return {
        name.removesuffix(".json"): Draft202012Validator(schema, registry=registry)
        for name, schema in schemas.items()
        if name != "metadata.json"
    }


@dataclass
class View:
    """What the schema says about one value: allowed JSON types (None: any), properties and items."""

    types: set[str] | None = None
    required: set[str] = field(default_factory=set)
    properties: dict[str, View] = field(default_factory=dict)
    items: View | None = None


class SchemaWalker:
    def __init__(self) -> None:
        self.schemas = load_schemas()

    def _resolve(self, schema: Mapping[str, Any], file: str) -> tuple[Mapping[str, Any], str]:
        while "$ref" in schema:
            target, _, pointer = schema["$ref"].partition("#")
            file = target or file
            schema = self.schemas[file]
            for part in filter(None, pointer.split("/")):
                schema = schema[part]
        return schema, file

    def view(self, schema: Mapping[str, Any], file: str) -> View:
        schema, file = self._resolve(schema, file)
        result = View()
        for part in schema.get("allOf", []):
            merged = self.view(part, file)
            result.required |= merged.required
            result.properties.update(merged.properties)
            result.types = (
                merged.types if result.types is None else result.types & (merged.types or result.types)
            )
        if "anyOf" in schema:
            branches = [self.view(branch, file) for branch in schema["anyOf"]]
            types: set[str] = set()
            for branch in branches:
                if branch.types is None:
                    return View()
                types |= branch.types
                if branch.types != {"null"}:
                    result.properties.update(branch.properties)
                    result.required |= branch.required
                    result.items = branch.items or result.items
            result.types = types
        if "type" in schema:
            declared = schema["type"]
            result.types = {declared} if isinstance(declared, str) else set(declared)
        result.required |= set(schema.get("required", []))
        for name, sub in schema.get("properties", {}).items():
            result.properties[name] = self.view(sub, file)
        if "items" in schema:
            result.items = self.view(schema["items"], file)
        return result

    def required_paths(
        self, document_type: str, document: object
    ) -> list[tuple[tuple[str | int, ...], View]]:
        """Every (location, view) of a required key present in `document`, at any depth."""
        return [(loc, view) for loc, view, required in self._paths(document_type, document) if required]

    def optional_paths(
        self, document_type: str, document: object
    ) -> list[tuple[tuple[str | int, ...], View]]:
        """Every (location, view) of a declared but optional key present in `document`, at any depth."""
        return [(loc, view) for loc, view, required in self._paths(document_type, document) if not required]

    def _paths(self, document_type: str, document: object) -> list[tuple[tuple[str | int, ...], View, bool]]:
        root = self.view(self.schemas[f"{document_type}.json"], f"{document_type}.json")
        return list(self._walk(document, root, ()))

    def _walk(
        self, value: object, view: View, loc: tuple[str | int, ...]
    ) -> Iterator[tuple[tuple[str | int, ...], View, bool]]:
        if isinstance(value, dict):
            for key, child in value.items():
                if key in view.properties:
                    yield (*loc, key), view.properties[key], key in view.required
                    yield from self._walk(child, view.properties[key], (*loc, key))
        elif isinstance(value, list) and view.items is not None:
            for index, child in enumerate(value):
                yield from self._walk(child, view.items, (*loc, index))


def json_type_names(value: object) -> set[str]:
    if value is None:
        return {"null"}
    if isinstance(value, bool):
        return {"boolean"}
    if isinstance(value, int):
        return {"integer", "number"}
    if isinstance(value, float):
        return {"number"}
    if isinstance(value, str):
        return {"string"}
    if isinstance(value, list):
        return {"array"}
    return {"object"}


def path_of(loc: tuple[str | int, ...]) -> str:
    """JSON path of a location, in the notation of thoth_storages.documents."""
    text = "$"
    for item in loc:
        if isinstance(item, int):
            text += f"[{item}]"
        elif item.isidentifier() and item.isascii():
            text += f".{item}"
        else:
            text += "['" + item.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return text
