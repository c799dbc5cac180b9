"""Set-based writes: a document's rows go in with a few round trips, whatever their number.

Rows are typed: a writer builds a table's rows as its generated TypedDict and hands them over as a
`RowSet` (`generated.rows`: `rows.SOLVED([...])`), so mypy checks every column name and value type;
a row lacking a NOT NULL column without a default, or holding a column its table does not have, is
refused naming the document, table and column (`MissingValueError`, `UnknownColumnError`), never
written as NULL. `SetWriter.ensure(row_set)` makes sure the rows exist, identified by the table's
natural key, and returns natural key (the table's generated `<Model>Key`) -> id; `ensure_many` does it
for several tables that do not refer to one another in the same round trip. Each round trip sends one query string
holding two statements: the first takes transaction-level advisory locks on the keys (hashed into
LOCK_BUCKETS per table), so concurrent syncs of overlapping documents neither duplicate rows nor fail;
the second, whose snapshot is taken after the locks are held, looks every table's rows up once, gives
the missing ones ids from the table's sequence, inserts them, fills the found ones' NULL columns with
the values given (`_Plan.fill`: so the result does not depend on which document came first) and
returns every row's id by its position. Rows travel as one array literal per column through `unnest`,
so the statement stays small whatever the row count. NULLs in a natural key compare equal, which PostgreSQL's unique constraints
alone would not guarantee.

Tables without an `id` column are leaves (nothing refers to them), so a writer made with `defer=True`
buffers their rows (and `add` the rows of any table whose ids nobody needs) and `flush()` writes all
of them in one more round trip. Their rows whose key refers to a row the writer has just inserted are
new by construction and go in without lookup or lock (`SetWriter._split`).
"""

from __future__ import annotations

import datetime
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any, TypeVar, cast

import psycopg2
from psycopg2.extensions import cursor as Cursor
from psycopg2.sql import Composable
from sqlalchemy import Column, Connection, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError

from generated.rows import ROW_TABLES, RowSet, RowTable

from .row_checks import Check, MissingValueError, UnknownColumnError, check_values, column_check

Value = str | int | float | bool | None | object
Row = Mapping[str, Value]
Key = tuple[Value, ...]
R = TypeVar("R", bound=Mapping[str, object])
K = TypeVar("K", bound=tuple[object, ...])

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]

LOCK_BUCKETS = 32
"""Advisory locks per table: keys hash into this many buckets, so a transaction holds at most
LOCK_BUCKETS locks per table however large the document (PostgreSQL's lock table is small)."""

_LOCKS = "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k; "


def _locks(ids: Iterable[int]) -> str:
    return "{" + ",".join(map(str, sorted(ids))) + "}"


class ExplainedCursor(Cursor):
    """A DBAPI cursor whose errors are SQLAlchemy's (IntegrityError, OperationalError, ...), as the
    rest of the adapter raises them: callers catch one family, and deadlocks are recognised for retry."""

    def execute(self, query: str | bytes | Composable, vars: object = None) -> None:
        try:
            super().execute(query, vars)  # type: ignore[arg-type]
        except psycopg2.Error as error:
            statement = query if isinstance(query, str) else repr(query)
            raise DBAPIError.instance(statement, None, error, psycopg2.Error, hide_parameters=True) from None


def raw_cursor(connection: Connection) -> ExplainedCursor:
    """An `ExplainedCursor` on the connection's DBAPI connection (inside its transaction)."""
    raw = connection.connection.dbapi_connection
    assert raw is not None, "the connection is closed"
    return cast(ExplainedCursor, raw.cursor(cursor_factory=ExplainedCursor))


def _q(name: str) -> str:
    """A quoted identifier (tables and columns include reserved words such as `limit`)."""
    return '"' + name.replace('"', '""') + '"'


def _sql_type(column: Column[object]) -> str:
    if isinstance(column.type, postgresql.ENUM) and column.type.name:
        return f'"{column.type.name}"'
    return column.type.compile(dialect=_DIALECT)


def _default(column: Column[object]) -> Value:
    default = column.default
    return getattr(default, "arg", None) if default is not None and default.is_scalar else None


