"""Parameters the original's read methods take and ours gained: each one really filters, sorts or groups,
checked on the real documents against SQL written here."""

from __future__ import annotations

from sqlalchemy import text

from thoth.storages.graph.enums import QuerySortTypeEnum
from thoth_storages import GraphDatabase


def _rows(graph: GraphDatabase, sql: str, **params: object) -> list[tuple[object, ...]]:
    with graph.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql), params)]


def _environments(graph: GraphDatabase) -> list[tuple[object, ...]]:
    return _rows(
        graph,
        "SELECT DISTINCT os_name, os_version, python_version FROM python_package_version ORDER BY 1, 2, 3",
    )


def test_python_packages_follow_the_environment_filters(filled_graph: GraphDatabase) -> None:
    environments = _environments(filled_graph)
    assert len(environments) > 1  # the real solver documents come from several environments
    for os_name, os_version, python_version in environments:
        filters = {
            "os_name": str(os_name),
            "os_version": str(os_version),
            "python_version": str(python_version),
        }
        expected = _rows(
            filled_graph,
            "SELECT DISTINCT v.package_name, i.url, v.package_version FROM python_package_version v "
            "JOIN python_package_index i ON i.id = v.python_package_index_id "
            "WHERE v.os_name = :os_name AND v.os_version = :os_version AND v.python_version = :python_version",
            **filters,
        )
        pairs = filled_graph.get_python_packages_all(count=None, distinct=True, **filters)
        assert sorted(pairs) == sorted({(name, url) for name, url, _version in expected})
        grouped = filled_graph.get_python_packages_all_versions(count=None, distinct=True, **filters)
        assert {(name, version, url) for name, rest in grouped.items() for version, url in rest} == {
            (name, version, url) for name, url, version in expected
        }
        assert filled_graph.get_python_packages_count_all(distinct=True, **filters) == len(expected)
    every_triple = _rows(
        filled_graph,
        "SELECT DISTINCT v.package_name, v.package_version, i.url FROM python_package_version v "
        "JOIN python_package_index i ON i.id = v.python_package_index_id",
    )
    assert filled_graph.get_python_packages_count_all(distinct=True) == len(every_triple)


def test_package_version_names_like_sort_and_distinct(filled_graph: GraphDatabase) -> None:
    recorded = [
        str(row[0])
        for row in _rows(filled_graph, "SELECT package_name FROM python_package_version ORDER BY id")
    ]
    assert len(recorded) > len(set(recorded))  # names repeat across versions and environments
    assert filled_graph.get_python_package_version_names_all(count=None) == recorded
    assert filled_graph.get_python_package_version_names_all(count=None, sort=True) == sorted(recorded)
    once = filled_graph.get_python_package_version_names_all(count=None, distinct=True, sort=True)
    assert once == sorted(set(recorded))
    first = recorded[0]
    pattern = first[:2] + "%"
    liked = [name for name in recorded if name.startswith(first[:2])]
    assert filled_graph.get_python_package_version_names_all(count=None, like=pattern) == liked
    assert filled_graph.get_python_package_version_names_count_all(like=pattern) == len(liked)
    assert filled_graph.get_python_package_version_names_count_all(like=pattern, distinct=True) == len(
        set(liked)
    )
    assert filled_graph.get_python_package_version_names_count_all() == len(recorded)
    page = filled_graph.get_python_package_version_names_all(start_offset=2, count=3, sort=True)
    assert page == sorted(recorded)[2:5]


def test_positional_calls_of_the_original(filled_graph: GraphDatabase) -> None:
    (os_name, os_version, python_version), *_ = _environments(filled_graph)
    newest = _rows(
        filled_graph,
        "SELECT max(s.datetime) FROM solved s JOIN ecosystem_solver e ON e.id = s.ecosystem_solver_id "
        "WHERE e.os_name = :o AND e.os_version = :v AND e.python_version = :p",
        o=os_name,
        v=os_version,
        p=python_version,
    )[0][0]
    assert filled_graph.get_last_solver_datetime(str(os_name), str(os_version), str(python_version)) == newest
    runtime = filled_graph.get_run_software_environment_all(0, None, False)
    assert runtime == filled_graph.get_run_software_environment_all(count=None)
    assert filled_graph.get_run_software_environment_all(1, 1) == runtime[1:2]


