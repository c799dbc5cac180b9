"""Load schema/tables/*.yaml, check it against the meta-model and resolve it into the IR."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from . import ir
from .metamodel import DESTRUCTIVE_KINDS, ColumnSpec, FileSpec, MixinSpec, TableSpec
from .yaml_lines import Located, Path_, parse

MAX_NAME = 63  # PostgreSQL's NAMEDATALEN - 1
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
MODEL_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
TYPE_HINT = "one of " + ", ".join((*ir.SIMPLE_TYPES, "varchar(N)", "enum:<name>"))


@dataclass(frozen=True)
class Problem:
    """One mistake in the schema, with where it is."""

    file: str
    line: int
    key: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{self.file}:{self.line}: {self.key}: {self.message}{hint}"


class SchemaLoadError(Exception):
    """The schema YAML has mistakes; `problems` lists every one found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def pg_object_name(table: str, columns: str | None, label: str) -> str:
    """The name PostgreSQL itself would choose (its makeObjectName truncation to 63 characters)."""
    overhead = len(label) + 1 + (1 if columns is not None else 0)
    first, second = len(table), len(columns or "")
    while first + second > MAX_NAME - overhead:
        if first > second:
            first -= 1
        else:
            second -= 1
    middle = f"_{(columns or '')[:second]}" if columns is not None else ""
    return f"{table[:first]}{middle}_{label}"


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest choice, if any is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    return f"did you mean {close[0]!r}?" if close else None


@dataclass
class _Source:
    name: str
    located: Located
    spec: FileSpec


