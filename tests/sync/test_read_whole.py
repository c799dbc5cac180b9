"""read_whole refuses NaN and Infinity as the streamed reader does, at the same path with the same
message; and deep nesting whatever the interpreter's recursion limit (mypy, run in-process by the typing
tests, raises it to 16,384, past which json no longer raises RecursionError)."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator

import pytest

from thoth_storages.documents import MAX_DEPTH, DocumentValidationError
from thoth_storages.solver_stream import read_whole, solver_envelope

DEEP = b'{"a": ' + b"[" * 3000 + b"]" * 3000 + b"}"


@pytest.fixture(params=[None, 20_000], ids=["default-limit", "raised-limit"])
def recursion_limit(request: pytest.FixtureRequest) -> Iterator[None]:
    before = sys.getrecursionlimit()
    if request.param:
        sys.setrecursionlimit(request.param)
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


@pytest.mark.usefixtures("recursion_limit")
def test_deep_nesting_is_refused_with_the_path_of_the_first_too_deep_value() -> None:
    with pytest.raises(DocumentValidationError) as refused:
        read_whole(io.BytesIO(DEEP), "deep")
    assert str(refused.value).endswith(
        "deep: $.a" + "[0]" * (MAX_DEPTH - 1) + f": nested deeper than {MAX_DEPTH} levels"
    )


@pytest.mark.usefixtures("recursion_limit")
def test_nesting_up_to_the_limit_is_read() -> None:
    depth = MAX_DEPTH - 1  # containers at depths 0..MAX_DEPTH-1
    blob = b'{"a": ' + b"[" * depth + b"]" * depth + b"}"
    document = read_whole(io.BytesIO(blob), "ok")
    assert list(document) == ["a"]


def test_null_is_not_mistaken_for_too_deep() -> None:
    with pytest.raises(DocumentValidationError, match=r"n: \$: a document is a JSON object"):
        read_whole(io.BytesIO(b"null"), "n")


_SOLVER_START = b'{"metadata": {"document_id": "solver-x", "duration": 2}, "result": {"tree": ['


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (_SOLVER_START + b'{"a": 1}, {"package_version": NaN}]}}', "$.result.tree[1].package_version"),
        (_SOLVER_START + b"1, 2, -Infinity]}}", "$.result.tree[2]"),
        (b'{"metadata": {"duration": Infinity}, "result": {"tree": []}}', "$.metadata.duration"),
    ],
    ids=["nan-in-an-entry", "infinity-as-an-entry", "infinity-in-the-envelope"],
)
def test_a_document_read_whole_or_streamed_is_refused_alike(text: bytes, path: str) -> None:
    with pytest.raises(DocumentValidationError) as whole:
        read_whole(io.BytesIO(text), "solver-x")
    with pytest.raises(DocumentValidationError) as streamed:
        solver_envelope(io.BytesIO(text), "solver-x")
    assert whole.value.path == streamed.value.path == path
    assert str(whole.value) == str(streamed.value)
    assert "not valid JSON (NaN and Infinity are refused)" in str(whole.value)
