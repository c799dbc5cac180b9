"""`thoth.storages.provenance`: provenance checker results store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import ProvenanceResultsStore, ResultStorageBase

__all__ = ["ProvenanceResultsStore", "ResultStorageBase"]
