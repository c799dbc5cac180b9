"""`thoth.storages.result_schema`: the check of a result document. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import RESULT_SCHEMA

__all__ = ["RESULT_SCHEMA"]
