"""`thoth.storages.analyses`: package-extract (analysis) results store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import AnalysisResultsStore, ResultStorageBase

__all__ = ["AnalysisResultsStore", "ResultStorageBase"]
