"""Shared fixtures: throwaway databases on the real PostgreSQL named by KNOWLEDGE_GRAPH_* (see `make test`).

A database at the head revision (and one holding every real document) is built once as a template,
named by a digest of what it is made from, and cloned per test with `CREATE DATABASE ... TEMPLATE`:
a clone takes a fraction of the migrations' time. Nothing connects to a template once it is built
(cloning fails while a session is connected to it), and two processes building the same template at
once both succeed: each builds under a name of its own and the first rename wins. A session starts by
dropping the templates of other digests that are not in use (another checkout's run may drop ours:
a clone whose template went missing builds it again). Every other database a test creates is named by
`scratch_name` and dropped by its fixture; a session killed before that leaves it behind, and the next
session drops it once its process is gone.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import socket
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from tests.documents._documents_support import DATA_DIR
from thoth_storages import GraphDatabase
from thoth_storages.cli_sync import expand_local
from thoth_storages.config import DatabaseSettings
from thoth_storages.graph.connection import make_engine
from thoth_storages.graph.migrate import MIGRATIONS_DIR
from thoth_storages.sync import sync_documents

REPO = Path(__file__).resolve().parents[1]


def admin(settings: DatabaseSettings, *statements: str) -> None:
    """Run statements (CREATE/DROP DATABASE ...) on the server's maintenance database."""
    engine = make_engine(settings, "postgres", autocommit=True)
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


_HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:4]
_SCRATCH = re.compile(rf"_h{_HOST}p(\d+)_[0-9a-f]{{8}}$")
"""The suffix of every database a test creates: this host and the creating process's id (see
`scratch_name`)."""


def scratch_name(prefix: str = "thoth_test") -> str:
    """A new database name carrying this host and process id, so that a later session drops it if this
    process dies before it does (`pytest_sessionstart`)."""
    return f"{prefix}_h{_HOST}p{os.getpid()}_{uuid.uuid4().hex[:8]}"


def _new_settings() -> DatabaseSettings:
    return replace(DatabaseSettings.from_env(), database=scratch_name())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _orphan(name: str) -> bool:
    """A scratch database of this host whose process is gone (interrupted or killed)."""
    match = _SCRATCH.search(name)
    return match is not None and not _alive(int(match.group(1)))


_DROPPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-database")
_DROPS: list[Future[None]] = []


_STALE = (
    "SELECT datname FROM pg_database d WHERE NOT datallowconn"
    " AND (datname LIKE 'thoth\\_template\\_head\\_%' OR datname LIKE 'thoth\\_template\\_filled\\_%')"
    " AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)"
    " AND (pg_stat_file('base/' || d.oid)).modification < now() - interval '30 minutes'"
)
"""Templates nobody is connected to, built over half an hour ago (sessions of other checkouts may
still clone younger ones)."""


def pytest_sessionstart(session: pytest.Session) -> None:
    """Drop what earlier sessions left behind (`drop_leftovers`)."""
    drop_leftovers()