class _Loader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def report(self, source: _Source, path: Path_, message: str, hint: str | None = None) -> None:
        key = ".".join(str(part) for part in path)
        self.problems.append(Problem(source.name, source.located.line(path), key, message, hint))

    def read(self, file: Path, name: str) -> _Source | None:
        try:
            located = parse(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            problem = getattr(error, "problem", None) or str(error)
            self.problems.append(Problem(name, line, "<yaml>", f"not valid YAML: {problem}"))
            return None
        dummy = _Source(name, located, FileSpec())
        for path, _line in located.duplicates:
            self.report(
                dummy, path, f"duplicate key {path[-1]!r}", "a name may appear only once in a mapping"
            )
        data = located.data if located.data is not None else {}
        try:
            return _Source(name, located, FileSpec.model_validate(data))
        except ValidationError as error:
            for item in error.errors():
                path = tuple(part for part in item["loc"] if part not in _UNION_TAGS)
                if item["type"] == "extra_forbidden":
                    allowed = _allowed_keys(path)
                    self.report(dummy, path, "unknown key", did_you_mean(str(path[-1]), allowed))
                else:
                    self.report(dummy, path, item["msg"])
            return None


_UNION_TAGS = {"str", "int", "float", "bool", "none", "literal['CASCADE','SET NULL','RESTRICT','NO ACTION']"}


def _allowed_keys(path: Path_) -> list[str]:
    parents: dict[int, type[object]] = {1: FileSpec}
    if len(path) >= 2 and path[0] == "tables":
        parents = {1: FileSpec, 3: TableSpec, 5: ColumnSpec}
    elif len(path) >= 2 and path[0] == "mixins":
        parents = {1: FileSpec, 5: ColumnSpec}
    model = parents.get(len(path))
    fields = getattr(model, "model_fields", {}) if model else {}
    return list(fields)


def load_schema(schema_dir: Path) -> ir.Schema:
    """Load every `tables/*.yaml` under `schema_dir`; raise SchemaLoadError listing all mistakes."""
    loader = _Loader()
    files = sorted((schema_dir / "tables").glob("*.yaml"))
    if not files:
        raise SchemaLoadError([Problem(str(schema_dir / "tables"), 1, "<dir>", "no *.yaml files found")])
    base = schema_dir.parent
    sources = [loader.read(file, _display(file, base)) for file in files]
    if loader.problems:
        raise SchemaLoadError(loader.problems)
    schema = _Resolver(loader, [source for source in sources if source is not None]).resolve()
    if loader.problems:
        raise SchemaLoadError(loader.problems)
    return schema


def _display(file: Path, base: Path) -> str:
    try:
        return file.relative_to(base).as_posix()
    except ValueError:
        return file.as_posix()


class _Resolver:
    """Cross-file checks and name resolution: specs -> IR."""

    def __init__(self, loader: _Loader, sources: list[_Source]) -> None:
        self.loader = loader
        self.sources = sources
        self.enums: dict[str, tuple[_Source, ir.Enum]] = {}
        self.mixins: dict[str, tuple[_Source, MixinSpec]] = {}
        self.tables: dict[str, tuple[_Source, TableSpec]] = {}
        self.relation_names: dict[str, str] = {}
        self.foreign_key_names: set[str] = set()  # PostgreSQL numbers clashes schema-wide

    def report(self, source: _Source, path: Path_, message: str, hint: str | None = None) -> None:
        self.loader.report(source, path, message, hint)

    def resolve(self) -> ir.Schema:
        self._collect()
        tables = [self._table(source, name, spec) for name, (source, spec) in self.tables.items()]
        destructive = self._destructive()
        models: dict[str, str] = {}
        for table in tables:
            source, _spec = self.tables[table.name]
            if table.model in models:
                self.report(
                    source,
                    ("tables", table.name, "model"),
                    f"duplicate model name {table.model!r}",
                    f"already used by table {models[table.model]!r}",
                )
            models[table.model] = table.name
        return ir.Schema(
            enums=tuple(sorted((enum for _s, enum in self.enums.values()), key=lambda e: e.name)),
            tables=tuple(sorted(tables, key=lambda t: t.name)),
            destructive=destructive,
        )

    def _collect(self) -> None:
        for source in self.sources:
            for name, enum in source.spec.enums.items():
                path: Path_ = ("enums", name)
                self._check_identifier(source, path, name)
                if name in self.enums:
                    self.report(
                        source, path, "duplicate enum name", f"also defined in {self.enums[name][0].name}"
                    )
                seen: set[str] = set()
                for index, value in enumerate(enum.values):
                    if value in seen:
                        self.report(
                            source, (*path, "values", index), f"enum value clash: {value!r} is listed twice"
                        )
                    seen.add(value)
                self.enums[name] = (source, ir.Enum(name, tuple(enum.values), enum.comment, source.name))
            for name, mixin in source.spec.mixins.items():
                if name in self.mixins:
                    self.report(source, ("mixins", name), "duplicate mixin name")
                self.mixins[name] = (source, mixin)
            for name, table in source.spec.tables.items():
                self._check_identifier(source, ("tables", name), name)
                if name in self.tables:
                    self.report(
                        source,
                        ("tables", name),
                        "duplicate table name",
                        f"also defined in {self.tables[name][0].name}",
                    )
                self.tables[name] = (source, table)

    def _check_identifier(self, source: _Source, path: Path_, name: str) -> None:
        if not IDENTIFIER.fullmatch(name) or len(name) > MAX_NAME:
            self.report(
                source, path, f"{name!r} is not a valid name", "lower case letters, digits and _, at most 63"
            )

    def _claim(self, source: _Source, path: Path_, name: str, owner: str) -> None:
        """Index, unique-constraint and primary-key names share PostgreSQL's relation namespace."""
        if len(name) > MAX_NAME:
            self.report(
                source, path, f"name {name!r} is longer than 63 characters", "give it a shorter `name:`"
            )
        if name in self.relation_names or name in self.tables:
            other = self.relation_names.get(name, f"table {name}")
            self.report(
                source, path, f"duplicate index or constraint name {name!r}", f"already used by {other}"
            )
        self.relation_names[name] = owner

    def _columns(self, source: _Source, name: str, spec: TableSpec) -> list[tuple[Path_, str, ColumnSpec]]:
        columns: list[tuple[Path_, str, ColumnSpec]] = [
            (("tables", name, "columns", column), column, column_spec)
            for column, column_spec in spec.columns.items()
        ]
        for index, mixin in enumerate(spec.mixins):
            if mixin not in self.mixins:
                self.report(
                    source,
                    ("tables", name, "mixins", index),
                    f"unknown mixin {mixin!r}",
                    did_you_mean(mixin, self.mixins),
                )
                continue
            mixin_spec = self.mixins[mixin][1]
            mixed: list[tuple[Path_, str, ColumnSpec]] = []
            for column, column_spec in mixin_spec.columns.items():
                if column in spec.columns:
                    self.report(
                        source, ("tables", name, "columns", column), f"column clashes with mixin {mixin!r}"
                    )
                mixed.append((("tables", name, "mixins", index), column, column_spec))
            columns = [*mixed, *columns] if mixin_spec.position == "first" else [*columns, *mixed]
        return columns

    def _column_names(self, spec: TableSpec) -> set[str]:
        """Own and mixed-in column names of a table, without reporting anything."""
        names = set(spec.columns)
        for mixin in spec.mixins:
            if mixin in self.mixins:
                names |= set(self.mixins[mixin][1].columns)
        return names

    def _table(self, source: _Source, name: str, spec: TableSpec) -> ir.Table:
        columns = self._columns(source, name, spec)
        pk_count = sum(1 for _p, _n, column in columns if column.primary_key)
        serial_pk = pk_count if spec.primary_key_constraint else 0
        resolved = [self._column(source, path, name, column, c, serial_pk) for path, column, c in columns]
        if pk_count == 0:
            self.report(
                source,
                ("tables", name, "columns"),
                "table has no primary key",
                "mark the identity columns primary_key: true (with primary_key_constraint: false, "
                "they identify rows in the ORM only)",
            )
        names = {column.name for column in resolved}
        uniques: list[ir.UniqueConstraint] = []
        indexes: list[ir.Index] = []
        pk_name = pg_object_name(name, None, "pkey")
        if spec.primary_key_constraint:
            self._claim(source, ("tables", name), pk_name, f"table {name}")
        for path, column, column_spec in columns:
            self._check_identifier(source, path, column)
            if column_spec.unique:
                unique_name = pg_object_name(name, column, "key")
                self._claim(source, path, unique_name, f"table {name}")
                uniques.append(ir.UniqueConstraint(unique_name, (column,)))
            if column_spec.index:
                index_name = f"ix_{name}_{column}"
                self._claim(source, path, index_name, f"table {name}")
                indexes.append(ir.Index(index_name, (column,)))
        for index, unique in enumerate(spec.unique_constraints):
            path = ("tables", name, "unique_constraints", index)
            self._known_columns(source, path, unique.columns, names)
            unique_name = unique.name or pg_object_name(name, "_".join(unique.columns), "key")
            self._claim(source, path, unique_name, f"table {name}")
            uniques.append(ir.UniqueConstraint(unique_name, tuple(unique.columns)))
        for index, index_spec in enumerate(spec.indexes):
            path = ("tables", name, "indexes", index)
            self._known_columns(source, path, index_spec.columns, names)
            index_name = index_spec.name or f"ix_{name}_{'_'.join(index_spec.columns)}"
            self._claim(source, path, index_name, f"table {name}")
            indexes.append(
                ir.Index(index_name, tuple(index_spec.columns), index_spec.unique, index_spec.where)
            )
        model = spec.model or "".join(part.capitalize() for part in name.split("_"))
        if not MODEL_NAME.fullmatch(model):
            self.report(
                source, ("tables", name, "model"), f"{model!r} is not a valid class name", "use CamelCase"
            )
        return ir.Table(
            name=name,
            model=model,
            group=spec.group,
            columns=tuple(resolved),
            primary_key_name=pk_name,
            primary_key_constraint=spec.primary_key_constraint,
            natural_key=self._natural_key(source, name, spec, resolved, uniques),
            unique_constraints=tuple(uniques),
            indexes=tuple(indexes),
            comment=spec.comment,
            source=source.name,
        )

    def _natural_key(
        self,
        source: _Source,
        name: str,
        spec: TableSpec,
        columns: list[ir.Column],
        uniques: list[ir.UniqueConstraint],
    ) -> tuple[str, ...]:
        """Columns that identify a row for the sync: declared, else the first multi-column or
        non-serial unique constraint, else a non-serial primary key, else every non-serial column."""
        if spec.natural_key is not None:
            self._known_columns(
                source, ("tables", name, "natural_key"), spec.natural_key, {c.name for c in columns}
            )
            return tuple(spec.natural_key)
        serial = {column.name for column in columns if column.autoincrement}
        for unique in uniques:
            if not set(unique.columns) & serial:
                return unique.columns
        primary = tuple(column.name for column in columns if column.primary_key)
        if primary and not set(primary) & serial:
            return primary
        return tuple(column.name for column in columns if column.name not in serial)

    def _known_columns(self, source: _Source, path: Path_, columns: list[str], names: set[str]) -> None:
        for position, column in enumerate(columns):
            if column not in names:
                self.report(
                    source,
                    (*path, "columns", position),
                    f"unknown column {column!r}",
                    did_you_mean(column, names),
                )

    def _column(
        self, source: _Source, path: Path_, table: str, name: str, spec: ColumnSpec, pk_count: int
    ) -> ir.Column:
        type_ = self._type(source, (*path, "type"), spec.type)
        foreign_key = None
        if spec.references is not None:
            foreign_key = self._foreign_key(source, (*path, "references"), table, name, spec)
        elif spec.on_delete is not None:
            self.report(
                source, (*path, "on_delete"), "on_delete without references", "add `references: table.column`"
            )
        integer = type_ in ("integer", "smallint", "bigint")
        autoincrement = spec.autoincrement
        if autoincrement is None:
            autoincrement = spec.primary_key and pk_count == 1 and integer and foreign_key is None
        elif autoincrement and not integer:
            self.report(source, (*path, "autoincrement"), "autoincrement needs an integer type")
        if spec.primary_key and spec.nullable:
            self.report(source, (*path, "nullable"), "a primary-key column cannot be nullable")
        if "default" in spec.model_fields_set:
            self._check_default(source, (*path, "default"), type_, spec)
        return ir.Column(
            name=name,
            type=type_,
            nullable=not spec.primary_key if spec.nullable is None else spec.nullable,
            primary_key=spec.primary_key,
            autoincrement=autoincrement,
            default=spec.default,
            has_default="default" in spec.model_fields_set,
            server_default=spec.server_default,
            foreign_key=foreign_key,
            comment=spec.comment,
        )

    def _type(self, source: _Source, path: Path_, spelling: str) -> str:
        enum = ir.ENUM.fullmatch(spelling)
        if enum:
            if enum.group(1) not in self.enums:
                self.report(
                    source, path, f"unknown enum {enum.group(1)!r}", did_you_mean(enum.group(1), self.enums)
                )
            return spelling
        if spelling in ir.SIMPLE_TYPES or ir.VARCHAR.fullmatch(spelling):
            return spelling
        self.report(
            source, path, f"unknown type {spelling!r}", did_you_mean(spelling, ir.SIMPLE_TYPES) or TYPE_HINT
        )
        return spelling

    def _check_default(self, source: _Source, path: Path_, type_: str, spec: ColumnSpec) -> None:
        value = spec.default
        expected: type | tuple[type, ...] = str
        if type_ == "boolean":
            expected = bool
        elif type_ in ("integer", "smallint", "bigint"):
            expected = int
        elif type_ == "float":
            expected = (int, float)
        ok = value is None or (
            isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        )
        if type_ in ("timestamp", "date") and value is not None:
            ok = False
        if enum := ir.ENUM.fullmatch(type_):
            values = self.enums[enum.group(1)][1].values if enum.group(1) in self.enums else ()
            ok = value is None or value in values
        if not ok:
            self.report(
                source,
                path,
                f"default {value!r} does not fit type {type_}",
                "use server_default for SQL expressions",
            )

    def _foreign_key(
        self, source: _Source, path: Path_, table: str, column: str, spec: ColumnSpec
    ) -> ir.ForeignKey:
        target = spec.references or ""
        target_table, _, target_column = target.partition(".")
        if spec.foreign_key_name is not None:
            name = spec.foreign_key_name
            if name in self.foreign_key_names:
                self.report(source, (*path[:-1], "foreign_key_name"), f"duplicate foreign key name {name!r}")
        else:
            name = pg_object_name(table, column, "fkey")
            suffix = 0
            while name in self.foreign_key_names:  # PostgreSQL numbers clashing names: fkey1, fkey2, ...
                suffix += 1
                name = pg_object_name(table, column, f"fkey{suffix}")
        self.foreign_key_names.add(name)
        foreign_key = ir.ForeignKey(name, target_table, target_column, spec.on_delete or "NO ACTION")
        if not target_column:
            self.report(source, path, f"{target!r} is not <table>.<column>")
        elif target_table not in self.tables:
            self.report(
                source,
                path,
                f"foreign key to missing table {target_table!r}",
                did_you_mean(target_table, self.tables),
            )
        else:
            names = self._column_names(self.tables[target_table][1])
            if target_column not in names:
                self.report(
                    source,
                    path,
                    f"foreign key to missing column {target!r}",
                    did_you_mean(target_column, names),
                )
        return foreign_key

    def _destructive(self) -> ir.Destructive:
        found: dict[str, set[str]] = {kind: set() for kind in DESTRUCTIVE_KINDS}
        for source in self.sources:
            for index, entry in enumerate(source.spec.destructive):
                set_kinds = [kind for kind in DESTRUCTIVE_KINDS if getattr(entry, kind) is not None]
                if len(set_kinds) != 1:
                    self.report(
                        source, ("destructive", index), "give exactly one of " + ", ".join(DESTRUCTIVE_KINDS)
                    )
                    continue
                kind = set_kinds[0]
                value: str = getattr(entry, kind)
                if kind != "drop_table" and "." not in value:
                    where = "<enum>.<value>" if kind == "drop_enum_value" else "<table>.<column>"
                    self.report(source, ("destructive", index, kind), f"{value!r} is not {where}")
                found[kind].add(value)
        return ir.Destructive(
            drop_tables=frozenset(found["drop_table"]),
            drop_columns=frozenset(found["drop_column"]),
            narrow_types=frozenset(found["narrow_type"]),
            drop_enum_values=frozenset(found["drop_enum_value"]),
        )
