"""Drift checks and adoption of databases built by the original thoth-storages 0.74.x.

`drift()` compares a live database with SQLAlchemy metadata (by default the generated models).
`adopt()` takes over a database that the original library migrated to its head revision
(`bf9ea2a38b01`): when its structure matches our baseline revision exactly, the original's version row
is replaced by our baseline revision, so that our later revisions apply with `initialize_schema()`;
otherwise nothing is changed and the differences are reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, inspect, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import SchemaItem
from sqlalchemy.types import TypeEngine

from codegen import ir

from ..config import DatabaseSettings
from ..exceptions import ConfigurationError, ThothStorageExceptionError
from . import migrate
from .compare import compare, from_metadata, reflect
from .connection import make_engine, ping

ORIGINAL_HEAD = "bf9ea2a38b01"
"""The head revision of thoth-storages 0.74.x (its 81st migration)."""


class AdoptionRefusedError(ThothStorageExceptionError):
    """The database cannot be adopted; nothing was changed. `differences` lists the drift, if any."""

    def __init__(self, message: str, differences: list[str] | None = None) -> None:
        super().__init__(message)
        self.differences = differences or []


class Outcome(StrEnum):
    """What `adopt()` did."""

    ADOPTED = "adopted"
    ALREADY_OURS = "already ours"


@dataclass(frozen=True)
class Adoption:
    """The result of `adopt()`."""

    outcome: Outcome
    previous_revision: str
    revision: str
    pending_revisions: int
    """Our revisions after `revision`; `initialize_schema()` (`thoth-storages db init`) applies them."""


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(migrate.alembic_config())


def baseline_revision() -> str:
    """Our first revision (the one that builds what the original's head built)."""
    bases = _script().get_bases()
    if len(bases) != 1:
        raise ConfigurationError(f"alembic/versions should have exactly one base revision, found {bases}")
    return bases[0]


def our_revisions() -> list[str]:
    """Our revision ids, oldest first."""
    return [revision.revision for revision in reversed(list(_script().walk_revisions()))]


def baseline_metadata() -> MetaData:
    """The metadata of our baseline revision, built from its snapshot under alembic/snapshots/."""
    from codegen.revisions import HistoryError, read_history

    try:
        history = read_history(migrate.MIGRATIONS_DIR / "snapshots")
    except HistoryError as error:
        raise ConfigurationError(f"cannot read the revision snapshots: {error}") from None
    baseline = baseline_revision()
    if not history or history[0].revision != baseline:
        raise ConfigurationError(
            f"alembic/snapshots does not start with the baseline revision {baseline}; run `thoth-storages codegen`"
        )
    return metadata_from_schema(history[0].schema)


_SIMPLE_TYPES: dict[str, type[TypeEngine[Any]]] = {
    "integer": sa.Integer,
    "smallint": sa.SmallInteger,
    "bigint": sa.BigInteger,
    "text": sa.Text,
    "boolean": sa.Boolean,
    "float": sa.Float,
    "timestamp": sa.DateTime,
    "date": sa.Date,
}


def metadata_from_schema(schema: ir.Schema) -> MetaData:
    """SQLAlchemy tables for a codegen schema, as generated/models.py declares them (same DDL)."""
    metadata = MetaData()
    enums = {enum.name: enum.values for enum in schema.enums}
    for table in schema.tables:
        args: list[SchemaItem] = []
        for column in table.columns:
            args.append(_column(table, column, enums))
        if table.primary_key_constraint:
            args.append(sa.PrimaryKeyConstraint(*table.primary_key, name=table.primary_key_name))
        args += [
            sa.UniqueConstraint(*unique.columns, name=unique.name) for unique in table.unique_constraints
        ]
        args += [
            sa.Index(
                index.name,
                *index.columns,
                unique=index.unique,
                postgresql_where=sa.text(index.where) if index.where else None,
            )
            for index in table.indexes
        ]
        sa.Table(table.name, metadata, *args, comment=table.comment)
    return metadata


def _column(table: ir.Table, column: ir.Column, enums: dict[str, tuple[str, ...]]) -> sa.Column[Any]:
    type_: TypeEngine[Any]
    if varchar := ir.VARCHAR.fullmatch(column.type):
        type_ = sa.String(int(varchar.group(1)))
    elif enum := column.enum_name:
        type_ = postgresql.ENUM(*enums[enum], name=enum, create_type=False)
    else:
        type_ = _SIMPLE_TYPES[column.type]()
    args: list[SchemaItem] = []
    if column.foreign_key is not None:
        fk = column.foreign_key
        ondelete = None if fk.on_delete == "NO ACTION" else fk.on_delete
        args.append(sa.ForeignKey(f"{fk.table}.{fk.column}", name=fk.name, ondelete=ondelete))
    primary_key = column.primary_key and table.primary_key_constraint
    return sa.Column(
        column.name,
        type_,
        *args,
        nullable=column.nullable,
        primary_key=primary_key,
        autoincrement=column.autoincrement if primary_key else (True if column.autoincrement else "auto"),
        default=column.default if column.has_default else None,
        server_default=sa.text(column.server_default) if column.server_default is not None else None,
        comment=column.comment,
    )


def drift(connection: Connection, metadata: MetaData | None = None) -> list[str]:
    """Differences between the database behind `connection` and `metadata` (default: the generated models).

    Lines read `<what> <where>: <problem>`, with the metadata as the expected side; empty when they match.
    """
    if metadata is None:
        from generated.models import Base

        metadata = Base.metadata
    return compare(from_metadata(metadata), reflect(connection))


def revision_advice(connection: Connection) -> str:
    """What the database's alembic_version says about drift, as advice (for `db check`)."""
    versions = _version_rows(connection)
    if versions is None:
        return "the database has no alembic_version table: it was not built by thoth-storages"
    if len(versions) != 1:
        return f"alembic_version holds {len(versions)} rows ({', '.join(versions)}); expected one"
    version, ours = versions[0], our_revisions()
    if version == ORIGINAL_HEAD:
        return (
            f"the database was built by thoth-storages 0.74 (revision {ORIGINAL_HEAD}): "
            "run `thoth-storages db adopt`, then `thoth-storages db init`"
        )
    if version == ours[-1]:
        return f"the database is at our head revision {version}, so it was changed outside thoth-storages"
    if version in ours:
        return (
            f"the database is at revision {version}, {len(ours) - 1 - ours.index(version)} revision(s) behind "
            f"{ours[-1]}: `thoth-storages db init` applies them"
        )
    return f"the database is at revision {version}, which this version of thoth-storages does not know"


def _version_rows(connection: Connection) -> list[str] | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return [str(row[0]) for row in connection.execute(text("SELECT version_num FROM alembic_version"))]


def adopt(connection: Connection, where: str = "the database") -> Adoption:
    """Adopt the database behind `connection` (in a transaction the caller commits); see the module doc."""
    ours = our_revisions()
    baseline = ours[0]
    versions = _version_rows(connection)
    if versions is None:
        raise AdoptionRefusedError(
            f"{where} has no alembic_version table, so it was not built by thoth-storages 0.74; "
            "create a new database with `thoth-storages db init` instead"
        )
    if len(versions) == 1 and versions[0] in ours:
        return Adoption(
            Outcome.ALREADY_OURS, versions[0], versions[0], len(ours) - 1 - ours.index(versions[0])
        )
    if versions != [ORIGINAL_HEAD]:
        found = ", ".join(versions) or "no revision"
        raise AdoptionRefusedError(
            f"{where} is at {found}, not at the head revision {ORIGINAL_HEAD} of thoth-storages 0.74; "
            "upgrade it with the original library first (GraphDatabase().initialize_schema() of 0.74.2)"
        )
    differences = drift(connection, baseline_metadata())
    if differences:
        raise AdoptionRefusedError(
            f"{where} differs from our baseline revision {baseline} in {len(differences)} place(s); "
            "nothing was changed",
            differences,
        )
    command.stamp(migrate.alembic_config(connection), baseline, purge=True)
    return Adoption(Outcome.ADOPTED, ORIGINAL_HEAD, baseline, len(ours) - 1)


def adopt_database(settings: DatabaseSettings | None = None) -> Adoption:
    """Adopt the configured database (KNOWLEDGE_GRAPH_*): one transaction, committed only on success."""
    settings = settings or DatabaseSettings.from_env()
    engine = make_engine(settings)
    try:
        ping(engine, settings)
        with engine.begin() as connection:
            return adopt(connection, where=describe(settings))
    finally:
        engine.dispose()


def describe(settings: DatabaseSettings) -> str:
    """The database as `postgresql://user@host:port/database` (no password)."""
    return f"postgresql://{settings.user}@{settings.host}:{settings.port}/{settings.database}"
