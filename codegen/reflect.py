"""The second producer of the schema model: a live PostgreSQL database read back into an `ir.Schema`.

What the model cannot express (check constraints, identity columns, composite foreign keys, ON UPDATE,
expression, sorted or non-btree indexes) is listed in `Schema.unexpressed`, so that drift reports it.

What the database does not hold (model class names, groups, Python-side defaults, natural keys) is left
at neutral values; `shape()` drops the same parts from a schema built from YAML, so that the two compare.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from sqlalchemy import Connection, inspect
from sqlalchemy.dialects.postgresql.base import PGInspector

from . import ir

_TYPES = {
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "BIGINT": "bigint",
    "TEXT": "text",
    "BOOLEAN": "boolean",
    "DOUBLE PRECISION": "float",
    "FLOAT": "float",
    "TIMESTAMP WITHOUT TIME ZONE": "timestamp",
    "TIMESTAMP": "timestamp",
    "DATE": "date",
}
_VARCHAR = re.compile(r"VARCHAR\((\d+)\)")
_LITERAL_CAST = re.compile(r"^\(?('(?:[^']|'')*'|-?\d+(?:\.\d+)?)\)?::[a-z_][a-z0-9_ ]*(?:\(\d+\))?$")
_PREDICATE_CAST = re.compile(
    r"\(?(-?\d+(?:\.\d+)?|'(?:[^']|'')*')\)?::(?:[a-z_][a-z0-9_]*(?: [a-z_]+)*)(?:\(\d+\))?"
)
_WHITESPACE = re.compile(r"\s+")
_SCHEMA_PREFIX = re.compile(r"\bpublic\.")


def _type(spelling: str, enums: set[str]) -> str:
    if spelling in enums:
        return f"enum:{spelling}"
    upper = spelling.upper()
    if varchar := _VARCHAR.fullmatch(upper):
        return f"varchar({varchar.group(1)})"
    return _TYPES.get(upper, spelling.lower())


def _default(text: str | None) -> str | None:
    """A server default as written in the schema: PostgreSQL's cast of a literal (`'x'::text`) dropped."""
    text = normalize_sql(text)
    if text is None:
        return None
    match = _LITERAL_CAST.fullmatch(text)
    return match.group(1) if match else text


def normalize_sql(text: str | None) -> str | None:
    """SQL text from the catalog or from a schema, so that equal definitions compare equal."""
    if text is None:
        return None
    return _WHITESPACE.sub(" ", _SCHEMA_PREFIX.sub("", text)).strip()


def normalize_predicate(text: str | None) -> str | None:
    """A partial-index predicate without the parentheses and literal casts PostgreSQL adds.

    PostgreSQL stores `score > 0` on a float column as `(score > (0)::double precision)`.
    """
    text = normalize_sql(text)
    text = _PREDICATE_CAST.sub(r"\1", text) if text else text
    while text and text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text or None


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def reflect(
    connection: Connection, schema: str | None = None, exclude: Iterable[str] = ("alembic_version",)
) -> ir.Schema:
    """The schema model of one schema (default `public`) of a live database."""
    inspector = inspect(connection)
    assert isinstance(inspector, PGInspector), "only PostgreSQL is supported"
    enums = tuple(
        ir.Enum(str(enum["name"]), tuple(str(label) for label in enum["labels"]))
        for enum in sorted(inspector.get_enums(schema=schema or "public"), key=lambda enum: str(enum["name"]))
    )
    enum_names = {enum.name for enum in enums}
    excluded = set(exclude)
    unexpressed: list[str] = []
    tables = tuple(
        _table(inspector, name, enum_names, schema, unexpressed)
        for name in sorted(inspector.get_table_names(schema=schema))
        if name not in excluded
    )
    return ir.Schema(enums=enums, tables=tables, unexpressed=tuple(sorted(unexpressed)))


