"""Compare two schemas (the last revision's snapshot and the YAML now) into migration operations."""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

from . import ir
from . import migration_ops as ops

_INTEGER_WIDTH = {"smallint": 1, "integer": 2, "bigint": 3}


class DestructiveChangeError(Exception):
    """The schema change loses data and the YAML does not declare it under `destructive:`."""


class _AllIntended(frozenset[str]):
    """Every destructive change intended: for historical revisions (accepted when written) and drift."""

    def __contains__(self, item: object) -> bool:
        return True


ALL_INTENDED = ir.Destructive(_AllIntended(), _AllIntended(), _AllIntended(), _AllIntended())


def is_widening(old: str, new: str) -> bool:
    """True when every value of type `old` fits type `new` unchanged."""
    if old in _INTEGER_WIDTH and new in _INTEGER_WIDTH:
        return _INTEGER_WIDTH[new] >= _INTEGER_WIDTH[old]
    old_varchar, new_varchar = ir.VARCHAR.fullmatch(old), ir.VARCHAR.fullmatch(new)
    if old_varchar and new == "text":
        return True
    if old in _INTEGER_WIDTH and (new == "text" or (new_varchar and int(new_varchar.group(1)) >= 20)):
        return True  # every integer has a text spelling
    if old_varchar and new_varchar:
        return int(new_varchar.group(1)) >= int(old_varchar.group(1))
    return old in _INTEGER_WIDTH and new == "float"


def _creation_order(tables: list[ir.Table]) -> list[ir.Table]:
    names = {table.name for table in tables}
    graph = {
        table.name: {
            c.foreign_key.table
            for c in table.columns
            if c.foreign_key and c.foreign_key.table in names and c.foreign_key.table != table.name
        }
        for table in sorted(tables, key=lambda t: t.name)
    }
    by_name = {table.name: table for table in tables}
    sorter = TopologicalSorter(graph)
    order: list[str] = []
    try:
        sorter.prepare()
    except CycleError as error:
        raise DestructiveChangeError(f"foreign keys form a cycle: {error.args[1]}") from None
    while sorter.is_active():  # sorted batches: the order must not depend on hash seeds
        ready = sorted(sorter.get_ready())
        order += ready
        sorter.done(*ready)
    return [by_name[name] for name in order]


def _primary_key(table: ir.Table) -> tuple[str, tuple[str, ...]] | None:
    """The primary-key constraint the database holds: its name and columns."""
    return (table.primary_key_name, table.primary_key) if table.primary_key_constraint else None


def compare(old: ir.Schema, new: ir.Schema) -> list[ops.Op]:
    """Operations that turn `old` into `new`, in an order that upgrades cleanly."""
    old_enums = {enum.name: enum for enum in old.enums}
    new_enums = {enum.name: enum for enum in new.enums}
    old_tables = {table.name: table for table in old.tables}
    new_tables = {table.name: table for table in new.tables}
    intent = new.destructive
    refused: list[str] = []

    first: list[ops.Op] = [
        ops.CreateEnum(new_enums[name]) for name in sorted(set(new_enums) - set(old_enums))
    ]
    for name in sorted(set(new_enums) & set(old_enums)):
        before, after = old_enums[name], new_enums[name]
        if before.values == after.values:
            continue
        users = tuple(  # the columns of the type while it changes, in either direction: the old schema's
            (table.name, column)
            for table in old.tables
            for column in table.columns
            if column.enum_name == name
        )
        removed = [value for value in before.values if value not in after.values]
        refused += [
            f"enum {name}: value {value} is removed (declare `- drop_enum_value: {name}.{value}` under "
            "destructive:)"
            for value in removed
            if f"{name}.{value}" not in intent.drop_enum_values
        ]
        kept_order = [value for value in after.values if value in before.values] == list(before.values)
        if removed or not kept_order:
            first.append(ops.ReplaceEnum(before, after, users))
        else:
            first.append(ops.AddEnumValues(before, after, users))

    created = [new_tables[name] for name in sorted(set(new_tables) - set(old_tables))]
    first += [ops.CreateTable(table, new_enums) for table in _creation_order(created)]

    middle: list[ops.Op] = []
    late: list[ops.Op] = []
    for name in sorted(set(new_tables) & set(old_tables)):
        refused += _compare_table(
            old_tables[name], new_tables[name], old_enums, new_enums, intent, middle, late
        )

    dropped = [old_tables[name] for name in sorted(set(old_tables) - set(new_tables))]
    for table in dropped:
        if table.name not in intent.drop_tables:
            refused.append(
                f"table {table.name} is dropped (declare `- drop_table: {table.name}` under destructive:)"
            )
    last: list[ops.Op] = [ops.DropTable(table, old_enums) for table in reversed(_creation_order(dropped))]
    last += [ops.DropEnum(old_enums[name]) for name in sorted(set(old_enums) - set(new_enums))]
    if refused:
        raise DestructiveChangeError("refused destructive changes:\n  " + "\n  ".join(refused))
    return first + middle + late + last


