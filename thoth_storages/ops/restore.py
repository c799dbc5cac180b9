"""Restore a graph dump from the GraphBackupStore into a new or empty database, then verify it.

The dump is downloaded (a file in a temporary spool, never whole in memory), its size and SHA-256 checked
against its manifest before anything is written, and fed to pg_restore in one transaction (all or
nothing). Then the restored database must hold exactly the manifest's row counts, and its schema
revision must be ours or one we can upgrade from (upgraded when asked, and then free of drift).
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import IO

from alembic.script import ScriptDirectory
from sqlalchemy import text

from ..config import DatabaseSettings
from ..graph import GraphDatabase
from ..graph.adopt import drift
from ..graph.connection import make_engine
from ..graph.migrate import alembic_config, script_head
from ..s3 import GraphBackupStore
from .backup import BackupError, read_manifest
from .manifest import Manifest, count_rows, schema_revision
from .pgtools import find_tool, libpq_environment, require_at_least, server_version

_LOGGER = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]
"""Called as the restore goes: (tables whose data is restored, tables in the manifest)."""


class ChecksumMismatchError(BackupError):
    """A downloaded dump differs from what its manifest recorded (truncated or corrupted)."""


class TargetNotEmptyError(BackupError):
    """The database to restore into already holds tables."""


class VerificationError(BackupError):
    """The restored database does not match its manifest, or its schema cannot be brought to ours."""


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did and how long each step took (seconds)."""

    manifest: Manifest
    database: str
    download_seconds: float
    restore_seconds: float
    verify_seconds: float
    revision_before: str | None
    revision_after: str | None
    upgraded: bool


def resolve_key(store: GraphBackupStore, key: str) -> str:
    """A stored dump key; `latest` names the newest dump."""
    dumps = store.get_dump_listing()
    if key == "latest":
        if not dumps:
            raise BackupError(f"no graph dumps stored under {store.prefix!r}")
        return dumps[-1]
    if key not in dumps:
        raise BackupError(f"no graph dump {key!r} under {store.prefix!r} ({len(dumps)} dumps stored)")
    return key


def download_verified(store: GraphBackupStore, manifest: Manifest) -> IO[bytes]:
    """The dump as an open file positioned at its start, after its size and SHA-256 matched the manifest."""
    where = store.prefix + manifest.key
    stream = store.ceph.open_blob(manifest.key)
    try:
        digest, size = hashlib.sha256(), 0
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
        if size != manifest.size or digest.hexdigest() != manifest.sha256:
            raise ChecksumMismatchError(
                f"dump {where!r} does not match its manifest: {size} bytes with SHA-256 {digest.hexdigest()}, "
                f"expected {manifest.size} bytes with SHA-256 {manifest.sha256}; refusing to restore it"
            )
        stream.seek(0)
    except BaseException:
        stream.close()
        raise
    return stream


def _prepare_target(settings: DatabaseSettings, replace_existing: bool) -> None:
    """Create the database; an existing one must be empty, or is dropped and created again with `replace_existing`."""
    engine = make_engine(settings, "postgres", autocommit=True)
    name = settings.database
    quoted = '"' + name.replace('"', '""') + '"'
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
        if exists:
            relations = _user_relations(settings)
            if relations and not replace_existing:
                raise TargetNotEmptyError(
                    f"database {name!r} is not empty ({relations} tables, views or sequences); restore into a "
                    "new or empty database, or pass --replace to drop it first"
                )
            if relations:
                _LOGGER.warning("dropping database %r (%d relations) to restore into it", name, relations)
                with engine.connect() as connection:
                    connection.execute(text(f"DROP DATABASE {quoted} WITH (FORCE)"))
                exists = None
        if not exists:
            with engine.connect() as connection:
                connection.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        engine.dispose()


def _user_relations(settings: DatabaseSettings) -> int:
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
                        "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' "
                        "AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


