"""Baselines the sync benchmark compares against: ORM get-or-create row by row, and a raw COPY."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, MetaData, select, text
from sqlalchemy.orm import Session

from generated.models import MODEL_BY_NAME, NATURAL_KEYS, Base
from generated.rows import RowSet, RowTable
from thoth_storages.graph.bulk import Key, Row, SetWriter

_MODEL_BY_TABLE = {model.__tablename__: model for model in MODEL_BY_NAME.values()}


class OrmGetOrCreateWriter(SetWriter):
    """What the original did for every row: query by the row's values, else SAVEPOINT + INSERT.

    Same handlers, same rows, same natural keys as SetWriter: only the way of writing differs.
    """

    def __init__(
        self,
        connection: Connection,
        *,
        defer: bool = False,
        document: str = "",
        index_aliases: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(connection, document=document, index_aliases=index_aliases)  # nothing deferred
        self.session = Session(bind=connection, join_transaction_mode="create_savepoint")

    def ensure_tables(self, tables: Mapping[str, Iterable[Row]]) -> dict[str, dict[Key, int]]:
        return {name: self._get_or_create(name, rows) for name, rows in tables.items()}

    def add(self, rows: RowSet[Any, Any]) -> None:
        self.ensure(rows)

    def _get_or_create(self, table_name: str, rows: Iterable[Row]) -> dict[Key, int]:
        model = _MODEL_BY_TABLE[table_name]
        key_columns = NATURAL_KEYS[table_name]
        found: dict[Key, int] = {}
        for row in rows:
            key = tuple(row.get(column) for column in key_columns)
            if key in found:
                continue
            self.seen[table_name] += 1
            criteria = {column: value for column, value in zip(key_columns, key, strict=True)}
            instance = self.session.query(model).filter_by(**criteria).first()
            if instance is None:
                with self.session.begin_nested():
                    instance = model(**{name: value for name, value in row.items()})
                    self.session.add(instance)
                self.inserted[table_name] += 1
            identity = getattr(instance, "id", None)
            if isinstance(identity, int):
                found[key] = identity
        return found

    def update(self, table: RowTable[Any, Any], key: Row, values: Row) -> int:
        self.session.flush()
        return super().update(table, key, values)


def dump_rows(connection: Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every model table, by table, as tuples in column order."""
    return {
        table.name: [tuple(row) for row in connection.execute(select(table))]
        for table in Base.metadata.sorted_tables
    }


def _copy_text(rows: Sequence[tuple[object, ...]]) -> io.StringIO:
    def field(value: object) -> str:
        if value is None:
            return "\\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

    return io.StringIO("".join("\t".join(field(value) for value in row) + "\n" for row in rows))


def copy_rows(connection: Connection, rows: dict[str, list[tuple[object, ...]]]) -> Counter[str]:
    """COPY the rows into the (empty) tables, parents first; returns rows per table."""
    raw = connection.connection.dbapi_connection
    assert raw is not None
    copied: Counter[str] = Counter()
    metadata: MetaData = Base.metadata
    with raw.cursor() as cursor:
        for table in metadata.sorted_tables:
            if rows.get(table.name):
                columns = ", ".join(f'"{column.name}"' for column in table.columns)
                cursor.copy_expert(
                    f'COPY "{table.name}" ({columns}) FROM STDIN', _copy_text(rows[table.name])
                )
                copied[table.name] = len(rows[table.name])
    connection.execute(text("SELECT 1"))
    return copied
