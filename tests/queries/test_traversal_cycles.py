"""The traversals on a dependency cycle (a -> b -> c -> a, c -> d unsolved): the unbounded walks stop by
themselves, `max_depth` bounds them."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from thoth_storages import GraphDatabase

URL = "https://cycle.example.org/simple"
ENVIRONMENT = ("rhel", "9", "3.11")
A, B, C = ((name, "1.0.0", URL) for name in "abc")


@pytest.fixture
def cycle(graph: GraphDatabase) -> GraphDatabase:
    with graph.engine.begin() as connection:
        index = connection.execute(
            text(
                "INSERT INTO python_package_index (url, verify_ssl, only_if_package_seen) "
                "VALUES (:url, true, false) RETURNING id"
            ),
            {"url": URL},
        ).scalar_one()
        entities = {
            name: connection.execute(
                text(
                    "INSERT INTO python_package_version_entity (package_name, package_version, "
                    "python_package_index_id) VALUES (:name, '1.0.0', :index) RETURNING id"
                ),
                {"name": name, "index": index},
            ).scalar_one()
            for name in "abcd"
        }
        versions = {
            name: connection.execute(
                text(
                    "INSERT INTO python_package_version (package_name, package_version, os_name, os_version, "
                    "python_version, entity_id, python_package_index_id, is_missing, provides_source_distro) "
                    "VALUES (:name, '1.0.0', :os, :os_version, :python, :entity, :index, false, true) "
                    "RETURNING id"
                ),
                {
                    "name": name,
                    "os": ENVIRONMENT[0],
                    "os_version": ENVIRONMENT[1],
                    "python": ENVIRONMENT[2],
                    "entity": entities[name],
                    "index": index,
                },
            ).scalar_one()
            for name in "abc"
        }
        for parent, child in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]:
            connection.execute(
                text(
                    "INSERT INTO depends_on (version_id, entity_id, marker_evaluation_result) "
                    "VALUES (:version, :entity, true)"
                ),
                {"version": versions[parent], "entity": entities[child]},
            )
    return graph


def _edge(parent: tuple[str, str, str], child: str, url: str | None = URL) -> object:
    return (parent, (child, "1.0.0", url))


def test_the_walk_stops_on_a_cycle(cycle: GraphDatabase) -> None:
    everything = [_edge(A, "b"), _edge(B, "c"), _edge(C, "a"), _edge(C, "d", None)]
    assert cycle.retrieve_transitive_dependencies_python(*A) == everything
    assert cycle.retrieve_transitive_dependencies_python(*A, max_depth=0) == [_edge(A, "b")]
    assert cycle.retrieve_transitive_dependencies_python(*A, max_depth=1) == everything[:2]
    assert cycle.retrieve_transitive_dependencies_python(*A, max_depth=50) == everything
    assert cycle.retrieve_transitive_dependencies_python(*A, marker_evaluation_result=False) == []
    assert cycle.retrieve_transitive_dependencies_python(*A, extras=frozenset({"x"})) == []
    assert cycle.retrieve_transitive_dependencies_python(*A, extras=frozenset({None})) == everything
    walks = cycle.retrieve_transitive_dependencies_python_multi(A, C, ("a", "9", URL), max_depth=0)
    assert walks == {A: [_edge(A, "b")], C: everything[2:], ("a", "9", URL): []}


def test_dependents_stop_on_a_cycle(cycle: GraphDatabase) -> None:
    assert cycle.retrieve_dependent_packages("a") == {"a": ["1.0.0"], "b": ["1.0.0"], "c": ["1.0.0"]}
    assert cycle.retrieve_dependent_packages("a", max_depth=1) == {"c": ["1.0.0"]}
    assert cycle.retrieve_dependent_packages("d", max_depth=2) == {"b": ["1.0.0"], "c": ["1.0.0"]}
    assert cycle.retrieve_dependent_packages("d", "2.0.0") == {}
