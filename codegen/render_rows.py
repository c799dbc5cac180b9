"""Render generated/rows.py: per table, the TypedDict of a written row, the NamedTuple of its natural key
and the typed handle (`RowTable`) the set-based writer takes."""

from __future__ import annotations

from . import ir
from .pytypes import enum_alias, python_type

_HEAD = '''"""Typed rows of the knowledge graph: what the sync writers build, one TypedDict per table.

A row holds the columns a writer sets (the serial `id` is the database's): a NOT NULL column without a
default is `Required`, the others `NotRequired`. `<Model>Key` is the table's natural key (what
identifies a row when syncing); `<TABLE>` is the table of generated/models.py with its row and key
types, and `<TABLE>(rows)` the `RowSet` that `SetWriter` writes: a wrong column or value type is a mypy
error where the row is built.
"""

from __future__ import annotations

{datetime}from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Generic, NamedTuple, NotRequired, Required, TypedDict, TypeVar

import sqlalchemy as sa

from . import models
from .models import {aliases}

R = TypeVar("R", bound=Mapping[str, object])
K = TypeVar("K", bound=tuple[object, ...])


@dataclass(frozen=True, eq=False)
class RowTable(Generic[R, K]):
    """A table as the writers see it: its SQLAlchemy table, its natural-key type and the columns a row
    must hold (NOT NULL without a default)."""

    table: sa.Table
    key: type[K]
    required: tuple[str, ...]

    @property
    def name(self) -> str:
        """The table's name."""
        return self.table.name

    def __call__(self, rows: Iterable[R]) -> RowSet[R, K]:
        """These rows, for this table (mypy checks each against the row type)."""
        return RowSet(self, tuple(rows))


@dataclass(frozen=True)
class RowSet(Generic[R, K]):
    """Rows of one table, as `SetWriter` writes them."""

    table: RowTable[R, K]
    rows: tuple[R, ...]


def _table(model: type[models.Base]) -> sa.Table:
    table = model.__table__
    assert isinstance(table, sa.Table)
    return table
'''


def _row_columns(table: ir.Table) -> list[ir.Column]:
    """The columns a writer sets: all but the serial `id`."""
    return [c for c in table.columns if not (c.autoincrement or c.name == "id")]


def _required(column: ir.Column) -> bool:
    """NOT NULL without a default: the writers send every column, so a server default does not count."""
    return not column.nullable and not column.has_default


def _row(table: ir.Table) -> str:
    lines = [
        f"\n\nclass {table.model}Row(TypedDict):",
        f'    """A row of `{table.name}`."""\n',
    ]
    for column in _row_columns(table):
        wrapper = "Required" if _required(column) else "NotRequired"
        lines.append(f"    {column.name}: {wrapper}[{python_type(column)}]")
    return "\n".join(lines)


def _key(table: ir.Table) -> str:
    lines = [
        f"\n\nclass {table.model}Key(NamedTuple):",
        f'    """The natural key of `{table.name}`."""\n',
    ]
    lines += [f"    {name}: {python_type(table.column(name))}" for name in table.natural_key]
    return "\n".join(lines)


def _handle(table: ir.Table) -> str:
    names = [repr(c.name) for c in _row_columns(table) if _required(c)]
    required = ", ".join(names) + ("," if len(names) == 1 else "")
    return (
        f"\n{table.name.upper()}: Final = RowTable[{table.model}Row, {table.model}Key]"
        f"(_table(models.{table.model}), {table.model}Key, ({required}))"
    )


def render_rows(schema: ir.Schema) -> str:
    """The text of rows.py (before formatting)."""
    used = sorted(
        {
            enum_alias(name)
            for table in schema.tables
            for column in table.columns
            if (name := column.enum_name) is not None
        }
    )
    dated = any(python_type(c).startswith("datetime.") for table in schema.tables for c in table.columns)
    head = _HEAD.replace("{datetime}", "import datetime\n" if dated else "")
    head = (
        head.replace("{aliases}", ", ".join(used))
        if used
        else head.replace("from .models import {aliases}\n", "")
    )
    parts = [head]
    for table in schema.tables:
        parts.append(_row(table))
        parts.append(_key(table))
    parts.append("\n")
    parts += [_handle(table) for table in schema.tables]
    parts.append("\nROW_TABLES: Final[dict[str, RowTable[Any, Any]]] = {")
    parts += [f"    {table.name!r}: {table.name.upper()}," for table in schema.tables]
    parts.append("}")
    parts.append('"""Every table\'s handle by table name (for writers that pick the table at run time)."""')
    return "\n".join(parts) + "\n"