Pattern = tuple[bool, ...]
"""Which of a table's nullable key columns are NULL in a row: rows of one pattern are matched with
plain equalities on the other columns, which indexes and hash joins serve (see `_Plan.on`)."""


@dataclass(frozen=True)
class _Plan:
    """What writing one table needs that does not depend on the rows (built once per table)."""

    table: Table
    key_columns: tuple[str, ...]
    make_key: Callable[[Iterable[Value]], Key]
    """The key from its values: the table's generated natural-key type where `ensure` returns ids by
    key, a plain tuple (equal, same hash, cheaper to build) for a table without `id`."""
    nullable: tuple[int, ...]
    """Positions in `key_columns` of the columns that may be NULL."""
    columns: tuple[str, ...]
    defaults: tuple[Value, ...]
    types: tuple[str, ...]
    lock_base: int
    has_id: bool
    references: tuple[tuple[str, str], ...]
    """(key column, table whose id it holds) for the key's foreign keys."""
    fill: tuple[str, ...]
    """Nullable columns outside the key and without a default: a row found with NULL in one of them
    takes the value given (see `SetWriter.ensure`)."""
    required: frozenset[str]
    """NOT NULL columns without a default: every row must hold them."""
    checks: tuple[Check, ...]
    """Each column's value check (`row_checks.column_check`), in `columns` order."""

    @property
    def name(self) -> str:
        return self.table.name

    def key(self, row: Row) -> Key:
        return self.make_key(map(row.get, self.key_columns))

    def groups(self, rows: Mapping[Key, Row]) -> dict[Pattern, list[Key]]:
        """The keys by NULL pattern, patterns sorted (they select the cached statement)."""
        if not self.nullable:
            return {(): list(rows)}
        if len(self.nullable) == 1:  # the common case: two patterns, split without a tuple per key
            (i,) = self.nullable
            nulls = [key for key in rows if key[i] is None]
            values = [key for key in rows if key[i] is not None] if nulls else list(rows)
            return {pattern: keys for pattern, keys in (((False,), values), ((True,), nulls)) if keys}
        groups: dict[Pattern, list[Key]] = {}
        for key in rows:
            groups.setdefault(tuple([key[i] is None for i in self.nullable]), []).append(key)
        return dict(sorted(groups.items()))

    def arrays(self, rows: Iterable[Row], document: str) -> list[str]:
        """One array literal per column, in `columns` order (absent values take the column's default),
        each column's values checked first (`row_checks`: a value the column cannot hold, a required
        column left out or a column the table does not have is refused naming `table.column` and the
        `document`, before the statement is sent)."""
        rows = list(rows)
        unknown = set().union(*rows).difference(self.columns)
        if unknown:
            raise UnknownColumnError(document, self.name, min(unknown))
        literals = []
        for column, default, check in zip(self.columns, self.defaults, self.checks, strict=True):
            if column in self.required:
                try:
                    values = [row[column] for row in rows]
                except KeyError:
                    raise MissingValueError(document, self.name, column) from None
            else:
                values = [row.get(column, default) for row in rows]
            kinds = set(map(type, values))
            check(values, kinds)
            literals.append(_array_literal(values, kinds, self.name, column))
        return literals

    def lock_ids(self, keys: Iterable[Key]) -> set[int]:
        """The key buckets' lock ids: the table in the high bits, the bucket in the low bits (of the
        key's values as a plain tuple's repr: cheaper than the named key type's)."""
        return {self.lock_base + zlib.crc32(tuple.__repr__(key).encode()) % LOCK_BUCKETS for key in keys}

    def names(self) -> str:
        return ", ".join(map(_q, self.columns))

    def unnest(self, alias: str) -> str:
        """The rows as `alias (columns..., ord)`, one array parameter per column."""
        arrays = ", ".join(f"%s::{kind}[]" for kind in self.types)
        return f"unnest({arrays}) WITH ORDINALITY AS {alias} ({self.names()}, ord)"

    def on(self, left: str, right: str, pattern: Pattern) -> str:
        """Same natural key (rows of `right` all have `pattern`): plain equalities on the columns that
        are set, which indexes and hash joins serve, and `IS NOT DISTINCT FROM` on the NULL ones. The
        latter is a join filter, not a restriction of `left`: a `left.c IS NULL` would be estimated
        at 0.5% of the rows on a table not analyzed yet (a first bulk load), and the planner would then
        rescan it once per row sent."""
        nulls = {self.key_columns[i] for i, null in zip(self.nullable, pattern, strict=True) if null}
        return " AND ".join(
            f"{left}.{_q(c)} {'IS NOT DISTINCT FROM' if c in nulls else '='} {right}.{_q(c)}"
            for c in self.key_columns
        )

    def lacks(self, found: str, given: str) -> str:
        """SQL: the row `found` has NULL in a `fill` column where the row `given` has a value."""
        return " OR ".join(f"({found}.{_q(c)} IS NULL AND {given}.{_q(c)} IS NOT NULL)" for c in self.fill)

    def filled(self, given: str) -> str:
        """SQL assignments of an UPDATE aliased `t`: each `fill` column keeps its value, else takes `given`'s."""
        return ", ".join(f"{_q(c)} = COALESCE(t.{_q(c)}, {given}.{_q(c)})" for c in self.fill)

    def insert_missing(self, patterns: Sequence[Pattern], direct: bool, staged: str | None = None) -> str:
        """INSERT the rows (one set of arrays per pattern, or the CTEs `<staged><n>` holding them) whose
        key the table does not hold yet, and with `direct` one more set of arrays inserted without a
        lookup (rows known to be new)."""
        target, names = _q(self.name), self.names()
        selects = [
            f"SELECT {names} FROM {f'{staged}{n} AS v{n}' if staged else self.unnest(f'v{n}')} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {target} AS t WHERE {self.on('t', f'v{n}', pattern)})"
            for n, pattern in enumerate(patterns)
        ]
        if direct:
            selects.append(f"SELECT {names} FROM {self.unnest('d')}")
        return f"INSERT INTO {target} ({names}) {' UNION ALL '.join(selects)}"


