"""`thoth.storages.buildlogs`: build logs store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import BuildLogsStore, CephStore, StorageBase

__all__ = ["BuildLogsStore", "CephStore", "StorageBase"]
