"""Kebechet installations on a database of their own: the real documents (for stacks and environments)
plus installations the tests create through the writers; the deletes remove them again."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import connected, filled_template
from tests.queries.conftest import real_documents
from thoth_storages import GraphDatabase
from thoth_storages.exceptions import SchemaError

PYPI = "https://pypi.example.org/simple"
ADVISER = next(path for path in real_documents() if path.endswith("/adviser-04ab56d6.json"))


def _stack_and_environment(graph: GraphDatabase) -> tuple[int, int]:
    """The advised stack pinning boto3 1.19.11 and the external environment named test (rhel 8, 3.8)."""
    with graph.engine.connect() as connection:
        stack = connection.execute(
            text(
                "SELECT s.id FROM python_software_stack s JOIN has_python_requirement_lock h "
                "ON h.python_requirements_lock_id = s.python_requirements_lock_id JOIN python_package_version v "
                "ON v.id = h.python_package_version_id WHERE v.package_name = 'boto3' "
                "AND v.package_version = '1.19.11' ORDER BY s.id LIMIT 1"
            )
        ).scalar_one()
        environment = connection.execute(
            text("SELECT id FROM external_software_environment WHERE environment_name = 'test'")
        ).scalar_one()
    return int(stack), int(environment)


@pytest.fixture(scope="module")
def graph() -> Iterator[GraphDatabase]:
    with connected(filled_template()) as graph:
        yield graph


@pytest.fixture
def installations(graph: GraphDatabase) -> Iterator[tuple[int, int]]:
    """Three installations of two repositories; removed afterwards."""
    assert graph.create_github_app_installation("thoth/a", "a", False, "11")
    assert graph.create_github_app_installation("thoth/a", "a", False, "11", runtime_environment_name="test")
    assert graph.create_github_app_installation("thoth/b", "b", True, "12", is_active=False)
    assert not graph.create_github_app_installation("thoth/b", "b", True, "13", is_active=False)
    stack, environment = _stack_and_environment(graph)
    with graph.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE kebechet_github_installations SET info_manager = true, version_manager = slug = 'thoth/b', "
                "advised_python_software_stack_id = :stack, external_software_environment_id = :environment, "
                "last_run = '2022-01-02' WHERE runtime_environment_name IS NOT DISTINCT FROM 'test' OR slug = 'thoth/b'"
            ),
            {"stack": stack, "environment": environment},
        )
    yield stack, environment
    graph.delete_kebechet_github_app_installations()
    assert graph.get_kebechet_github_app_installations_all() == []


def test_installations_and_filters(graph: GraphDatabase, installations: tuple[int, int]) -> None:
    everything = graph.get_kebechet_github_app_installations_all()
    assert [(i["slug"], i["runtime_environment_name"]) for i in everything] == [
        ("thoth/a", None),
        ("thoth/a", "test"),
        ("thoth/b", None),
    ]
    assert everything[2]["installation_id"] == "13" and everything[2]["private"] is True
    assert graph.get_kebechet_github_app_installations_all(slug="thoth/a", is_active=True) == everything[:2]
    assert graph.get_kebechet_github_app_installations_all(info_manager=True) == everything[1:]
    when = datetime.datetime(2022, 1, 1)
    assert graph.get_kebechet_github_app_installations_all(last_run_after=when) == everything[1:]
    assert graph.get_kebechet_github_app_installations_all(last_run_before=when) == []
    assert graph.get_active_kebechet_github_installations_repos() == ["thoth/a"]
    assert graph.get_active_kebechet_github_installations_repos_count_all() == 1


def test_an_existing_installation_gets_the_given_values_and_keeps_the_rest(
    graph: GraphDatabase, installations: tuple[int, int]
) -> None:
    columns = (
        "SELECT repo_name, private, installation_id, is_active, info_manager, advised_python_software_stack_id, "
        "external_software_environment_id FROM kebechet_github_installations WHERE slug = 'thoth/a' "
        "AND runtime_environment_name = 'test'"
    )
    with graph.engine.connect() as connection:
        before = connection.execute(text(columns)).one()
    assert not graph.create_github_app_installation("thoth/a", "a2", True, "21", False, "test")
    with graph.engine.connect() as connection:
        after = connection.execute(text(columns)).one()
    assert tuple(after) == ("a2", True, "21", False, *before[4:]) and before[4] is True
    assert [
        (i["slug"], i["runtime_environment_name"]) for i in graph.get_kebechet_github_app_installations_all()
    ] == [
        ("thoth/a", None),
        ("thoth/a", "test"),
        ("thoth/b", None),
    ]


def test_active_managers(graph: GraphDatabase, installations: tuple[int, int]) -> None:
    assert graph.get_kebechet_github_installations_active_managers("thoth/a", "test") == ["info_manager"]
    assert graph.get_kebechet_github_installations_active_managers("thoth/a") == []  # the unnamed one
    assert graph.get_kebechet_github_installations_active_managers("thoth/b") == []  # not active
    assert graph.get_kebechet_github_installations_active_managers("thoth/none") == []
    assert graph.get_kebechet_github_installations_active_managers_count_all("INFO") == 1
    with pytest.raises(ValueError, match="unknown"):
        graph.get_kebechet_github_installations_active_managers_count_all("no-such")
    graph.update_kebechet_github_installations_on_is_active("thoth/b", True)
    assert graph.get_kebechet_github_installations_active_managers("thoth/b") == [
        "info_manager",
        "version_manager",
    ]
    assert graph.get_kebechet_github_installations_active_managers_count_all("version", distinct=True) == 1
    assert graph.get_kebechet_github_installations_active_managers_count_all("Version_Manager") == 1
    assert graph.get_kebechet_github_installations_active_managers_count_all("INFO_MANAGER") == 2
    assert graph.get_kebechet_github_installations_active_managers_count_all("update_manager") == 0
    with pytest.raises(ValueError, match="known: info_manager, pipfile_requirements_manager"):
        graph.get_kebechet_github_installations_active_managers_count_all("info_managers")
    assert graph.get_active_kebechet_github_installations_repos_count_all() == 2
    assert graph.update_kebechet_github_installations_on_is_active("thoth/b") is True
    assert graph.update_kebechet_github_installations_on_is_active("thoth/b") is False
    assert graph.get_active_kebechet_github_installations_repos() == ["thoth/a"]


def test_stacks_environments_and_package_use(graph: GraphDatabase, installations: tuple[int, int]) -> None:
    assert graph.get_kebechet_github_installations_software_stack_count_all() == 1
    assert graph.get_kebechet_github_installations_software_stack_count_all(is_active=True) == 1
    with_environment = graph.get_kebechet_github_installation_info_with_software_environment_all()
    assert [(e["slug"], e["environment_name"], e["python_version"]) for e in with_environment] == [
        ("thoth/a", "test", "3.8"),
        ("thoth/b", "test", "3.8"),
    ]
    assert (
        graph.get_kebechet_github_installation_info_with_software_environment_all(python_version="3.6") == []
    )
    assert graph.get_kebechet_github_installation_info_with_software_environment_all(cuda_version="11") == []
    uses = graph.get_kebechet_github_installations_info_for_python_package_version("Boto3", "1.19.11", PYPI)
    assert sorted(uses) == ["thoth/a", "thoth/b"]
    assert uses["thoth/a"] == {
        "environment_name": "test",
        "installation_id": "11",
        "private": False,
        "package_name": "boto3",
        "package_version": "1.19.11",
        "index_url": PYPI,
    }
    assert graph.get_kebechet_github_installations_info_for_python_package_version("boto3", "0.0.1") == {}


def test_the_originals_environment_filters(graph: GraphDatabase, installations: tuple[int, int]) -> None:
    _stack, environment = installations
    with graph.engine.connect() as connection:
        sha, kind = connection.execute(
            text("SELECT image_sha, environment_type FROM external_software_environment WHERE id = :id"),
            {"id": environment},
        ).one()
    everything = graph.get_kebechet_github_installation_info_with_software_environment_all()
    assert (
        everything
        and graph.get_kebechet_github_installation_info_with_software_environment_all(environment_type=kind)
        == everything
    )
    other = "BUILDTIME" if kind == "RUNTIME" else "RUNTIME"
    assert (
        graph.get_kebechet_github_installation_info_with_software_environment_all(environment_type=other)
        == []
    )
    if sha is not None:
        assert (
            graph.get_kebechet_github_installation_info_with_software_environment_all(image_sha=sha)
            == everything
        )
    assert (
        graph.get_kebechet_github_installation_info_with_software_environment_all(image_sha="sha256:none")
        == []
    )
    assert (
        graph.get_kebechet_github_installation_info_with_software_environment_all(thoth_image_name="none")
        == []
    )
    assert (
        graph.get_kebechet_github_installation_info_with_software_environment_all(thoth_image_version="0")
        == []
    )
    uses = graph.get_kebechet_github_installations_info_for_python_package_version("boto3", "1.19.11", PYPI)
    with graph.engine.connect() as connection:
        os_name, os_version, python_version = connection.execute(
            text(
                "SELECT os_name, os_version, python_version FROM python_package_version "
                "WHERE package_name = 'boto3' AND package_version = '1.19.11' LIMIT 1"
            )
        ).one()
    assert (
        graph.get_kebechet_github_installations_info_for_python_package_version(
            "boto3", os_name=os_name, os_version=os_version, python_version=python_version
        )
        == uses
    )
    assert (
        graph.get_kebechet_github_installations_info_for_python_package_version("boto3", os_name="nosuch")
        == {}
    )


def test_delete_installations(graph: GraphDatabase, installations: tuple[int, int]) -> None:
    assert graph.delete_kebechet_github_app_installations(slug="thoth/b", is_active=True) == 0
    assert graph.delete_kebechet_github_app_installations(slug="thoth/b") == 1
    assert graph.get_active_kebechet_github_installations_repos() == ["thoth/a"]
    assert len(graph.get_kebechet_github_app_installations_all()) == 2


def test_update_installation_using_files(graph: GraphDatabase) -> None:
    # adviser-04ab56d6 carries a Pipfile (7 packages, 5 dev packages) and its Pipfile.lock.
    project = json.loads(Path(ADVISER).read_text(encoding="utf-8"))["result"]["parameters"]["project"]
    config = {
        "runtime_environments": [
            {
                "name": "upstream",
                "operating_system": {"name": "ubi", "version": "8.3"},
                "python_version": "3.8",
            },
            {
                "name": "downstream",
                "operating_system": {"name": "fedora", "version": "35"},
                "python_version": "3.10",
            },
        ],
        "managers": [{"name": "update"}, {"name": "info"}, {"name": "no-such"}],
    }
    assert graph.create_github_app_installation(
        "thoth/c", "c", True, "20", runtime_environment_name="upstream"
    )
    try:
        written = graph.update_kebechet_installation_using_files(
            "thoth/c", "21", project["requirements"], project["requirements_locked"], config
        )
        assert written == 2
        found = graph.get_kebechet_github_app_installations_all(slug="thoth/c")
        assert [(i["runtime_environment_name"], i["installation_id"], i["private"]) for i in found] == [
            ("downstream", "21", False),
            ("upstream", "21", False),  # private=False unless given, as the original
        ]
        # the original's runtime_environment_name: that environment only; private as given
        assert (
            graph.update_kebechet_installation_using_files(
                "thoth/c", "24", None, None, config, "upstream", True
            )
            == 1
        )
        assert [
            (i["runtime_environment_name"], i["installation_id"], i["private"])
            for i in graph.get_kebechet_github_app_installations_all(slug="thoth/c")
        ] == [("downstream", "21", False), ("upstream", "24", True)]
        with pytest.raises(ValueError, match="no-such-env"):
            graph.update_kebechet_installation_using_files("thoth/c", "25", None, None, config, "no-such-env")
        graph.update_kebechet_installation_using_files(
            "thoth/c", "21", project["requirements"], project["requirements_locked"], config
        )
        found = graph.get_kebechet_github_app_installations_all(slug="thoth/c")
        for installation in found:
            assert installation["update_manager"] and installation["info_manager"]
            assert not installation["version_manager"] and installation["is_active"]
        stacks = {i["external_python_software_stack_id"] for i in found}
        assert len(stacks) == 1 and None not in stacks
        environments = graph.get_kebechet_github_installation_info_with_software_environment_all(
            os_name="ubi"
        )
        assert [
            (e["slug"], e["environment_name"], e["os_version"], e["python_version"]) for e in environments
        ] == [("thoth/c", "upstream", "8", "3.8")]
        # Without a configuration: the unnamed installation, no environment, no managers; no Pipfile: no stack.
        assert graph.update_kebechet_installation_using_files("thoth/c", "22") == 1
        (unnamed,) = [
            i
            for i in graph.get_kebechet_github_app_installations_all(slug="thoth/c")
            if i["runtime_environment_name"] is None
        ]
        assert unnamed["runtime_environment_name"] is None and unnamed["installation_id"] == "22"
        assert unnamed["external_python_software_stack_id"] is None and not unnamed["info_manager"]
        with pytest.raises(SchemaError):
            graph.update_kebechet_installation_using_files(
                "thoth/c", "23", thoth_config={"runtime_environments": 1}
            )
    finally:
        assert graph.delete_kebechet_github_app_installations(slug="thoth/c") == 3