def _text(value: Value) -> str:
    """One element of an array literal (PostgreSQL's text form, quoted where it may need it)."""
    if type(value) is str:
        text = value
    elif value is None:
        return "NULL"
    elif value is True or value is False:
        return "t" if value else "f"
    elif isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(int(value))
    elif isinstance(value, str):
        text = value
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    else:
        raise TypeError(f"cannot write a {type(value).__name__} ({value!r})")
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


_NONE = type(None)
_BOOLEANS: dict[object, str] = {True: "t", False: "f", None: "NULL"}
_NUL_FOR_NULL: dict[object, object] = {None: "\x00"}


def _array_literal(values: Sequence[Value], kinds: AbstractSet[type], table: str, column: str) -> str:
    """PostgreSQL's text form of an array: one constant for the server to read, instead of an
    `ARRAY[...]` expression of one constant per element (three times faster to send and parse).
    Columns of integers, booleans or texts (with NULLs) are joined whole, the others value by value;
    `kinds` is the set of the values' types."""
    if kinds <= {int, _NONE}:  # ids, the commonest columns: no quoting ("None" is no integer's digit)
        body = ",".join(map(str, values))
        return "{" + (body.replace("None", "NULL") if _NONE in kinds else body) + "}"
    if kinds <= {bool, _NONE}:
        return "{" + ",".join(map(_BOOLEANS.__getitem__, values)) + "}"
    if kinds <= {str, _NONE}:
        nulls = values.count(None)
        texts = cast(Iterable[str], map(_NUL_FOR_NULL.get, values, values))  # a NULL as a NUL, then unquoted
        body = '","'.join(texts)
        if "\\" not in body and body.count('"') == 2 * len(values) - 2 and body.count("\x00") == nulls:
            literal = '{"' + body + '"}'
            return literal.replace('"\x00"', "NULL") if nulls else literal
    try:
        return "{" + ",".join(map(_text, values)) + "}"
    except TypeError as error:
        raise TypeError(f"{table}.{column}: {error}") from None


