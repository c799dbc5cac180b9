"""One strict mypy run over every typing probe of the tests (query reveals, row types), shared by the
tests that read it: one run analyses the imported libraries once instead of once per probe."""

from __future__ import annotations

import functools
from pathlib import Path

from mypy import api

TESTS = Path(__file__).parent
PROBES = sorted(
    [*(TESTS / "queries" / "typing").glob("*.py"), *(TESTS / "codegen" / "typing_rows").glob("*.py")]
)


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
