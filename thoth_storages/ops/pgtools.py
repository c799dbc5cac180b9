"""Finding pg_dump and pg_restore, checking their major version against the server, and their environment.

The binaries come from THOTH_STORAGES_PG_BINDIR when it is set; else from the distribution's directory for
the server's major version (Debian and Ubuntu install each major version under /usr/lib/postgresql/N/bin);
else from PATH.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from ..config import PG_BINDIR, DatabaseSettings, process_environment
from ..exceptions import ConfigurationError
from ..graph.connection import explain, make_engine

BINDIR = PG_BINDIR
_VERSION = re.compile(r"\(PostgreSQL\) (\d+)(?:\.(\d+))?")


class ToolVersionError(ConfigurationError):
    """pg_dump or pg_restore is missing, or its major version cannot serve the server or the dump."""


@dataclass(frozen=True)
class Tool:
    """A PostgreSQL client program and its version."""

    name: str
    path: str
    version: str
    major: int


def server_version(settings: DatabaseSettings, database: str | None = None) -> tuple[int, str]:
    """The server's (major version, version string), from server_version_num and server_version."""
    engine = make_engine(settings, database)
    try:
        with engine.connect() as connection:
            number = int(connection.execute(text("SHOW server_version_num")).scalar_one())
            version = str(connection.execute(text("SHOW server_version")).scalar_one()).split()[0]
    except OperationalError as error:
        raise explain(error, settings, database) from None
    finally:
        engine.dispose()
    return number // 10000, version


def find_tool(name: str, server_major: int, configured: str | None = None) -> Tool:
    """`name` (pg_dump or pg_restore) for a server of `server_major`, from the folder `configured`
    (`DatabaseSettings.pg_bindir`) when given; ToolVersionError when missing."""
    candidates = (
        [Path(configured) / name]
        if configured
        else [Path(f"/usr/lib/postgresql/{server_major}/bin") / name, Path(shutil.which(name) or name)]
    )
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return _describe(name, str(candidate))
    where = f"{configured} ({BINDIR})" if configured else "PATH"
    raise ToolVersionError(
        f"{name} not found in {where}; the server is PostgreSQL {server_major}: install the PostgreSQL "
        f"{server_major} client (Debian: postgresql-client-{server_major}) or set {BINDIR}"
    )


def _describe(name: str, path: str) -> Tool:
    try:
        answer = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except OSError as error:
        raise ToolVersionError(f"{name} at {path} does not run: {error}") from None
    match = _VERSION.search(answer.stdout)
    if answer.returncode != 0 or match is None:
        raise ToolVersionError(
            f"{name} at {path} did not report a PostgreSQL version: {(answer.stdout + answer.stderr).strip()!r}"
        )
    return Tool(name, path, f"{match.group(1)}.{match.group(2) or 0}", int(match.group(1)))


def require_at_least(tool: Tool, major: int, what: str) -> None:
    """ToolVersionError naming both versions when `tool` is older than `major` (the major of `what`)."""
    if tool.major < major:
        raise ToolVersionError(
            f"{tool.name} {tool.version} ({tool.path}) cannot serve {what} of PostgreSQL {major}: "
            f"use {tool.name} {major} or newer (Debian: postgresql-client-{major}, or set {BINDIR})"
        )


def libpq_environment(settings: DatabaseSettings, database: str) -> dict[str, str]:
    """The process environment with the libpq variables naming `database` on the configured server."""
    environment = {
        **process_environment(),
        "PGHOST": settings.host,
        "PGPORT": str(settings.port),
        "PGUSER": settings.user,
        "PGPASSWORD": settings.password,
        "PGDATABASE": database,
        "PGAPPNAME": "thoth-storages",
    }
    if settings.ssl_disabled:
        environment["PGSSLMODE"] = "disable"
    return environment


__all__ = [
    "BINDIR",
    "Tool",
    "ToolVersionError",
    "find_tool",
    "libpq_environment",
    "require_at_least",
    "server_version",
]