def _unexpressed(inspector: PGInspector, name: str, schema: str | None) -> list[str]:
    """What a table holds that the schema model cannot express, one description each."""
    notes = [
        f"check constraint {name}.{check['name']} ({normalize_sql(check['sqltext'])})"
        for check in inspector.get_check_constraints(name, schema=schema)
    ]
    for fk in inspector.get_foreign_keys(name, schema=schema):
        where = f"foreign key {name}({', '.join(fk['constrained_columns'])}) -> {fk['referred_table']}"
        if len(fk["constrained_columns"]) != 1:
            notes.append(f"{where} ({fk['name']}): on several columns")
        if on_update := (fk.get("options") or {}).get("onupdate"):
            notes.append(f"{where} ({fk['name']}): ON UPDATE {str(on_update).upper()}")
    notes += [
        f"identity column {name}.{column['name']}"
        for column in inspector.get_columns(name, schema=schema)
        if column.get("identity")
    ]
    for index in inspector.get_indexes(name, schema=schema):
        using = (index.get("dialect_options") or {}).get("postgresql_using")
        if index.get("expressions") or None in index["column_names"]:
            notes.append(f"index {name}.{index['name']}: on expressions")
        if using and using != "btree":
            notes.append(f"index {name}.{index['name']}: using {using}")
        if index.get("column_sorting"):
            notes.append(f"index {name}.{index['name']}: sorted {sorted(index['column_sorting'].items())}")
    return notes


def _table(
    inspector: PGInspector, name: str, enums: set[str], schema: str | None, unexpressed: list[str]
) -> ir.Table:
    unexpressed += _unexpressed(inspector, name, schema)
    pk = inspector.get_pk_constraint(name, schema=schema)
    primary_key = tuple(pk.get("constrained_columns") or ())
    foreign_keys = {
        fk["constrained_columns"][0]: ir.ForeignKey(
            name=str(fk["name"]),
            table=fk["referred_table"],
            column=fk["referred_columns"][0],
            on_delete=str((fk.get("options") or {}).get("ondelete") or "NO ACTION").upper(),  # type: ignore[arg-type]
        )
        for fk in inspector.get_foreign_keys(name, schema=schema)
        if len(fk["constrained_columns"]) == 1
    }
    columns = []
    for column in inspector.get_columns(name, schema=schema):
        default = column.get("default")
        serial = default is not None and default.startswith("nextval(")
        type_name = getattr(column["type"], "name", None)
        spelling = str(type_name) if type_name in enums else str(column["type"])
        columns.append(
            ir.Column(
                name=column["name"],
                type=_type(spelling, enums),
                nullable=bool(column["nullable"]),
                primary_key=column["name"] in primary_key,
                autoincrement=serial,
                server_default=None if serial else _default(default),
                foreign_key=foreign_keys.get(column["name"]),
                comment=column.get("comment"),
            )
        )
    uniques = tuple(
        ir.UniqueConstraint(str(unique["name"]), tuple(unique["column_names"]))
        for unique in sorted(
            inspector.get_unique_constraints(name, schema=schema), key=lambda u: str(u["name"])
        )
    )
    indexes = tuple(
        ir.Index(
            name=str(index["name"]),
            columns=tuple(str(column) for column in index["column_names"] if column is not None),
            unique=bool(index["unique"]),
            where=normalize_predicate(_text((index.get("dialect_options") or {}).get("postgresql_where"))),
        )
        for index in sorted(inspector.get_indexes(name, schema=schema), key=lambda i: str(i["name"]))
        if not index.get("duplicates_constraint")
    )
    return ir.Table(
        name=name,
        model="",
        group="other",
        columns=tuple(columns),
        primary_key_name=str(pk.get("name") or ""),
        primary_key_constraint=bool(primary_key),
        unique_constraints=uniques,
        indexes=indexes,
        comment=inspector.get_table_comment(name, schema=schema).get("text"),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def shape(schema: ir.Schema) -> ir.Schema:
    """`schema` with only what a database holds, as `reflect()` reads it back."""
    return ir.Schema(
        enums=tuple(replace(enum, comment=None) for enum in sorted(schema.enums, key=lambda e: e.name)),
        tables=tuple(_shape_table(table) for table in sorted(schema.tables, key=lambda t: t.name)),
    )


def _shape_table(table: ir.Table) -> ir.Table:
    if table.primary_key_constraint:
        columns = table.columns
        pk_name = table.primary_key_name
    else:  # the marked columns identify rows in the ORM only
        columns = tuple(replace(column, primary_key=False) for column in table.columns)
        pk_name = ""
    return replace(
        table,
        model="",
        group="other",
        columns=tuple(
            replace(column, default=None, has_default=False, server_default=_default(column.server_default))
            for column in columns
        ),
        primary_key_name=pk_name,
        unique_constraints=tuple(sorted(table.unique_constraints, key=lambda u: u.name)),
        indexes=tuple(
            replace(index, where=normalize_predicate(index.where))
            for index in sorted(table.indexes, key=lambda i: i.name)
        ),
    )
