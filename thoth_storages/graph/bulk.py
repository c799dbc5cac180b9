"""Set-based writes: every table's rows of one document go in with one round trip per table.

`SetWriter.ensure(table, rows)` makes sure rows exist, identified by the table's natural key
(`generated.models.NATURAL_KEYS`), and returns natural key -> id. Per call it sends one query string
whatever the row count, holding two statements: the first takes transaction-level advisory locks on
the keys (hashed into LOCK_BUCKETS per table), so concurrent syncs of overlapping documents neither
duplicate rows nor fail; the second, whose snapshot is taken after the locks are held, inserts the
rows that are missing and returns the key and id of every row. Rows travel as one array per column
through `unnest`, so the statement stays small whatever the row count. NULLs in a natural key compare
equal, which PostgreSQL's unique constraints alone would not guarantee.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import cast

from psycopg2.extensions import cursor as Cursor
from sqlalchemy import Column, Connection, Table
from sqlalchemy.dialects import postgresql

from generated.models import NATURAL_KEYS, Base

Value = str | int | float | bool | None | object
Row = Mapping[str, Value]
Key = tuple[Value, ...]

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


@cache
def _sql_type(column: Column[object]) -> str:
    if isinstance(column.type, postgresql.ENUM) and column.type.name:
        return f'"{column.type.name}"'
    return column.type.compile(dialect=_DIALECT)


def _match(table: Table, key_columns: Sequence[str], left: str, right: str) -> str:
    """Natural-key equality of two row sources, NULLs equal (NOT NULL columns compare plainly, for indexes)."""
    conditions = []
    for name in key_columns:
        quoted = _q(name)
        if table.c[name].nullable:
            conditions.append(
                f"({left}.{quoted} = {right}.{quoted} OR ({left}.{quoted} IS NULL AND {right}.{quoted} IS NULL))"
            )
        else:
            conditions.append(f"{left}.{quoted} = {right}.{quoted}")
    return " AND ".join(conditions)


def _merge_statement(
    table: Table, key_columns: Sequence[str], unique: dict[Key, Row]
) -> tuple[str, list[object]]:
    """One round trip: lock the keys, then insert the missing rows and return every row's key and id.

    Two statements in one string: the second starts after the locks are held, so its snapshot sees
    every committed competitor; its SELECT part sees the rows that were there before, its INSERT part
    adds the others (RETURNING marks them).
    """
    columns = [
        column for column in table.columns if not (column.autoincrement is True or column.name == "id")
    ]
    names = ", ".join(_q(column.name) for column in columns)
    arrays = ", ".join(f"%s::{_sql_type(column)}[]" for column in columns)
    keys = ", ".join(_q(name) for name in key_columns)
    t_keys = ", ".join(f"t.{_q(name)}" for name in key_columns)
    ident, t_ident = ("id", "t.id") if "id" in table.c else ("NULL::integer", "NULL::integer")
    target = _q(table.name)
    sql = (
        "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k; "
        f"WITH v ({names}) AS (SELECT * FROM unnest({arrays})), "
        f"inserted AS (INSERT INTO {target} ({names}) SELECT {names} FROM v "
        f"WHERE NOT EXISTS (SELECT 1 FROM {target} AS t WHERE {_match(table, key_columns, 't', 'v')}) "
        f"RETURNING {keys}, {ident}) "
        f"SELECT {keys}, {ident}, true FROM inserted "
        f"UNION ALL SELECT {t_keys}, {t_ident}, false FROM {target} AS t JOIN v ON {_match(table, key_columns, 't', 'v')}"
    )
    locks = sorted({_lock_id(table.name, key) for key in unique})
    rows = [tuple(row.get(column.name, _default(column)) for column in columns) for row in unique.values()]
    return sql, [locks, *(list(values) for values in zip(*rows, strict=True))]


def _q(name: str) -> str:
    """A quoted identifier (tables and columns include reserved words such as `limit`)."""
    return '"' + name.replace('"', '""') + '"'


LOCK_BUCKETS = 32
"""Advisory locks per table: keys hash into this many buckets, so a transaction holds at most
LOCK_BUCKETS locks per table however large the document (PostgreSQL's lock table is small)."""


def _lock_id(table: str, key: Key) -> int:
    """A bigint lock id: the table in the high bits, the key's bucket in the low bits."""
    table_part = int.from_bytes(hashlib.blake2b(table.encode(), digest_size=4).digest(), "big", signed=True)
    bucket = int.from_bytes(hashlib.blake2b(repr(key).encode(), digest_size=4).digest(), "big") % LOCK_BUCKETS
    return table_part * LOCK_BUCKETS + bucket


def _default(column: Column[object]) -> Value:
    default = column.default
    return getattr(default, "arg", None) if default is not None and default.is_scalar else None


class SetWriter:
    """Writes row sets on one connection inside the caller's transaction, and counts what it did."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.inserted: Counter[str] = Counter()
        self.seen: Counter[str] = Counter()

    def _cursor(self) -> Cursor:
        raw = self.connection.connection.dbapi_connection
        assert raw is not None, "the connection is closed"
        return cast(Cursor, raw.cursor())

    def ensure(self, table_name: str, rows: Iterable[Row]) -> dict[Key, int]:
        """Insert the rows that are not there yet; natural key -> id (empty for tables without `id`)."""
        table = Base.metadata.tables[table_name]
        key_columns = NATURAL_KEYS[table_name]
        unique: dict[Key, Row] = {}
        for row in rows:
            unique.setdefault(tuple(row.get(column) for column in key_columns), row)
        if not unique:
            return {}
        self.seen[table_name] += len(unique)
        with self._cursor() as cursor:
            cursor.execute(*_merge_statement(table, key_columns, unique))
            found: dict[Key, int | None] = {}
            width = len(key_columns)
            by_normal = {_normal(table, key_columns, key): key for key in unique}
            for record in cursor.fetchall():
                found[by_normal[_normal(table, key_columns, record[:width])]] = record[width]
                if record[width + 1]:
                    self.inserted[table_name] += 1
        return {key: ident for key, ident in found.items() if ident is not None}

    def ensure_ids(self, table_name: str, rows: Sequence[Row]) -> list[int]:
        """`ensure`, then the id of each given row, in order (for tables with an `id`)."""
        ids = self.ensure(table_name, rows)
        columns = NATURAL_KEYS[table_name]
        return [ids[tuple(row.get(column) for column in columns)] for row in rows]

    def ensure_one(self, table_name: str, row: Row) -> int:
        """`ensure` for a single row of a table with an `id`; returns its id."""
        ids = self.ensure(table_name, [row])
        return ids[tuple(row.get(column) for column in NATURAL_KEYS[table_name])]

    def update(self, table_name: str, key: Row, values: Row) -> int:
        """Set `values` on the rows matching `key` (column -> value); returns the number of rows changed."""
        assignments = ", ".join(f"{_q(name)} = %({name}__set)s" for name in values)
        conditions = " AND ".join(
            f"{_q(name)} IS NULL" if value is None else f"{_q(name)} = %({name}__key)s"
            for name, value in key.items()
        )
        parameters = {f"{name}__set": value for name, value in values.items()}
        parameters.update({f"{name}__key": value for name, value in key.items()})
        with self._cursor() as cursor:
            cursor.execute(f"UPDATE {_q(table_name)} SET {assignments} WHERE {conditions}", parameters)
            return int(cursor.rowcount)


def _normal(table: Table, key_columns: Sequence[str], key: Sequence[Value]) -> Key:
    """A key as the database returns it (int vs float, enum labels as text), to match what we sent."""
    kinds = _key_types(table, tuple(key_columns))
    return tuple(
        value if value is None or kind is None or type(value) is kind else kind(value)
        for kind, value in zip(kinds, key, strict=True)
    )


@cache
def _key_types(table: Table, key_columns: tuple[str, ...]) -> tuple[type | None, ...]:
    return tuple(_python_type(table.c[name]) for name in key_columns)


def _python_type(column: Column[object]) -> type | None:
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return None
    return kind if kind in (int, float, str, bool) else None
