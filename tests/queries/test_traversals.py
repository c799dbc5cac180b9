"""The dependency-graph traversals against the real documents: hand-checked dependents, and the walks
compared with the direct dependencies get_depends_on lists."""

from __future__ import annotations

import pytest

from thoth_storages import GraphDatabase
from thoth_storages.exceptions import NotConnectedError

PYPI = "https://pypi.example.org/simple"
FLASK = ("flask", "2.2.2", PYPI)
DEBIAN = {"os_name": "debian", "os_version": "12", "python_version": "3.8"}


def _direct(graph: GraphDatabase, package: tuple[str, str, str]) -> set[tuple[str, str | None]]:
    found = graph.get_depends_on(*package, **DEBIAN)
    return {dependency for dependencies in found.values() for dependency in dependencies}


def test_dependents_of_click(filled_graph: GraphDatabase) -> None:
    # Among the solved packages, flask 2.2.2 (Requires-Dist: click>=8.0) and great-expectations 0.11.0b0
    # (Click>=7.1.2) require click; nothing solved requires either of them.
    expected = {"flask": ["2.2.2"], "great-expectations": ["0.11.0b0"]}
    assert filled_graph.retrieve_dependent_packages("Click") == expected
    assert filled_graph.retrieve_dependent_packages("click", max_depth=1) == expected
    assert filled_graph.retrieve_dependent_packages("click", python_version="3.8") == {"flask": ["2.2.2"]}
    assert filled_graph.retrieve_dependent_packages("no-such-package") == {}


def test_transitive_dependents_contain_the_dependents_of_the_dependents(filled_graph: GraphDatabase) -> None:
    direct = filled_graph.retrieve_dependent_packages("six", max_depth=1)
    everything = filled_graph.retrieve_dependent_packages("six")
    for name, versions in direct.items():
        assert set(versions) <= set(everything[name])
        for version in versions:
            for further, further_versions in filled_graph.retrieve_dependent_packages(name, version).items():
                assert set(further_versions) <= set(everything[further])


def test_the_walk_is_the_closure_of_the_direct_dependencies(filled_graph: GraphDatabase) -> None:
    edges = filled_graph.retrieve_transitive_dependencies_python(*FLASK, **DEBIAN)
    parents = {parent for parent, _ in edges}
    assert FLASK in parents
    for parent in parents:
        assert parent[1] is not None and parent[2] is not None
        assert {dependency[:2] for p, dependency in edges if p == parent} == _direct(
            filled_graph, (parent[0], parent[1], parent[2])
        )
    resolved = {dependency for _, dependency in edges if dependency[2] is not None}
    assert parents - {FLASK} <= resolved
    for dependency in resolved:  # every resolved dependency with dependencies of its own was walked
        if _direct(filled_graph, (dependency[0], dependency[1] or "", dependency[2] or "")):
            assert dependency in parents
    direct = filled_graph.retrieve_transitive_dependencies_python(*FLASK, max_depth=0, **DEBIAN)
    assert {parent for parent, _ in direct} == {FLASK}
    assert {dependency[:2] for _, dependency in direct} == _direct(filled_graph, FLASK)


def test_extras_narrow_the_root_only(filled_graph: GraphDatabase) -> None:
    no_extra = filled_graph.get_depends_on(*FLASK, extras=frozenset({None}), **DEBIAN)
    edges = filled_graph.retrieve_transitive_dependencies_python(*FLASK, extras=frozenset({None}), **DEBIAN)
    assert {d[:2] for p, d in edges if p == FLASK} == set(no_extra[None])
    everything = filled_graph.retrieve_transitive_dependencies_python(*FLASK, **DEBIAN)
    assert set(edges) < set(everything)
    below = {p for p, _ in edges} - {FLASK}
    assert {e for e in edges if e[0] in below} == {e for e in everything if e[0] in below}


def test_multi_is_the_singles_at_once(filled_graph: GraphDatabase) -> None:
    click = ("click", "8.1.3", PYPI)
    found = filled_graph.retrieve_transitive_dependencies_python_multi(FLASK, click, **DEBIAN)
    assert found == {
        FLASK: filled_graph.retrieve_transitive_dependencies_python(*FLASK, **DEBIAN),
        click: filled_graph.retrieve_transitive_dependencies_python(*click, **DEBIAN),
    }
    assert filled_graph.retrieve_transitive_dependencies_python_multi() == {}
    assert filled_graph.retrieve_transitive_dependencies_python("flask", "0.0.1", PYPI) == []


def test_multi_without_packages_sends_no_statement() -> None:
    """As 0.74.2 (a loop over no tuples): `{}` even from an adapter that never connected."""
    graph = GraphDatabase()
    assert graph.retrieve_transitive_dependencies_python_multi(os_name="debian") == {}
    with pytest.raises(NotConnectedError):
        graph.retrieve_transitive_dependencies_python_multi(FLASK)
