# ruff: noqa: F821
# fmt: off
# Checked by tests/queries/test_reveal_types.py through mypy's API: each reveal_type must print the type
# in its `# expected:` comment (mypy's spelling).
from sqlalchemy import Connection

from generated.queries import adviser, dependencies, indexes, packages, solver
from thoth_storages import GraphDatabase


def check(connection: Connection, graph: GraphDatabase) -> None:
    reveal_type(packages.get_python_package_versions_all(connection))  # expected: list[tuple[str, str | None, str]]
    reveal_type(packages.get_python_package_versions_count_all(connection))  # expected: int
    reveal_type(packages.python_package_version_exists(connection, "a", "1"))  # expected: bool
    reveal_type(packages.get_python_package_version_records(connection, "a", "1"))  # expected: list[TypedDict(generated.queries.packages.GetPythonPackageVersionRecordsRow, {'package_name': str, 'package_version': str | None, 'index_url': str, 'os_name': str, 'os_version': str, 'python_version': str})]
    reveal_type(packages.get_solved_python_packages_all_versions(connection))  # expected: dict[str, list[tuple[str | None, str]]]
    reveal_type(packages.get_python_package_versions_count(connection))  # expected: dict[tuple[str, str | None, str], int]
    reveal_type(packages.get_python_package_versions_count_per_version(connection, "a"))  # expected: dict[str | None, dict[str, int]]
    reveal_type(packages.get_python_package_version_entities_names_all(connection))  # expected: list[str]
    reveal_type(packages.update_missing_flag_package_version(connection, "a", "1", "u", True))  # expected: bool
    reveal_type(dependencies.get_depends_on(connection, "a"))  # expected: dict[str | None, list[tuple[str, str | None]]]
    reveal_type(dependencies.get_python_environment_marker(connection, "a", "1", "u", dependency_name="b", dependency_version="2", os_name="o", os_version="v", python_version="p"))  # expected: str | None
    reveal_type(solver.get_last_solver_datetime(connection))  # expected: datetime.datetime
    reveal_type(solver.get_unsolved_python_package_versions_all(connection))  # expected: list[tuple[str, str, str]]
    reveal_type(adviser.get_adviser_run_count_per_source_type(connection))  # expected: dict[Literal['CLI'] | Literal['KEBECHET'] | Literal['S2I'] | Literal['GITHUB_APP'] | Literal['JUPYTER_NOTEBOOK'] | None, int]
    reveal_type(graph.get_software_environments_count_all(True, os_name="rhel"))  # expected: int
    reveal_type(indexes.is_python_package_index_enabled(connection, "u"))  # expected: bool
    reveal_type(graph.is_python_package_index_enabled("u"))  # expected: bool
    reveal_type(graph.get_last_solver_datetime())  # expected: datetime.datetime
    reveal_type(graph.has_python_solver_error("a", "1", "u"))  # expected: bool
    reveal_type(graph.get_depends_on("a", extras=frozenset({None})))  # expected: dict[str | None, list[tuple[str, str | None]]]
    reveal_type(graph.stats())  # expected: dict[str, dict[str, TypedDict(thoth_storages.graph.cache.CacheInfo, {'hits': int, 'misses': int, 'maxsize': int | None, 'currsize': int})]]
