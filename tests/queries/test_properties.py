"""Consistency properties of the generated queries on the database filled from the real documents."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence

import pytest
from sqlalchemy import text

from thoth_storages import GraphDatabase

# `_count_all` -> the `_all` listing it counts (same filters, no pagination).
COUNTED = [
    ("get_python_package_versions_count_all", "get_python_package_versions_all"),
    ("get_solved_python_package_versions_count_all", "get_solved_python_package_versions_all"),
    # not get_python_packages_count_all nor get_solved_python_packages_count_all: as in the original they
    # count (name, version, index) of the
    # (name, index) pairs get_python_packages_all lists (tests/queries/test_original_parameters.py)
    ("get_python_package_version_names_count_all", "get_python_package_version_names_all"),
    ("get_error_solved_python_package_versions_count_all", "get_error_solved_python_package_versions_all"),
    ("get_unsolved_python_package_versions_count_all", "get_unsolved_python_package_versions_all"),
    ("get_solver_documents_count_all", "get_solver_run_document_ids_all"),
]
PAGED = [
    "get_python_package_versions_all",
    "get_solved_python_packages_all",
    "get_python_packages_all",
    "get_python_package_version_entities_names_all",
    "get_python_package_version_names_all",
    "get_solver_run_document_ids_all",
    "get_error_solved_python_package_versions_all",
    "get_adviser_run_origins_all",
    "get_adviser_run_document_ids_all",
    "get_run_software_environment_all",
    "get_hardware_environments_all",
]


def _call(graph: GraphDatabase, name: str, **kwargs: object) -> object:
    method: Callable[..., object] = getattr(graph, name)
    return method(**kwargs)


def _takes_distinct(lister: str) -> bool:
    return "distinct" in inspect.signature(getattr(GraphDatabase, lister)).parameters


CASES = [
    (counter, lister, distinct)
    for counter, lister in COUNTED
    for distinct in (False, True)
    if not distinct or _takes_distinct(lister)
]


@pytest.mark.parametrize(("counter", "lister", "distinct"), CASES)
def test_count_all_is_the_length_of_the_unpaginated_listing(
    filled_graph: GraphDatabase, counter: str, lister: str, distinct: bool
) -> None:
    listed = _call(filled_graph, lister, count=None, **({"distinct": True} if distinct else {}))
    assert isinstance(listed, list)
    assert _call(filled_graph, counter, **({"distinct": True} if distinct else {})) == len(listed)


def test_counts_are_not_trivially_zero(filled_graph: GraphDatabase) -> None:
    assert filled_graph.get_python_package_versions_count_all() > 50
    assert filled_graph.get_python_packages_count_all() > filled_graph.get_python_packages_count_all(
        distinct=True
    )


@pytest.mark.parametrize("lister", PAGED)
@pytest.mark.parametrize("page", [1, 7, 100])
def test_pages_reassemble_the_full_listing(filled_graph: GraphDatabase, lister: str, page: int) -> None:
    full = _call(filled_graph, lister, count=None)
    assert isinstance(full, list) and full
    pages: list[object] = []
    offset = 0
    while True:
        chunk = _call(filled_graph, lister, start_offset=offset, count=page)
        assert isinstance(chunk, list) and len(chunk) <= page
        pages.extend(chunk)
        if len(chunk) < page:
            break
        offset += page
    assert pages == full


def test_default_page_is_100(filled_graph: GraphDatabase) -> None:
    assert len(filled_graph.get_python_package_version_entities_names_all()) == GraphDatabase.DEFAULT_COUNT


def test_exists_agrees_with_the_lookups(filled_graph: GraphDatabase) -> None:
    versions = filled_graph.get_python_package_versions_all(count=None, distinct=True)
    for name, version, url in versions:
        assert version is not None
        assert filled_graph.python_package_version_exists(name, version, url)
        assert filled_graph.get_python_package_version_records(name, version, url)
        assert filled_graph.python_package_exists(name)
    assert not filled_graph.python_package_version_exists("no-such-package", "1.0.0")
    assert not filled_graph.python_package_exists("no-such-package")
    names = {name for name, _url in filled_graph.get_python_packages_all(count=None)}
    assert all(filled_graph.python_package_exists(name) for name in sorted(names)[:50])


def test_groupings_agree_with_the_flat_listings(filled_graph: GraphDatabase) -> None:
    flat = filled_graph.get_solved_python_package_versions_all(count=None)
    grouped = filled_graph.get_solved_python_packages_all_versions(count=None)
    assert sorted((name, v, u) for name, pairs in grouped.items() for v, u in pairs) == sorted(flat)
    counted = filled_graph.get_python_package_versions_count()
    assert sum(counted.values()) == len(flat)
    assert set(counted) == set(flat)
    for url in filled_graph.get_python_package_index_urls_all():
        per_index = filled_graph.get_python_package_versions_per_index(url)  # {url: one name per version}
        assert sorted(per_index[url]) == sorted(n for n, _v, u in flat if u == url)
        counts = filled_graph.get_python_package_versions_count_per_index(url)
        assert sum(counts[url].values()) == len(per_index[url])


def test_os_filters_partition_the_listing(filled_graph: GraphDatabase) -> None:
    full = filled_graph.get_python_package_versions_all(count=None)
    # The rows are debian 12, fedora 31 and rhel 8 (adviser/inspection stacks). Names are lower-cased,
    # "ubi" is stored as "rhel" and RHEL versions by their major part ("8.3" -> "8").
    debian = filled_graph.get_python_package_versions_all(count=None, os_name="Debian", os_version="12")
    fedora = filled_graph.get_python_package_versions_all(count=None, os_name="fedora", python_version="3.7")
    rhel = filled_graph.get_python_package_versions_all(count=None, os_name="UBI", os_version="8.3")
    assert debian and fedora and rhel and sorted(debian + fedora + rhel) == sorted(full)


def test_depends_on_extras_filter(filled_graph: GraphDatabase) -> None:
    name, version, url = next(
        row
        for row in filled_graph.get_python_package_versions_all(count=None)
        if len(filled_graph.get_depends_on(*row)) > 1
    )
    every = filled_graph.get_depends_on(name, version, url)
    assert None in every
    only_plain = filled_graph.get_depends_on(name, version, url, extras=frozenset({None}))
    assert only_plain == {None: every[None]}
    dependents = {
        (row["package_name"], row["package_version"])
        for dependency, _v in every[None][:3]
        for row in filled_graph.get_python_package_version_dependents_all(dependency, count=None)
    }
    assert (name, version) in dependents


def test_table_counts_match_the_catalog(filled_graph: GraphDatabase) -> None:
    counts = {
        **filled_graph.get_main_table_count(),
        **filled_graph.get_relation_table_count(),
        **filled_graph.get_performance_table_count(),
    }
    with filled_graph.engine.connect() as connection:
        for name in ("python_package_version", "depends_on", "pi_matmul"):
            assert counts[name] == connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
    assert "depends_on" in filled_graph.get_relation_table_count()
    assert filled_graph.get_database_size() > 1_000_000
    components = filled_graph.get_pi_component_all()
    assert components and sum(filled_graph.get_pi_count(components[0]).values()) > 0


def test_update_reports_change_and_is_visible(filled_graph: GraphDatabase) -> None:
    name, version, url = filled_graph.get_python_package_versions_all(count=1)[0]
    assert version is not None
    try:
        assert filled_graph.update_missing_flag_package_version(name, version, url, True)
        assert (name, version, url) in filled_graph.get_python_package_versions_all(
            count=None, is_missing=True
        )
    finally:
        filled_graph.update_missing_flag_package_version(name, version, url, False)
    assert not filled_graph.get_python_package_versions_all(count=None, is_missing=True)
    assert not filled_graph.update_missing_flag_package_version("no-such-package", "1", url, True)


def _sorted(rows: Sequence[object]) -> list[str]:
    return sorted(map(repr, rows))
