"""mypy checks the rows the writers build: tests/codegen/typing_rows/*.py reveal the generated row and
key types (`# expected: T`) and a misspelt column, a wrong value type or a missing required column is a
mypy error exactly where marked (`# error: code`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.typing_check import ROW_PROBES, expected_types, mypy_lines, revealed_types

ERROR = re.compile(r"# error: ([a-z-]+)$")
FAILED = re.compile(r"^[^:]+:(?P<line>\d+): error: .*\[(?P<code>[a-z-]+)\]$")


@pytest.mark.parametrize("path", ROW_PROBES, ids=lambda path: path.name)
def test_rows_are_typed(path: Path) -> None:
    lines = list(enumerate(path.read_text(encoding="utf-8").splitlines(), start=1))
    expected = expected_types(path)
    errors = {number: match.group(1) for number, line in lines if (match := ERROR.search(line))}
    assert expected and errors
    out, stderr = mypy_lines(path)
    failed: dict[int, set[str]] = {}
    for line in out:
        if match := FAILED.match(line):
            failed.setdefault(int(match.group("line")), set()).add(match.group("code"))
    assert revealed_types(out) == expected, stderr
    assert set(failed) == set(errors), out
    assert all(code in failed[number] for number, code in errors.items()), out
