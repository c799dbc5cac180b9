"""Drift: the migration operations that would turn a database into the expected schema, one line each.

The same diff engine as migrations (`migration_diff.compare`), read the other way: each operation says
what is missing, unexpected or different, with the expected schema as the reference::

    column python_package_index.url: nullable: expected False, got True

Both sides are compared as a database holds them (`reflect.shape`), without comments; column order,
serial columns and what a reflected database holds beyond the model (`Schema.unexpressed`) are compared beside the engine.
"""

from __future__ import annotations

from dataclasses import replace

from . import ir
from . import migration_ops as ops
from .migration_diff import ALL_INTENDED, compare
from .pytypes import sql_type
from .reflect import shape


def _structure(schema: ir.Schema) -> ir.Schema:
    shaped = shape(schema)
    return ir.Schema(
        enums=shaped.enums,
        tables=tuple(
            replace(table, comment=None, columns=tuple(replace(c, comment=None) for c in table.columns))
            for table in shaped.tables
        ),
        destructive=ALL_INTENDED,
    )


def differences(expected: ir.Schema, actual: ir.Schema) -> list[str]:
    """Every difference of `actual` from `expected`, one sorted line each; empty when they match."""
    operations = compare(_structure(actual), _structure(expected))
    lines: list[str] = []
    dropped: dict[tuple[str, str], str] = {}  # (what, where) -> description of what the database has
    for operation in operations:
        match operation:
            case ops.DropIndex(table, index):
                dropped["index", f"{table}.{index.name}"] = _index(index)
            case ops.DropUnique(table, unique):
                dropped["unique constraint", f"{table}.{unique.name}"] = _columns(unique.columns)
            case ops.DropForeignKey(table, column, fk):
                dropped["foreign key", _fk_place(table, column, fk)] = _fk(fk)
            case ops.DropPrimaryKey(table, name, columns):
                dropped["primary key", table] = f"{name} {_columns(columns)}"
    for operation in operations:
        match operation:
            case ops.CreateIndex(table, index):
                lines.append(_created(dropped, "index", f"{table}.{index.name}", _index(index)))
            case ops.CreateUnique(table, unique):
                key = f"{table}.{unique.name}"
                lines.append(_created(dropped, "unique constraint", key, _columns(unique.columns)))
            case ops.CreateForeignKey(table, column, fk):
                lines.append(_created(dropped, "foreign key", _fk_place(table, column, fk), _fk(fk)))
            case ops.CreatePrimaryKey(table, name, columns):
                key, text = table, f"{name} {_columns(columns)}"
                lines.append(_created(dropped, "primary key", key, text))
            case ops.DropIndex() | ops.DropUnique() | ops.DropForeignKey() | ops.DropPrimaryKey():
                pass  # described with the object of the same name created again, or below as unexpected
            case _:
                lines += _describe(operation)
    lines += [
        f"{what} {where}: unexpected {text if what in ('index', 'unique constraint') else f'({text})'}"
        for (what, where), text in dropped.items()
    ]
    lines += [f"{note}: unexpected" for note in actual.unexpressed if note not in expected.unexpressed]
    lines += [f"{note}: missing" for note in expected.unexpressed if note not in actual.unexpressed]
    lines += _columns_beside_engine(expected, actual)
    return sorted(lines)


def _columns_beside_engine(expected: ir.Schema, actual: ir.Schema) -> list[str]:
    """Column order and serial defaults, which migrations do not change."""
    tables = {table.name: table for table in actual.tables}
    lines = []
    for table in expected.tables:
        if (other := tables.get(table.name)) is None:
            continue
        names = {column.name for column in other.columns}
        want = tuple(column.name for column in table.columns if column.name in names)
        have = {column.name for column in table.columns}
        got = tuple(column.name for column in other.columns if column.name in have)
        if want != got:
            lines.append(f"table {table.name}: column order: expected {_columns(want)}, got {_columns(got)}")
        serial = {column.name: column.autoincrement for column in other.columns}
        lines += [
            f"column {table.name}.{column.name}: serial: expected {column.autoincrement}, got {serial[column.name]}"
            for column in table.columns
            if column.name in serial and serial[column.name] != column.autoincrement
        ]
    return lines


def _created(dropped: dict[tuple[str, str], str], what: str, where: str, text: str) -> str:
    got = dropped.pop((what, where), None)
    return (
        f"{what} {where}: missing (expected {text})"
        if got is None
        else f"{what} {where}: expected {text}, got {got}"
    )


def _describe(operation: ops.Op) -> list[str]:
    match operation:
        case ops.CreateTable(table):
            return [f"table {table.name}: missing"]
        case ops.DropTable(table):
            return [f"table {table.name}: unexpected"]
        case ops.CreateEnum(enum):
            return [f"enum {enum.name}: missing (expected {_columns(enum.values)})"]
        case ops.DropEnum(enum):
            return [f"enum {enum.name}: unexpected {_columns(enum.values)}"]
        case ops.AddEnumValues(old, new) | ops.ReplaceEnum(old, new):
            return [f"enum {new.name}: expected {_columns(new.values)}, got {_columns(old.values)}"]
        case ops.AddColumn(table, column):
            return [f"column {table}.{column.name}: missing (expected {_type(column.type)})"]
        case ops.DropColumn(table, column):
            return [f"column {table}.{column.name}: unexpected ({_type(column.type)})"]
        case ops.AlterColumn(table, old, new):
            where = f"column {table}.{new.name}"
            lines = []
            if old.type != new.type:
                lines.append(f"{where}: type: expected {_type(new.type)}, got {_type(old.type)}")
            if old.nullable != new.nullable:
                lines.append(f"{where}: nullable: expected {new.nullable}, got {old.nullable}")
            if old.server_default != new.server_default:
                lines.append(f"{where}: default: expected {new.server_default}, got {old.server_default}")
            return lines
    raise AssertionError(f"no description of {operation!r}")  # every other kind is compared without comments


def _type(column_type: str) -> str:
    """A type as PostgreSQL spells it (`DOUBLE PRECISION`, `VARCHAR(256)`, an enum by its name)."""
    return sql_type(column_type) if ir.ENUM.fullmatch(column_type) else sql_type(column_type).upper()


def _columns(columns: tuple[str, ...]) -> str:
    return "(" + ", ".join(columns) + ")"


def _index(index: ir.Index) -> str:
    text = ("unique " if index.unique else "") + _columns(index.columns)
    return f"{text} where {index.where}" if index.where else text


def _fk_place(table: str, column: str, fk: ir.ForeignKey) -> str:
    return f"{table}({column}) -> {fk.table}({fk.column})"


def _fk(fk: ir.ForeignKey) -> str:
    return fk.name if fk.on_delete == "NO ACTION" else f"{fk.name} ON DELETE {fk.on_delete}"