def restore(
    settings: DatabaseSettings,
    store: GraphBackupStore,
    key: str,
    into: str,
    *,
    replace_existing: bool = False,
    upgrade: bool = True,
    on_progress: ProgressCallback | None = None,
) -> RestoreReport:
    """Restore dump `key` (or `latest`) of `store` into database `into` on the server of `settings`."""
    key = resolve_key(store, key)
    manifest = read_manifest(store, key)
    target = replace(settings, database=into)
    major, version = server_version(settings, "postgres")
    pg_restore = find_tool("pg_restore", major, settings.pg_bindir)
    dumped_by = int(manifest.pg_dump_version.split(".")[0])
    require_at_least(pg_restore, dumped_by, f"a dump written by pg_dump {manifest.pg_dump_version}")
    source_major = int(manifest.server_version.split(".")[0])
    if major < source_major:
        raise BackupError(
            f"dump {key!r} comes from PostgreSQL {manifest.server_version}; the server to restore into runs "
            f"PostgreSQL {version}, which is older: restore into PostgreSQL {source_major} or newer"
        )
    started = time.perf_counter()
    dump = download_verified(store, manifest)
    downloaded = time.perf_counter()
    try:
        _prepare_target(target, replace_existing)
        _pg_restore(pg_restore.path, target, dump, len(manifest.tables), on_progress)
    finally:
        dump.close()
    restored = time.perf_counter()
    before, after, upgraded = _verify(target, manifest, upgrade)
    return RestoreReport(
        manifest=manifest,
        database=into,
        download_seconds=downloaded - started,
        restore_seconds=restored - downloaded,
        verify_seconds=time.perf_counter() - restored,
        revision_before=before,
        revision_after=after,
        upgraded=upgraded,
    )


def _pg_restore(
    pg_restore: str,
    settings: DatabaseSettings,
    dump: IO[bytes],
    table_count: int,
    on_progress: ProgressCallback | None,
) -> None:
    """pg_restore the dump (its standard input) into the database of `settings`, in one transaction."""
    command = [
        pg_restore,
        "--verbose",
        "--exit-on-error",
        "--single-transaction",
        "--no-owner",
        "--no-privileges",
        f"--dbname={settings.database}",
    ]
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=libpq_environment(settings, settings.database),
    )
    assert process.stdin is not None and process.stderr is not None
    errors: deque[str] = deque(maxlen=20)
    restored = 0

    def feed() -> None:
        assert process.stdin is not None
        # A broken pipe means pg_restore stopped early; its exit status and messages tell why.
        with suppress(BrokenPipeError):
            while chunk := dump.read(1 << 20):
                process.stdin.write(chunk)
        with suppress(BrokenPipeError):
            process.stdin.close()

    feeder = threading.Thread(target=feed, name="pg_restore-stdin", daemon=True)
    feeder.start()
    for raw in process.stderr:
        line = raw.decode("utf-8", "replace").strip()
        errors.append(line)
        if "processing data for table" in line:
            restored += 1
            if on_progress is not None:
                on_progress(restored, table_count)
    status = process.wait()
    feeder.join()
    process.stderr.close()
    if status != 0:
        detail = " | ".join(line for line in errors if "error" in line.lower()) or " | ".join(errors)
        raise BackupError(
            f"pg_restore into {settings.database!r} failed with status {status} (nothing was restored): {detail}"
        )


def _verify(
    settings: DatabaseSettings, manifest: Manifest, upgrade: bool
) -> tuple[str | None, str | None, bool]:
    """Row counts equal to the manifest; the revision ours or upgradable (upgraded with `upgrade`, then
    free of drift). Returns (revision restored, revision now, whether it was upgraded)."""
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            counts = count_rows(connection)
            revision = schema_revision(connection)
    finally:
        engine.dispose()
    if counts != manifest.tables:
        differing = sorted(set(counts) ^ set(manifest.tables)) + sorted(
            name for name in set(counts) & set(manifest.tables) if counts[name] != manifest.tables[name]
        )
        detail = ", ".join(
            f"{name}: {counts.get(name, 'missing')} (manifest {manifest.tables.get(name, 'missing')})"
            for name in differing[:10]
        )
        raise VerificationError(f"database {settings.database!r} does not hold the manifest's rows: {detail}")
    if revision != manifest.schema_revision:
        raise VerificationError(
            f"database {settings.database!r} is at revision {revision}, the manifest says {manifest.schema_revision}"
        )
    head = script_head()
    if revision is None:
        return None, None, False
    if revision != head:
        known = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
        if revision not in known:
            raise VerificationError(
                f"database {settings.database!r} is at revision {revision}, which this library does not know "
                f"(its head is {head}): the dump was taken by a newer thoth-storages"
            )
        if not upgrade:
            return revision, revision, False
    graph = GraphDatabase(settings)
    graph.connect()
    try:
        if revision != head:
            graph.initialize_schema()
        with graph.engine.connect() as connection:
            differences = drift(connection)
    finally:
        graph.disconnect()
    if differences:
        raise VerificationError(
            f"database {settings.database!r} (restored at revision {revision}, now {head}) differs from the "
            f"models: {'; '.join(differences[:10])}"
        )
    return revision, head, revision != head


__all__ = [
    "ChecksumMismatchError",
    "RestoreReport",
    "TargetNotEmptyError",
    "VerificationError",
    "download_verified",
    "resolve_key",
    "restore",
]
