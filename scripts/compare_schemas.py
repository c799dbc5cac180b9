"""Compare the structure of two PostgreSQL databases, for drop-in compatibility checks.

Usage::

    python scripts/compare_schemas.py EXPECTED_URL ACTUAL_URL [--allowlist FILE] [--exclude-table NAME]...
    python scripts/compare_schemas.py --dump URL          # print the reflected structure as JSON

EXPECTED_URL is the reference database (normally one built by the original thoth-storages 0.74.2, see
scripts/compat-original.sh); ACTUAL_URL is the database to check. Both are reflected with SQLAlchemy's
inspector: tables, column order, types, nullability, server defaults, identity columns, primary keys,
foreign keys (with ON DELETE / ON UPDATE), unique constraints, check constraints, indexes (columns,
expressions, uniqueness, partial predicates) and enum types (with the order of their labels).

Every difference is printed on one line, sorted, for example::

    column python_package_index.url: nullable: expected False, got True

A line equal to an entry of the allow-list (or matching it, when the entry has ``*`` wildcards) is
reported as allowed and does not fail the run. Exit status: 0 when every difference is allowed,
1 when some are not, 2 on a usage or connection error.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect
from sqlalchemy.dialects.postgresql.base import PGInspector
from sqlalchemy.engine import Engine, Inspector
from sqlalchemy.exc import SQLAlchemyError

DEFAULT_EXCLUDED_TABLES = ("alembic_version",)


@dataclass(frozen=True)
class Column:
    """One reflected column."""

    name: str
    type: str
    nullable: bool
    default: str | None
    identity: str | None


@dataclass(frozen=True)
class ForeignKey:
    """One reflected foreign key constraint."""

    name: str | None
    columns: tuple[str, ...]
    referred_table: str
    referred_columns: tuple[str, ...]
    on_delete: str
    on_update: str


@dataclass(frozen=True)
class Index:
    """One reflected index (indexes that back a constraint are not listed by the inspector)."""

    name: str | None
    columns: tuple[str, ...]
    unique: bool
    where: str | None
    using: str
    sorting: tuple[str, ...]


@dataclass
class Table:
    """The reflected structure of one table."""

    name: str
    columns: list[Column] = field(default_factory=list)
    primary_key_name: str | None = None
    primary_key: tuple[str, ...] = ()
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    unique_constraints: dict[str, tuple[str, ...]] = field(default_factory=dict)
    check_constraints: dict[str, str] = field(default_factory=dict)
    indexes: list[Index] = field(default_factory=list)


@dataclass
class Schema:
    """The reflected structure of one database schema."""

    tables: dict[str, Table] = field(default_factory=dict)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)


_WHITESPACE = re.compile(r"\s+")
_SCHEMA_PREFIX = re.compile(r"\bpublic\.")


def _normalize_sql(text: str | None) -> str | None:
    """Normalize SQL text from the catalog so that equal definitions compare equal."""
    if text is None:
        return None
    text = _SCHEMA_PREFIX.sub("", text)
    return _WHITESPACE.sub(" ", text).strip()


def _normalize_action(action: object) -> str:
    """ON DELETE / ON UPDATE as SQL words; PostgreSQL's default NO ACTION when none is set."""
    if action is None:
        return "NO ACTION"
    return str(action).upper()


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def reflect(engine: Engine, schema: str | None = None, exclude: Iterable[str] = ()) -> Schema:
    """Reflect the structure of one database schema."""
    excluded = set(exclude)
    inspector: Inspector = inspect(engine)
    result = Schema()

    if isinstance(inspector, PGInspector):
        for enum in inspector.get_enums(schema=schema or "public"):
            result.enums[str(enum["name"])] = tuple(str(label) for label in enum["labels"])

    for table_name in sorted(inspector.get_table_names(schema=schema)):
        if table_name in excluded:
            continue
        table = Table(name=table_name)

        for column in inspector.get_columns(table_name, schema=schema):
            identity = column.get("identity")
            table.columns.append(
                Column(
                    name=column["name"],
                    type=str(column["type"].compile(dialect=engine.dialect)),
                    nullable=bool(column["nullable"]),
                    default=_normalize_sql(column.get("default")),
                    identity=None
                    if identity is None
                    else ("ALWAYS" if identity.get("always") else "BY DEFAULT"),
                )
            )

        pk = inspector.get_pk_constraint(table_name, schema=schema)
        table.primary_key = tuple(pk.get("constrained_columns") or ())
        table.primary_key_name = pk.get("name") if table.primary_key else None

        for fk in inspector.get_foreign_keys(table_name, schema=schema):
            options = fk.get("options") or {}
            table.foreign_keys.append(
                ForeignKey(
                    name=fk.get("name"),
                    columns=tuple(fk["constrained_columns"]),
                    referred_table=fk["referred_table"],
                    referred_columns=tuple(fk["referred_columns"]),
                    on_delete=_normalize_action(options.get("ondelete")),
                    on_update=_normalize_action(options.get("onupdate")),
                )
            )

        for unique in inspector.get_unique_constraints(table_name, schema=schema):
            table.unique_constraints[str(unique.get("name"))] = tuple(unique["column_names"])

        for check in inspector.get_check_constraints(table_name, schema=schema):
            table.check_constraints[str(check.get("name"))] = _normalize_sql(check["sqltext"]) or ""

        for index in inspector.get_indexes(table_name, schema=schema):
            if index.get("duplicates_constraint"):
                continue
            expressions = index.get("expressions")
            names = expressions if expressions else index["column_names"]
            dialect_options = index.get("dialect_options") or {}
            table.indexes.append(
                Index(
                    name=index.get("name"),
                    columns=tuple(str(name) for name in names),
                    unique=bool(index["unique"]),
                    where=_normalize_sql(_text(dialect_options.get("postgresql_where"))),
                    using=str(dialect_options.get("postgresql_using") or "btree"),
                    sorting=tuple(
                        f"{column} {' '.join(str(flag) for flag in flags)}"
                        for column, flags in sorted((index.get("column_sorting") or {}).items())
                    ),
                )
            )

        result.tables[table_name] = table
    return result