def test_versions_per_name_sorted_by_the_number_of_versions(filled_graph: GraphDatabase) -> None:
    by_name = filled_graph.get_python_package_versions_all_count(count=None)
    ranked = filled_graph.get_python_package_versions_all_count(
        count=None, sort_by=QuerySortTypeEnum.PACKAGE_VERSION
    )
    assert ranked.result == by_name.result and ranked.count == by_name.count == len(by_name.result)
    assert list(ranked.result) == sorted(by_name.result, key=lambda name: (-by_name.result[name], name))
    assert list(by_name.result) == sorted(by_name.result)
    assert list(ranked.result) != list(
        by_name.result
    )  # the real documents solve names a different number of times
    top = filled_graph.get_python_package_versions_all_count(count=2, sort_by=QuerySortTypeEnum.PACKAGE_NAME)
    assert list(top.result) == sorted(by_name.result)[:2]


def test_software_stack_count_distinct_counts_the_types(filled_graph: GraphDatabase) -> None:
    types = _rows(filled_graph, "SELECT software_stack_type, count(*) FROM python_software_stack GROUP BY 1")
    assert filled_graph.get_python_software_stack_count_all() == sum(int(str(n)) for _t, n in types)
    assert filled_graph.get_python_software_stack_count_all(False, None, True) == len(types)
    for stack_type, number in types:
        assert filled_graph.get_python_software_stack_count_all(False, stack_type, False) == number
        assert filled_graph.get_python_software_stack_count_all(False, stack_type, True) == 1


def test_count_maps_paginate_over_their_groups(filled_graph: GraphDatabase) -> None:
    full = filled_graph.get_python_package_versions_count(count=None)
    assert len(full) > 3 and full == filled_graph.get_python_package_versions_count(count=None, distinct=True)
    pages = {
        **filled_graph.get_python_package_versions_count(count=3),
        **filled_graph.get_python_package_versions_count(start_offset=3, count=None),
    }
    assert pages == full and list(filled_graph.get_python_package_versions_count(count=3)) == sorted(full)[:3]
    solved = filled_graph.get_solved_python_package_versions_count(count=None)
    assert len(filled_graph.get_solved_python_package_versions_count(start_offset=1, count=2)) == min(
        2, len(solved) - 1
    )
    name, _version, url = next(iter(full))
    per_index = filled_graph.get_python_package_versions_count_per_index(url, count=None)
    assert sum(per_index[url].values()) == sum(n for (_n, _v, u), n in full.items() if u == url)
    assert len(filled_graph.get_python_package_versions_count_per_index(url, count=1)[url]) == 1
    per_version = filled_graph.get_python_package_versions_count_per_version(name, count=None)
    assert sum(sum(by_url.values()) for by_url in per_version.values()) == sum(
        n for (pkg, _v, _u), n in full.items() if pkg == name
    )


def test_unsolved_listings_paginate_and_distinct(filled_graph: GraphDatabase) -> None:
    url = "https://pypi.example.org/simple"
    filled_graph.set_python_package_index_state(url, enabled=True)  # only enabled indexes are solved
    try:
        versions = filled_graph.get_unsolved_python_package_versions_all(count=None, randomize=False)
        assert len(versions) > 10 and versions == sorted(versions)
        assert versions == filled_graph.get_unsolved_python_package_versions_all(
            count=None, randomize=False, distinct=True
        )  # entities are unique: nothing to drop
        assert filled_graph.get_unsolved_python_package_versions_count_all() == len(versions)
        assert filled_graph.get_unsolved_python_package_versions_count_all(distinct=True) == len(versions)
        flat = filled_graph.get_unsolved_python_package_versions_count(count=None)
        assert sorted(flat) == versions and set(flat.values()) == {1}
        assert (
            list(filled_graph.get_unsolved_python_package_versions_count(start_offset=2, count=3))
            == versions[2:5]
        )
        pairs = filled_graph.get_unsolved_python_packages_all(count=None)
        assert pairs == [
            (name, index) for name, _version, index in versions
        ]  # one per version, as the original
        assert filled_graph.get_unsolved_python_packages_all(count=None, distinct=True) == sorted(set(pairs))
        grouped = filled_graph.get_unsolved_python_packages_all_versions(count=4)
        assert [
            (name, version, index) for name, rest in grouped.items() for version, index in rest
        ] == versions[:4]
        per_index = filled_graph.get_unsolved_python_package_versions_count_per_index(url, count=None)
        assert sum(per_index[url].values()) == sum(1 for _n, _v, index in versions if index == url)
        name = versions[0][0]
        per_version = filled_graph.get_unsolved_python_package_versions_count_per_version(name, count=1)
        assert sum(len(by_url) for by_url in per_version.values()) == 1
    finally:
        filled_graph.set_python_package_index_state(url, enabled=False)
