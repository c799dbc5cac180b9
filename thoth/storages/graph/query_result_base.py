"""`thoth.storages.graph.query_result_base`: the grouped, paginated answer of some read methods. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.graph.reads import PythonQueryResult

__all__ = ["PythonQueryResult"]
