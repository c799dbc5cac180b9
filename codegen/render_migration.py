"""Alembic code of the operations IR (`migration_ops`): the upgrade lines of an operation; a downgrade is
the upgrade of its inverse."""

from __future__ import annotations

from . import ir
from . import migration_ops as ops
from .pytypes import sql_type, sqlalchemy_type


def upgrade(op: ops.Op) -> list[str]:
    """The Alembic lines that apply `op`."""
    match op:
        case ops.CreateEnum(enum):
            values = ", ".join(repr(value) for value in enum.values)
            return [f"postgresql.ENUM({values}, name={enum.name!r}).create(op.get_bind())"]
        case ops.DropEnum(enum):
            return [f"postgresql.ENUM(name={enum.name!r}).drop(op.get_bind())"]
        case ops.AddEnumValues(old, new):
            return _add_values(old, new)
        case ops.ReplaceEnum(_old, new, users):
            return _swap_enum(new, users)
        case ops.CreateTable(table, enums):
            return _create_table(table, enums)
        case ops.DropTable(table):
            return [f"op.drop_table({table.name!r})"]
        case ops.AddColumn(table, column, enums):
            return [f"op.add_column({table!r}, {column_code(column, enums, with_fk=True)})"]
        case ops.DropColumn(table, column):
            return [f"op.drop_column({table!r}, {column.name!r})"]
        case ops.AlterColumn(table, old, new, enums, old_enums):
            return [_alter(table, old, new, enums, old_enums)]
        case ops.CreateIndex(table, index):
            extra = ", unique=True" if index.unique else ""
            if index.where:
                extra += f", postgresql_where=sa.text({index.where!r})"
            return [f"op.create_index({index.name!r}, {table!r}, {_names(index.columns)}{extra})"]
        case ops.DropIndex(table, index):
            return [f"op.drop_index({index.name!r}, table_name={table!r})"]
        case ops.CreateUnique(table, unique):
            return [f"op.create_unique_constraint({unique.name!r}, {table!r}, {_names(unique.columns)})"]
        case ops.DropUnique(table, unique):
            return [f"op.drop_constraint({unique.name!r}, {table!r}, type_='unique')"]
        case ops.CreateForeignKey(table, column, fk):
            return [
                f"op.create_foreign_key({fk.name!r}, {table!r}, {fk.table!r}, "
                f"[{column!r}], [{fk.column!r}]{_ondelete(fk)})"
            ]
        case ops.DropForeignKey(table, _column, fk):
            return [f"op.drop_constraint({fk.name!r}, {table!r}, type_='foreignkey')"]
        case ops.CreatePrimaryKey(table, name, columns):
            return [f"op.create_primary_key({name!r}, {table!r}, {_names(columns)})"]
        case ops.DropPrimaryKey(table, name):
            return [f"op.drop_constraint({name!r}, {table!r}, type_='primary')"]
        case ops.ChangeTableComment(table, old, new):
            if new is None:
                return [f"op.drop_table_comment({table!r}, existing_comment={old!r})"]
            return [f"op.create_table_comment({table!r}, {new!r}, existing_comment={old!r})"]


def downgrade(op: ops.Op) -> list[str]:
    """The Alembic lines that undo `op`."""
    return upgrade(ops.inverse(op))


def column_code(column: ir.Column, enums: dict[str, ir.Enum], *, with_fk: bool = False) -> str:
    """`sa.Column(...)` source for a column."""
    args = [repr(column.name), sqlalchemy_type(column.type, enums)]
    if with_fk and column.foreign_key:
        fk = column.foreign_key
        args.append(f"sa.ForeignKey({fk.table + '.' + fk.column!r}, name={fk.name!r}{_ondelete(fk)})")
    if column.primary_key or column.autoincrement:
        args.append(f"autoincrement={column.autoincrement}")
    args.append(f"nullable={column.nullable}")
    if column.server_default is not None:
        args.append(f"server_default=sa.text({column.server_default!r})")
    if column.comment:
        args.append(f"comment={column.comment!r}")
    return f"sa.Column({', '.join(args)})"


def _names(columns: tuple[str, ...]) -> str:
    return "[" + ", ".join(repr(column) for column in columns) + "]"


def _args(columns: tuple[str, ...]) -> str:
    return ", ".join(repr(column) for column in columns)


def _ondelete(fk: ir.ForeignKey) -> str:
    return f", ondelete={fk.on_delete!r}" if fk.on_delete != "NO ACTION" else ""


def _add_values(old: ir.Enum, new: ir.Enum) -> list[str]:
    """ALTER TYPE ... ADD VALUE, each placed after its predecessor (the first before the first kept value)."""
    lines = []
    first_kept = next(value for value in new.values if value in old.values)
    for position, value in enumerate(new.values):
        if value in old.values:
            continue
        place = f" AFTER {new.values[position - 1]!r}" if position else f" BEFORE {first_kept!r}"
        lines.append(f'op.execute("ALTER TYPE {new.name} ADD VALUE IF NOT EXISTS {value!r}{place}")')
    return lines


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
            statement = f"ALTER TABLE {table} ALTER COLUMN {column.name} SET DEFAULT {column.server_default}"
            lines.append(f"op.execute({statement!r})")
    lines.append(f'op.execute("DROP TYPE {name}_old")')
    return lines


def _create_table(table: ir.Table, enums: dict[str, ir.Enum]) -> list[str]:
    items = [repr(table.name)]
    items += [column_code(column, enums) for column in table.columns]
    if table.primary_key_constraint:
        items.append(f"sa.PrimaryKeyConstraint({_args(table.primary_key)}, name={table.primary_key_name!r})")
    for column in table.columns:
        if fk := column.foreign_key:
            items.append(
                f"sa.ForeignKeyConstraint([{column.name!r}], [{fk.table + '.' + fk.column!r}], "
                f"name={fk.name!r}{_ondelete(fk)})"
            )
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
        for line in upgrade(ops.CreateUnique(table.name, unique))
    ]
    lines += [line for index in table.indexes for line in upgrade(ops.CreateIndex(table.name, index))]
    return lines


def _alter(
    table: str, before: ir.Column, after: ir.Column, enums: dict[str, ir.Enum], old_enums: dict[str, ir.Enum]
) -> str:
    args = [repr(table), repr(after.name)]
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
