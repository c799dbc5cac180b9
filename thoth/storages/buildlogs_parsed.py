"""`thoth.storages.buildlogs_parsed`: parsed build logs results store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import BuildLogsParsedResultsStore, ResultStorageBase

__all__ = ["BuildLogsParsedResultsStore", "ResultStorageBase"]