def _compare_table(
    old: ir.Table,
    new: ir.Table,
    old_enums: dict[str, ir.Enum],
    new_enums: dict[str, ir.Enum],
    intent: ir.Destructive,
    middle: list[ops.Op],
    late: list[ops.Op],
) -> list[str]:
    refused: list[str] = []
    name = new.name
    old_columns = {column.name: column for column in old.columns}
    new_columns = {column.name: column for column in new.columns}
    old_pk, new_pk = _primary_key(old), _primary_key(new)
    if old_pk != new_pk and old_pk is not None:
        middle.append(ops.DropPrimaryKey(name, *old_pk))
    if old_pk != new_pk and new_pk is not None:
        late.append(ops.CreatePrimaryKey(name, *new_pk))

    # Constraints and indexes that change or go are dropped first, and (re)created after the columns.
    old_uniques = {u.name: u for u in old.unique_constraints}
    new_uniques = {u.name: u for u in new.unique_constraints}
    old_indexes = {i.name: i for i in old.indexes}
    new_indexes = {i.name: i for i in new.indexes}
    for key in sorted(old_indexes):
        if new_indexes.get(key) != old_indexes[key]:
            middle.append(ops.DropIndex(name, old_indexes[key]))
    for key in sorted(old_uniques):
        if new_uniques.get(key) != old_uniques[key]:
            middle.append(ops.DropUnique(name, old_uniques[key]))
    for column in old.columns:
        fk = column.foreign_key
        new_column = new_columns.get(column.name)
        if fk and new_column is not None and new_column.foreign_key != fk:
            middle.append(ops.DropForeignKey(name, column.name, fk))

    for column in new.columns:
        if column.name not in old_columns:
            middle.append(ops.AddColumn(name, column, new_enums))
            continue
        before = old_columns[column.name]
        if before.type != column.type and not is_widening(before.type, column.type):
            key = f"{name}.{column.name}"
            if key not in intent.narrow_types:
                refused.append(
                    f"column {key}: {before.type} -> {column.type} narrows the type "
                    f"(declare `- narrow_type: {key}` under destructive:)"
                )
        if (before.type, before.nullable, before.server_default, before.comment) != (
            column.type,
            column.nullable,
            column.server_default,
            column.comment,
        ):
            middle.append(ops.AlterColumn(name, before, column, new_enums, old_enums))
        if column.foreign_key and column.foreign_key != before.foreign_key:
            late.append(ops.CreateForeignKey(name, column.name, column.foreign_key))
    for column in old.columns:
        if column.name not in new_columns:
            key = f"{name}.{column.name}"
            if key not in intent.drop_columns:
                refused.append(f"column {key} is dropped (declare `- drop_column: {key}` under destructive:)")
            middle.append(ops.DropColumn(name, column, old_enums))

    for key in sorted(new_uniques):
        if old_uniques.get(key) != new_uniques[key]:
            late.append(ops.CreateUnique(name, new_uniques[key]))
    for key in sorted(new_indexes):
        if old_indexes.get(key) != new_indexes[key]:
            late.append(ops.CreateIndex(name, new_indexes[key]))
    if old.comment != new.comment:
        late.append(ops.ChangeTableComment(name, old.comment, new.comment))
    return refused
