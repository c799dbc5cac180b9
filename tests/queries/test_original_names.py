"""The public GraphDatabase names against the original's (reference §2.3, listed in original_names.txt).

NOT_YET is the honest list of the original's names not implemented yet; the test fails when one of them
appears (remove it from NOT_YET) and when any other name is missing.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from thoth_storages import GraphDatabase

ORIGINAL = [
    line.strip()
    for line in (Path(__file__).parent / "original_names.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]

NOT_YET = frozenset(
    [
        "analysis_records_exist",
        "construct_connection_string",
        "create_github_app_installation",
        "create_hardware_information",
        "create_python_cve_record",
        "create_python_package_version_entity",
        "create_python_rule",
        "delete_hardware_information",
        "delete_kebechet_github_app_installations",
        "get_active_kebechet_github_installations_repos",
        "get_active_kebechet_github_installations_repos_count_all",
        "get_bloat_data",
        "get_build_software_environment_analyses_all",
        "get_index_bloat_data",
        "get_kebechet_github_app_installations_all",
        "get_kebechet_github_installation_info_with_software_environment_all",
        "get_kebechet_github_installations_active_managers",
        "get_kebechet_github_installations_active_managers_count_all",
        "get_kebechet_github_installations_info_for_python_package_version",
        "get_kebechet_github_installations_software_stack_count_all",
        "get_python_environment_marker_evaluation_result",
        "get_python_package_version_import_packages_all",
        "get_python_package_version_metadata",
        "get_python_package_versions_all_count",
        "get_python_software_stack_count_all",
        "get_run_software_environment_analyses_all",
        "get_software_environments_all",
        "get_unsolved_python_packages_all_per_adviser_run",
        "is_database_corrupted",
        "purge_adviser_documents",
        "purge_package_extract_documents",
        "purge_solver_documents",
        "register_python_package_index",
        "retrieve_dependent_packages",
        "retrieve_transitive_dependencies_python",
        "retrieve_transitive_dependencies_python_multi",
        "set_cve_timestamp",
        "set_python_package_index_state",
        "solver_records_exist",
        "update_kebechet_github_installations_on_is_active",
        "update_kebechet_installation_using_files",
        "update_provides_source_distro_package_version",
        "update_python_package_hash_present_flag",
    ]
)


def test_the_list_is_the_reference_list() -> None:
    assert len(ORIGINAL) == len(set(ORIGINAL)) == 176  # 174 on the class + is_connected, disconnect
    assert set(ORIGINAL) >= NOT_YET


def test_every_implemented_original_name_is_public_and_callable() -> None:
    implemented = [name for name in ORIGINAL if name not in NOT_YET]
    missing = [name for name in implemented if not callable(getattr(GraphDatabase, name, None))]
    assert not missing
    for name in implemented:
        assert (
            inspect.signature(getattr(GraphDatabase, name)).return_annotation is not inspect.Signature.empty
        )


def test_not_yet_is_honest() -> None:
    appeared = sorted(name for name in NOT_YET if hasattr(GraphDatabase, name))
    assert not appeared, f"implemented now, remove from NOT_YET: {appeared}"
