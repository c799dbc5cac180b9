"""The index aliases of an adapter's settings reach its sync writers and its queries (no environment read)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from tests.documents._documents_support import DATA_DIR
from thoth_storages import GraphDatabase

OLD = "https://pypi.example.org/simple"
NEW = "https://mirror.example.org/simple"


def test_a_sync_writes_and_queries_read_the_aliased_index_url(graph: GraphDatabase) -> None:
    (path, *_) = sorted((DATA_DIR / "solver").glob("*.json"))
    document = json.loads(Path(path).read_text())
    assert {entry["index_url"] for entry in document["result"]["tree"]} == {OLD}
    aliased = GraphDatabase(replace(graph.settings, index_aliases=((OLD, NEW),)))
    aliased.connect()
    try:
        aliased.sync_solver_result(document)
        assert aliased.get_python_package_index_urls_all() == [NEW]
        solved = aliased.get_solved_python_package_versions_count_all(index_url=NEW)
        assert solved > 0
        assert aliased.get_solved_python_package_versions_count_all(index_url=OLD + "/") == solved
        assert graph.get_solved_python_package_versions_count_all(index_url=OLD) == 0
    finally:
        aliased.disconnect()