@cache
def plan(table_name: str) -> _Plan:
    """The cached description of a table's rows."""
    handle = ROW_TABLES[table_name]
    table = handle.table
    key_columns = handle.key._fields
    columns = [c for c in table.columns if not (c.autoincrement is True or c.name == "id")]
    fill = [
        c.name
        for c in columns
        if c.nullable and c.name not in key_columns and c.default is None and c.server_default is None
    ]
    table_part = int.from_bytes(zlib.crc32(table_name.encode()).to_bytes(4, "big"), "big", signed=True)
    return _Plan(
        table=table,
        key_columns=key_columns,
        make_key=partial(tuple.__new__, handle.key) if "id" in table.c else tuple,
        nullable=tuple(i for i, c in enumerate(key_columns) if table.c[c].nullable),
        columns=tuple(c.name for c in columns),
        defaults=tuple(_default(c) for c in columns),
        types=tuple(_sql_type(c) for c in columns),
        lock_base=table_part * LOCK_BUCKETS,
        has_id="id" in table.c,
        references=tuple(
            (fk.parent.name, fk.column.table.name)
            for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name)
            if fk.parent.name in key_columns and fk.column.name == "id"
        ),
        fill=tuple(fill),
        required=frozenset(handle.required),
        checks=tuple(column_check(table_name, c.name) for c in columns),
    )


Shape = tuple[tuple[str, tuple[Pattern, ...], bool], ...]
"""The tables of one statement, the NULL patterns of their rows looked up, and whether rows known to be
new are inserted without a lookup: what its SQL depends on."""


@cache
def _statement(shape: Shape) -> str:
    """After the locks, for every table of `shape`: look its rows up once, insert the missing ones and
    fill the found ones' NULL `fill` columns from the rows given.

    Returns (table, pattern, position, id, inserted) for every row of a table with `id` (one left
    join finds each row's id or gives it a new one from the table's sequence, so no second lookup is
    needed), and (table, 0, 0, 0, true) for every row inserted into a table without `id`.
    """
    ctes, results = [], []
    for k, (table_name, patterns, direct) in enumerate(shape):
        table = plan(table_name)
        target, names = _q(table_name), table.names()
        if not table.has_id:
            staged = None
            if table.fill and patterns:  # the rows are read twice: to fill found rows, to insert
                staged = f"s{k}_"
                for n, pattern in enumerate(patterns):
                    ctes.append(f"{staged}{n} AS MATERIALIZED (SELECT * FROM {table.unnest('v')})")
                    ctes.append(
                        f"u{k}_{n} AS (UPDATE {target} AS t SET {table.filled('v')} FROM {staged}{n} AS v "
                        f"WHERE {table.on('t', 'v', pattern)} AND ({table.lacks('t', 'v')}))"
                    )
            ctes.append(f"i{k} AS ({table.insert_missing(patterns, direct, staged)} RETURNING 1)")
            results.append(f"SELECT {k}, 0, 0, 0, true FROM i{k}")
            continue
        sequence = f"nextval((SELECT pg_get_serial_sequence('{target}', 'id')))"
        lacking = f", t.id IS NOT NULL AND ({table.lacks('t', 'v')}) AS lacking" if table.fill else ""
        fresh = []
        for n, pattern in enumerate(patterns):
            rows = f"r{k}_{n}"
            ctes.append(
                f"{rows} AS MATERIALIZED (SELECT v.*, COALESCE(t.id, {sequence}) AS id, t.id IS NULL AS fresh"
                f"{lacking} FROM {table.unnest('v')} LEFT JOIN {target} AS t ON {table.on('t', 'v', pattern)})"
            )
            if table.fill:
                ctes.append(
                    f"u{k}_{n} AS (UPDATE {target} AS t SET {table.filled('r')} FROM {rows} AS r "
                    "WHERE r.lacking AND t.id = r.id)"
                )
            fresh.append(f"SELECT id, {names} FROM {rows} WHERE fresh")
            results.append(f"SELECT {k}, {n}, ord, id, fresh FROM {rows}")
        ctes.append(f"i{k} AS (INSERT INTO {target} (id, {names}) {' UNION ALL '.join(fresh)})")
    return f"WITH {', '.join(ctes)} {' UNION ALL '.join(results)}"