def drop_leftovers() -> None:
    """Drop the templates of other digests (older code's) that are not in use, and the scratch
    databases of sessions that were killed (never those of a session still running)."""
    current = {f"thoth_template_head_{_digest(MIGRATIONS_DIR)}", f"thoth_template_filled_{_filled_digest()}"}
    engine = make_engine(DatabaseSettings.from_env(), "postgres", autocommit=True)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SET lock_timeout = '100ms'")  # a clone in progress holds a lock
            stale = set(connection.execute(text(_STALE)).scalars()) - current
            names = connection.execute(text("SELECT datname FROM pg_database")).scalars()
            orphans = {name for name in names if _orphan(name)}
            for name in sorted(stale | orphans):
                with suppress(DBAPIError):  # refused while someone connects or clones: in use, kept
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    except OperationalError:  # no server: the tests that need one say so
        pass
    finally:
        engine.dispose()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Wait for the databases dropped in the background; a failed drop fails the run."""
    _DROPPER.shutdown(wait=True)
    for drop in _DROPS:
        drop.result()


@contextmanager
def new_database(template: str | None = None) -> Iterator[DatabaseSettings]:
    """Settings of a new database (empty, or a clone of `template`), dropped afterwards in the
    background (a drop waits on the server more than it works: the tests go on meanwhile)."""
    settings = _new_settings()
    clause = f' TEMPLATE "{template}"' if template else ""
    try:
        admin(settings, f'CREATE DATABASE "{settings.database}"{clause}')
    except ProgrammingError as error:  # the template was dropped by another checkout's run: build it again
        if template not in _FILLS or "does not exist" not in str(error):
            raise
        _build_template(template, _FILLS[template])
        admin(settings, f'CREATE DATABASE "{settings.database}"{clause}')
    try:
        yield settings
    finally:
        _DROPS.append(
            _DROPPER.submit(admin, settings, f'DROP DATABASE IF EXISTS "{settings.database}" WITH (FORCE)')
        )


def real_documents() -> list[str]:
    """Every syncable real document (the raw/ inputs are not sync documents)."""
    return [path for path in expand_local((DATA_DIR,)) if "/raw/" not in path]


def _digest(*roots: Path) -> str:
    """A digest of every file under `roots` (names and bytes; caches left out)."""
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


_FILLS: dict[str, Callable[[GraphDatabase], None]] = {}
"""How each template of this run is filled (to build it again when it went missing)."""


def _build_template(name: str, fill: Callable[[GraphDatabase], None]) -> str:
    """The template database `name` at the head revision filled by `fill`, built unless it exists."""
    _FILLS[name] = fill
    settings = DatabaseSettings.from_env()
    engine = make_engine(settings, "postgres", autocommit=True)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
    finally:
        engine.dispose()
    if found is not None:
        return name
    building = replace(settings, database=scratch_name("thoth_template_building"))
    admin(building, f'CREATE DATABASE "{building.database}"')
    try:
        graph = GraphDatabase(building)
        graph.connect()
        try:
            graph.initialize_schema()
            fill(graph)
        finally:
            graph.disconnect()
        try:
            # The server waits up to 5 s for the closed sessions' backends to exit before renaming.
            admin(building, f'ALTER DATABASE "{building.database}" RENAME TO "{name}"')
        except ProgrammingError as error:  # another process built it meanwhile: use theirs
            if "already exists" not in str(error):
                raise
        else:
            admin(building, f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
    finally:
        admin(building, f'DROP DATABASE IF EXISTS "{building.database}" WITH (FORCE)')
    return name


@functools.cache
def head_template() -> str:
    """A template database at the head revision, named by a digest of the migrations."""
    return _build_template(f"thoth_template_head_{_digest(MIGRATIONS_DIR)}", lambda graph: None)


@functools.cache
def _filled_digest() -> str:
    """A digest of the migrations, the library, the generated code and the documents."""
    return _digest(MIGRATIONS_DIR, REPO / "thoth_storages", REPO / "generated", REPO / "schema", DATA_DIR)


def _fill(graph: GraphDatabase) -> None:
    sync_documents(real_documents(), graceful=True, graph=graph, is_local=True)


@functools.cache
def filled_template() -> str:
    """A template database at head holding every real document synced (gracefully), named by
    `_filled_digest()`."""
    return _build_template(f"thoth_template_filled_{_filled_digest()}", _fill)


@contextmanager
def connected(template: str) -> Iterator[GraphDatabase]:
    """A connected adapter on a new clone of `template`, dropped afterwards."""
    with new_database(template) as settings:
        graph = GraphDatabase(settings)
        graph.connect()
        try:
            yield graph
        finally:
            graph.disconnect()


@pytest.fixture
def empty_database() -> Iterator[DatabaseSettings]:
    """Settings of a new, empty database, dropped after the test."""
    with new_database() as settings:
        yield settings


@pytest.fixture
def head_database() -> Iterator[DatabaseSettings]:
    """Settings of a new database at the head revision (a clone of the head template), dropped after the test."""
    with new_database(head_template()) as settings:
        yield settings


@pytest.fixture(scope="module")
def head_graph() -> Iterator[GraphDatabase]:
    """A connected adapter on a module-wide database at the head revision."""
    with connected(head_template()) as graph:
        yield graph


@pytest.fixture
def missing_database() -> Iterator[DatabaseSettings]:
    """Settings naming a database that does not exist (dropped after the test if something created it)."""
    settings = _new_settings()
    try:
        yield settings
    finally:
        admin(settings, f'DROP DATABASE IF EXISTS "{settings.database}" WITH (FORCE)')


@pytest.fixture
def graph() -> Iterator[GraphDatabase]:
    """A connected adapter on a fresh database at the head revision."""
    with connected(head_template()) as adapter:
        yield adapter
