"""`thoth.storages.observations`: observations results store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import ObservationResultsStore, ResultStorageBase

__all__ = ["ObservationResultsStore", "ResultStorageBase"]