def _fk_key(fk: ForeignKey) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    return fk.columns, fk.referred_table, fk.referred_columns


def _fmt_cols(columns: Sequence[str]) -> str:
    return "(" + ", ".join(columns) + ")"


def _compare_columns(name: str, expected: Table, actual: Table) -> list[str]:
    out: list[str] = []
    exp_cols = {c.name: c for c in expected.columns}
    act_cols = {c.name: c for c in actual.columns}
    for col in expected.columns:
        if col.name not in act_cols:
            out.append(f"column {name}.{col.name}: missing (expected {col.type})")
    for col in actual.columns:
        if col.name not in exp_cols:
            out.append(f"column {name}.{col.name}: unexpected ({col.type})")
    for col in expected.columns:
        other = act_cols.get(col.name)
        if other is None:
            continue
        for attr in ("type", "nullable", "default", "identity"):
            want, got = getattr(col, attr), getattr(other, attr)
            if want != got:
                out.append(f"column {name}.{col.name}: {attr}: expected {want}, got {got}")
    exp_order = [c.name for c in expected.columns if c.name in act_cols]
    act_order = [c.name for c in actual.columns if c.name in exp_cols]
    if exp_order != act_order:
        out.append(f"table {name}: column order: expected {_fmt_cols(exp_order)}, got {_fmt_cols(act_order)}")
    return out


def _compare_keys(name: str, expected: Table, actual: Table) -> list[str]:
    out: list[str] = []
    if expected.primary_key != actual.primary_key:
        out.append(
            f"table {name}: primary key: expected {_fmt_cols(expected.primary_key)}, "
            f"got {_fmt_cols(actual.primary_key)}"
        )
    elif expected.primary_key and expected.primary_key_name != actual.primary_key_name:
        out.append(
            f"table {name}: primary key name: expected {expected.primary_key_name}, got {actual.primary_key_name}"
        )

    act_fks = {_fk_key(fk): fk for fk in actual.foreign_keys}
    exp_fks = {_fk_key(fk): fk for fk in expected.foreign_keys}
    for key, fk in exp_fks.items():
        target = f"{fk.referred_table}{_fmt_cols(fk.referred_columns)}"
        other = act_fks.get(key)
        if other is None:
            out.append(f"foreign key {name}{_fmt_cols(fk.columns)} -> {target}: missing (expected {fk.name})")
            continue
        for attr in ("name", "on_delete", "on_update"):
            want, got = getattr(fk, attr), getattr(other, attr)
            if want != got:
                out.append(
                    f"foreign key {name}{_fmt_cols(fk.columns)} -> {target}: {attr}: expected {want}, got {got}"
                )
    for key, fk in act_fks.items():
        if key not in exp_fks:
            target = f"{fk.referred_table}{_fmt_cols(fk.referred_columns)}"
            out.append(f"foreign key {name}{_fmt_cols(fk.columns)} -> {target}: unexpected ({fk.name})")

    out.extend(
        _compare_named(name, "unique constraint", expected.unique_constraints, actual.unique_constraints)
    )
    out.extend(_compare_named(name, "check constraint", expected.check_constraints, actual.check_constraints))
    return out


