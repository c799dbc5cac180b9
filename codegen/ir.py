"""The intermediate representation every renderer works from: plain, frozen, fully resolved."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from pydantic import TypeAdapter

Scalar = str | int | float | bool | None
Group = Literal["main", "relation", "performance", "other"]
OnDelete = Literal["CASCADE", "SET NULL", "RESTRICT", "NO ACTION"]

SIMPLE_TYPES = ("integer", "smallint", "bigint", "text", "boolean", "float", "timestamp", "date")
VARCHAR = re.compile(r"varchar\((\d+)\)")
ENUM = re.compile(r"enum:([a-z_][a-z0-9_]*)")


@dataclass(frozen=True)
class ForeignKey:
    """A single-column foreign key."""

    name: str
    table: str
    column: str
    on_delete: OnDelete = "NO ACTION"


@dataclass(frozen=True)
class Column:
    """A column with its resolved type spelling (`integer`, `varchar(256)`, `enum:name`, ...)."""

    name: str
    type: str
    nullable: bool
    primary_key: bool = False
    autoincrement: bool = False
    default: Scalar = None
    has_default: bool = False
    server_default: str | None = None
    foreign_key: ForeignKey | None = None
    comment: str | None = None

    @property
    def enum_name(self) -> str | None:
        """The enum type name of an enum column."""
        match = ENUM.fullmatch(self.type)
        return match.group(1) if match else None


@dataclass(frozen=True)
class Index:
    """A (possibly unique, possibly partial) index."""

    name: str
    columns: tuple[str, ...]
    unique: bool = False
    where: str | None = None


@dataclass(frozen=True)
class UniqueConstraint:
    """A named unique constraint."""

    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table, with everything named."""

    name: str
    model: str
    group: Group
    columns: tuple[Column, ...]
    primary_key_name: str
    primary_key_constraint: bool = True
    unique_constraints: tuple[UniqueConstraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    comment: str | None = None
    natural_key: tuple[str, ...] = field(default=(), compare=False)
    source: str = field(default="", compare=False)

    def column(self, name: str) -> Column:
        """The column called `name`."""
        return next(column for column in self.columns if column.name == name)

    @property
    def primary_key(self) -> tuple[str, ...]:
        """Names of the primary-key columns, in column order."""
        return tuple(column.name for column in self.columns if column.primary_key)


@dataclass(frozen=True)
class Enum:
    """A PostgreSQL ENUM type."""

    name: str
    values: tuple[str, ...]
    comment: str | None = None
    source: str = field(default="", compare=False)


@dataclass(frozen=True)
class Destructive:
    """Declared intent for destructive changes (`destructive:` entries)."""

    drop_tables: frozenset[str] = frozenset()
    drop_columns: frozenset[str] = frozenset()
    narrow_types: frozenset[str] = frozenset()
    drop_enum_values: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Schema:
    """The whole data model: enums and tables, sorted by name for deterministic output."""

    enums: tuple[Enum, ...]
    tables: tuple[Table, ...]
    destructive: Destructive = field(default_factory=Destructive)
    unexpressed: tuple[str, ...] = field(default=(), compare=False)
    """What a reflected database holds that the model cannot express (codegen.reflect); never in YAML."""

    def table(self, name: str) -> Table:
        """The table called `name`."""
        return next(table for table in self.tables if table.name == name)

    def to_snapshot(self) -> dict[str, object]:
        """A JSON-able form of the schema (sources and intents left out), for revision snapshots."""
        data: dict[str, object] = _SNAPSHOT.dump_python(
            replace(self, destructive=Destructive()), mode="json", exclude={"destructive", "unexpressed"}
        )
        for table in data["tables"]:  # type: ignore[attr-defined]
            del table["source"]
            del table["natural_key"]  # how the sync identifies rows; not part of the database
        for enum in data["enums"]:  # type: ignore[attr-defined]
            del enum["source"]
        return data


_SNAPSHOT: TypeAdapter[Schema] = TypeAdapter(Schema)


def snapshot_to_schema(data: object) -> Schema:
    """Rebuild a Schema from `Schema.to_snapshot()` output."""
    return _SNAPSHOT.validate_python(data)
