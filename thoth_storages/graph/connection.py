"""Opening PostgreSQL connections, with driver errors turned into one line that names the setting to fix."""

from __future__ import annotations

import re

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from ..config import DatabaseSettings
from ..exceptions import StorageConnectionError

_HINTS = (
    (
        re.compile(r'database "[^"]*" does not exist'),
        "KNOWLEDGE_GRAPH_DATABASE",
        "the database does not exist",
    ),
    (re.compile(r'role "[^"]*" does not exist'), "KNOWLEDGE_GRAPH_USER", "the user does not exist"),
    (
        re.compile(r"password authentication failed|no password supplied"),
        "KNOWLEDGE_GRAPH_PASSWORD",
        "the server refused the password",
    ),
    (
        re.compile(r"could not translate host name|Name or service not known"),
        "KNOWLEDGE_GRAPH_HOST",
        "the host name does not resolve",
    ),
    (
        re.compile(r"Connection refused|timeout expired|No route to host|could not connect"),
        "KNOWLEDGE_GRAPH_HOST / KNOWLEDGE_GRAPH_PORT",
        "nothing answers there",
    ),
    (re.compile(r"SSL", re.IGNORECASE), "KNOWLEDGE_GRAPH_SSL_DISABLED", "the SSL negotiation failed"),
)


def is_missing_database(error: DBAPIError) -> bool:
    """True when the error says the configured database does not exist."""
    return bool(_HINTS[0][0].search(str(error.orig)))


def explain(
    error: DBAPIError, settings: DatabaseSettings, database: str | None = None
) -> StorageConnectionError:
    """A one-line error naming where we tried to connect and which setting to check."""
    where = f"postgresql://{settings.user}@{settings.host}:{settings.port}/{database or settings.database}"
    detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    for pattern, setting, problem in _HINTS:
        if pattern.search(detail):
            return StorageConnectionError(
                f"cannot connect to {where}: {problem} (check {setting}; driver said: {detail})"
            )
    return StorageConnectionError(f"cannot connect to {where}: {detail}")


def make_engine(
    settings: DatabaseSettings, database: str | None = None, *, autocommit: bool = False
) -> Engine:
    """An engine for the configured (or given) database; logs every statement when debugging queries."""
    options: dict[str, str] = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    return create_engine(
        settings.url(database),
        echo=settings.debug_queries,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 10, "application_name": "thoth-storages"},
        **options,
    )


def ping(engine: Engine, settings: DatabaseSettings, database: str | None = None) -> None:
    """Open one connection; raise StorageConnectionError (explained) when that fails."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        raise explain(error, settings, database) from None


def create_database_if_missing(settings: DatabaseSettings) -> bool:
    """Create the configured database when it does not exist; True when it was created."""
    engine = make_engine(settings, "postgres", autocommit=True)
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": settings.database}
            ).scalar()
            if exists:
                return False
            quoted = engine.dialect.identifier_preparer.quote(settings.database)
            connection.execute(text(f"CREATE DATABASE {quoted}"))
            return True
    except OperationalError as error:
        raise explain(error, settings, "postgres") from None
    finally:
        engine.dispose()
