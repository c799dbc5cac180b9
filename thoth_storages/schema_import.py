"""`thoth-storages schema import`: schema YAML (docs/schema-language.md) for an existing PostgreSQL database.

Reflection is sqlacodegen's: `SchemaYamlGenerator` is a sqlacodegen generator (a `TablesGenerator`
whose `generate()` renders schema YAML instead of Python), so the metadata is reflected and normalized
by sqlacodegen (generic types, native enums, serial columns recognized from their `nextval(...)`
defaults) before it is written in the schema language. It also works as a sqlacodegen plug-in.

What a database does not store is not in the output: model class names and groups (defaults apply),
Python-side defaults, mix-ins (their columns appear in each table) and, for a table without a primary
key, the columns that identify rows in the ORM (the NOT NULL foreign-key columns are taken; check them).
Facts the language cannot express (other types, composite foreign keys, check constraints, expression
indexes, primary keys not named `<table>_pkey`, ...) are reported as warnings, or as an error when the
YAML would describe another database.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlacodegen.generators import TablesGenerator
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Connection,
    Date,
    DateTime,
    Double,
    Engine,
    Enum,
    Float,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import Column, DefaultClause
from sqlalchemy.schema import Sequence as Sequence_
from sqlalchemy.sql.elements import ClauseElement

from codegen.load import pg_object_name
from codegen.reflect import normalize_predicate, normalize_sql

from .exceptions import ConfigurationError, StorageConnectionError, ThothStorageExceptionError
from .graph.compare import engine_for_url

SUPPORTED_TYPES = "integer, smallint, bigint, text, varchar(N), boolean, float, timestamp, date, enum"


class SchemaImportError(ThothStorageExceptionError):
    """The database holds something the schema language cannot describe."""


@dataclass
class ImportResult:
    """The YAML text and what the import had to leave out or guess."""

    text: str
    tables: list[str]
    enums: list[str]
    warnings: list[str] = field(default_factory=list)


class _Flow(dict[str, object]):
    """A mapping written in flow style: `{type: integer, primary_key: true}`."""


class _FlowList(list[object]):
    """A sequence written in flow style: `[a, b]`."""


class _Dumper(yaml.SafeDumper):
    """Block style for the structure, flow style for columns, lists of names and short entries."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # indent list items under their key, like the schema files


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _represent_flow_list(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(_FlowList, _represent_flow_list)


class SchemaYamlGenerator(TablesGenerator):
    """A sqlacodegen generator whose output is schema YAML (`sqlacodegen --generator` compatible)."""

    def __init__(
        self,
        metadata: MetaData,
        bind: Connection | Engine,
        options: Sequence[str] = (),
        *,
        indentation: str = "  ",
    ) -> None:
        super().__init__(metadata, bind, options, indentation=indentation)
        self.warnings: list[str] = []
        self.guessed_identity: list[str] = []
        self.enum_types: dict[str, tuple[str, ...]] = {}

    @property
    def views_supported(self) -> bool:
        return False

    def generate(self) -> str:
        """Normalize the reflected metadata the sqlacodegen way, then render it as schema YAML."""
        for table in list(self.metadata.tables.values()):
            if self.should_ignore_table(table):
                self.metadata.remove(table)
        tables = sorted(self.metadata.tables.values(), key=lambda t: t.name)
        serial = {(t.name, c.name) for t in tables for c in t.columns if c.autoincrement is True}
        for table in tables:
            self.fix_column_types(table)
        return self.render(tables, serial)

    # -- rendering -----------------------------------------------------------------------------------------

    def render(self, tables: list[Table], serial: set[tuple[str, str]]) -> str:
        """The YAML document for `tables` (sorted), with warnings as comments at the top."""
        unsupported: list[str] = []
        body: dict[str, object] = {}
        fk_names: set[str] = set()
        rendered: dict[str, object] = {}
        for table in tables:
            rendered[str(table.name)] = self._table(table, serial, fk_names, unsupported)
        if self.guessed_identity:
            self.warnings.insert(
                0,
                f"{len(self.guessed_identity)} table(s) have no primary key; their NOT NULL foreign-key "
                "columns are marked primary_key: true (the ORM identity, primary_key_constraint: false): "
                + ", ".join(self.guessed_identity),
            )
        if unsupported:
            shown = "; ".join(unsupported[:5]) + (
                f"; and {len(unsupported) - 5} more" if len(unsupported) > 5 else ""
            )
            raise SchemaImportError(
                f"columns of types the schema language does not have ({SUPPORTED_TYPES}): {shown}; "
                "leave their tables out with --tables"
            )
        if self.enum_types:
            body["enums"] = {
                name: {"values": _FlowList(labels)} for name, labels in sorted(self.enum_types.items())
            }
        body["tables"] = rendered
        header = [
            "# Imported by `thoth-storages schema import` (sqlacodegen reflection); see docs/schema-language.md.",
            "# Not stored in a database, so not imported: model names, groups, Python-side defaults, mix-ins.",
        ]
        for warning in self.warnings:
            header += textwrap.wrap(
                warning,
                width=110,
                initial_indent="# warning: ",
                subsequent_indent="#   ",
                break_on_hyphens=False,
            )
        sections = ["\n".join(header) + "\n"]
        if "enums" in body:
            sections.append(_dump({"enums": body["enums"]}))
        # A blank line between tables, as in schema/tables/*.yaml.
        tables_text = re.sub(r"\n(  \S[^\n]*:\n)", r"\n\n\1", _dump({"tables": body["tables"]}))
        sections.append(tables_text.replace("tables:\n\n", "tables:\n", 1))
        return "\n".join(sections)

    def _table(
        self, table: Table, serial: set[tuple[str, str]], fk_names: set[str], unsupported: list[str]
    ) -> dict[str, object]:
        name = table.name
        out: dict[str, object] = {}
        if table.comment:
            out["comment"] = table.comment
        primary_key = [str(column.name) for column in table.primary_key.columns]
        constraint = bool(primary_key)
        if constraint:
            pk_name = table.primary_key.name
            if isinstance(pk_name, str) and pk_name != pg_object_name(name, None, "pkey"):
                self.warnings.append(
                    f"table {name}: primary key is named {pk_name}; the schema language names it "
                    f"{pg_object_name(name, None, 'pkey')}"
                )
        else:
            out["primary_key_constraint"] = False
            primary_key = [
                str(column.name) for column in table.columns if column.foreign_keys and not column.nullable
            ] or [str(column.name) for column in table.columns if not column.nullable]
            if primary_key:
                self.guessed_identity.append(name)
            else:
                self.warnings.append(
                    f"table {name}: no primary key and no NOT NULL column; mark its identity columns "
                    "primary_key: true by hand"
                )

        unique_columns: set[str] = set()
        uniques: list[object] = []
        for unique in sorted(
            (c for c in table.constraints if isinstance(c, UniqueConstraint)), key=lambda c: str(c.name)
        ):
            columns = [str(column.name) for column in unique.columns]
            default_single = pg_object_name(name, columns[0], "key") if len(columns) == 1 else None
            if default_single is not None and unique.name == default_single:
                unique_columns.add(columns[0])
                continue
            entry = _Flow()
            if unique.name != pg_object_name(name, "_".join(columns), "key"):
                entry["name"] = str(unique.name)
            entry["columns"] = _FlowList(columns)
            uniques.append(entry)

        index_columns: set[str] = set()
        indexes: list[object] = []
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            expressions = list(index.expressions)
            if not all(isinstance(expression, Column) for expression in expressions):
                self.warnings.append(f"index {name}.{index.name}: expression index left out")
                continue
            columns = [str(expression.name) for expression in expressions if isinstance(expression, Column)]
            options = index.dialect_options["postgresql"]
            if options.get("using") and options.get("using") != "btree":
                self.warnings.append(f"index {name}.{index.name}: USING {options.get('using')} left out")
            where_clause = options.get("where")
            where = None
            if where_clause is not None:
                raw = (
                    str(where_clause.compile(dialect=self.bind.dialect))
                    if isinstance(where_clause, ClauseElement)
                    else str(where_clause)
                )
                where = normalize_predicate(raw)
            plain_name = f"ix_{name}_{columns[0]}"
            if len(columns) == 1 and not index.unique and where is None and index.name == plain_name:
                index_columns.add(columns[0])
                continue
            entry = _Flow()
            if index.name != f"ix_{name}_{'_'.join(columns)}":
                entry["name"] = str(index.name)
            entry["columns"] = _FlowList(columns)
            if index.unique:
                entry["unique"] = True
            if where is not None:
                entry["where"] = where
            indexes.append(entry)

        checks = (c for c in table.constraints if isinstance(c, CheckConstraint))
        for check in sorted(checks, key=lambda c: str(c.name)):
            self.warnings.append(f"table {name}: check constraint {check.name} left out")

        foreign_keys: dict[str, ForeignKeyConstraint] = {}
        for fk in table.foreign_key_constraints:
            if len(fk.columns) != 1:
                self.warnings.append(
                    f"table {name}: composite foreign key {fk.name} "
                    f"({', '.join(c.name for c in fk.columns)}) left out"
                )
                continue
            if fk.onupdate:
                self.warnings.append(f"table {name}: ON UPDATE {fk.onupdate} of {fk.name} left out")
            foreign_keys[next(iter(fk.columns)).name] = fk

        pk_count = len(primary_key) if constraint else 0
        columns_out: dict[str, object] = {}
        for column in table.columns:
            columns_out[str(column.name)] = self._column(
                table,
                column,
                primary_key,
                pk_count,
                serial,
                foreign_keys.get(column.name),
                fk_names,
                unsupported,
            )
            spec = columns_out[str(column.name)]
            assert isinstance(spec, _Flow)
            if column.name in unique_columns:
                spec["unique"] = True
            if column.name in index_columns:
                spec["index"] = True
        out["columns"] = columns_out
        if uniques:
            out["unique_constraints"] = uniques
        if indexes:
            out["indexes"] = indexes
        return out

    def _column(
        self,
        table: Table,
        column: Column[object],
        primary_key: list[str],
        pk_count: int,
        serial: set[tuple[str, str]],
        fk: ForeignKeyConstraint | None,
        fk_names: set[str],
        unsupported: list[str],
    ) -> _Flow:
        where = f"{table.name}.{column.name}"
        spec = _Flow()
        spelling = self._type(column)
        if spelling is None:
            unsupported.append(f"{where} {column.type.compile(dialect=self.bind.dialect)}")
            spelling = "text"
        spec["type"] = spelling
        is_pk = column.name in primary_key
        if is_pk:
            spec["primary_key"] = True
        if not is_pk and not column.nullable:
            spec["nullable"] = False
        integer = spelling in ("integer", "smallint", "bigint")
        is_serial = (table.name, column.name) in serial
        implied = is_pk and pk_count == 1 and integer and fk is None
        if is_serial and not is_pk:
            self.warnings.append(f"column {where}: serial column outside the primary key; written without it")
        elif is_serial != implied:
            spec["autoincrement"] = is_serial
        if isinstance(column.default, Sequence_):
            self.warnings.append(
                f"column {where}: sequence {column.default.name} (not the serial default) left out"
            )
        server_default = column.server_default
        if isinstance(server_default, DefaultClause):
            argument = server_default.arg
            text = argument if isinstance(argument, str) else str(argument)
            if isinstance(argument, ClauseElement):
                text = str(argument.compile(dialect=self.bind.dialect))
            spec["server_default"] = normalize_sql(text)
        if fk is not None:
            element = fk.elements[0]
            spec["references"] = ".".join(element.target_fullname.split(".")[-2:])  # no schema prefix
            if fk.ondelete and fk.ondelete.upper() != "NO ACTION":
                spec["on_delete"] = fk.ondelete.upper()
            implied_name = _loader_fk_name(table.name, column.name, fk_names)
            actual = str(fk.name) if isinstance(fk.name, str) else implied_name
            if actual != implied_name:
                spec["foreign_key_name"] = actual
            fk_names.add(actual)
        if column.comment:
            spec["comment"] = column.comment
        return spec

    def _type(self, column: Column[object]) -> str | None:
        type_ = column.type
        if isinstance(type_, Enum) and type_.name and type_.native_enum:
            labels = tuple(str(label) for label in type_.enums)
            known = self.enum_types.setdefault(str(type_.name), labels)
            if known != labels:
                return None
            return f"enum:{type_.name!s}"
        if isinstance(type_, Boolean):
            return "boolean"
        if isinstance(type_, SmallInteger):
            return "smallint"
        if isinstance(type_, BigInteger):
            return "bigint"
        if isinstance(type_, Integer):
            return "integer"
        if isinstance(type_, Text):
            return "text"
        if isinstance(type_, String) and not isinstance(type_, Enum):
            spelled = str(type_.compile(dialect=self.bind.dialect)).upper()
            if type_.length and spelled.startswith("VARCHAR"):
                return f"varchar({type_.length})"
            return None
        if isinstance(type_, Double | Float):
            precision = getattr(type_, "precision", None)
            return "float" if precision is None or precision > 24 else None
        if isinstance(type_, DateTime):
            return None if type_.timezone else "timestamp"
        if isinstance(type_, Date):
            return "date"
        return None


def _dump(data: dict[str, object]) -> str:
    text: str = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=2**30)
    return text


