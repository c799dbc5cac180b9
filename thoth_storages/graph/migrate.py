"""Alembic glue: the script directory, upgrades, and version reporting."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from ..exceptions import ConfigurationError, DatabaseNotInitializedError

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"
"""The Alembic script directory (env.py, versions/, snapshots/): in the source tree a link to the
project's alembic/, in an installed wheel a copy of it, so an installed package migrates as well."""


def alembic_config(connection: Connection | None = None) -> Config:
    """The library's Alembic configuration (no alembic.ini needed); with `connection`, migrations run on it."""
    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise ConfigurationError(
            f"the migration scripts are missing ({MIGRATIONS_DIR}/env.py); reinstall thoth-storages"
        )
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script_head() -> str:
    """The head revision of the script directory."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise ConfigurationError("alembic/versions holds no revision; run `thoth-storages codegen`")
    return head


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Upgrade the database behind `connection` to `revision`."""
    command.upgrade(alembic_config(connection), revision)


def downgrade(connection: Connection, revision: str) -> None:
    """Downgrade the database behind `connection` to `revision` (`base` for empty)."""
    command.downgrade(alembic_config(connection), revision)


def table_head(connection: Connection) -> str:
    """The revision recorded in the database's alembic_version table."""
    if not inspect(connection).has_table("alembic_version"):
        raise DatabaseNotInitializedError(
            "the database has no alembic_version table; run `thoth-storages db init` (initialize_schema())"
        )
    version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if version is None:
        raise DatabaseNotInitializedError("alembic_version is empty; run `thoth-storages db init`")
    return str(version)
