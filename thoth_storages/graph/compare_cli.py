"""`python -m thoth_storages.graph.compare_cli EXPECTED_URL ACTUAL_URL`: compare two live databases.

A difference equal to an entry of `--allowlist` (or matching it, with `*` wildcards) is reported as
allowed. Exit status: 0 when every difference is allowed, 1 when some are not, 2 on a usage or
connection error.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from codegen.drift import differences

from ..exceptions import ConfigurationError
from .compare import DEFAULT_EXCLUDED_TABLES, reflect_url


def load_allowlist(path: Path) -> list[str]:
    """Read an allow-list: one difference line per line; blank lines and `#` comments are skipped."""
    entries: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            entries.append(line)
    return entries


def allowed_by(line: str, entries: Sequence[str]) -> str | None:
    """The allow-list entry that covers `line` (equal, or matching with `*` wildcards), if any."""
    for entry in entries:
        if entry == line or ("*" in entry and fnmatch.fnmatchcase(line, entry)):
            return entry
    return None


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m thoth_storages.graph.compare_cli",
        description="Compare the structure of two PostgreSQL databases (EXPECTED is the reference).",
    )
    parser.add_argument("expected_url", help="SQLAlchemy URL of the reference database")
    parser.add_argument("actual_url", nargs="?", help="SQLAlchemy URL of the database to check")
    parser.add_argument("--allowlist", type=Path, help="file of documented, allowed differences")
    parser.add_argument("--schema", default=None, help="database schema to compare (default: public)")
    parser.add_argument(
        "--exclude-table",
        action="append",
        default=None,
        metavar="NAME",
        help="table to leave out (repeatable; default: alembic_version)",
    )
    parser.add_argument(
        "--dump", action="store_true", help="print the structure of EXPECTED_URL as JSON and exit"
    )
    parser.add_argument(
        "--quiet", action="store_true", help="print only the differences that are not allowed"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    args = _parse_args(argv)
    exclude: list[str] = (
        args.exclude_table if args.exclude_table is not None else list(DEFAULT_EXCLUDED_TABLES)
    )
    try:
        expected = reflect_url(args.expected_url, args.schema, exclude)
        if args.dump:
            print(json.dumps(expected.to_snapshot(), indent=2, sort_keys=True))
            return 0
        if args.actual_url is None:
            print("error: ACTUAL_URL is required unless --dump is given", file=sys.stderr)
            return 2
        actual = reflect_url(args.actual_url, args.schema, exclude)
    except SQLAlchemyError as exc:
        detail = str(exc).strip().splitlines()[0]
        print(f"error: cannot reflect the database: {detail}", file=sys.stderr)
        return 2
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        entries = load_allowlist(args.allowlist) if args.allowlist is not None else []
    except OSError as exc:
        print(f"error: cannot read the allow-list {args.allowlist}: {exc.strerror}", file=sys.stderr)
        return 2

    used: set[str] = set()
    failures = 0
    allowed = 0
    for line in differences(expected, actual):
        entry = allowed_by(line, entries)
        if entry is None:
            failures += 1
            print(line)
        else:
            allowed += 1
            used.add(entry)
            if not args.quiet:
                print(f"allowed: {line}")
    for entry in entries:
        if entry not in used:
            print(f"note: allow-list entry matched no difference: {entry}", file=sys.stderr)
    print(
        f"{len(expected.tables)} tables compared: {failures} difference(s) not allowed, {allowed} allowed",
        file=sys.stderr,
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
