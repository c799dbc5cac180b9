"""Drift checks and adoption of databases built by the original thoth-storages 0.74.x.

`drift()` compares a live database with a revision's schema (by default the head, which the generated
models declare): the database is read into the schema model (`codegen.reflect`) and compared by the
diff engine of the migrations (`codegen.drift`).
`adopt()` takes over a database that the original library migrated to its head revision
(`bf9ea2a38b01`): when its structure matches our baseline revision exactly, the original's version row
is replaced by our baseline revision, so that our later revisions apply with `initialize_schema()`;
otherwise nothing is changed and the differences are reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from codegen import ir
from codegen.drift import differences
from codegen.reflect import reflect

from ..config import DatabaseSettings
from ..exceptions import ConfigurationError, ThothStorageExceptionError
from . import migrate
from .connection import make_engine, ping

if TYPE_CHECKING:
    from codegen.revisions import Revision

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


def _history() -> list[Revision]:
    from codegen.revisions import HistoryError, read_history

    try:
        history = read_history(migrate.MIGRATIONS_DIR / "snapshots")
    except HistoryError as error:
        raise ConfigurationError(f"cannot read the revision snapshots: {error}") from None
    if not history or history[0].revision != baseline_revision():
        raise ConfigurationError(
            f"alembic/snapshots does not start with the baseline revision {baseline_revision()}; "
            "run `thoth-storages codegen`"
        )
    return history


def baseline_schema() -> ir.Schema:
    """The schema of our baseline revision, from its snapshot under alembic/snapshots/."""
    return _history()[0].schema


def head_schema() -> ir.Schema:
    """The schema of our head revision (what the generated models declare), from its snapshot."""
    return _history()[-1].schema


def drift(connection: Connection, schema: ir.Schema | None = None) -> list[str]:
    """Differences between the database behind `connection` and `schema` (default: our head revision).

    Lines read `<what> <where>: <problem>`, with `schema` as the expected side; empty when they match.
    """
    return differences(schema or head_schema(), reflect(connection))


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
    drifted = drift(connection, baseline_schema())
    if drifted:
        raise AdoptionRefusedError(
            f"{where} differs from our baseline revision {baseline} in {len(drifted)} place(s); "
            "nothing was changed",
            drifted,
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
