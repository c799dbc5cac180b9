"""The structure of a PostgreSQL schema, from a live database or from SQLAlchemy metadata, and its differences.

`reflect()` reads a live database with SQLAlchemy's inspector, `from_metadata()` predicts what PostgreSQL
holds after `metadata.create_all()` (or after migrations that build the same tables), and `compare()`
lists every difference between two such structures, one sorted line each::

    column python_package_index.url: nullable: expected False, got True

Compared: tables, column order, types, nullability, server defaults, identity columns, primary keys,
foreign keys (with ON DELETE / ON UPDATE), unique constraints, check constraints, indexes (columns,
expressions, uniqueness, partial predicates) and enum types (with the order of their labels). Not
compared: comments, sequences other than through `nextval(...)` defaults, ownership and grants.

`python -m thoth_storages.graph.compare_cli` compares two live databases (see that module).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

from sqlalchemy import Connection, Engine, MetaData, create_engine, inspect, make_url
from sqlalchemy import Enum as SAEnum
from sqlalchemy import Table as SATable
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql.base import PGInspector
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import ArgumentError
from sqlalchemy.schema import (
    CheckConstraint,
    DefaultClause,
    ForeignKeyConstraint,
    UniqueConstraint,
)
from sqlalchemy.schema import (
    Column as SAColumn,
)
from sqlalchemy.schema import (
    Sequence as SASequence,
)
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import TypeEngine

from codegen.load import pg_object_name

from ..exceptions import ConfigurationError

DEFAULT_EXCLUDED_TABLES = ("alembic_version",)


@dataclass(frozen=True)
class Column:
    """One column."""

    name: str
    type: str
    nullable: bool
    default: str | None
    identity: str | None


@dataclass(frozen=True)
class ForeignKey:
    """One foreign key constraint."""

    name: str | None
    columns: tuple[str, ...]
    referred_table: str
    referred_columns: tuple[str, ...]
    on_delete: str
    on_update: str


@dataclass(frozen=True)
class Index:
    """One index that does not back a constraint."""

    name: str | None
    columns: tuple[str, ...]
    unique: bool
    where: str | None
    using: str
    sorting: tuple[str, ...]


@dataclass
class Table:
    """The structure of one table."""

    name: str
    columns: list[Column] = field(default_factory=list)
    primary_key_name: str | None = None
    primary_key: tuple[str, ...] = ()
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    unique_constraints: dict[str, tuple[str, ...]] = field(default_factory=dict)
    check_constraints: dict[str, str] = field(default_factory=dict)
    indexes: list[Index] = field(default_factory=list)


@dataclass
class Schema:
    """The structure of one database schema: tables by name and enum types with their labels."""

    tables: dict[str, Table] = field(default_factory=dict)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def to_json(self) -> str:
        """A stable JSON dump (sorted keys)."""
        return json.dumps(asdict(self), indent=2, sort_keys=True)


# ---------------------------------------------------------------------------------------------------------
# Normalization shared by both sources


_WHITESPACE = re.compile(r"\s+")
_SCHEMA_PREFIX = re.compile(r"\bpublic\.")
_TYPE_ALIASES = {
    "FLOAT": "DOUBLE PRECISION",
    "DOUBLE": "DOUBLE PRECISION",
    "FLOAT8": "DOUBLE PRECISION",
    "FLOAT4": "REAL",
    "TIMESTAMP": "TIMESTAMP WITHOUT TIME ZONE",
    "TIME": "TIME WITHOUT TIME ZONE",
    "INT": "INTEGER",
    "INT4": "INTEGER",
    "INT8": "BIGINT",
    "INT2": "SMALLINT",
    "BOOL": "BOOLEAN",
    "CHARACTER VARYING": "VARCHAR",
}
_FLOAT_PRECISION = re.compile(r"FLOAT\((\d+)\)")


def normalize_sql(text: str | None) -> str | None:
    """SQL text from the catalog or from metadata, so that equal definitions compare equal."""
    if text is None:
        return None
    text = _SCHEMA_PREFIX.sub("", text)
    return _WHITESPACE.sub(" ", text).strip()


_LITERAL_CAST = re.compile(
    r"\(?(-?\d+(?:\.\d+)?|'(?:[^']|'')*')\)?::(?:[a-z_][a-z0-9_]*(?: [a-z_]+)*)(?:\(\d+\))?"
)


def normalize_predicate(text: str | None) -> str | None:
    """A partial-index predicate without the parentheses and literal casts PostgreSQL adds.

    PostgreSQL stores `score > 0` on a float column as `(score > (0)::double precision)`.
    """
    text = normalize_sql(text)
    text = _LITERAL_CAST.sub(r"\1", text) if text else text
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


def normalize_type(spelling: str) -> str:
    """A type as PostgreSQL reports it (`FLOAT` is `DOUBLE PRECISION`, `TIMESTAMP` has no time zone)."""
    spelling = _WHITESPACE.sub(" ", spelling.strip())
    upper = spelling.upper()
    if match := _FLOAT_PRECISION.fullmatch(upper):
        return "REAL" if int(match.group(1)) <= 24 else "DOUBLE PRECISION"
    return _TYPE_ALIASES.get(upper, spelling)


def _action(action: object) -> str:
    """ON DELETE / ON UPDATE as SQL words; PostgreSQL's default NO ACTION when none is set."""
    return "NO ACTION" if action is None else str(action).upper()


