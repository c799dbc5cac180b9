"""`thoth.storages.advisers_cache`: adviser cache store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import AdvisersCacheStore, CephCache

__all__ = ["AdvisersCacheStore", "CephCache"]