def _compare_named(name: str, kind: str, expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key, value in expected.items():
        shown = _fmt_cols(value) if isinstance(value, tuple) else value
        if key not in actual:
            out.append(f"{kind} {name}.{key}: missing (expected {shown})")
        elif actual[key] != value:
            got = _fmt_cols(actual[key]) if isinstance(actual[key], tuple) else actual[key]
            out.append(f"{kind} {name}.{key}: expected {shown}, got {got}")
    for key, value in actual.items():
        if key not in expected:
            shown = _fmt_cols(value) if isinstance(value, tuple) else value
            out.append(f"{kind} {name}.{key}: unexpected {shown}")
    return out


def _describe_index(index: Index) -> str:
    text = ("unique " if index.unique else "") + _fmt_cols(index.columns)
    if index.using != "btree":
        text = f"using {index.using} " + text
    if index.sorting:
        text += " sorted " + _fmt_cols(index.sorting)
    if index.where:
        text += f" where {index.where}"
    return text


def _compare_indexes(name: str, expected: Table, actual: Table) -> list[str]:
    out: list[str] = []
    exp = {str(i.name): i for i in expected.indexes}
    act = {str(i.name): i for i in actual.indexes}
    for key, index in exp.items():
        other = act.get(key)
        if other is None:
            out.append(f"index {name}.{key}: missing (expected {_describe_index(index)})")
        elif other != index:
            out.append(f"index {name}.{key}: expected {_describe_index(index)}, got {_describe_index(other)}")
    for key, index in act.items():
        if key not in exp:
            out.append(f"index {name}.{key}: unexpected {_describe_index(index)}")
    return out


def compare(expected: Schema, actual: Schema) -> list[str]:
    """Return the differences between two reflected schemas, one line each, sorted."""
    out: list[str] = []
    for enum_name, labels in expected.enums.items():
        if enum_name not in actual.enums:
            out.append(f"enum {enum_name}: missing (expected {_fmt_cols(labels)})")
        elif actual.enums[enum_name] != labels:
            out.append(
                f"enum {enum_name}: expected {_fmt_cols(labels)}, got {_fmt_cols(actual.enums[enum_name])}"
            )
    for enum_name, labels in actual.enums.items():
        if enum_name not in expected.enums:
            out.append(f"enum {enum_name}: unexpected {_fmt_cols(labels)}")

    for name in expected.tables:
        if name not in actual.tables:
            out.append(f"table {name}: missing")
    for name in actual.tables:
        if name not in expected.tables:
            out.append(f"table {name}: unexpected")

    for name, table in expected.tables.items():
        other = actual.tables.get(name)
        if other is None:
            continue
        out.extend(_compare_columns(name, table, other))
        out.extend(_compare_keys(name, table, other))
        out.extend(_compare_indexes(name, table, other))
    return sorted(out)


def load_allowlist(path: Path) -> list[str]:
    """Read the allow-list: one difference line per line; blank lines and ``#`` comments are skipped."""
    entries: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            entries.append(line)
    return entries


def _allowed(line: str, entries: Sequence[str]) -> str | None:
    for entry in entries:
        if entry == line or ("*" in entry and fnmatch.fnmatchcase(line, entry)):
            return entry
    return None


def _reflect_url(url: str, schema: str | None, exclude: Sequence[str]) -> Schema:
    engine = create_engine(url)
    try:
        return reflect(engine, schema=schema, exclude=exclude)
    finally:
        engine.dispose()


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("expected_url", help="SQLAlchemy URL of the reference database (the original's)")
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
    """Command line entry point."""
    args = _parse_args(argv)
    exclude: list[str] = (
        args.exclude_table if args.exclude_table is not None else list(DEFAULT_EXCLUDED_TABLES)
    )
    try:
        expected = _reflect_url(args.expected_url, args.schema, exclude)
        if args.dump:
            json.dump(asdict(expected), sys.stdout, indent=2, sort_keys=True)
            sys.stdout.write("\n")
            return 0
        if args.actual_url is None:
            print("error: ACTUAL_URL is required unless --dump is given", file=sys.stderr)
            return 2
        actual = _reflect_url(args.actual_url, args.schema, exclude)
    except SQLAlchemyError as exc:
        print(f"error: cannot reflect the database: {exc}", file=sys.stderr)
        return 2

    entries = load_allowlist(args.allowlist) if args.allowlist is not None else []
    used: set[str] = set()
    failures = 0
    allowed = 0
    for line in compare(expected, actual):
        entry = _allowed(line, entries)
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
