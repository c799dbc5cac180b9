"""`thoth.storages.solvers`: solver results store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import ResultStorageBase, SolverResultsStore

__all__ = ["ResultStorageBase", "SolverResultsStore"]
