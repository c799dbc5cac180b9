"""The revsolver writer on a real PostgreSQL, with hand-made documents over solved package versions.

There is no real revsolver document: the documents here are built from what the original sync reads
(reference §3.1): arguments["app.py"] names the new release, and every result entry names a solved
package version (environment, package, index) and the dependency edge to the release.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from generated import rows
from tests.sync._support import counts
from thoth_storages import GraphDatabase
from thoth_storages.config import DatabaseSettings
from thoth_storages.exceptions import SchemaError, SolverNotRunError
from thoth_storages.graph.bulk import SetWriter

PYPI = "https://pypi.example.org/simple"
REPO = Path(__file__).resolve().parents[2]
# six 1.16.0 from PYPI solved on debian 12 with Python 3.8 (a copy of a real document, in both places).
SOLVER = (
    REPO
    / "tests"
    / "data"
    / "documents"
    / "solver"
    / "solver-debian-12-py38-261126040558-77bff4f4676720a3.json"
)


def entry(
    name: str, version: str, os_name: str, os_version: str, python_version: str, **edge: object
) -> dict[str, object]:
    return {
        "os_name": os_name,
        "os_version": os_version,
        "python_version": python_version,
        "package_name": name,
        "package_version": version,
        "index_url": PYPI,
        "version_range": edge.get("version_range", "*"),
        "marker": edge.get("marker"),
        "extra": edge.get("extra"),
        "marker_evaluation_result": edge.get("marker_evaluation_result", True),
    }


def document(document_id: str = "revsolver-7d1c0f3e") -> dict[str, object]:
    """Jinja2 3.0.0 was released; three solved versions accept it."""
    return {
        "metadata": {
            "analyzer": "thoth-revsolver",
            "analyzer_version": "0.4.0",
            "arguments": {"app.py": {"package_name": "Jinja2", "package_version": "3.0.0"}},
            "datetime": "2021-05-11T18:00:00.000000",
            "distribution": {
                "codename": "Ootpa",
                "id": "rhel",
                "like": "fedora",
                "version": "8.3",
                "version_parts": {"build_number": "", "major": "8", "minor": "3"},
            },
            "document_id": document_id,
            "duration": 3,
            "hostname": f"{document_id}-pod",
            "os_release": {
                "id": "rhel",
                "name": "Red Hat Enterprise Linux",
                "version": "8.3 (Ootpa)",
                "version_id": "8.3",
            },
            "python": {
                "api_version": 1013,
                "implementation_name": "cpython",
                "major": 3,
                "micro": 3,
                "minor": 8,
                "releaselevel": "final",
                "serial": 0,
            },
            "thoth_deployment_name": "ocp4-stage",
            "timestamp": 1620756000,
        },
        "result": [
            entry("flask", "2.0.1", "rhel", "8", "3.6", version_range=">=3.0"),
            # ubi 8.3 is stored as rhel 8; the name and version are normalised as the graph stores them.
            entry(
                "Requests", "2.25.01", "ubi", "8.3", "3.6", marker="python_version >= '3.6'", extra="security"
            ),
            entry("six", "1.16.0", "debian", "12", "3.8", version_range="<4", marker_evaluation_result=False),
        ],
    }


def seed(graph: GraphDatabase) -> None:
    """Solved versions: six from a real solver document, flask and requests on rhel 8 / Python 3.6."""
    graph.sync_solver_result(json.loads(SOLVER.read_text()))
    with graph.engine.begin() as connection:
        writer = SetWriter(connection)
        index_id = writer.ensure_one(
            rows.PYTHON_PACKAGE_INDEX(
                [{"url": PYPI, "verify_ssl": True, "enabled": False, "only_if_package_seen": True}]
            ),
        )
        packages = [("flask", "2.0.1"), ("requests", "2.25.1")]
        entities = writer.ensure_ids(
            rows.PYTHON_PACKAGE_VERSION_ENTITY(
                [
                    {"package_name": n, "package_version": v, "python_package_index_id": index_id}
                    for n, v in packages
                ]
            ),
        )
        writer.ensure(
            rows.PYTHON_PACKAGE_VERSION(
                [
                    {
                        "package_name": n,
                        "package_version": v,
                        "python_package_index_id": index_id,
                        "os_name": "rhel",
                        "os_version": "8",
                        "python_version": "3.6",
                        "entity_id": entity_id,
                        "is_missing": False,
                    }
                    for (n, v), entity_id in zip(packages, entities, strict=True)
                ]
            ),
        )


@pytest.fixture
def seeded_graph(head_database: DatabaseSettings) -> Iterator[GraphDatabase]:
    graph = GraphDatabase(head_database)
    graph.connect()
    seed(graph)
    yield graph
    graph.disconnect()


def test_counts_and_edges_of_the_hand_made_document(seeded_graph: GraphDatabase) -> None:
    # Read off `document()`: one release (jinja2 3.0.0, an entity without index, as dependency entities
    # are) and three entries, each naming a solved version -> 1 new python_package_version_entity and
    # 3 depends_on edges; nothing else changes (the versions exist, nothing is solved here).
    before = counts(seeded_graph)
    seeded_graph.sync_revsolver_result(document())
    after = counts(seeded_graph)
    assert {name: after[name] - before[name] for name in after if after[name] != before[name]} == {
        "depends_on": 3,
        "python_package_version_entity": 1,
    }
    with seeded_graph.engine.connect() as connection:
        edges = [
            dict(row._mapping)
            for row in connection.execute(
                text(
                    "SELECT v.package_name, v.os_name, v.os_version, v.python_version, d.version_range, d.marker, "
                    "d.extra, d.marker_evaluation_result, e.package_name AS dependency, "
                    "e.package_version AS dependency_version, e.python_package_index_id "
                    "FROM depends_on AS d JOIN python_package_version AS v ON v.id = d.version_id "
                    "JOIN python_package_version_entity AS e ON e.id = d.entity_id ORDER BY 1"
                )
            )
        ]
    release = {"dependency": "jinja2", "dependency_version": "3.0.0", "python_package_index_id": None}
    assert edges == [
        {
            "package_name": "flask",
            "os_name": "rhel",
            "os_version": "8",
            "python_version": "3.6",
            "version_range": ">=3.0",
            "marker": None,
            "extra": None,
            "marker_evaluation_result": True,
            **release,
        },
        {
            "package_name": "requests",
            "os_name": "rhel",
            "os_version": "8",
            "python_version": "3.6",
            "version_range": "*",
            "marker": "python_version >= '3.6'",
            "extra": "security",
            "marker_evaluation_result": True,
            **release,
        },
        {
            "package_name": "six",
            "os_name": "debian",
            "os_version": "12",
            "python_version": "3.8",
            "version_range": "<4",
            "marker": None,
            "extra": None,
            "marker_evaluation_result": False,
            **release,
        },
    ]


def test_resync_changes_no_table(seeded_graph: GraphDatabase) -> None:
    seeded_graph.sync_revsolver_result(document())
    before = counts(seeded_graph)
    assert not seeded_graph.sync_revsolver_result(document()).inserted
    assert counts(seeded_graph) == before


def test_an_unsolved_version_rolls_the_document_back(seeded_graph: GraphDatabase) -> None:
    broken = document("revsolver-unsolved")
    broken["result"].append(entry("flask", "9.9.9", "rhel", "8", "3.6"))  # type: ignore[attr-defined]
    before = counts(seeded_graph)
    with pytest.raises(SolverNotRunError, match=r"\$\.result\[3\]: flask 9\.9\.9"):
        seeded_graph.sync_revsolver_result(broken)
    assert counts(seeded_graph) == before


def test_a_document_missing_a_required_key_writes_nothing(seeded_graph: GraphDatabase) -> None:
    broken = copy.deepcopy(document("revsolver-broken"))
    del broken["result"][1]["marker_evaluation_result"]  # type: ignore[index]
    before = counts(seeded_graph)
    with pytest.raises(SchemaError, match=r"\$\.result\[1\]\.marker_evaluation_result"):
        seeded_graph.sync_revsolver_result(broken)
    assert counts(seeded_graph) == before
