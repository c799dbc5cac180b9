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


def env_str(name: str) -> str | None:
    """The variable's value stripped, or None when it is unset or empty."""
    value = os.environ.get(name, "").strip()
    return value or None


def env_flag(name: str) -> bool:
    """True when the variable parses as a non-zero integer (`0`, empty and unset are False)."""
    return env_int(name, 0) != 0


PG_BINDIR = "THOTH_STORAGES_PG_BINDIR"
INDEX_ALIASES = "THOTH_STORAGES_INDEX_ALIASES"


def parse_index_aliases(raw: str) -> tuple[tuple[str, str], ...]:
    """`old=new,old2=new2` as (old URL without a trailing slash, new URL) pairs; the first of an old URL wins."""
    aliases: dict[str, str] = {}
    for pair in raw.split(","):
        old, _, new = pair.partition("=")
        if old.strip():
            aliases.setdefault(old.strip().rstrip("/"), new.strip())
    return tuple(aliases.items())


@dataclass(frozen=True)
class DatabaseSettings:
    """Connection settings of the knowledge graph (the original's KNOWLEDGE_GRAPH_* variables)."""

    host: str = "localhost"
    port: int = 5432
    user: str = "postgres"
    password: str = "postgres"
    database: str = "postgres"
    ssl_disabled: bool = False
    cache_sizes: tuple[tuple[str, int], ...] = ()
    """Sizes of the adapter's query caches by the original's variable (THOTH_*_CACHE_SIZE) naming them."""
    log_stats: bool = False
    """Log the adapter's cache statistics on disconnect (THOTH_STORAGES_LOG_STATS, not `0`)."""
    debug_queries: bool = False
    """Log every statement (THOTH_STORAGES_DEBUG_QUERIES=1)."""
    pg_bindir: str | None = None
    """The folder of the pg_dump and pg_restore to use (THOTH_STORAGES_PG_BINDIR; None: found by version)."""
    index_aliases: tuple[tuple[str, str], ...] = ()
    """(old URL without a trailing slash, new URL): index URLs written and asked for under another URL
    (THOTH_STORAGES_INDEX_ALIASES="old=new,old2=new2")."""

    @classmethod
    def from_env(cls) -> DatabaseSettings:
        """Build the settings from KNOWLEDGE_GRAPH_HOST/PORT/USER/PASSWORD/DATABASE/SSL_DISABLED, the
        THOTH_*_CACHE_SIZE variables, THOTH_STORAGES_LOG_STATS, _DEBUG_QUERIES, _PG_BINDIR and
        _INDEX_ALIASES."""
        return cls(
            host=os.environ.get("KNOWLEDGE_GRAPH_HOST", cls.host),
            port=env_int("KNOWLEDGE_GRAPH_PORT", cls.port),
            user=os.environ.get("KNOWLEDGE_GRAPH_USER", cls.user),
            password=os.environ.get("KNOWLEDGE_GRAPH_PASSWORD", cls.password),
            database=os.environ.get("KNOWLEDGE_GRAPH_DATABASE", cls.database),
            ssl_disabled=env_flag("KNOWLEDGE_GRAPH_SSL_DISABLED"),
            cache_sizes=tuple(
                (name, env_int(name, 0))
                for name in sorted(os.environ)
                if name.startswith("THOTH_") and name.endswith("_CACHE_SIZE") and os.environ[name].strip()
            ),
            # The original logged on any non-empty value, `0` included; `0` means off here.
            log_stats=os.environ.get("THOTH_STORAGES_LOG_STATS", "").strip() not in ("", "0"),
            debug_queries=env_flag("THOTH_STORAGES_DEBUG_QUERIES"),
            pg_bindir=os.environ.get(PG_BINDIR) or None,
            index_aliases=parse_index_aliases(os.environ.get(INDEX_ALIASES, "")),
        )

    def cache_size(self, variable: str, default: int) -> int:
        """The size configured in `variable` (the original's variables and defaults)."""
        return dict(self.cache_sizes).get(variable, default)

    def environment(self) -> dict[str, str]:
        """The variables that `from_env` reads back as these settings (for a child process)."""
        return {
            "KNOWLEDGE_GRAPH_HOST": self.host,
            "KNOWLEDGE_GRAPH_PORT": str(self.port),
            "KNOWLEDGE_GRAPH_USER": self.user,
            "KNOWLEDGE_GRAPH_PASSWORD": self.password,
            "KNOWLEDGE_GRAPH_DATABASE": self.database,
            "KNOWLEDGE_GRAPH_SSL_DISABLED": "1" if self.ssl_disabled else "0",
            "THOTH_STORAGES_LOG_STATS": "1" if self.log_stats else "0",
            "THOTH_STORAGES_DEBUG_QUERIES": "1" if self.debug_queries else "0",
            **{name: str(size) for name, size in self.cache_sizes},
            **({PG_BINDIR: self.pg_bindir} if self.pg_bindir else {}),
            **(
                {INDEX_ALIASES: ",".join(f"{old}={new}" for old, new in self.index_aliases)}
                if self.index_aliases
                else {}
            ),
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


@dataclass(frozen=True)
class SyncSettings:
    """How the sync reads and writes documents (the THOTH_STORAGES_SYNC_* and _STREAM_* variables)."""

    batch: int = 1
    """Documents written per transaction (THOTH_STORAGES_SYNC_BATCH); a failed batch is written again
    one document per transaction."""
    reconnect_timeout: int = 120
    """Seconds a graceful sync keeps trying to reach a database that went away, with growing pauses,
    before it counts the document at hand as failed (THOTH_STORAGES_SYNC_RECONNECT_TIMEOUT)."""
    asynchronous_commit: bool = False
    """Commit sync transactions without waiting for the WAL flush (THOTH_STORAGES_SYNC_ASYNC_COMMIT=1):
    faster, but a database crash may lose the documents synced in its last moments (written again by
    the next sync, as the graph does not have them)."""
    stream_threshold: int = 4_000_000
    """Solver documents larger than this many bytes are streamed (THOTH_STORAGES_STREAM_THRESHOLD)."""
    slice_rows: int = 10_000
    """Rows (estimated) of a streamed document's tree validated and written at a time."""
    existence_chunk: int = 100
    """Documents whose existence in the graph is checked with one query."""
    randomize_listing: bool = False
    """Shuffle store listings before syncing them (THOTH_STORAGES_RANDOMIZE_LISTING=1)."""

    @classmethod
    def from_env(cls) -> SyncSettings:
        """THOTH_STORAGES_SYNC_BATCH, _SYNC_RECONNECT_TIMEOUT, _SYNC_ASYNC_COMMIT, _STREAM_THRESHOLD and
        _RANDOMIZE_LISTING (a batch below 1 is 1, a negative timeout 0)."""
        return cls(
            batch=max(1, env_int("THOTH_STORAGES_SYNC_BATCH", cls.batch)),
            reconnect_timeout=max(0, env_int("THOTH_STORAGES_SYNC_RECONNECT_TIMEOUT", cls.reconnect_timeout)),
            asynchronous_commit=env_flag("THOTH_STORAGES_SYNC_ASYNC_COMMIT"),
            stream_threshold=env_int("THOTH_STORAGES_STREAM_THRESHOLD", cls.stream_threshold),
            randomize_listing=env_flag("THOTH_STORAGES_RANDOMIZE_LISTING"),
        )


def pushgateway_url() -> str | None:
    """PROMETHEUS_PUSHGATEWAY_URL: the Prometheus Pushgateway each sync pushes its metrics to (unset: none)."""
    return os.environ.get("PROMETHEUS_PUSHGATEWAY_URL") or None


def process_environment() -> dict[str, str]:
    """A copy of this process's environment, for a child process to start from."""
    return dict(os.environ)
