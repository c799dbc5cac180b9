"""A database's whole contents with surrogate ids replaced by the rows they name, to compare databases.

Two databases built from the same documents (by different libraries, in another order, after a crash
and a re-sync, or restored from a dump) number their rows differently. `table_contents` reads every
table of a live database (by reflection, so it works on a database the original built too) and gives
each table as a multiset of rows in which

- a table's own serial id column (a one-column integer primary key filled by a sequence) is left out,
- every foreign key to such an id is replaced by the referenced row, resolved the same way, recursively,

so two databases are equal on all columns exactly when `diff_contents` finds nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import Engine, Integer, MetaData, Table, select

from ..reasons import cut

Row = tuple[tuple[str, object], ...]
"""One row: (column, value) pairs sorted by column name; a foreign key's value is the referenced Row."""

Contents = dict[str, Counter[Row]]


def _plain(value: object) -> object:
    """A hashable, order-stable form of a value the driver returned (JSON and arrays as sorted text)."""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def _serial_id(table: Table) -> str | None:
    """The table's own surrogate id column, if its primary key is one sequence-filled integer."""
    columns = list(table.primary_key.columns)
    if len(columns) != 1:
        return None
    column = columns[0]
    default = column.server_default
    text = str(getattr(default, "arg", "")) if default is not None else ""
    return column.name if isinstance(column.type, Integer) and "nextval" in text else None


class _Resolver:
    """Reads each table once and resolves ids to rows, memoised per table."""

    def __init__(self, engine: Engine, metadata: MetaData, ignore: Mapping[str, Collection[str]]) -> None:
        self._engine = engine
        self._tables = metadata.tables
        self._ignore = ignore
        self._raw: dict[str, list[dict[str, object]]] = {}
        self._by_id: dict[str, dict[object, Row]] = {}
        self._resolving: set[str] = set()
        self._ids = {name: _serial_id(table) for name, table in self._tables.items()}
        self._links = {
            name: {
                key.parent.name: key.column.table.name
                for key in table.foreign_keys
                if key.column.name == self._ids[key.column.table.name]
            }
            for name, table in self._tables.items()
        }

    def raw(self, name: str) -> list[dict[str, object]]:
        if name not in self._raw:
            with self._engine.connect() as connection:
                result = connection.execute(select(self._tables[name]))
                self._raw[name] = [dict(row) for row in result.mappings()]
        return self._raw[name]

    def row_of(self, name: str, key: object) -> Row:
        """The resolved row of table `name` whose serial id is `key`."""
        if name not in self._by_id:
            if name in self._resolving:
                raise ValueError(f"foreign keys of table {name!r} refer to it in a cycle")
            self._resolving.add(name)
            table, id_column = self._tables[name], self._ids[name]
            self._by_id[name] = {raw[str(id_column)]: self.resolve(table, raw) for raw in self.raw(name)}
            self._resolving.discard(name)
        try:
            return self._by_id[name][key]
        except KeyError:
            raise ValueError(f"a foreign key refers to {name}.id = {key!r}, which does not exist") from None

    def resolve(self, table: Table, raw: Mapping[str, object]) -> Row:
        """One raw row as compared: own serial id left out, foreign keys to serial ids resolved."""
        id_column = self._ids[table.name]
        ignored = self._ignore.get(table.name, ())
        links = self._links[table.name]
        pairs: list[tuple[str, object]] = []
        for column in sorted(raw):
            if column == id_column or column in ignored:
                continue
            value = raw[column]
            if column in links and value is not None:
                pairs.append((column, self.row_of(links[column], value)))
            else:
                pairs.append((column, _plain(value)))
        return tuple(pairs)


def table_contents(
    engine: Engine,
    *,
    tables: Collection[str] | None = None,
    ignore: Mapping[str, Collection[str]] | None = None,
) -> Contents:
    """Every table (or the named ones) as a multiset of rows with ids resolved; `alembic_version` is left out.

    `ignore` names columns per table that are not compared (for example a timestamp set at write time).
    """
    metadata = MetaData()
    metadata.reflect(engine)
    names = sorted(name for name in metadata.tables if name != "alembic_version")
    if tables is not None:
        unknown = sorted(set(tables) - set(names))
        if unknown:
            raise ValueError(f"no such table(s) in the database: {', '.join(unknown)}")
        names = sorted(tables)
    resolver = _Resolver(engine, metadata, ignore or {})
    return {
        name: Counter(resolver.resolve(metadata.tables[name], raw) for raw in resolver.raw(name))
        for name in names
    }


@dataclass(frozen=True)
class TableDiff:
    """The rows of one table found on one side only (with multiplicity)."""

    table: str
    only_left: Counter[Row]
    only_right: Counter[Row]

    def describe(self, limit: int = 3) -> str:
        """One paragraph naming the table, how many rows differ and the first few of them."""
        lines = [
            f"{self.table}: {self.only_left.total()} row(s) only on the left, "
            f"{self.only_right.total()} only on the right"
        ]
        for side, rows in (("left", self.only_left), ("right", self.only_right)):
            for row in sorted(rows, key=repr)[:limit]:
                lines.append(f"  only {side}: {_short(row)}")
        return "\n".join(lines)


def _short(row: Row) -> str:
    return cut(", ".join(f"{column}={value!r}" for column, value in row), 400)


def diff_contents(left: Contents, right: Contents) -> list[TableDiff]:
    """The tables whose contents differ (a table present on one side only counts as all rows differing)."""
    diffs: list[TableDiff] = []
    for name in sorted(set(left) | set(right)):
        a, b = left.get(name, Counter()), right.get(name, Counter())
        if a != b:
            diffs.append(TableDiff(name, a - b, b - a))
    return diffs
