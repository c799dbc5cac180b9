"""The runtime of `extension:` in schema/queries (the amcheck corruption check declares it)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ..exceptions import ThothStorageExceptionError
from .adapter import AdapterBase


class ExtensionUnavailableError(ThothStorageExceptionError):
    """A PostgreSQL extension a method needs cannot be installed in the connected database."""


def require_extension(graph: AdapterBase, name: str) -> None:
    """CREATE EXTENSION IF NOT EXISTS (in its own transaction; it needs the privilege when missing);
    ExtensionUnavailableError when it cannot."""
    try:
        with graph._connection(begin=True) as connection:
            connection.execute(text(f'CREATE EXTENSION IF NOT EXISTS "{name}"'))
    except DBAPIError as error:
        raise ExtensionUnavailableError(
            f"{name} is not available in this database (install postgresql-contrib or ask the database "
            f"owner to run CREATE EXTENSION {name}): {error.orig}"
        ) from None


__all__ = ["ExtensionUnavailableError", "require_extension"]