def _text(value: object) -> str | None:
    return None if value is None else str(value)


# ---------------------------------------------------------------------------------------------------------
# A live database


def reflect(
    bind: Engine | Connection, schema: str | None = None, exclude: Iterable[str] = DEFAULT_EXCLUDED_TABLES
) -> Schema:
    """Reflect the structure of one schema (default `public`) of a live database."""
    excluded = set(exclude)
    inspector = inspect(bind)
    dialect = bind.dialect
    result = Schema()

    if isinstance(inspector, PGInspector):
        for enum in inspector.get_enums(schema=schema or "public"):
            result.enums[str(enum["name"])] = tuple(str(label) for label in enum["labels"])

    for table_name in sorted(inspector.get_table_names(schema=schema)):
        if table_name in excluded:
            continue
        table = Table(name=table_name)

        for column in inspector.get_columns(table_name, schema=schema):
            identity = column.get("identity")
            table.columns.append(
                Column(
                    name=column["name"],
                    type=normalize_type(str(column["type"].compile(dialect=dialect))),
                    nullable=bool(column["nullable"]),
                    default=normalize_sql(column.get("default")),
                    identity=None
                    if identity is None
                    else ("ALWAYS" if identity.get("always") else "BY DEFAULT"),
                )
            )

        pk = inspector.get_pk_constraint(table_name, schema=schema)
        table.primary_key = tuple(pk.get("constrained_columns") or ())
        table.primary_key_name = pk.get("name") if table.primary_key else None

        for fk in inspector.get_foreign_keys(table_name, schema=schema):
            options = fk.get("options") or {}
            table.foreign_keys.append(
                ForeignKey(
                    name=fk.get("name"),
                    columns=tuple(fk["constrained_columns"]),
                    referred_table=fk["referred_table"],
                    referred_columns=tuple(fk["referred_columns"]),
                    on_delete=_action(options.get("ondelete")),
                    on_update=_action(options.get("onupdate")),
                )
            )

        for unique in inspector.get_unique_constraints(table_name, schema=schema):
            table.unique_constraints[str(unique.get("name"))] = tuple(unique["column_names"])

        for check in inspector.get_check_constraints(table_name, schema=schema):
            table.check_constraints[str(check.get("name"))] = normalize_sql(check["sqltext"]) or ""

        for index in inspector.get_indexes(table_name, schema=schema):
            if index.get("duplicates_constraint"):
                continue
            expressions = index.get("expressions")
            names = expressions if expressions else index["column_names"]
            dialect_options = index.get("dialect_options") or {}
            table.indexes.append(
                Index(
                    name=index.get("name"),
                    columns=tuple(str(name) for name in names),
                    unique=bool(index["unique"]),
                    where=normalize_predicate(_text(dialect_options.get("postgresql_where"))),
                    using=str(dialect_options.get("postgresql_using") or "btree"),
                    sorting=tuple(
                        f"{column} {' '.join(str(flag) for flag in flags)}"
                        for column, flags in sorted((index.get("column_sorting") or {}).items())
                    ),
                )
            )

        result.tables[table_name] = table
    return result


