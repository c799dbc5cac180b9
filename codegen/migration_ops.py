"""Migration operations: each renders its own upgrade and downgrade Alembic code."""

from __future__ import annotations

from dataclasses import dataclass

from . import ir
from .pytypes import sqlalchemy_type


def _names(columns: tuple[str, ...]) -> str:
    return "[" + ", ".join(repr(column) for column in columns) + "]"


def sql_type(column_type: str) -> str:
    """The SQL spelling of a type, for USING casts."""
    if enum := ir.ENUM.fullmatch(column_type):
        return enum.group(1)
    return {"float": "double precision", "timestamp": "timestamp without time zone"}.get(
        column_type, column_type
    )


def column_code(column: ir.Column, enums: dict[str, ir.Enum], *, with_fk: bool = False) -> str:
    """`sa.Column(...)` source for a column."""
    args = [repr(column.name), sqlalchemy_type(column.type, enums)]
    if with_fk and column.foreign_key:
        args.append(_fk_object(column.foreign_key))
    if column.primary_key or column.autoincrement:
        args.append(f"autoincrement={column.autoincrement}")
    args.append(f"nullable={column.nullable}")
    if column.server_default is not None:
        args.append(f"server_default=sa.text({column.server_default!r})")
    if column.comment:
        args.append(f"comment={column.comment!r}")
    return f"sa.Column({', '.join(args)})"


def _fk_object(fk: ir.ForeignKey) -> str:
    ondelete = f", ondelete={fk.on_delete!r}" if fk.on_delete != "NO ACTION" else ""
    return f"sa.ForeignKey({fk.table + '.' + fk.column!r}, name={fk.name!r}{ondelete})"


class Op:
    """A reversible schema change."""

    @property
    def summary(self) -> str:
        """A few words saying what the operation does."""
        raise NotImplementedError

    def upgrade(self) -> list[str]:
        raise NotImplementedError

    def downgrade(self) -> list[str]:
        raise NotImplementedError


@dataclass
class CreateEnum(Op):
    enum: ir.Enum

    @property
    def summary(self) -> str:
        return f"create enum {self.enum.name}"

    def upgrade(self) -> list[str]:
        values = ", ".join(repr(value) for value in self.enum.values)
        return [f"postgresql.ENUM({values}, name={self.enum.name!r}).create(op.get_bind())"]

    def downgrade(self) -> list[str]:
        return [f"postgresql.ENUM(name={self.enum.name!r}).drop(op.get_bind())"]


@dataclass
class DropEnum(Op):
    enum: ir.Enum

    @property
    def summary(self) -> str:
        return f"drop enum {self.enum.name}"

    def upgrade(self) -> list[str]:
        return CreateEnum(self.enum).downgrade()

    def downgrade(self) -> list[str]:
        return CreateEnum(self.enum).upgrade()


def _swap_enum(target: ir.Enum, users: tuple[tuple[str, ir.Column], ...]) -> list[str]:
    """Rebuild an enum type as `target` (values removed or reordered) and move its columns to it.

    A column's default is dropped while its type changes (PostgreSQL cannot cast it) and set again after.
    """
    name = target.name
    values = ", ".join(repr(value) for value in target.values)
    lines = [
        f'op.execute("ALTER TYPE {name} RENAME TO {name}_old")',
        f'op.execute("CREATE TYPE {name} AS ENUM ({values})")',
    ]
    for table, column in users:
        if column.server_default is not None:
            lines.append(f'op.execute("ALTER TABLE {table} ALTER COLUMN {column.name} DROP DEFAULT")')
        lines.append(
            f'op.execute("ALTER TABLE {table} ALTER COLUMN {column.name} TYPE {name} '
            f'USING {column.name}::text::{name}")'
        )
        if column.server_default is not None:
            lines.append(
                f"op.execute({f'ALTER TABLE {table} ALTER COLUMN {column.name} SET DEFAULT {column.server_default}'!r})"
            )
    lines.append(f'op.execute("DROP TYPE {name}_old")')
    return lines


@dataclass
class AddEnumValues(Op):
    """New labels go in with ALTER TYPE ... ADD VALUE; the downgrade rebuilds the type without them."""

    old: ir.Enum
    new: ir.Enum
    users: tuple[tuple[str, ir.Column], ...]

    @property
    def summary(self) -> str:
        return f"add values to enum {self.new.name}"

    def upgrade(self) -> list[str]:
        lines = []
        first_kept = next(value for value in self.new.values if value in self.old.values)
        for position, value in enumerate(self.new.values):
            if value in self.old.values:
                continue
            place = f" AFTER {self.new.values[position - 1]!r}" if position else f" BEFORE {first_kept!r}"
            lines.append(f'op.execute("ALTER TYPE {self.new.name} ADD VALUE IF NOT EXISTS {value!r}{place}")')
        return lines

    def downgrade(self) -> list[str]:
        return _swap_enum(self.old, self.users)


