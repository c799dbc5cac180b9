"""`thoth.storages.advisers`: adviser results store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import AdvisersResultsStore, ResultStorageBase

__all__ = ["AdvisersResultsStore", "ResultStorageBase"]