def engine_for_url(url: str) -> Engine:
    """An engine for a database URL; a plain `postgresql://` URL uses psycopg2, the driver this library ships.

    A malformed URL or a missing driver is a one-line ConfigurationError.
    """
    try:
        parsed = make_url(url)
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg2")
        return create_engine(parsed)
    except ArgumentError as error:
        raise ConfigurationError(f"{url!r} is not a SQLAlchemy database URL: {error}") from None
    except ImportError as error:
        raise ConfigurationError(f"no database driver for {url!r}: {error}") from None


def reflect_url(
    url: str, schema: str | None = None, exclude: Iterable[str] = DEFAULT_EXCLUDED_TABLES
) -> Schema:
    """Reflect the database at a SQLAlchemy URL."""
    engine = engine_for_url(url)
    try:
        return reflect(engine, schema=schema, exclude=exclude)
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------------------
# SQLAlchemy metadata


def from_metadata(metadata: MetaData, dialect: Dialect | None = None) -> Schema:
    """The structure PostgreSQL holds after creating every table of `metadata`.

    Names PostgreSQL would choose itself (unnamed primary keys, unique constraints, foreign keys, serial
    sequences) are predicted with its own rules, including the numbering of clashing foreign-key names.
    """
    dialect = dialect or postgresql.dialect()  # type: ignore[no-untyped-call]
    result = Schema()
    fk_names: set[str] = set()
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        result.tables[table.name] = _table_from_metadata(table, dialect, fk_names)
        for column in table.columns:
            if isinstance(column.type, SAEnum) and column.type.native_enum and column.type.name:
                result.enums[column.type.name] = tuple(column.type.enums)
    return result


def _type_of(column: SAColumn[object], dialect: Dialect) -> str:
    return normalize_type(str(column.type.compile(dialect=dialect)))


def _is_serial(column: SAColumn[object], dialect: Dialect) -> bool:
    """The rule of PostgreSQL's DDL compiler: the table's autoincrement column without a Python default."""
    table = column.table
    if not isinstance(table, SATable) or not column.primary_key or column.identity is not None:
        return False
    if column is not table.autoincrement_column:
        return False
    default = column.default
    return default is None or (isinstance(default, SASequence) and default.optional)


def _default_of(column: SAColumn[object], dialect: Dialect) -> str | None:
    table = column.table
    if _is_serial(column, dialect):
        sequence = pg_object_name(table.name, column.name, "seq")
        return f"nextval('{sequence}'::regclass)"
    if isinstance(column.default, SASequence) and not column.default.optional:
        return f"nextval('{column.default.name}'::regclass)"
    default = column.server_default
    if not isinstance(default, DefaultClause):
        return None
    argument = default.arg
    if isinstance(argument, str):
        literal = "'" + argument.replace("'", "''") + "'"
        cast = _literal_cast(column.type, dialect)
        return normalize_sql(f"{literal}::{cast}" if cast else literal)
    if isinstance(argument, ClauseElement):
        return normalize_sql(str(argument.compile(dialect=dialect)))
    return normalize_sql(str(argument))


def _literal_cast(type_: TypeEngine[object], dialect: Dialect) -> str | None:
    spelling = normalize_type(str(type_.compile(dialect=dialect)))
    if spelling == "TEXT":
        return "text"
    if spelling.startswith("VARCHAR"):
        return "character varying"
    if isinstance(type_, SAEnum) and type_.name:
        return type_.name
    return None


