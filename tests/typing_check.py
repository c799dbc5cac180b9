"""One strict mypy run over every typing probe of the tests (query reveals, row types), shared by the
tests that read it: one run analyses the imported libraries once instead of once per probe. A probe
marks each `reveal_type(...)` line with `# expected: T`."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from mypy import api

TESTS = Path(__file__).parent
QUERY_PROBES = sorted((TESTS / "queries" / "typing").glob("*.py"))
ROW_PROBES = sorted((TESTS / "codegen" / "typing_rows").glob("*.py"))
PROBES = [*QUERY_PROBES, *ROW_PROBES]

EXPECTED = re.compile(r"reveal_type\(.*\)\s+# expected: (.+)$")
REVEALED = re.compile(r'^[^:]+:(?P<line>\d+): note: Revealed type is "(?P<type>.+)"$')


@functools.cache
def _run() -> tuple[str, str]:
    stdout, stderr, _status = api.run(
        ["--strict", "--no-incremental", "--hide-error-context", *map(str, PROBES)]
    )
    return stdout, stderr


def mypy_lines(path: Path) -> tuple[list[str], str]:
    """mypy's output lines about `path` (one of PROBES) or a module the probes import, and its standard
    error; lines about the other probes are left out."""
    assert path in PROBES, path
    stdout, stderr = _run()
    others = set(PROBES) - {path}
    return [
        line for line in stdout.splitlines() if Path(line.split(":", 1)[0]).resolve() not in others
    ], stderr


def expected_types(path: Path) -> dict[int, str]:
    """The type each marked line of the probe `path` must reveal, by line number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {
        number: match.group(1).strip()
        for number, line in enumerate(lines, start=1)
        if (match := EXPECTED.search(line))
    }


def revealed_types(lines: list[str]) -> dict[int, str]:
    """The types mypy revealed in `lines` (from `mypy_lines`), by line number."""
    return {
        int(match.group("line")): match.group("type") for line in lines if (match := REVEALED.match(line))
    }
