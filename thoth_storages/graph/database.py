"""`GraphDatabase`: the adapter to the knowledge graph in PostgreSQL."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import psycopg2
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from generated.graph_documents import DocumentsMixin
from generated.models import Base

from ..config import DatabaseSettings, SyncSettings
from ..exceptions import AlreadyConnectedError, DatabaseNotInitializedError, NotConnectedError
from . import migrate
from .adopt import Adoption, adopt, describe
from .connection import create_database_if_missing, explain, is_missing_database, make_engine
from .kebechet import KebechetMixin
from .queries_runtime import QueriesRuntime
from .reads import ReadsMixin
from .writes import WritesMixin

_LOGGER = logging.getLogger(__name__)


class GraphDatabase(
    QueriesRuntime,
    DocumentsMixin,
    ReadsMixin,
    KebechetMixin,
    WritesMixin,
):
    """Connection to the knowledge graph, configured by `settings` and `sync` (by default from the
    KNOWLEDGE_GRAPH_* and THOTH_STORAGES_SYNC_* environment variables). `sync_settings` may be replaced
    between syncs."""

    DEFAULT_COUNT = 100

    def __init__(self, settings: DatabaseSettings | None = None, *, sync: SyncSettings | None = None) -> None:
        self.settings = settings or DatabaseSettings.from_env()
        self.sync_settings = sync or SyncSettings.from_env()
        self._engine: Engine | None = None
        self._sessionmaker: sessionmaker[Session] | None = None
        self._database_exists = False
        self._pinned = threading.local()

    @property
    def engine(self) -> Engine:
        """The engine of a connected adapter."""
        if self._engine is None:
            raise NotConnectedError("the adapter is not connected; call connect() first")
        return self._engine

    def is_connected(self) -> bool:
        """True between connect() and disconnect()."""
        return self._engine is not None

    def connect(self) -> None:
        """Connect; a missing database is only a warning (initialize_schema() creates it)."""
        if self._engine is not None:
            raise AlreadyConnectedError("the adapter is already connected")
        engine = make_engine(self.settings)
        try:
            with engine.connect():
                self._database_exists = True
        except OperationalError as error:
            if not is_missing_database(error):
                engine.dispose()
                raise explain(error, self.settings) from None
            _LOGGER.warning(
                "database %r does not exist yet; initialize_schema() creates it", self.settings.database
            )
            self._database_exists = False
        self._engine = engine
        self._sessionmaker = sessionmaker(engine)
        if self._database_exists:
            try:
                self.is_schema_up2date()
            except DatabaseNotInitializedError as error:
                _LOGGER.warning("%s", error)

    def disconnect(self) -> None:
        """Close every pooled connection."""
        engine = self.engine
        self.log_stats()
        engine.dispose()
        self._engine = None
        self._sessionmaker = None

    @contextmanager
    def pinned_connection(self) -> Iterator[None]:
        """Within the block, this thread's calls share one pooled connection instead of checking one
        out (a ping) and returning it (a reset) per call: what a long job such as a sync wants. A
        pinned connection found broken (the server restarted, say) is replaced by a new one."""
        if getattr(self._pinned, "connection", None) is not None:
            yield
            return
        self._pinned.connection, self._pinned.busy = self._connect(), False
        try:
            yield
        finally:
            connection, self._pinned.connection = self._pinned.connection, None
            connection.close()

    @contextmanager
    def _connection(self, *, begin: bool = False) -> Iterator[Connection]:
        """A connection (in a transaction with `begin`); failing to connect is explained in one line.

        Inside `pinned_connection()` it is the pinned one, unless a caller up the stack holds it."""
        pinned: Connection | None = getattr(self._pinned, "connection", None)
        if pinned is None or self._pinned.busy:
            with self._connect() as connection:
                if begin:
                    with connection.begin():
                        yield connection
                else:
                    yield connection
            return
        if getattr(pinned.connection.dbapi_connection, "closed", 1):  # psycopg2: non-zero once broken
            pinned.invalidate()
            pinned.close()
            self._pinned.connection = pinned = self._connect()
        self._pinned.busy = True
        try:
            if begin:
                with pinned.begin():
                    yield pinned
            else:
                try:
                    yield pinned
                finally:
                    if pinned.in_transaction():
                        pinned.rollback()
                    elif (raw := pinned.connection.dbapi_connection) is not None:
                        with suppress(psycopg2.Error):  # a broken connection is replaced next time
                            raw.rollback()  # work done on the DBAPI cursor (nothing is sent when idle)
        finally:
            self._pinned.busy = False

    def _connect(self) -> Connection:
        try:
            return self.engine.connect()
        except OperationalError as error:
            raise explain(error, self.settings) from None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        if self._sessionmaker is None:
            raise NotConnectedError("the adapter is not connected; call connect() first")
        with self._sessionmaker.begin() as session:
            yield session

    def initialize_schema(self) -> None:
        """Create the database if missing, then upgrade it to the head revision."""
        if create_database_if_missing(self.settings):
            _LOGGER.info("created database %r", self.settings.database)
            self._database_exists = True
        with self._connection(begin=True) as connection:
            migrate.upgrade(connection)

    def drop_all(self) -> None:
        """Drop every table of the model, the enum types and alembic_version."""
        with self._connection(begin=True) as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            for name in sorted(_enum_names()):
                connection.execute(text(f'DROP TYPE IF EXISTS "{name}"'))

    def adopt(self) -> Adoption:
        """Stamp a database built by thoth-storages 0.74 with our baseline revision; refused on drift."""
        with self._connection(begin=True) as connection:
            return adopt(connection, where=describe(self.settings))

    def get_script_alembic_version_head(self) -> str:
        """The head revision shipped with the library."""
        return migrate.script_head()

    def get_table_alembic_version_head(self) -> str:
        """The revision the database is at."""
        with self._connection() as connection:
            return migrate.table_head(connection)

    def is_schema_up2date(self) -> bool:
        """True when the database is at the library's head revision (warns when not)."""
        table, script = self.get_table_alembic_version_head(), self.get_script_alembic_version_head()
        if table != script:
            _LOGGER.warning(
                "database schema is at revision %s, the library at %s; run initialize_schema()", table, script
            )
        return table == script

    def table_names(self) -> list[str]:
        """Names of the tables in the connected database, sorted."""
        with self._connection() as connection:
            return sorted(inspect(connection).get_table_names())


def _enum_names() -> set[str]:
    return {
        column.type.name
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, postgresql.ENUM) and column.type.name
    }
