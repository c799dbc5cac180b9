"""Property tests: rows that break a unique constraint or a foreign key are rejected and leave nothing behind.

For every unique constraint and unique index, a generated row (parents created for its foreign keys,
NULLs in the constrained columns replaced, since NULLs never collide) is inserted twice: the second
insert fails on a unique index over the same columns. For every foreign key, a generated row pointing
at a parent id that does not exist fails on exactly that constraint. Each failing insert runs in a
savepoint, after which the table holds what it held before.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError
from test_models_property import insert_row

from generated.models import Base
from generated.strategies import ROW_STRATEGIES
from thoth_storages import GraphDatabase


@pytest.fixture(scope="module")
def connection(head_graph: GraphDatabase) -> Iterator[Connection]:
    """One connection to the module's database; each example runs in a rolled-back transaction."""
    with head_graph.engine.connect() as connection:
        yield connection


def _unique_sets() -> list[tuple[str, str, tuple[str, ...]]]:
    found: list[tuple[str, str, tuple[str, ...]]] = []
    for table in Base.metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint):
                found.append((table.name, str(constraint.name), tuple(c.name for c in constraint.columns)))
        for index in table.indexes:
            if index.unique:
                found.append((table.name, str(index.name), tuple(c.name for c in index.columns)))
    return sorted(found)


UNIQUE = _unique_sets()
FOREIGN_KEYS = sorted(
    (table.name, str(constraint.name))
    for table in Base.metadata.tables.values()
    for constraint in table.constraints
    if isinstance(constraint, ForeignKeyConstraint)
)


def _names_guarding(table: Table, columns: tuple[str, ...]) -> set[str]:
    """Every unique constraint, unique index or primary key of `table` over exactly `columns`."""
    wanted = set(columns)
    names = {
        str(c.name)
        for c in table.constraints
        if isinstance(c, UniqueConstraint) and {x.name for x in c.columns} == wanted
    }
    names |= {
        str(i.name)
        for i in table.indexes
        if isinstance(i, Index) and i.unique and {x.name for x in i.columns} == wanted
    }
    if {c.name for c in table.primary_key.columns} == wanted:
        names.add(str(table.primary_key.name))
    return names


def _filler(column: Column[object]) -> object:
    """A non-NULL value of the column's type."""
    type_ = column.type
    if isinstance(type_, Enum):
        return type_.enums[0]
    if isinstance(type_, Boolean):
        return True
    if isinstance(type_, Integer):
        return 1
    if isinstance(type_, Float):
        return 1.5
    if isinstance(type_, DateTime):
        return datetime.datetime(2000, 1, 1)
    if isinstance(type_, Date):
        return datetime.date(2000, 1, 1)
    if isinstance(type_, String):
        return "x"
    raise AssertionError(f"no filler for {column.table.name}.{column.name} of type {type_}")


def _row_with_parents(
    connection: Connection, data: st.DataObject, table: Table, skip: str | None = None
) -> dict[str, object]:
    """A generated row of `table` with parents inserted for every foreign key but `skip`."""
    made: dict[str, dict[str, object]] = {}
    row = dict(data.draw(ROW_STRATEGIES[table.name], label=table.name))
    for column in table.columns:
        for fk in column.foreign_keys:
            parent = fk.column.table
            if column.name == skip:
                continue
            if parent is table:
                row[column.name] = None
                continue
            if parent.name not in made:
                made[parent.name] = insert_row(connection, data, parent, made)
            row[column.name] = made[parent.name][fk.column.name]
    return row


def _count(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_every_constraint_is_covered() -> None:
    assert len(UNIQUE) == 20
    assert len(FOREIGN_KEYS) == 105


@pytest.mark.parametrize(("name", "constraint", "columns"), UNIQUE)
def test_duplicate_row_is_rejected_and_leaves_nothing(
    name: str, constraint: str, columns: tuple[str, ...], connection: Connection
) -> None:
    table = Base.metadata.tables[name]
    guards = _names_guarding(table, columns)
    assert constraint in guards

    @settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.data())
    def rejected(data: st.DataObject) -> None:
        transaction = connection.begin()
        try:
            row = _row_with_parents(connection, data, table)
            for column in columns:  # NULLs never collide: give the constrained columns values
                if row.get(column) is None and not table.c[column].foreign_keys:
                    row[column] = _filler(table.c[column])
            stored = dict(
                connection.execute(insert(table).values(row).returning(*table.columns)).one()._mapping
            )
            serial = table.autoincrement_column
            duplicate = {
                key: value
                for key, value in stored.items()
                if serial is None or key != serial.name or key in columns
            }
            savepoint = connection.begin_nested()
            with pytest.raises(
                IntegrityError, match="duplicate key value violates unique constraint"
            ) as error:
                connection.execute(insert(table).values(duplicate))
            savepoint.rollback()
            violated = getattr(error.value.orig, "diag", None)
            assert getattr(violated, "constraint_name", None) in guards
            assert _count(connection, table) == 1
        finally:
            transaction.rollback()

    rejected()


@pytest.mark.parametrize(("name", "constraint"), FOREIGN_KEYS)
def test_row_pointing_at_a_missing_parent_is_rejected_and_leaves_nothing(
    name: str, constraint: str, connection: Connection
) -> None:
    table = Base.metadata.tables[name]
    fk = next(c for c in table.foreign_key_constraints if c.name == constraint)
    (column,) = fk.columns
    (element,) = fk.elements

    @settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.data(), offset=st.integers(min_value=1, max_value=10**6))
    def rejected(data: st.DataObject, offset: int) -> None:
        transaction = connection.begin()
        try:
            row = _row_with_parents(connection, data, table, skip=column.name)
            largest = connection.execute(select(func.coalesce(func.max(element.column), 0))).scalar_one()
            row[column.name] = int(largest) + offset
            before = _count(connection, table)
            savepoint = connection.begin_nested()
            with pytest.raises(IntegrityError, match=f'violates foreign key constraint "{constraint}"'):
                connection.execute(insert(table).values(row))
            savepoint.rollback()
            assert _count(connection, table) == before
        finally:
            transaction.rollback()

    rejected()