@dataclass
class ReplaceEnum(Op):
    """Values removed or reordered: the type is rebuilt (renamed, created anew, columns cast, old dropped)."""

    old: ir.Enum
    new: ir.Enum
    users: tuple[tuple[str, ir.Column], ...]

    @property
    def summary(self) -> str:
        return f"replace enum {self.new.name}"

    def upgrade(self) -> list[str]:
        return _swap_enum(self.new, self.users)

    def downgrade(self) -> list[str]:
        return _swap_enum(self.old, self.users)


@dataclass
class CreateTable(Op):
    table: ir.Table
    enums: dict[str, ir.Enum]

    @property
    def summary(self) -> str:
        return f"create table {self.table.name}"

    def upgrade(self) -> list[str]:
        table = self.table
        items = [repr(table.name)]
        items += [column_code(column, self.enums) for column in table.columns]
        if table.primary_key_constraint:
            items.append(
                f"sa.PrimaryKeyConstraint({_args(table.primary_key)}, name={table.primary_key_name!r})"
            )
        for column in table.columns:
            if fk := column.foreign_key:
                items.append(_fk_constraint(column.name, fk))
        # PostgreSQL silently drops a UNIQUE that repeats the primary key inside CREATE TABLE: add those after.
        inline = [u for u in table.unique_constraints if u.columns != table.primary_key]
        items += [f"sa.UniqueConstraint({_args(u.columns)}, name={u.name!r})" for u in inline]
        if table.comment:
            items.append(f"comment={table.comment!r}")
        lines = [f"op.create_table({', '.join(items)})"]
        lines += [
            line
            for unique in table.unique_constraints
            if unique.columns == table.primary_key
            for line in CreateUnique(table.name, unique).upgrade()
        ]
        lines += [line for index in table.indexes for line in CreateIndex(table.name, index).upgrade()]
        return lines

    def downgrade(self) -> list[str]:
        return [f"op.drop_table({self.table.name!r})"]


def _args(columns: tuple[str, ...]) -> str:
    return ", ".join(repr(column) for column in columns)


def _fk_constraint(column: str, fk: ir.ForeignKey) -> str:
    ondelete = f", ondelete={fk.on_delete!r}" if fk.on_delete != "NO ACTION" else ""
    return (
        f"sa.ForeignKeyConstraint([{column!r}], [{fk.table + '.' + fk.column!r}], name={fk.name!r}{ondelete})"
    )


@dataclass
class DropTable(Op):
    table: ir.Table
    enums: dict[str, ir.Enum]

    @property
    def summary(self) -> str:
        return f"drop table {self.table.name}"

    def upgrade(self) -> list[str]:
        return CreateTable(self.table, self.enums).downgrade()

    def downgrade(self) -> list[str]:
        return CreateTable(self.table, self.enums).upgrade()


@dataclass
class AddColumn(Op):
    table: str
    column: ir.Column
    enums: dict[str, ir.Enum]

    @property
    def summary(self) -> str:
        return f"add column {self.table}.{self.column.name}"

    def upgrade(self) -> list[str]:
        return [f"op.add_column({self.table!r}, {column_code(self.column, self.enums, with_fk=True)})"]

    def downgrade(self) -> list[str]:
        return [f"op.drop_column({self.table!r}, {self.column.name!r})"]


@dataclass
class DropColumn(Op):
    table: str
    column: ir.Column
    enums: dict[str, ir.Enum]

    @property
    def summary(self) -> str:
        return f"drop column {self.table}.{self.column.name}"

    def upgrade(self) -> list[str]:
        return AddColumn(self.table, self.column, self.enums).downgrade()

    def downgrade(self) -> list[str]:
        return AddColumn(self.table, self.column, self.enums).upgrade()


@dataclass
class AlterColumn(Op):
    """Type, nullability, server default and comment changes of one column."""

    table: str
    old: ir.Column
    new: ir.Column
    enums: dict[str, ir.Enum]
    old_enums: dict[str, ir.Enum]

    @property
    def summary(self) -> str:
        return f"alter column {self.table}.{self.new.name}"

    def _alter(
        self, before: ir.Column, after: ir.Column, enums: dict[str, ir.Enum], old_enums: dict[str, ir.Enum]
    ) -> str:
        args = [repr(self.table), repr(after.name)]
        if before.type != after.type:
            args.append(f"type_={sqlalchemy_type(after.type, enums)}")
            args.append(f"existing_type={sqlalchemy_type(before.type, old_enums)}")
            args.append(f"postgresql_using={f'{after.name}::{sql_type(after.type)}'!r}")
        if before.nullable != after.nullable:
            args.append(f"nullable={after.nullable}")
        if before.server_default != after.server_default:
            default = after.server_default
            args.append(f"server_default={f'sa.text({default!r})' if default is not None else 'None'}")
        if before.comment != after.comment:
            args.append(f"comment={after.comment!r}, existing_comment={before.comment!r}")
        return f"op.alter_column({', '.join(args)})"

    def upgrade(self) -> list[str]:
        return [self._alter(self.old, self.new, self.enums, self.old_enums)]

    def downgrade(self) -> list[str]:
        return [self._alter(self.new, self.old, self.old_enums, self.enums)]


