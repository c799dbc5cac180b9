"""`thoth.storages.graph_backup`: graph backup (pg_dump) store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import GraphBackupStore, ResultStorageBase

__all__ = ["GraphBackupStore", "ResultStorageBase"]
