"""`thoth.storages.analyses_by_digest`: analyses indexed by image digest. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import AnalysisByDigest, ResultStorageBase

__all__ = ["AnalysisByDigest", "ResultStorageBase"]
