"""How IR column types map to SQLAlchemy types and Python annotations (shared by the renderers)."""

from __future__ import annotations

from . import ir

_SQLALCHEMY = {
    "integer": "sa.Integer()",
    "smallint": "sa.SmallInteger()",
    "bigint": "sa.BigInteger()",
    "text": "sa.Text()",
    "boolean": "sa.Boolean()",
    "float": "sa.Float()",
    "timestamp": "sa.DateTime()",
    "date": "sa.Date()",
}
_PYTHON = {
    "integer": "int",
    "smallint": "int",
    "bigint": "int",
    "text": "str",
    "boolean": "bool",
    "float": "float",
    "timestamp": "datetime.datetime",
    "date": "datetime.date",
}


def enum_alias(name: str) -> str:
    """The Literal alias of an enum type in generated code (`environment_type` -> `EnvironmentType`)."""
    return "".join(part.capitalize() for part in name.split("_"))


def sqlalchemy_type(column_type: str, enums: dict[str, ir.Enum]) -> str:
    """Python source of the SQLAlchemy type object for an IR type spelling."""
    if varchar := ir.VARCHAR.fullmatch(column_type):
        return f"sa.String({varchar.group(1)})"
    if enum := ir.ENUM.fullmatch(column_type):
        values = ", ".join(repr(value) for value in enums[enum.group(1)].values)
        return f"postgresql.ENUM({values}, name={enum.group(1)!r}, create_type=False)"
    return _SQLALCHEMY[column_type]


def sql_type(column_type: str) -> str:
    """The SQL spelling of a type (`double precision`, `varchar(256)`, an enum by its name)."""
    if enum := ir.ENUM.fullmatch(column_type):
        return enum.group(1)
    return {"float": "double precision", "timestamp": "timestamp without time zone"}.get(
        column_type, column_type
    )


def python_type(column: ir.Column) -> str:
    """The Python annotation of a column's values, `| None` when nullable."""
    if ir.VARCHAR.fullmatch(column.type):
        base = "str"
    elif enum := column.enum_name:
        base = enum_alias(enum)
    else:
        base = _PYTHON[column.type]
    return f"{base} | None" if column.nullable else base
