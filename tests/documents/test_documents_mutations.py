"""Mutated real documents are rejected, and the error names the JSON path that was mutated.

Hypothesis picks a real document, a required key anywhere in it (found by walking the JSON Schema along
the document) and a mutation: the key removed, its value set to null (where the schema forbids null), or
its value replaced by one of a JSON type the schema does not allow.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from _documents_support import (
    EXPECTED_REJECTIONS,
    SchemaWalker,
    View,
    document_files,
    expected_type,
    json_type_names,
    load,
    path_of,
    relative,
    validators,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thoth_storages.documents import DocumentValidationError, validate_document

WALKER = SchemaWalker()
JSONSCHEMA = validators()
REPLACEMENTS: list[object] = [12345, 1.5, "not-the-right-type", True, [], {}]


Paths = list[tuple[tuple[str | int, ...], View]]


def _samples() -> list[tuple[str, dict[str, Any], Paths, Paths]]:
    """The smallest valid real document of each type, with its required and its optional paths."""
    smallest: dict[str, Path] = {}
    for path in document_files():
        if relative(path) in EXPECTED_REJECTIONS and not relative(path).startswith("dependency-monkey/"):
            continue
        kind = expected_type(path)
        if kind not in smallest or path.stat().st_size < smallest[kind].stat().st_size:
            smallest[kind] = path
    samples = []
    for kind, path in sorted(smallest.items()):
        document = load(path)
        if kind == "dependency-monkey":  # the only real one has no id: give it one
            document["metadata"]["document_id"] = "dependency-monkey-0123abcd"
        validate_document(document, kind)
        samples.append(
            (kind, document, WALKER.required_paths(kind, document), WALKER.optional_paths(kind, document))
        )
    return samples


SAMPLES = _samples()


def _set(
    document: dict[str, Any], loc: tuple[str | int, ...], value: object, *, delete: bool = False
) -> None:
    node: Any = document
    for item in loc[:-1]:
        node = node[item]
    if delete:
        del node[loc[-1]]
    else:
        node[loc[-1]] = value


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, dict[str, Any], str, str]:
    """(document type, mutated document, expected JSON path, mutation kind)."""
    kind, document, paths, _ = draw(st.sampled_from(SAMPLES))
    loc, view = draw(st.sampled_from(paths))
    choices = ["missing"]
    if view.types is not None and "null" not in view.types:
        choices.append("null")
    wrong = [
        value for value in REPLACEMENTS if view.types is not None and not json_type_names(value) & view.types
    ]
    if wrong:
        choices.append("wrong-type")
    mutation = draw(st.sampled_from(choices))
    mutated = copy.deepcopy(document)
    if mutation == "missing":
        _set(mutated, loc, None, delete=True)
    elif mutation == "null":
        _set(mutated, loc, None)
    else:
        _set(mutated, loc, draw(st.sampled_from(wrong)))
    return kind, mutated, path_of(loc), mutation


def test_every_type_has_required_paths_to_mutate() -> None:
    for kind, _, paths, _ in SAMPLES:
        assert paths, kind
        assert any(view.types and "null" not in view.types for _, view in paths), kind


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations())
def test_mutation_is_rejected_at_its_path(case: tuple[str, dict[str, Any], str, str]) -> None:
    kind, mutated, expected_path, mutation = case
    with pytest.raises(DocumentValidationError) as caught:
        validate_document(mutated, kind)
    error = caught.value
    assert error.path == expected_path, (mutation, error.errors)
    assert [path for path, _ in error.errors] == [expected_path]
    if mutation == "missing":
        assert error.reason == "Field required"
    assert str(error).startswith(f"{error.document_id or '<no document id>'}: {expected_path}: ")
    # The plain JSON Schema rejects the same document.
    assert not JSONSCHEMA[kind].is_valid(mutated)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_null_optional_key_is_accepted_by_both(data: st.DataObject) -> None:
    """An optional key may be null as well as absent: the models and the JSON Schemas agree on that."""
    kind, document, _, optional = data.draw(st.sampled_from([s for s in SAMPLES if s[3]]))
    loc, _ = data.draw(st.sampled_from(optional))
    mutated = copy.deepcopy(document)
    _set(mutated, loc, None)
    validate_document(mutated, kind)
    assert JSONSCHEMA[kind].is_valid(mutated)
