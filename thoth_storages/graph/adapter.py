"""What every GraphDatabase mixin relies on, declared once: a connection, and the adapter's caches."""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy import Connection

from ..config import SyncSettings
from .cache import HasCaches


class AdapterBase(HasCaches):
    """Base of the GraphDatabase mixins; GraphDatabase and QueriesRuntime provide the real methods."""

    sync_settings: SyncSettings
    """How the sync writes documents with this adapter (GraphDatabase sets it)."""

    def _connection(self, *, begin: bool = False) -> AbstractContextManager[Connection]:
        """A connection (in a transaction with `begin`); GraphDatabase provides it."""
        raise NotImplementedError

    def cache_clear(self) -> None:
        """Empty the adapter's query caches; QueriesRuntime provides it."""
        raise NotImplementedError
