"""mypy infers the declared return type of the generated queries: each `reveal_type(...)  # expected: T`
line of tests/queries/typing/*.py must reveal exactly T."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.typing_check import QUERY_PROBES, expected_types, mypy_lines, revealed_types


@pytest.mark.parametrize("path", QUERY_PROBES, ids=lambda path: path.name)
def test_revealed_types(path: Path) -> None:
    expected = expected_types(path)
    assert expected
    lines, stderr = mypy_lines(path)
    errors = [line for line in lines if ": error:" in line]
    assert not errors, errors
    assert revealed_types(lines) == expected, stderr
