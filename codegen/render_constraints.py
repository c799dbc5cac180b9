"""Render generated/constraints.py: what PostgreSQL accepts in each column, for the writers' row check.

The runtime checks every value it writes against this table before the statement that writes it is
sent, so a value the database would refuse is refused naming `table.column`, and the limits cannot
drift from the schema (integer ranges from smallint/integer/bigint, varchar lengths, enum labels).
"""

from __future__ import annotations

from . import ir

_BITS = {"smallint": 15, "integer": 31, "bigint": 63}


def _check(column: ir.Column, enums: dict[str, ir.Enum]) -> str:
    nullable = (
        column.nullable or column.has_default or column.server_default is not None or column.autoincrement
    )
    if bits := _BITS.get(column.type):
        return f"ColumnCheck('integer', {nullable}, low=-(2**{bits}), high=2**{bits} - 1)"
    if varchar := ir.VARCHAR.fullmatch(column.type):
        return f"ColumnCheck('text', {nullable}, max_length={varchar.group(1)})"
    if enum := column.enum_name:
        return f"ColumnCheck('enum', {nullable}, labels={tuple(enums[enum].values)!r})"
    return f"ColumnCheck({column.type!r}, {nullable})"


def render_constraints(schema: ir.Schema) -> str:
    """The text of constraints.py: a ColumnCheck per column of every table."""
    enums = {enum.name: enum for enum in schema.enums}
    lines = [
        '"""What each column accepts, per table: the row check of the writers reads it (see',
        "thoth_storages.graph.row_checks). `nullable` is False for NOT NULL columns without a default.",
        '"""\n',
        "from __future__ import annotations\n",
        "from typing import Final, Literal, NamedTuple\n\n",
        "class ColumnCheck(NamedTuple):",
        '    """The kind of a column and its limits."""\n',
        "    kind: Literal['integer', 'text', 'float', 'boolean', 'timestamp', 'date', 'enum']",
        "    nullable: bool",
        "    low: int | None = None",
        "    high: int | None = None",
        "    max_length: int | None = None",
        "    labels: tuple[str, ...] = ()\n\n",
        "COLUMN_CHECKS: Final[dict[str, dict[str, ColumnCheck]]] = {",
    ]
    for table in schema.tables:
        checks = ", ".join(f"{column.name!r}: {_check(column, enums)}" for column in table.columns)
        lines.append(f"    {table.name!r}: {{{checks}}},")
    lines.append("}")
    lines.append('"""Table name -> column name -> what the column accepts."""')
    return "\n".join(lines) + "\n"
