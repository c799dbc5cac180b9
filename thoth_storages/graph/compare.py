"""Live databases for the comparison tools: an engine from a URL, the schema model of the database at a URL.

The comparison itself is the diff engine of the migrations (`codegen.drift.differences` over the schema
model `codegen.ir`, read from a database by `codegen.reflect`); `python -m thoth_storages.graph.compare_cli`
compares two live databases with it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.exc import ArgumentError

from codegen import ir
from codegen.reflect import reflect

from ..exceptions import ConfigurationError

DEFAULT_EXCLUDED_TABLES = ("alembic_version",)


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
) -> ir.Schema:
    """The schema model of the database at a SQLAlchemy URL."""
    engine = engine_for_url(url)
    try:
        with engine.connect() as connection:
            return reflect(connection, schema=schema, exclude=exclude)
    finally:
        engine.dispose()
