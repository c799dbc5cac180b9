"""`thoth.storages.ceph`: the S3/Ceph adapter. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.exceptions import NotFoundError
from thoth_storages.s3 import CephStore, StorageBase

__all__ = ["CephStore", "NotFoundError", "StorageBase"]
