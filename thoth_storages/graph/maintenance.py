"""The amcheck corruption check of GraphDatabase (the bloat estimates are declared in
schema/queries/maintenance.yaml)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ..exceptions import ThothStorageExceptionError
from .adapter import AdapterBase


class ExtensionUnavailableError(ThothStorageExceptionError):
    """A PostgreSQL extension a method needs cannot be installed in the connected database."""


_CORRUPTION_STATES = frozenset({"XX001", "XX002"})  # data_corrupted, index_corrupted


class MaintenanceMixin(AdapterBase):
    """The corruption check of GraphDatabase."""

    def is_database_corrupted(self) -> bool:
        """Run amcheck's bt_index_check over every valid btree index of the current schema (in one
        statement); True when it reports corruption. Installs amcheck when missing (CREATE EXTENSION needs
        the privilege); ExtensionUnavailableError when it cannot."""
        try:
            with self._connection(begin=True) as connection:
                connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
        except DBAPIError as error:
            raise ExtensionUnavailableError(
                f"amcheck is not available in this database (install postgresql-contrib or ask the database "
                f"owner to run CREATE EXTENSION amcheck): {error.orig}"
            ) from None
        try:
            with self._connection() as connection:
                connection.execute(
                    text(
                        "SELECT count(bt_index_check(c.oid)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam "
                        "WHERE am.amname = 'btree' AND i.indisvalid AND i.indisready "
                        "AND n.nspname = current_schema() AND c.relpersistence <> 't'"
                    )
                ).scalar_one()
        except DBAPIError as error:
            if getattr(error.orig, "pgcode", None) in _CORRUPTION_STATES:
                return True
            raise
        return False


__all__ = ["ExtensionUnavailableError", "MaintenanceMixin"]