def _table_from_metadata(table: SATable, dialect: Dialect, fk_names: set[str]) -> Table:
    out = Table(name=table.name)
    for column in table.columns:
        identity = column.identity
        out.columns.append(
            Column(
                name=column.name,
                type=_type_of(column, dialect),
                nullable=bool(column.nullable),
                default=_default_of(column, dialect),
                identity=None if identity is None else ("ALWAYS" if identity.always else "BY DEFAULT"),
            )
        )
    primary_key = tuple(column.name for column in table.primary_key.columns)
    out.primary_key = primary_key
    if primary_key:
        name = table.primary_key.name
        out.primary_key_name = (
            str(name) if isinstance(name, str) else pg_object_name(table.name, None, "pkey")
        )

    for constraint in sorted(table.constraints, key=_constraint_order):
        if isinstance(constraint, ForeignKeyConstraint):
            columns = tuple(column.name for column in constraint.columns)
            name = constraint.name if isinstance(constraint.name, str) else None
            if name is None:
                name = pg_object_name(table.name, "_".join(columns), "fkey")
                suffix = 0
                while name in fk_names:
                    suffix += 1
                    name = pg_object_name(table.name, "_".join(columns), f"fkey{suffix}")
            fk_names.add(name)
            out.foreign_keys.append(
                ForeignKey(
                    name=name,
                    columns=columns,
                    referred_table=constraint.referred_table.name,
                    referred_columns=tuple(element.column.name for element in constraint.elements),
                    on_delete=_action(constraint.ondelete),
                    on_update=_action(constraint.onupdate),
                )
            )
        elif isinstance(constraint, UniqueConstraint):
            columns = tuple(column.name for column in constraint.columns)
            name = constraint.name if isinstance(constraint.name, str) else None
            out.unique_constraints[name or pg_object_name(table.name, "_".join(columns), "key")] = columns
        elif isinstance(constraint, CheckConstraint):
            name = constraint.name if isinstance(constraint.name, str) else None
            text = str(constraint.sqltext.compile(dialect=dialect))
            out.check_constraints[name or pg_object_name(table.name, None, "check")] = (
                normalize_sql(text) or ""
            )

    for index in sorted(table.indexes, key=lambda i: str(i.name)):
        where = index.dialect_options["postgresql"].get("where")
        using = index.dialect_options["postgresql"].get("using")
        out.indexes.append(
            Index(
                name=str(index.name) if index.name is not None else None,
                columns=tuple(
                    expression.name
                    if isinstance(expression, SAColumn)
                    else str(expression.compile(dialect=dialect))  # type: ignore[union-attr]
                    for expression in index.expressions
                ),
                unique=bool(index.unique),
                where=normalize_predicate(
                    None
                    if where is None
                    else str(where.compile(dialect=dialect))
                    if isinstance(where, ClauseElement)
                    else str(where)
                ),
                using=str(using or "btree"),
                sorting=(),
            )
        )
    return out


def _constraint_order(constraint: object) -> tuple[int, str]:
    """Foreign keys in column order (PostgreSQL numbers clashing names in creation order)."""
    if isinstance(constraint, ForeignKeyConstraint):
        first = next(iter(constraint.columns), None)
        table = constraint.table
        position = list(table.columns).index(first) if first is not None else 0
        return (position, str(constraint.name))
    return (0, str(getattr(constraint, "name", "")))


# ---------------------------------------------------------------------------------------------------------
# Differences


def _fk_key(fk: ForeignKey) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    return fk.columns, fk.referred_table, fk.referred_columns


def _fmt_cols(columns: Sequence[str]) -> str:
    return "(" + ", ".join(columns) + ")"


def _compare_columns(name: str, expected: Table, actual: Table) -> list[str]:
    out: list[str] = []
    exp_cols = {c.name: c for c in expected.columns}
    act_cols = {c.name: c for c in actual.columns}
    for col in expected.columns:
        if col.name not in act_cols:
            out.append(f"column {name}.{col.name}: missing (expected {col.type})")
    for col in actual.columns:
        if col.name not in exp_cols:
            out.append(f"column {name}.{col.name}: unexpected ({col.type})")
    for col in expected.columns:
        other = act_cols.get(col.name)
        if other is None:
            continue
        for attr in ("type", "nullable", "default", "identity"):
            want, got = getattr(col, attr), getattr(other, attr)
            if want != got:
                out.append(f"column {name}.{col.name}: {attr}: expected {want}, got {got}")
    exp_order = [c.name for c in expected.columns if c.name in act_cols]
    act_order = [c.name for c in actual.columns if c.name in exp_cols]
    if exp_order != act_order:
        out.append(f"table {name}: column order: expected {_fmt_cols(exp_order)}, got {_fmt_cols(act_order)}")
    return out


