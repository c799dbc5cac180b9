"""`thoth.storages.buildlogs_analyses_cache`: build-log analysis cache store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import BuildLogsAnalysesCacheStore, CephCache

__all__ = ["BuildLogsAnalysesCacheStore", "CephCache"]