def _complete(rows: dict[Key, Row], key: Key, first: Row, row: Row, fill: Sequence[str]) -> None:
    """A repeated key: the `fill` columns the first row left NULL take the repeat's values."""
    known = {c: row[c] for c in fill if first.get(c) is None and row.get(c) is not None}
    if known:
        rows[key] = {**first, **known}


@cache
def _deferrable() -> tuple[str, ...]:
    """The tables without `id`, whose rows a writer made with `defer=True` holds for `flush()`."""
    return tuple(name for name in ROW_TABLES if not plan(name).has_id)


@dataclass
class Tally:
    """One document's share of a writer's work: what it saw (rows after de-duplication) and inserted,
    per table (see `SetWriter.use`)."""

    document: str = ""
    seen: Counter[str] = field(default_factory=Counter)
    inserted: Counter[str] = field(default_factory=Counter)
    counted: dict[str, set[Key]] | None = None
    """Keys of the deferred rows counted in `seen`, by table (see `SetWriter._counted`); None until
    the tally is first used."""


def ids_in_order(ids: Mapping[Key, int], table_name: str, rows: Iterable[Row]) -> list[int]:
    """The id of each row, in order, from what `ensure` returned for the table."""
    key = plan(table_name).key
    return [ids[key(row)] for row in rows]


