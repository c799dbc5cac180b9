"""Back up the knowledge graph: pg_dump streamed into the GraphBackupStore, a manifest beside it, rotation.

The dump is pg_dump's custom format (compressed), read from its standard output a chunk at a time and
hashed on the way to the store, so no part of the process holds the whole dump. The manifest's row
counts are taken in the snapshot pg_dump dumps (exported by our transaction and handed to pg_dump), so
they describe exactly the rows in the dump even while a sync writes.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, cast

from sqlalchemy import text

from ..config import DatabaseSettings
from ..exceptions import NotFoundError, ThothStorageExceptionError
from ..graph.connection import make_engine
from ..s3 import GraphBackupStore
from .manifest import MANIFEST_FOLDER, Manifest, count_rows, dump_key_of, manifest_key, schema_revision
from .pgtools import find_tool, libpq_environment, require_at_least, server_version

_LOGGER = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, int], None]
"""Called as the dump goes: (tables dumped, tables in the database, bytes stored so far)."""


class BackupError(ThothStorageExceptionError):
    """pg_dump failed, or a dump or manifest in the backup store is missing or damaged."""


class _DumpStream:
    """pg_dump's standard output, hashed and counted as it is read; at its end pg_dump's exit status
    is checked, so a failed dump raises in the reader (and the store keeps nothing)."""

    def __init__(self, process: subprocess.Popen[bytes], errors: deque[str], on_read: Callable[[int], None]):
        assert process.stdout is not None
        self._process, self._stdout, self._errors, self._on_read = process, process.stdout, errors, on_read
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._stdout.read(size if size > 0 else 1 << 20)
        if not chunk:
            self._finish()
            return b""
        self.sha256.update(chunk)
        self.size += len(chunk)
        self._on_read(self.size)
        return chunk

    def _finish(self) -> None:
        status = self._process.wait()
        if status != 0:
            detail = " | ".join(line for line in self._errors if "error" in line.lower()) or " | ".join(
                self._errors
            )
            raise BackupError(f"pg_dump exited with status {status}: {detail}")


@dataclass(frozen=True)
class BackupEntry:
    """One stored dump: its key, when it was taken, its size and (from its manifest) its revision."""

    key: str
    created: datetime
    size: int
    manifest: Manifest | None


def _free_key(store: GraphBackupStore, now: datetime | None) -> str:
    """The dump key for now; when a dump of this second exists already, the next second's."""
    key = store.dump_key(now)
    while now is None and store.ceph.document_exists(key):
        time.sleep(1.0 - time.time() % 1.0 + 0.01)
        key = store.dump_key()
    return key


def backup(
    settings: DatabaseSettings,
    store: GraphBackupStore,
    *,
    keep: int | None = None,
    on_progress: ProgressCallback | None = None,
    now: datetime | None = None,
) -> Manifest:
    """Dump the database of `settings` into `store` with its manifest, then keep the `keep` (default
    GRAPH_BACKUP_STORE_ROTATE) newest dumps and their manifests. Returns the new dump's manifest."""
    major, version = server_version(settings)
    pg_dump = find_tool("pg_dump", major, settings.pg_bindir)
    require_at_least(pg_dump, major, "a server")
    key = _free_key(store, now)
    engine = make_engine(settings)
    try:
        with (
            engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection,
            connection.begin(),
        ):
            connection.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = str(connection.execute(text("SELECT pg_export_snapshot()")).scalar_one())
            tables = count_rows(connection)
            revision = schema_revision(connection)
            # The transaction stays open while pg_dump runs: the snapshot lives as long as it does.
            digest, size = _dump(pg_dump.path, settings, snapshot, key, store, len(tables), on_progress)
    finally:
        engine.dispose()
    manifest = Manifest(
        key=key,
        created=now or datetime.now(UTC),
        database=settings.database,
        server_version=version,
        pg_dump_version=pg_dump.version,
        schema_revision=revision,
        tables=tables,
        size=size,
        sha256=digest,
    )
    store.ceph.store_document(manifest.to_json(), manifest_key(key))
    _LOGGER.info("stored graph dump %r: %d bytes, %d rows", store.prefix + key, size, manifest.rows)
    rotate(store, keep)
    return manifest


def _dump(
    pg_dump: str,
    settings: DatabaseSettings,
    snapshot: str,
    key: str,
    store: GraphBackupStore,
    table_count: int,
    on_progress: ProgressCallback | None,
) -> tuple[str, int]:
    """Run pg_dump into the store under `key`; (sha256, size) of what was stored."""
    command = [pg_dump, "--format=custom", "--compress=6", "--verbose", f"--snapshot={snapshot}"]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=libpq_environment(settings, settings.database),
    )
    errors: deque[str] = deque(maxlen=20)
    dumped = [0]

    def watch_stderr() -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.decode("utf-8", "replace").strip()
            errors.append(line)
            if "dumping contents of table" in line:
                dumped[0] += 1

    watcher = threading.Thread(target=watch_stderr, name="pg_dump-stderr", daemon=True)
    watcher.start()
    stream = _DumpStream(
        process, errors, lambda size: on_progress(dumped[0], table_count, size) if on_progress else None
    )
    try:
        store.ceph.store_stream(cast(IO[bytes], stream), key)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        watcher.join(timeout=10)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
    if on_progress is not None:
        on_progress(dumped[0], table_count, stream.size)
    return stream.sha256.hexdigest(), stream.size


def rotate(store: GraphBackupStore, keep: int | None = None) -> list[str]:
    """Keep the `keep` (default GRAPH_BACKUP_STORE_ROTATE) newest dumps; delete the others and every
    manifest whose dump is gone. Returns the deleted dump keys."""
    stale = store.rotate(keep)
    kept = set(store.get_dump_listing())
    for key in list(store.ceph.get_document_listing(MANIFEST_FOLDER)):
        if dump_key_of(key) not in kept:
            _LOGGER.info("rotating out manifest %r", store.prefix + key)
            store.ceph.delete(key)
    return stale


def read_manifest(store: GraphBackupStore, key: str) -> Manifest:
    """The manifest of the dump `key`; BackupError when there is none."""
    where = store.prefix + manifest_key(key)
    try:
        document = store.ceph.retrieve_document(manifest_key(key))
    except NotFoundError:
        raise BackupError(f"dump {store.prefix + key!r} has no manifest {where!r}") from None
    return Manifest.from_json(document, where)


def list_backups(store: GraphBackupStore) -> list[BackupEntry]:
    """The stored dumps, oldest first, with their manifests (None for a dump stored without one)."""
    entries = []
    for key in store.get_dump_listing():
        try:
            manifest: Manifest | None = read_manifest(store, key)
        except BackupError:
            manifest = None
        size = (
            manifest.size if manifest else int(str(store.ceph.retrieve_document_attr(key, "ContentLength")))
        )
        entries.append(BackupEntry(key, store.dump_time(key), size, manifest))
    return entries


__all__ = [
    "BackupEntry",
    "BackupError",
    "ProgressCallback",
    "backup",
    "list_backups",
    "read_manifest",
    "rotate",
]