@dataclass
class CreateIndex(Op):
    table: str
    index: ir.Index

    @property
    def summary(self) -> str:
        return f"create index {self.index.name}"

    def upgrade(self) -> list[str]:
        extra = ", unique=True" if self.index.unique else ""
        if self.index.where:
            extra += f", postgresql_where=sa.text({self.index.where!r})"
        return [f"op.create_index({self.index.name!r}, {self.table!r}, {_names(self.index.columns)}{extra})"]

    def downgrade(self) -> list[str]:
        return [f"op.drop_index({self.index.name!r}, table_name={self.table!r})"]


@dataclass
class DropIndex(Op):
    table: str
    index: ir.Index

    @property
    def summary(self) -> str:
        return f"drop index {self.index.name}"

    def upgrade(self) -> list[str]:
        return CreateIndex(self.table, self.index).downgrade()

    def downgrade(self) -> list[str]:
        return CreateIndex(self.table, self.index).upgrade()


@dataclass
class CreateUnique(Op):
    table: str
    unique: ir.UniqueConstraint

    @property
    def summary(self) -> str:
        return f"create unique constraint {self.unique.name}"

    def upgrade(self) -> list[str]:
        return [
            f"op.create_unique_constraint({self.unique.name!r}, {self.table!r}, {_names(self.unique.columns)})"
        ]

    def downgrade(self) -> list[str]:
        return [f"op.drop_constraint({self.unique.name!r}, {self.table!r}, type_='unique')"]


@dataclass
class DropUnique(Op):
    table: str
    unique: ir.UniqueConstraint

    @property
    def summary(self) -> str:
        return f"drop unique constraint {self.unique.name}"

    def upgrade(self) -> list[str]:
        return CreateUnique(self.table, self.unique).downgrade()

    def downgrade(self) -> list[str]:
        return CreateUnique(self.table, self.unique).upgrade()


@dataclass
class CreateForeignKey(Op):
    table: str
    column: str
    fk: ir.ForeignKey

    @property
    def summary(self) -> str:
        return f"create foreign key {self.fk.name}"

    def upgrade(self) -> list[str]:
        ondelete = f", ondelete={self.fk.on_delete!r}" if self.fk.on_delete != "NO ACTION" else ""
        return [
            f"op.create_foreign_key({self.fk.name!r}, {self.table!r}, {self.fk.table!r}, "
            f"[{self.column!r}], [{self.fk.column!r}]{ondelete})"
        ]

    def downgrade(self) -> list[str]:
        return [f"op.drop_constraint({self.fk.name!r}, {self.table!r}, type_='foreignkey')"]


@dataclass
class DropForeignKey(Op):
    table: str
    column: str
    fk: ir.ForeignKey

    @property
    def summary(self) -> str:
        return f"drop foreign key {self.fk.name}"

    def upgrade(self) -> list[str]:
        return CreateForeignKey(self.table, self.column, self.fk).downgrade()

    def downgrade(self) -> list[str]:
        return CreateForeignKey(self.table, self.column, self.fk).upgrade()


@dataclass
class CreatePrimaryKey(Op):
    table: str
    name: str
    columns: tuple[str, ...]

    @property
    def summary(self) -> str:
        return f"create primary key {self.name}"

    def upgrade(self) -> list[str]:
        return [f"op.create_primary_key({self.name!r}, {self.table!r}, {_names(self.columns)})"]

    def downgrade(self) -> list[str]:
        return [f"op.drop_constraint({self.name!r}, {self.table!r}, type_='primary')"]


@dataclass
class DropPrimaryKey(Op):
    table: str
    name: str
    columns: tuple[str, ...]

    @property
    def summary(self) -> str:
        return f"drop primary key {self.name}"

    def upgrade(self) -> list[str]:
        return CreatePrimaryKey(self.table, self.name, self.columns).downgrade()

    def downgrade(self) -> list[str]:
        return CreatePrimaryKey(self.table, self.name, self.columns).upgrade()


@dataclass
class ChangeTableComment(Op):
    table: str
    old: str | None
    new: str | None

    @property
    def summary(self) -> str:
        return f"change comment of {self.table}"

    @staticmethod
    def _set(table: str, before: str | None, after: str | None) -> list[str]:
        if after is None:
            return [f"op.drop_table_comment({table!r}, existing_comment={before!r})"]
        return [f"op.create_table_comment({table!r}, {after!r}, existing_comment={before!r})"]

    def upgrade(self) -> list[str]:
        return self._set(self.table, self.old, self.new)

    def downgrade(self) -> list[str]:
        return self._set(self.table, self.new, self.old)
