"""mypy infers the declared return type of the generated queries: each `reveal_type(...)  # expected: T`
line of tests/queries/typing/*.py must reveal exactly T."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy import api

TYPING = Path(__file__).parent / "typing"
EXPECTED = re.compile(r"reveal_type\(.*\)\s+# expected: (.+)$")
REVEALED = re.compile(r'^(?P<file>[^:]+):(?P<line>\d+): note: Revealed type is "(?P<type>.+)"$')


@pytest.mark.parametrize("path", sorted(TYPING.glob("*.py")), ids=lambda path: path.name)
def test_revealed_types(path: Path) -> None:
    expected = {
        number: match.group(1).strip()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if (match := EXPECTED.search(line))
    }
    assert expected
    stdout, stderr, _status = api.run(["--strict", "--no-incremental", "--hide-error-context", str(path)])
    revealed = {
        int(match.group("line")): match.group("type")
        for line in stdout.splitlines()
        if (match := REVEALED.match(line))
    }
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert not errors, errors
    assert revealed == expected, stderr
