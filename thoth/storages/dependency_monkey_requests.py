"""`thoth.storages.dependency_monkey_requests`: dependency Monkey requests store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import DependencyMonkeyRequestsStore, ResultStorageBase

__all__ = ["DependencyMonkeyRequestsStore", "ResultStorageBase"]