class SetWriter:
    """Writes row sets on one connection inside the caller's transaction, and counts what it did.

    With `defer=True`, rows of tables without `id` wait for `flush()`, which the caller must run
    before committing (`GraphDatabase`'s sync writers do).
    """

    def __init__(
        self,
        connection: Connection,
        *,
        defer: bool = False,
        document: str = "",
        index_aliases: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.connection = connection
        self.defer = defer
        self.document = document
        """What the rows come from (a document id), named by the errors of rows refused."""
        self.index_aliases = index_aliases
        """The adapter's `DatabaseSettings.index_aliases`, which the writers apply to the index URLs they write."""
        self.inserted: Counter[str] = Counter()
        self.seen: Counter[str] = Counter()
        self._pending: dict[str, dict[Key, Row]] = {}
        self._fresh: dict[str, set[int]] = {}
        """Ids this writer inserted since its last flush, by table."""
        self._direct: dict[str, set[Key]] = {}
        """Keys this writer inserted without a lookup since its last flush, by table."""
        self._counted: dict[str, set[Key]] = {}
        """Keys of deferred rows counted in `seen` since the document began or the last flush, for
        the tables that held an earlier document's rows when it began (for the others, every pending
        key is the document's own, and what it adds to the pending rows is what it saw)."""

    def use(self, tally: Tally, *, interleaved: bool = False) -> None:
        """Count into `tally` from here on, and name its document in errors: the share of one document
        of several written by this writer (deferred rows wait for the same flush, so their link rows
        go in one round trip). `interleaved`: the documents' rows come in turn (`ensure_together`), so
        every deferred key is counted, not only those of tables an earlier document left rows in."""
        if tally.counted is None:
            tables = _deferrable() if interleaved else (name for name, rows in self._pending.items() if rows)
            tally.counted = {name: set() for name in tables}
        self.document, self.seen, self.inserted, self._counted = (
            tally.document,
            tally.seen,
            tally.inserted,
            tally.counted,
        )

    def _cursor(self) -> Cursor:
        return raw_cursor(self.connection)

    def ensure(self, rows: RowSet[R, K]) -> dict[K, int]:
        """Insert the rows that are not there yet, and fill the NULL `fill` columns of those that are
        with the values given (a document that knows more completes what an earlier one left unknown,
        whatever their order; a value already set is kept); natural key -> id (empty for tables
        without `id`)."""
        return cast(dict[K, int], self.ensure_tables({rows.table.name: rows.rows})[rows.table.name])

    def ensure_many(self, *sets: RowSet[Any, Any]) -> dict[str, dict[Key, int]]:
        """`ensure` for several tables that do not refer to one another, in one round trip; natural
        key -> id by table name."""
        tables: dict[str, list[Row]] = {}
        for row_set in sets:
            tables.setdefault(row_set.table.name, []).extend(row_set.rows)
        return self.ensure_tables(tables)

    def ensure_tables(self, tables: Mapping[str, Iterable[Row]]) -> dict[str, dict[Key, int]]:
        """`ensure_many` of rows already typed by their `RowSet`s, by table name."""
        found: dict[str, dict[Key, int]] = {name: {} for name in tables}
        batch: dict[str, dict[Key, Row]] = {}
        for name, rows in tables.items():
            unique = self._collect(name, rows, deferrable=not plan(name).has_id)
            if unique:
                batch[name] = unique
        self._write(batch, found)
        return found

    def ensure_together(
        self, shares: Sequence[tuple[Tally, Mapping[str, Iterable[Row]]]]
    ) -> dict[str, dict[Key, int]]:
        """`ensure_tables` for several documents in one round trip: each document's rows are counted
        in its tally (`use`), and a row inserted counts for the first document that holds its key,
        as if the documents were written in turn; natural key -> id by table name, for all of them."""
        found: dict[str, dict[Key, int]] = {}
        batch: dict[str, dict[Key, Row]] = {}
        owners: dict[str, dict[Key, Counter[str]]] = {}
        for tally, tables in shares:
            self.use(tally, interleaved=True)
            for name, rows in tables.items():
                found.setdefault(name, {})
                table = plan(name)
                unique = self._collect(name, rows, deferrable=not table.has_id)
                if not unique:
                    continue
                self.seen[name] += len(unique)
                merged, owner = batch.setdefault(name, {}), owners.setdefault(name, {})
                for key, row in unique.items():
                    first = merged.setdefault(key, row)
                    if first is row:
                        owner[key] = tally.inserted
                    elif table.fill:
                        _complete(merged, key, first, row, table.fill)
        self.document = " or ".join(dict.fromkeys(tally.document for tally, _tables in shares))
        self._write(batch, found, counted=True, owners=owners)
        return found

    def add(self, rows: RowSet[Any, Any]) -> None:
        """Rows whose ids nobody needs: with `defer=True` they wait for `flush()` too, else `ensure`."""
        if self.defer:
            self._collect(rows.table.name, rows.rows, deferrable=True)
        else:
            self.ensure(rows)

    def _collect(self, table_name: str, rows: Iterable[Row], *, deferrable: bool) -> dict[Key, Row] | None:
        """The rows by natural key, once each (a repeated key fills the `fill` columns the first
        occurrence left NULL); None when they were put aside for `flush()` instead."""
        deferred = self.defer and deferrable
        table = plan(table_name)
        unique = self._pending.setdefault(table_name, {}) if deferred else {}
        counted = self._counted.get(table_name) if deferred else None
        seen, key_of, fill = len(unique if counted is None else counted), table.key, table.fill
        for row in rows:
            key = key_of(row)
            if counted is not None:  # seen once per document, though written at the flush
                counted.add(key)
            first = unique.setdefault(key, row)
            if first is not row and fill:  # the same rule as for rows found in the table
                _complete(unique, key, first, row, fill)
        if deferred:
            self.seen[table_name] += len(unique if counted is None else counted) - seen
        return None if deferred else unique

    def flush(self) -> None:
        """Write the deferred rows (tables without `id`) in one round trip. Rows written afterwards
        that refer to rows inserted before are looked up again (see `_split`), so what the writer
        remembers is bounded by what it wrote since the last flush (a slice of a streamed document)."""
        pending, self._pending = self._pending, {}
        self._write({name: rows for name, rows in pending.items() if rows}, {}, counted=True)
        self._fresh.clear()
        self._direct.clear()
        self._counted.clear()

    def _write(
        self,
        batch: Mapping[str, Mapping[Key, Row]],
        found: dict[str, dict[Key, int]],
        *,
        counted: bool = False,
        owners: Mapping[str, Mapping[Key, Counter[str]]] | None = None,
    ) -> None:
        """Write the rows of `batch` in one round trip, `found` getting their ids; `counted`: `seen`
        counts them already; `owners`: the tally that counts the insertion of each key of a table with
        `id` (`ensure_together`), else `inserted` does."""
        names: list[str] = []
        locks: set[int] = set()
        parameters: list[str] = []
        shape, key_lists = [], []
        for name in sorted(batch):
            table = plan(name)
            if not counted:  # deferred rows were counted when collected
                self.seen[name] += len(batch[name])
            rows, direct = self._split(table, batch[name])
            if not rows and not direct:  # all written by this writer already
                continue
            names.append(name)
            locks |= table.lock_ids(rows)
            groups = table.groups(rows) if rows else {}
            for keys in groups.values():
                parameters += table.arrays((rows[key] for key in keys), self.document)
            if direct:
                parameters += table.arrays(direct, self.document)
            shape.append((name, tuple(groups), bool(direct)))
            key_lists.append(list(groups.values()))
        if not names:
            return
        with self._cursor() as cursor:
            cursor.execute(_LOCKS + _statement(tuple(shape)), [_locks(locks), *parameters])
            records = cursor.fetchall()
        ids = [found.setdefault(name, {}) if plan(name).has_id else None for name in names]
        fresh: list[list[int]] = [[] for _name in names]
        for k, group, position, ident, inserted in records:
            if inserted:
                fresh[k].append(ident)
            target = ids[k]
            if target is not None:
                target[key_lists[k][group][position - 1]] = ident
        if owners is not None:  # each insertion counts for its key's tally
            for k, group, position, _ident, inserted in records:
                if inserted and ids[k] is not None:
                    owners[names[k]][key_lists[k][group][position - 1]][names[k]] += 1
        for name, target, new in zip(names, ids, fresh, strict=True):
            if new:
                if owners is None or target is None:
                    self.inserted[name] += len(new)
                if target is not None:
                    self._fresh.setdefault(name, set()).update(new)

    def _split(self, table: _Plan, rows: Mapping[Key, Row]) -> tuple[Mapping[Key, Row], list[Row]]:
        """The rows to look up, and the rows of a table without `id` to insert straight away: a row
        whose key refers to a row this writer inserted cannot exist yet (no other transaction sees
        that row), so it needs neither a lookup nor a lock. Such keys are remembered, so a second
        write of one in this transaction is dropped instead of inserted twice."""
        fresh = [
            (column, self._fresh[referred])
            for column, referred in table.references
            if referred in self._fresh
        ]
        if table.has_id or not fresh:
            return rows, []
        inserted = self._direct.setdefault(table.name, set())
        looked: dict[Key, Row] = {}
        direct: list[Row] = []
        for key, row in rows.items():
            if key in inserted:
                continue
            for column, ids in fresh:
                if row.get(column) in ids:
                    inserted.add(key)
                    direct.append(row)
                    break
            else:
                looked[key] = row
        return looked, direct

    def ensure_ids(self, rows: RowSet[Any, Any]) -> list[int]:
        """`ensure`, then the id of each given row, in order (for tables with an `id`)."""
        return ids_in_order(self.ensure(rows), rows.table.name, rows.rows)

    def ensure_one(self, rows: RowSet[Any, Any]) -> int:
        """`ensure` for a single row of a table with an `id`; returns its id."""
        (row,) = rows.rows
        return self.ensure(rows)[plan(rows.table.name).key(row)]

    def update(self, table: RowTable[Any, Any], key: Row, values: Row) -> int:
        """Set `values` on the rows matching `key` (column -> value); returns the number of rows changed."""
        self.flush()
        table_name = table.name
        unknown = {*values, *key}.difference(table.table.c.keys())
        if unknown:
            raise UnknownColumnError(self.document, table_name, min(unknown))
        for name, value in (*values.items(), *key.items()):
            check_values(table_name, name, [value])
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
