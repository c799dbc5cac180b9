"""mypy infers the declared return type of the generated queries: each `reveal_type(...)  # expected: T`
line of tests/queries/typing/*.py must reveal exactly T."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.typing_check import PROBES, mypy_lines

EXPECTED = re.compile(r"reveal_type\(.*\)\s+# expected: (.+)$")
REVEALED = re.compile(r'^(?P<file>[^:]+):(?P<line>\d+): note: Revealed type is "(?P<type>.+)"$')


@pytest.mark.parametrize("path", [p for p in PROBES if p.parent.name == "typing"], ids=lambda path: path.name)
def test_revealed_types(path: Path) -> None:
    expected = {
        number: match.group(1).strip()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if (match := EXPECTED.search(line))
    }
    assert expected
    lines, stderr = mypy_lines(path)
    revealed = {
        int(match.group("line")): match.group("type") for line in lines if (match := REVEALED.match(line))
    }
    errors = [line for line in lines if ": error:" in line]
    assert not errors, errors
    assert revealed == expected, stderr
