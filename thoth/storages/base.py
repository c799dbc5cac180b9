"""`thoth.storages.base`: the abstract base of every store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import StorageBase

__all__ = ["StorageBase"]
