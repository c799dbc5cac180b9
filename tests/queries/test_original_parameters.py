"""Parameters the original's read methods take and ours gained: each one really filters, sorts or groups,
checked on the real documents against SQL written here."""

from __future__ import annotations

import datetime

import pytest
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
    (external,) = _rows(filled_graph, "SELECT count(*) FROM external_python_software_stack")
    assert int(str(external[0])) > 0
    assert filled_graph.get_python_software_stack_count_all(True) == int(str(external[0]))
    assert filled_graph.get_python_software_stack_count_all(True, None, True) == int(str(external[0]))
    with pytest.raises(ValueError, match="cannot be asked for together"):
        filled_graph.get_python_software_stack_count_all(True, "USER_STACK")


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


def test_adviser_run_document_ids_by_date_and_source_type(filled_graph: GraphDatabase) -> None:
    runs = _rows(
        filled_graph, "SELECT adviser_document_id, datetime, source_type FROM adviser_run ORDER BY 1"
    )
    assert len({when.date() for _id, when, _type in runs}) > 1  # type: ignore[attr-defined]
    middle = sorted(when for _id, when, _type in runs)[len(runs) // 2]
    day = middle.strftime("%d-%m-%Y")  # type: ignore[attr-defined]
    start_of_day = middle.replace(hour=0, minute=0, second=0, microsecond=0)  # type: ignore[attr-defined]
    assert filled_graph.get_adviser_run_document_ids_all(day, None, None, 0, None) == [
        i for i, when, _t in runs if when > start_of_day
    ]
    assert filled_graph.get_adviser_run_document_ids_all(None, day, count=None) == [
        i for i, when, _t in runs if when < start_of_day
    ]
    for source_type in {t for _i, _w, t in runs if t is not None}:
        assert filled_graph.get_adviser_run_document_ids_all(source_type=source_type, count=None) == [
            i for i, _w, t in runs if t == source_type
        ]
    assert (
        filled_graph.get_adviser_run_document_ids_all(None, None, None, 1, 2)
        == [i for i, _w, _t in runs][1:3]
    )


def test_thoth_s2i_analyses_and_existence_by_solver_name(filled_graph: GraphDatabase) -> None:
    # no real analysis is of a Thoth s2i image: name the environment of one as such for the test
    (run_id, environment_id, external), *_ = _rows(
        filled_graph,
        "SELECT analysis_document_id, coalesce(software_environment_id, external_software_environment_id), "
        "external_software_environment_id IS NOT NULL FROM package_extract_run ORDER BY id",
    )
    table = "external_software_environment" if external else "software_environment"
    with filled_graph.engine.begin() as connection:
        connection.execute(
            text(
                f"UPDATE {table} SET thoth_image_name = 's2i-test', thoth_image_version = '1.0' WHERE id = :id"
            ),
            {"id": environment_id},
        )
    filled_graph.cache_clear()
    try:
        get = filled_graph.get_thoth_s2i_package_extract_analysis_document_id_all
        assert run_id in get("s2i-test", "1.0", bool(external))
        assert get("s2i-test", "2.0", bool(external)) == [] and get("other", "1.0", bool(external)) == []
        assert run_id not in get("s2i-test", "1.0", not external)
    finally:
        with filled_graph.engine.begin() as connection:
            connection.execute(
                text(
                    f"UPDATE {table} SET thoth_image_name = NULL, thoth_image_version = NULL WHERE id = :id"
                ),
                {"id": environment_id},
            )
        filled_graph.cache_clear()
    name, version, url, os_name, os_version, python_version = _rows(
        filled_graph,
        "SELECT v.package_name, v.package_version, i.url, v.os_name, v.os_version, v.python_version "
        "FROM python_package_version v JOIN python_package_index i ON i.id = v.python_package_index_id LIMIT 1",
    )[0]
    solver = f"solver-{os_name}-{os_version}-py{str(python_version).replace('.', '')}"
    assert filled_graph.python_package_version_exists(str(name), str(version), str(url), solver)
    assert filled_graph.python_package_version_exists(str(name), str(version), None, solver)
    assert not filled_graph.python_package_version_exists(
        str(name), str(version), None, "solver-nosuch-1-py39"
    )


def test_solver_documents_by_package_date_and_error(filled_graph: GraphDatabase) -> None:
    records = _rows(
        filled_graph,
        "SELECT s.document_id, v.package_name, v.package_version, s.datetime, s.error, s.error_unsolvable, "
        "s.error_unparseable FROM solved s JOIN python_package_version v ON v.id = s.version_id",
    )
    name, version = next((n, v) for _d, n, v, *_rest in records if sum(1 for r in records if r[1] == n) > 1)
    of_name = [r for r in records if r[1] == name]
    assert filled_graph.get_solver_document_id_all(str(name)) == sorted(str(r[0]) for r in of_name)
    assert filled_graph.get_solver_document_id_all(str(name), str(version)) == sorted(
        str(r[0]) for r in of_name if r[2] == version
    )
    newest_first = filled_graph.get_solver_document_id_all(str(name), sort=True)
    assert [r[0] for r in sorted(of_name, key=lambda r: (-r[3].timestamp(), r[0]))] == newest_first  # type: ignore[attr-defined]
    documents = sorted({str(r[0]) for r in records})
    assert filled_graph.get_solver_run_document_ids_all(count=None) == documents
    assert filled_graph.get_solver_run_document_ids_all(
        None, None, None, None, None, 0, None, True
    ) == sorted({str(r[0]) for r in records if r[4]})
    assert filled_graph.get_solver_run_document_ids_all(unsolvable=True, count=None) == sorted(
        {str(r[0]) for r in records if r[5]}
    )
    assert filled_graph.get_solver_run_document_ids_all(unparseable=True, count=None) == sorted(
        {str(r[0]) for r in records if r[6]}
    )
    days = sorted({r[3].date() for r in records})  # type: ignore[attr-defined]
    assert len(days) > 1
    last = days[-1].strftime("%d-%m-%Y")
    midnight = datetime.datetime.combine(days[-1], datetime.time())
    assert filled_graph.get_solver_run_document_ids_all(last, count=None) == sorted(
        {str(r[0]) for r in records if r[3] > midnight}  # type: ignore[operator]
    )
    assert filled_graph.get_solver_run_document_ids_all(None, last, count=None) == sorted(
        {str(r[0]) for r in records if r[3].date() < days[-1]}  # type: ignore[attr-defined]
    )


def test_error_solved_filters_by_package(filled_graph: GraphDatabase) -> None:
    errors = filled_graph.get_error_solved_python_package_versions_all(count=None)
    assert errors
    name, version, url = errors[0]
    assert filled_graph.get_error_solved_python_package_versions_all(name, count=None) == [
        e for e in errors if e[0] == name
    ]
    assert filled_graph.get_error_solved_python_package_versions_count_all(name, version, url) == sum(
        1 for e in errors if e == (name, version, url)
    )
    documents = _rows(
        filled_graph,
        "SELECT s.document_id FROM solved s JOIN python_package_version v ON v.id = s.version_id "
        "WHERE s.error AND v.package_name = :name ORDER BY 1",
        name=name,
    )
    assert filled_graph.get_error_solved_document_id_all(name) == [str(d[0]) for d in documents]
    assert filled_graph.get_error_solved_document_id_all(name, distinct=True) == sorted(
        {str(d[0]) for d in documents}
    )
    everything = filled_graph.get_error_solved_document_id_all(count=1, limit_results=False)
    assert len(everything) == len(_rows(filled_graph, "SELECT 1 FROM solved WHERE error"))


def test_software_environment_counts_follow_the_filters(filled_graph: GraphDatabase) -> None:
    for external, table in ((False, "software_environment"), (True, "external_software_environment")):
        environments = _rows(filled_graph, f"SELECT os_name, python_version FROM {table}")
        assert filled_graph.get_software_environments_count_all(external) == len(environments)
        for os_name, python_version in {(o, p) for o, p in environments if o is not None and p is not None}:
            assert filled_graph.get_software_environments_count_all(
                external, os_name=str(os_name), python_version=str(python_version)
            ) == sum(1 for o, p in environments if (o, p) == (os_name, python_version))
        assert filled_graph.get_software_environments_count_all(external, os_name="no-such-os") == 0
    analysed = filled_graph.get_software_environments_all(count=None)
    package = _rows(
        filled_graph,
        "SELECT p.package_name FROM identified i JOIN python_package_version_entity p "
        "ON p.id = i.python_package_version_entity_id LIMIT 1",
    )[0][0]
    with_package = filled_graph.get_software_environments_all(count=None, package_name=str(package))
    assert with_package and len(with_package) <= len(analysed)
    assert filled_graph.get_software_environments_count_all(package_name=str(package)) == len(
        {(r["environment_name"], r["image_sha"]) for r in with_package}
    )


def test_adviser_run_origins_of_the_runs_pinning_a_package(filled_graph: GraphDatabase) -> None:
    runs = _rows(
        filled_graph,
        "SELECT origin, datetime, user_software_stack_id FROM adviser_run WHERE origin IS NOT NULL",
    )
    assert filled_graph.get_adviser_run_origins_all(count=None) == [
        str(o)
        for o, _when, _stack in sorted(runs, key=lambda r: (r[0], -r[1].timestamp()))  # type: ignore[attr-defined]
    ]
    assert filled_graph.get_adviser_run_origins_all(distinct=True, count=None) == sorted(
        {str(r[0]) for r in runs}
    )
    pinned = _rows(
        filled_graph,
        "SELECT DISTINCT a.origin, e.package_name, e.package_version FROM adviser_run a "
        "JOIN external_python_software_stack s ON s.id = a.user_software_stack_id "
        "JOIN has_external_python_requirement_lock h "
        "ON h.external_python_requirements_locked_id = s.external_python_requirements_lock_id "
        "JOIN python_package_version_entity e ON e.id = h.python_package_version_entity_id WHERE a.origin IS NOT NULL",
    )
    assert pinned  # some real adviser documents with an origin carry a lock
    origin, name, version = pinned[0]
    found = filled_graph.get_adviser_run_origins_all(str(name), str(version), None, 0, None, True)
    assert (
        found == sorted({str(o) for o, n, v in pinned if (n, v) == (name, version)}) and str(origin) in found
    )
    assert filled_graph.get_adviser_run_origins_all("no-such-package", count=None) == []