def _loader_fk_name(table: str, column: str, taken: set[str]) -> str:
    """The foreign-key name codegen's loader gives a column without `foreign_key_name`."""
    name = pg_object_name(table, column, "fkey")
    suffix = 0
    while name in taken:
        suffix += 1
        name = pg_object_name(table, column, f"fkey{suffix}")
    return name


def import_schema(url: str, tables: str | None = None) -> ImportResult:
    """Reflect the database at `url` (tables whose name fully matches `tables`) and render schema YAML.

    Tables referenced by foreign keys of the selected ones are imported too, so that the YAML loads.
    """
    try:
        pattern = re.compile(tables) if tables is not None else None
    except re.error as error:
        raise ConfigurationError(f"--tables {tables!r} is not a regular expression: {error}") from None
    only: Callable[[str, MetaData], bool] | None = None
    if pattern is not None:
        matcher = pattern

        def only(name: str, _metadata: MetaData) -> bool:
            return matcher.fullmatch(name) is not None

    engine = engine_for_url(url)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        raise ConfigurationError(
            f"--url names a {engine.dialect.name} database; schema import reads PostgreSQL"
        )
    try:
        metadata = MetaData()
        generator = SchemaYamlGenerator(metadata, engine, ["nosyntheticenums"])  # keep varchar + CHECK as is
        try:
            metadata.reflect(engine, views=False, only=only)
        except SQLAlchemyError as error:
            detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise StorageConnectionError(
                f"cannot reflect {engine.url.render_as_string()}: {detail}"
            ) from None
        selected = sorted(
            name for name in metadata.tables if pattern is None or pattern.fullmatch(name) is not None
        )
        added = sorted(set(metadata.tables) - set(selected) - {"alembic_version", "migrate_version"})
        if not metadata.tables or not set(selected) - {"alembic_version", "migrate_version"}:
            raise SchemaImportError(
                f"no table of {engine.url.render_as_string()} matches --tables {tables!r}"
                if tables is not None
                else f"{engine.url.render_as_string()} has no tables"
            )
        text = generator.generate()
    finally:
        engine.dispose()
    warnings = list(generator.warnings)
    if added:
        warnings.insert(0, f"also imported, as foreign keys refer to them: {', '.join(added)}")
    return ImportResult(
        text=text,
        tables=sorted(metadata.tables),
        enums=sorted(generator.enum_types),
        warnings=warnings,
    )


def write_schema(result: ImportResult, output: Path, name: str = "imported") -> Path:
    """Write the YAML as `<output>/tables/<name>.yaml` (a schema folder codegen can load); return the path."""
    target = output / "tables" / f"{name}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(result.text, encoding="utf-8")
    return target
