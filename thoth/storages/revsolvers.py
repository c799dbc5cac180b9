"""`thoth.storages.revsolvers`: reverse solver results store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import ResultStorageBase, RevSolverResultsStore

__all__ = ["ResultStorageBase", "RevSolverResultsStore"]
