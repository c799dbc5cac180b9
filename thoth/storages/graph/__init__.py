"""`thoth.storages.graph`: the knowledge-graph adapter. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.graph import GraphDatabase

__all__ = ["GraphDatabase"]
