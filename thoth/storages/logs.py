"""`thoth.storages.logs`: workflow logs store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.exceptions import MultipleFoundError, NotFoundError
from thoth_storages.s3 import CephStore, StorageBase, WorkflowLogsStore

__all__ = ["CephStore", "MultipleFoundError", "NotFoundError", "StorageBase", "WorkflowLogsStore"]
