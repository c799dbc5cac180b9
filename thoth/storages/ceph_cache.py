"""`thoth.storages.ceph_cache`: the base of the cache stores (records with a time to live). Re-exports of thoth_storages (one implementation)."""

from thoth_storages.exceptions import CacheMissError, NotFoundError
from thoth_storages.s3 import CephCache, ResultStorageBase

__all__ = ["CacheMissError", "CephCache", "NotFoundError", "ResultStorageBase"]
