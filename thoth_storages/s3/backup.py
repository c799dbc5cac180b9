"""GraphBackupStore: PostgreSQL dumps of the knowledge graph, rotated."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import ClassVar

from .results import ResultStorageBase
from .settings import DEFAULT_GRAPH_BACKUP_STORE_ROTATE, graph_backup_rotate

_LOGGER = logging.getLogger(__name__)

DUMP_PREFIX = "pg_dump-"


class GraphBackupStore(ResultStorageBase):
    """Dumps under `{bucket_prefix}/{deployment}/graph-backup/pg_dump-%y-%m-%d-%H-%M-%S` (UTC)."""

    RESULT_TYPE = "graph-backup"
    VALIDATE = False
    GRAPH_BACKUP_STORE_ROTATE: ClassVar[int] = DEFAULT_GRAPH_BACKUP_STORE_ROTATE
    """Dumps kept when the GRAPH_BACKUP_STORE_ROTATE environment variable is not set."""
    _BACKUP_FILE_DATETIME_FORMAT: ClassVar[str] = "%y-%m-%d-%H-%M-%S"

    def store_dump(self, dump_file_path: str | os.PathLike[str], *, now: datetime | None = None) -> str:
        """Upload a dump file, then keep only the GRAPH_BACKUP_STORE_ROTATE newest dumps; returns its key."""
        stamp = self.dump_key(now)
        self.store_file(dump_file_path, stamp)
        _LOGGER.info("stored graph dump %r", self.prefix + stamp)
        self.rotate()
        return stamp

    def dump_key(self, now: datetime | None = None) -> str:
        """The key of a dump taken at `now` (default: this second, UTC): `pg_dump-%y-%m-%d-%H-%M-%S`."""
        return DUMP_PREFIX + (now or datetime.now(UTC)).strftime(self._BACKUP_FILE_DATETIME_FORMAT)

    def dump_time(self, key: str) -> datetime:
        """When the dump under `key` was taken (UTC), read from its name."""
        stamp = key.removeprefix(DUMP_PREFIX)
        return datetime.strptime(stamp, self._BACKUP_FILE_DATETIME_FORMAT).replace(tzinfo=UTC)

    def get_dump_listing(self) -> list[str]:
        """Keys of the stored dumps, oldest first (the timestamped names sort chronologically)."""
        return sorted(key for key in self.ceph.get_document_listing(DUMP_PREFIX) if "/" not in key)

    def rotate(self, keep: int | None = None) -> list[str]:
        """Delete all but the `keep` (default GRAPH_BACKUP_STORE_ROTATE, 21) newest dumps; returns them."""
        keep = graph_backup_rotate(self.GRAPH_BACKUP_STORE_ROTATE) if keep is None else keep
        if keep < 1:
            raise ValueError(f"keep={keep}: at least one dump must be kept")
        dumps = self.get_dump_listing()
        stale = dumps[: max(len(dumps) - keep, 0)]
        for key in stale:
            _LOGGER.info("rotating out graph dump %r", self.prefix + key)
            self.ceph.delete(key)
        return stale
