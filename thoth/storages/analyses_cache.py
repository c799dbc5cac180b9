"""`thoth.storages.analyses_cache`: analysis cache store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import AnalysesCacheStore, CephCache

__all__ = ["AnalysesCacheStore", "CephCache"]
