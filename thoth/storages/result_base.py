"""`thoth.storages.result_base`: the base of the result stores. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.exceptions import NoDocumentIdError, SchemaError
from thoth_storages.s3 import RESULT_SCHEMA, CephStore, ResultStorageBase, StorageBase

__all__ = [
    "RESULT_SCHEMA",
    "CephStore",
    "NoDocumentIdError",
    "ResultStorageBase",
    "SchemaError",
    "StorageBase",
]