def _compare_keys(name: str, expected: Table, actual: Table) -> list[str]:
    out: list[str] = []
    if expected.primary_key != actual.primary_key:
        out.append(
            f"table {name}: primary key: expected {_fmt_cols(expected.primary_key)}, "
            f"got {_fmt_cols(actual.primary_key)}"
        )
    elif expected.primary_key and expected.primary_key_name != actual.primary_key_name:
        out.append(
            f"table {name}: primary key name: expected {expected.primary_key_name}, got {actual.primary_key_name}"
        )

    act_fks = {_fk_key(fk): fk for fk in actual.foreign_keys}
    exp_fks = {_fk_key(fk): fk for fk in expected.foreign_keys}
    for key, fk in exp_fks.items():
        target = f"{fk.referred_table}{_fmt_cols(fk.referred_columns)}"
        other = act_fks.get(key)
        if other is None:
            out.append(f"foreign key {name}{_fmt_cols(fk.columns)} -> {target}: missing (expected {fk.name})")
            continue
        for attr in ("name", "on_delete", "on_update"):
            want, got = getattr(fk, attr), getattr(other, attr)
            if want != got:
                out.append(
                    f"foreign key {name}{_fmt_cols(fk.columns)} -> {target}: {attr}: expected {want}, got {got}"
                )
    for key, fk in act_fks.items():
        if key not in exp_fks:
            target = f"{fk.referred_table}{_fmt_cols(fk.referred_columns)}"
            out.append(f"foreign key {name}{_fmt_cols(fk.columns)} -> {target}: unexpected ({fk.name})")

    out.extend(
        _compare_named(name, "unique constraint", expected.unique_constraints, actual.unique_constraints)
    )
    out.extend(_compare_named(name, "check constraint", expected.check_constraints, actual.check_constraints))
    return out


def _shown(value: str | tuple[str, ...]) -> str:
    return _fmt_cols(value) if isinstance(value, tuple) else value


def _compare_named(
    name: str,
    kind: str,
    expected: Mapping[str, str | tuple[str, ...]],
    actual: Mapping[str, str | tuple[str, ...]],
) -> list[str]:
    out: list[str] = []
    for key, value in expected.items():
        if key not in actual:
            out.append(f"{kind} {name}.{key}: missing (expected {_shown(value)})")
        elif actual[key] != value:
            out.append(f"{kind} {name}.{key}: expected {_shown(value)}, got {_shown(actual[key])}")
    for key, value in actual.items():
        if key not in expected:
            out.append(f"{kind} {name}.{key}: unexpected {_shown(value)}")
    return out


def _describe_index(index: Index) -> str:
    text = ("unique " if index.unique else "") + _fmt_cols(index.columns)
    if index.using != "btree":
        text = f"using {index.using} " + text
    if index.sorting:
        text += " sorted " + _fmt_cols(index.sorting)
    if index.where:
        text += f" where {index.where}"
    return text


def _compare_indexes(name: str, expected: Table, actual: Table) -> list[str]:
    out: list[str] = []
    exp = {str(i.name): i for i in expected.indexes}
    act = {str(i.name): i for i in actual.indexes}
    for key, index in exp.items():
        other = act.get(key)
        if other is None:
            out.append(f"index {name}.{key}: missing (expected {_describe_index(index)})")
        elif other != index:
            out.append(f"index {name}.{key}: expected {_describe_index(index)}, got {_describe_index(other)}")
    for key, index in act.items():
        if key not in exp:
            out.append(f"index {name}.{key}: unexpected {_describe_index(index)}")
    return out


def compare(expected: Schema, actual: Schema) -> list[str]:
    """The differences between two structures, one line each, sorted; empty when they match."""
    out: list[str] = []
    for enum_name, labels in expected.enums.items():
        if enum_name not in actual.enums:
            out.append(f"enum {enum_name}: missing (expected {_fmt_cols(labels)})")
        elif actual.enums[enum_name] != labels:
            out.append(
                f"enum {enum_name}: expected {_fmt_cols(labels)}, got {_fmt_cols(actual.enums[enum_name])}"
            )
    for enum_name, labels in actual.enums.items():
        if enum_name not in expected.enums:
            out.append(f"enum {enum_name}: unexpected {_fmt_cols(labels)}")

    for name in expected.tables:
        if name not in actual.tables:
            out.append(f"table {name}: missing")
    for name in actual.tables:
        if name not in expected.tables:
            out.append(f"table {name}: unexpected")

    for name, table in expected.tables.items():
        other = actual.tables.get(name)
        if other is None:
            continue
        out.extend(_compare_columns(name, table, other))
        out.extend(_compare_keys(name, table, other))
        out.extend(_compare_indexes(name, table, other))
    return sorted(out)
