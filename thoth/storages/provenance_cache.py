"""`thoth.storages.provenance_cache`: provenance checker cache store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import CephCache, ProvenanceCacheStore

__all__ = ["CephCache", "ProvenanceCacheStore"]
