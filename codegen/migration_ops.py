"""The operations IR: typed, reversible schema changes, as the diff engine (`migration_diff`) lists them.

Renderers read it: `render_migration` writes Alembic code, `drift` one line per difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from . import ir


@dataclass(frozen=True)
class CreateEnum:
    enum: ir.Enum


@dataclass(frozen=True)
class DropEnum:
    enum: ir.Enum


@dataclass(frozen=True)
class AddEnumValues:
    """Values added, the old ones kept in order; `users` are the enum's columns (old schema)."""

    old: ir.Enum
    new: ir.Enum
    users: tuple[tuple[str, ir.Column], ...]


@dataclass(frozen=True)
class ReplaceEnum:
    """Values removed or reordered: the type is rebuilt and `users` (table, column) moved to it."""

    old: ir.Enum
    new: ir.Enum
    users: tuple[tuple[str, ir.Column], ...]


@dataclass(frozen=True)
class CreateTable:
    table: ir.Table
    enums: dict[str, ir.Enum]


@dataclass(frozen=True)
class DropTable:
    table: ir.Table
    enums: dict[str, ir.Enum]


@dataclass(frozen=True)
class AddColumn:
    table: str
    column: ir.Column
    enums: dict[str, ir.Enum]


@dataclass(frozen=True)
class DropColumn:
    table: str
    column: ir.Column
    enums: dict[str, ir.Enum]


@dataclass(frozen=True)
class AlterColumn:
    """Type, nullability, server default and comment changes of one column."""

    table: str
    old: ir.Column
    new: ir.Column
    enums: dict[str, ir.Enum]
    old_enums: dict[str, ir.Enum]


@dataclass(frozen=True)
class CreateIndex:
    table: str
    index: ir.Index


@dataclass(frozen=True)
class DropIndex:
    table: str
    index: ir.Index


@dataclass(frozen=True)
class CreateUnique:
    table: str
    unique: ir.UniqueConstraint


@dataclass(frozen=True)
class DropUnique:
    table: str
    unique: ir.UniqueConstraint


@dataclass(frozen=True)
class CreateForeignKey:
    table: str
    column: str
    fk: ir.ForeignKey


@dataclass(frozen=True)
class DropForeignKey:
    table: str
    column: str
    fk: ir.ForeignKey


@dataclass(frozen=True)
class CreatePrimaryKey:
    table: str
    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class DropPrimaryKey:
    table: str
    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class ChangeTableComment:
    table: str
    old: str | None
    new: str | None


Op: TypeAlias = (
    CreateEnum
    | DropEnum
    | AddEnumValues
    | ReplaceEnum
    | CreateTable
    | DropTable
    | AddColumn
    | DropColumn
    | AlterColumn
    | CreateIndex
    | DropIndex
    | CreateUnique
    | DropUnique
    | CreateForeignKey
    | DropForeignKey
    | CreatePrimaryKey
    | DropPrimaryKey
    | ChangeTableComment
)


def inverse(op: Op) -> Op:
    """The operation that undoes `op` (what a downgrade runs)."""
    match op:
        case CreateEnum(enum):
            return DropEnum(enum)
        case DropEnum(enum):
            return CreateEnum(enum)
        case AddEnumValues(old, new, users) | ReplaceEnum(old, new, users):
            return ReplaceEnum(new, old, users)
        case CreateTable(table, enums):
            return DropTable(table, enums)
        case DropTable(table, enums):
            return CreateTable(table, enums)
        case AddColumn(table, column, enums):
            return DropColumn(table, column, enums)
        case DropColumn(table, column, enums):
            return AddColumn(table, column, enums)
        case AlterColumn(table, old, new, enums, old_enums):
            return AlterColumn(table, new, old, old_enums, enums)
        case CreateIndex(table, index):
            return DropIndex(table, index)
        case DropIndex(table, index):
            return CreateIndex(table, index)
        case CreateUnique(table, unique):
            return DropUnique(table, unique)
        case DropUnique(table, unique):
            return CreateUnique(table, unique)
        case CreateForeignKey(table, column, fk):
            return DropForeignKey(table, column, fk)
        case DropForeignKey(table, column, fk):
            return CreateForeignKey(table, column, fk)
        case CreatePrimaryKey(table, name, columns):
            return DropPrimaryKey(table, name, columns)
        case DropPrimaryKey(table, name, columns):
            return CreatePrimaryKey(table, name, columns)
        case ChangeTableComment(table, old, new):
            return ChangeTableComment(table, new, old)


def summary(op: Op) -> str:
    """A few words saying what the operation does (for revision messages)."""
    match op:
        case CreateEnum(enum) | DropEnum(enum):
            return f"{'create' if isinstance(op, CreateEnum) else 'drop'} enum {enum.name}"
        case AddEnumValues(_old, new):
            return f"add values to enum {new.name}"
        case ReplaceEnum(_old, new):
            return f"replace enum {new.name}"
        case CreateTable(table) | DropTable(table):
            return f"{'create' if isinstance(op, CreateTable) else 'drop'} table {table.name}"
        case AddColumn(table, column) | DropColumn(table, column):
            return f"{'add' if isinstance(op, AddColumn) else 'drop'} column {table}.{column.name}"
        case AlterColumn(table, _old, new):
            return f"alter column {table}.{new.name}"
        case CreateIndex(_table, index) | DropIndex(_table, index):
            return f"{'create' if isinstance(op, CreateIndex) else 'drop'} index {index.name}"
        case CreateUnique(_table, unique) | DropUnique(_table, unique):
            return f"{'create' if isinstance(op, CreateUnique) else 'drop'} unique constraint {unique.name}"
        case CreateForeignKey(_table, _column, fk) | DropForeignKey(_table, _column, fk):
            return f"{'create' if isinstance(op, CreateForeignKey) else 'drop'} foreign key {fk.name}"
        case CreatePrimaryKey(_table, name) | DropPrimaryKey(_table, name):
            return f"{'create' if isinstance(op, CreatePrimaryKey) else 'drop'} primary key {name}"
        case ChangeTableComment(table):
            return f"change comment of {table}"
