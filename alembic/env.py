"""Alembic environment: migrates the knowledge graph to the generated metadata."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from generated.models import Base
from thoth_storages.config import DatabaseSettings

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None:  # the alembic command line (alembic.ini); the library passes no file
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(
        url=DatabaseSettings.from_env().url(), target_metadata=target_metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()
elif (connection := config.attributes.get("connection")) is not None:
    _run(connection)
else:
    engine = create_engine(DatabaseSettings.from_env().url())
    with engine.begin() as connection:
        _run(connection)
    engine.dispose()
