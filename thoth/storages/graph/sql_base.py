"""`thoth.storages.graph.sql_base`: the errors of the adapter's connection lifecycle. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.exceptions import NotConnectedError

__all__ = ["NotConnectedError"]
