# ruff: noqa: F821
# fmt: off
# Checked by tests/queries/test_reveal_types.py through mypy's API (see reveal_queries.py).
from sqlalchemy import Connection

from generated.queries import analysis, cve, rules, security, solver, symbols
from thoth_storages import GraphDatabase


def check(connection: Connection, graph: GraphDatabase) -> None:
    reveal_type(cve.get_python_cve_records_count(connection))  # expected: int
    reveal_type(cve.get_cve_timestamp(connection))  # expected: datetime.datetime | None
    reveal_type(graph.get_python_cve_records_all("a"))  # expected: list[TypedDict({'cve_id': str, 'details': str, 'link': str | None, 'aggregated_at': datetime.datetime | None})]
    reveal_type(rules.get_python_rule(connection, 1))  # expected: TypedDict(generated.queries.rules.GetPythonRuleRow, {'id': int, 'package_name': str, 'version_range': str | None, 'description': str | None, 'index_url': str | None})
    reveal_type(graph.get_python_package_version_solver_rules_all("a"))  # expected: list[TypedDict({'id': int, 'package_name': str, 'version_range': str | None, 'description': str | None, 'index_url': str | None})]
    reveal_type(symbols.get_thoth_s2i_analyzed_image_symbols_all(connection, "i", "v"))  # expected: list[str]
    reveal_type(graph.get_python_package_required_symbols("a", "1", "u"))  # expected: list[str]
    reveal_type(security.get_si_analyzed_python_package_versions_all(connection))  # expected: list[tuple[str, str | None, str]]
    reveal_type(security.get_si_unanalyzed_python_package_versions_count_all(connection))  # expected: int
    reveal_type(graph.si_aggregated_python_package_version_exists("a", "1", "u"))  # expected: bool
    reveal_type(analysis.get_last_analysis_document_id(connection, "i", "v"))  # expected: str | None
    reveal_type(graph.get_last_analysis_datetime())  # expected: datetime.datetime
    reveal_type(graph.get_rpm_package_version_all("d"))  # expected: list[TypedDict({'package_name': str, 'package_version': str, 'release': str | None, 'epoch': str | None, 'arch': str | None, 'src': bool | None, 'package_identifier': str})]
    reveal_type(graph.get_python_package_version_all("d"))  # expected: list[TypedDict({'package_name': str, 'package_version': str | None, 'location': str})]
    reveal_type(graph.get_thoth_s2i_all(is_external=True))  # expected: list[tuple[str | None, str | None]]
    reveal_type(solver.get_unsolved_python_package_versions_count(connection))  # expected: dict[tuple[str, str, str], int]
    reveal_type(graph.get_unsolved_python_packages_all_versions())  # expected: dict[str, list[tuple[str, str]]]
    reveal_type(graph.get_unsolved_python_package_versions_count_per_index("u"))  # expected: dict[str, dict[tuple[str, str], int]]
    reveal_type(graph.get_solved_python_package_versions_count_per_version("a"))  # expected: dict[str | None, dict[str, int]]
    reveal_type(graph.is_python_package_version_is_missing("a", "1", "u"))  # expected: bool
    reveal_type(graph.get_alembic_version_count_all())  # expected: int
    reveal_type(graph.get_main_table_count())  # expected: dict[str, int]
    reveal_type(graph.get_pi_component_all())  # expected: list[str]
    reveal_type(graph.get_unsolved_python_packages_all_per_adviser_run())  # expected: dict[str, list[str]]
