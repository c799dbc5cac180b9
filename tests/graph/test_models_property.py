"""Property tests over every generated model, on a real database at the head revision.

Valid rows (values from generated/strategies.py, parents created for every foreign key) round-trip
unchanged; a row missing a NOT NULL value is rejected by the database and leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy.exc import IntegrityError

from generated.models import Base
from generated.strategies import ROW_STRATEGIES
from thoth_storages import GraphDatabase

TABLES = sorted(Base.metadata.tables)


@pytest.fixture(scope="module")
def head_connection(head_graph: GraphDatabase) -> Iterator[Connection]:
    """One connection to the module's database; each example runs in a rolled-back transaction."""
    with head_graph.engine.connect() as connection:
        yield connection


def insert_row(
    connection: Connection,
    data: st.DataObject,
    table: Table,
    made: dict[str, dict[str, object]] | None = None,
) -> dict[str, object]:
    """Insert one generated row of `table`, parents first (one row per parent table); return it as stored."""
    made = {} if made is None else made
    row = dict(data.draw(ROW_STRATEGIES[table.name], label=table.name))
    for column in table.columns:
        for fk in column.foreign_keys:
            parent = fk.column.table
            if parent is table:
                row[column.name] = None
                continue
            if parent.name not in made:
                made[parent.name] = insert_row(connection, data, parent, made)
            row[column.name] = made[parent.name][fk.column.name]
    stored = connection.execute(insert(table).values(row).returning(*table.columns)).one()
    return dict(stored._mapping)


@pytest.mark.parametrize("name", TABLES)
def test_valid_rows_round_trip(name: str, head_connection: Connection) -> None:
    table = Base.metadata.tables[name]

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.data())
    def round_trip(data: st.DataObject) -> None:
        transaction = head_connection.begin()
        try:
            stored = insert_row(head_connection, data, table)
            key = [table.c[column.name] == stored[column.name] for column in table.primary_key.columns]
            read = head_connection.execute(select(table).where(*key)).one()
            assert dict(read._mapping) == stored
        finally:
            transaction.rollback()

    round_trip()


NOT_NULL = sorted(
    (name, column.name)
    for name, table in Base.metadata.tables.items()
    for column in table.columns
    if not column.nullable
    and not column.primary_key
    and column.server_default is None
    and not column.foreign_keys
)


@pytest.mark.parametrize(("name", "column"), NOT_NULL[:: max(1, len(NOT_NULL) // 40)])
def test_missing_not_null_value_is_rejected_and_leaves_nothing(
    name: str, column: str, head_connection: Connection
) -> None:
    table = Base.metadata.tables[name]

    @settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.data())
    def rejected(data: st.DataObject) -> None:
        transaction = head_connection.begin()
        try:
            made: dict[str, dict[str, object]] = {}
            parents = {
                c.name: insert_row(head_connection, data, next(iter(c.foreign_keys)).column.table, made)["id"]
                for c in table.columns
                if c.foreign_keys
            }
            row = {**data.draw(ROW_STRATEGIES[name]), **parents, column: None}
            savepoint = head_connection.begin_nested()
            with pytest.raises(IntegrityError, match="null value in column"):
                head_connection.execute(insert(table).values(row))
            savepoint.rollback()
            assert head_connection.execute(select(func.count()).select_from(table)).scalar() == 0
        finally:
            transaction.rollback()

    rejected()
