"""Helpers shared by the schema-tool tests (imported as a module: the test folder is on sys.path)."""

from __future__ import annotations

from sqlalchemy import text

from thoth_storages.config import DatabaseSettings
from thoth_storages.graph.connection import make_engine


def url_of(settings: DatabaseSettings) -> str:
    """The SQLAlchemy URL of a test database, password included."""
    return settings.url().render_as_string(hide_password=False)


def execute(settings: DatabaseSettings, *statements: str) -> None:
    """Run SQL statements in one transaction."""
    engine = make_engine(settings)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def scalar(settings: DatabaseSettings, query: str) -> object:
    """The first column of the first row of `query`."""
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            return connection.execute(text(query)).scalar()
    finally:
        engine.dispose()
