"""Every environment variable thoth-storages reads, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy.engine import URL

from .exceptions import ConfigurationError


def env_int(name: str, default: int) -> int:
    """Read an integer environment variable; a non-integer value is a ConfigurationError."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not an integer") from None


def env_float(name: str, default: float) -> float:
    """Read a number (seconds, for example) from the environment; anything else is a ConfigurationError."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a number") from None


def env_flag(name: str) -> bool:
    """True when the variable parses as a non-zero integer (`0`, empty and unset are False)."""
    return env_int(name, 0) != 0


@dataclass(frozen=True)
class DatabaseSettings:
    """Connection settings of the knowledge graph (the original's KNOWLEDGE_GRAPH_* variables)."""

    host: str = "localhost"
    port: int = 5432
    user: str = "postgres"
    password: str = "postgres"
    database: str = "postgres"
    ssl_disabled: bool = False

    @classmethod
    def from_env(cls) -> DatabaseSettings:
        """Build the settings from KNOWLEDGE_GRAPH_HOST/PORT/USER/PASSWORD/DATABASE/SSL_DISABLED."""
        return cls(
            host=os.environ.get("KNOWLEDGE_GRAPH_HOST", cls.host),
            port=env_int("KNOWLEDGE_GRAPH_PORT", cls.port),
            user=os.environ.get("KNOWLEDGE_GRAPH_USER", cls.user),
            password=os.environ.get("KNOWLEDGE_GRAPH_PASSWORD", cls.password),
            database=os.environ.get("KNOWLEDGE_GRAPH_DATABASE", cls.database),
            ssl_disabled=env_flag("KNOWLEDGE_GRAPH_SSL_DISABLED"),
        )

    def environment(self) -> dict[str, str]:
        """The KNOWLEDGE_GRAPH_* variables that `from_env` reads back as these settings (for a child process)."""
        return {
            "KNOWLEDGE_GRAPH_HOST": self.host,
            "KNOWLEDGE_GRAPH_PORT": str(self.port),
            "KNOWLEDGE_GRAPH_USER": self.user,
            "KNOWLEDGE_GRAPH_PASSWORD": self.password,
            "KNOWLEDGE_GRAPH_DATABASE": self.database,
            "KNOWLEDGE_GRAPH_SSL_DISABLED": "1" if self.ssl_disabled else "0",
        }

    def url(self, database: str | None = None) -> URL:
        """The SQLAlchemy URL; `database` overrides the configured database name."""
        query = {"sslmode": "disable"} if self.ssl_disabled else {}
        return URL.create(
            "postgresql+psycopg2",
            username=self.user,
            password=self.password,
            host=self.host,
            port=self.port,
            database=database or self.database,
            query=query,
        )


S3_CONNECT_TIMEOUT = "THOTH_S3_CONNECT_TIMEOUT"
S3_READ_TIMEOUT = "THOTH_S3_READ_TIMEOUT"
S3_MAX_ATTEMPTS = "THOTH_S3_MAX_ATTEMPTS"


@dataclass(frozen=True)
class S3RequestLimits:
    """How long one S3 request may wait and how often it is tried.

    A dead endpoint costs a request at most `max_attempts` x the timeout plus the back-off between
    attempts (under 2 s by default): about 31 s for an endpoint that accepts and never answers.
    """

    connect_timeout: float = 5.0
    """Seconds to open a connection (THOTH_S3_CONNECT_TIMEOUT)."""
    read_timeout: float = 10.0
    """Seconds to wait for the next bytes of an answer (THOTH_S3_READ_TIMEOUT)."""
    max_attempts: int = 3
    """Attempts per request, the first included (THOTH_S3_MAX_ATTEMPTS)."""

    @classmethod
    def from_env(cls) -> S3RequestLimits:
        """THOTH_S3_CONNECT_TIMEOUT, THOTH_S3_READ_TIMEOUT (seconds, > 0) and THOTH_S3_MAX_ATTEMPTS (>= 1)."""
        limits = cls(
            connect_timeout=env_float(S3_CONNECT_TIMEOUT, cls.connect_timeout),
            read_timeout=env_float(S3_READ_TIMEOUT, cls.read_timeout),
            max_attempts=env_int(S3_MAX_ATTEMPTS, cls.max_attempts),
        )
        for name, value in (
            (S3_CONNECT_TIMEOUT, limits.connect_timeout),
            (S3_READ_TIMEOUT, limits.read_timeout),
        ):
            if not value > 0:
                raise ConfigurationError(f"{name}={value} must be a number of seconds above 0")
        if limits.max_attempts < 1:
            raise ConfigurationError(f"{S3_MAX_ATTEMPTS}={limits.max_attempts} must be at least 1")
        return limits


def asynchronous_commit() -> bool:
    """THOTH_STORAGES_SYNC_ASYNC_COMMIT=1 commits sync transactions without waiting for the WAL flush:
    faster, but a database crash may lose the documents synced in the last moments before it (they
    are written again by the next sync, as the graph does not have them)."""
    return env_flag("THOTH_STORAGES_SYNC_ASYNC_COMMIT")


def sync_batch_size() -> int:
    """THOTH_STORAGES_SYNC_BATCH=N writes up to N solver documents per transaction, their statements
    combined (a failed batch is written again one document per transaction); 1, the default, writes
    each document in its own transaction."""
    return max(1, env_int("THOTH_STORAGES_SYNC_BATCH", 1))


def debug_queries() -> bool:
    """THOTH_STORAGES_DEBUG_QUERIES=1 logs every statement."""
    return env_flag("THOTH_STORAGES_DEBUG_QUERIES")


def sync_reconnect_timeout() -> int:
    """THOTH_STORAGES_SYNC_RECONNECT_TIMEOUT: seconds a graceful sync keeps trying to reach a database
    that went away (connections refused or terminated), with growing pauses, before it counts the
    document at hand as failed and goes on; 120 by default."""
    return max(0, env_int("THOTH_STORAGES_SYNC_RECONNECT_TIMEOUT", 120))


def pushgateway_url() -> str | None:
    """PROMETHEUS_PUSHGATEWAY_URL: the Prometheus Pushgateway each sync pushes its metrics to (unset: none)."""
    return os.environ.get("PROMETHEUS_PUSHGATEWAY_URL") or None
