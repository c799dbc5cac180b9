"""The meta-model of the schema YAML: what keys exist and what values they take."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .ir import Group, OnDelete, Scalar


class Spec(BaseModel):
    """Base of every YAML mapping: unknown keys are errors, no silent coercion."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ColumnSpec(Spec):
    """One column (`tables.<table>.columns.<column>`)."""

    type: str
    nullable: bool | None = None
    primary_key: bool = False
    autoincrement: bool | None = None
    unique: bool = False
    index: bool = False
    default: Scalar = None
    server_default: str | None = None
    references: str | None = None
    foreign_key_name: str | None = None
    on_delete: OnDelete | None = None
    comment: str | None = None


class IndexSpec(Spec):
    """An index (`tables.<table>.indexes[i]`)."""

    name: str | None = None
    columns: list[str] = Field(min_length=1)
    unique: bool = False
    where: str | None = None


class UniqueSpec(Spec):
    """A unique constraint (`tables.<table>.unique_constraints[i]`)."""

    name: str | None = None
    columns: list[str] = Field(min_length=1)


class TableSpec(Spec):
    """A table (`tables.<table>`)."""

    model: str | None = None
    group: Group = "other"
    comment: str | None = None
    mixins: list[str] = []
    primary_key_constraint: bool = True
    natural_key: list[str] | None = None
    columns: dict[str, ColumnSpec] = Field(min_length=1)
    unique_constraints: list[UniqueSpec] = []
    indexes: list[IndexSpec] = []


class MixinSpec(Spec):
    """A reusable column set (`mixins.<name>`)."""

    columns: dict[str, ColumnSpec] = Field(min_length=1)
    position: Literal["first", "last"] = "last"
    comment: str | None = None


class EnumSpec(Spec):
    """A PostgreSQL ENUM type (`enums.<name>`)."""

    values: list[str] = Field(min_length=1)
    comment: str | None = None


class DestructiveSpec(Spec):
    """One declared destructive change (`destructive[i]`); exactly one key is set."""

    drop_table: str | None = None
    drop_column: str | None = None
    narrow_type: str | None = None
    drop_enum_value: str | None = None


class FileSpec(Spec):
    """One file under schema/tables/."""

    enums: dict[str, EnumSpec] = {}
    mixins: dict[str, MixinSpec] = {}
    tables: dict[str, TableSpec] = {}
    destructive: list[DestructiveSpec] = []


DESTRUCTIVE_KINDS: tuple[Literal["drop_table", "drop_column", "narrow_type", "drop_enum_value"], ...] = (
    "drop_table",
    "drop_column",
    "narrow_type",
    "drop_enum_value",
)
