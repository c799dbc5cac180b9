"""`thoth.storages.dependency_monkey_reports`: dependency Monkey reports store. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import DependencyMonkeyReportsStore, ResultStorageBase

__all__ = ["DependencyMonkeyReportsStore", "ResultStorageBase"]
