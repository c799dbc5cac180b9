"""`thoth.storages.inspections`: amun inspection stores. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import CephStore, InspectionBuildsStore, InspectionResultsStore, InspectionStore

__all__ = ["CephStore", "InspectionBuildsStore", "InspectionResultsStore", "InspectionStore"]
