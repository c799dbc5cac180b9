"""The create/register/set/update writers and the hardware delete, on a database of their own filled
from the real documents; each test checks the rows through the read queries and restores what it can."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from sqlalchemy import text

from generated import rows
from tests.conftest import connected, filled_template
from thoth_storages import GraphDatabase
from thoth_storages.exceptions import NotFoundError
from thoth_storages.graph.writes import merge_specifiers

PYPI = "https://pypi.example.org/simple"


@pytest.fixture(scope="module")
def graph() -> Iterator[GraphDatabase]:
    with connected(filled_template()) as graph:
        yield graph


def _scalars(graph: GraphDatabase, sql: str, **parameters: object) -> list[object]:
    with graph.engine.connect() as connection:
        return list(connection.execute(text(sql), parameters).scalars())


def test_register_and_switch_an_index(graph: GraphDatabase) -> None:
    url = "https://new.example.org/simple"
    assert graph.register_python_package_index(url, "https://new.example.org/pypi", verify_ssl=False)
    assert not graph.is_python_package_index_enabled(url)
    assert not graph.register_python_package_index(url, None, True, enabled=True, only_if_package_seen=False)
    (record,) = [index for index in graph.get_python_package_index_all() if index["url"] == url]
    assert record == {
        "url": url,
        "warehouse_api_url": None,
        "verify_ssl": True,
        "only_if_package_seen": False,
    }
    assert graph.is_python_package_index_enabled(url)
    graph.set_python_package_index_state(url, enabled=False)
    assert not graph.is_python_package_index_enabled(url)
    assert url not in [index["url"] for index in graph.get_python_package_index_all(enabled=True)]
    with pytest.raises(NotFoundError):
        graph.set_python_package_index_state("https://none.example.org/simple", enabled=True)
    assert graph.delete_python_package_index(url) == 1


def test_entities(graph: GraphDatabase) -> None:
    def versions() -> set[object]:
        return set(
            _scalars(
                graph, "SELECT package_version FROM python_package_version_entity WHERE package_name = 'six'"
            )
        )

    before = versions()
    assert "99.1" not in before and "99.2" not in before
    created = graph.create_python_package_version_entity("Six", "99.1", PYPI)
    assert created is not None and created[1] is False  # (entity, existed), as the original
    entity = created[0]
    assert (entity.package_name, entity.package_version) == ("six", "99.1")
    assert graph.get_index_url_from_id(entity.python_package_index_id) == PYPI
    again = graph.create_python_package_version_entity("six", "99.1", PYPI)
    assert again is not None and again[1] is True and again[0].id == entity.id
    assert not graph.python_package_version_exists("six", "99.1", PYPI)  # an entity is not a solved version
    assert (
        graph.create_python_package_version_entity("never-seen", "1.0", PYPI, only_if_package_seen=True)
        is None
    )
    seen = graph.create_python_package_version_entity("six", "99.2", PYPI, only_if_package_seen=True)
    assert seen is not None and seen[1] is False
    assert versions() == before | {"99.1", "99.2"}


def test_an_entity_on_an_unregistered_index_registers_it_disabled(graph: GraphDatabase) -> None:
    # what 0.74.2 does (run against it): the index is registered disabled, the entity created
    url = "https://unregistered.example.org/simple"
    assert url not in graph.get_python_package_index_urls_all()
    created = graph.create_python_package_version_entity("foo", "1.0", url)
    assert created is not None and created[1] is False
    assert graph.get_index_url_from_id(created[0].python_package_index_id) == url
    assert not graph.is_python_package_index_enabled(url)
    assert url in graph.get_python_package_index_urls_all()


def test_rules_link_exactly_the_covered_entities(graph: GraphDatabase) -> None:
    def linked(rule_id: int) -> set[str]:
        return {
            str(v)
            for v in _scalars(
                graph,
                "SELECT e.package_version FROM python_package_version_entity_rules_association a "
                "JOIN python_package_version_entity e ON e.id = a.python_package_version_entity_id "
                "WHERE a.python_package_version_entity_rule_id = :rule",
                rule=rule_id,
            )
        }

    versions = {
        str(v)
        for v in _scalars(
            graph, "SELECT package_version FROM python_package_version_entity WHERE package_name = 'urllib3'"
        )
    }
    assert len(versions) > 3
    rule = graph.create_python_rule("urllib3", version_specifier=">=1.20", description="broken")
    assert rule == graph.get_python_rule(rule["id"])
    assert rule["version_range"] == ">=1.20" and rule["index_url"] is None
    assert linked(rule["id"]) == {v for v in versions if Version(v) in SpecifierSet(">=1.20")}
    narrowed = graph.create_python_rule("urllib3", version_specifier="<1.26.14", description="broken")
    assert narrowed["id"] == rule["id"] and narrowed["version_range"] == "<1.26.14,>=1.20"
    assert linked(rule["id"]) == {v for v in versions if Version(v) in SpecifierSet(">=1.20,<1.26.14")}
    on_index = graph.create_python_rule("urllib3", index_url=PYPI, description="all of them")
    assert on_index["id"] != rule["id"] and on_index["index_url"] == PYPI
    on_pypi = {
        str(v)
        for v in _scalars(
            graph,
            "SELECT e.package_version FROM python_package_version_entity e JOIN python_package_index i "
            "ON i.id = e.python_package_index_id WHERE e.package_name = 'urllib3' AND i.url = :url",
            url=PYPI,
        )
    }
    assert linked(on_index["id"]) == on_pypi
    # a new entity is linked to the rules covering it when it is created
    graph.create_python_package_version_entity("urllib3", "1.21.1", PYPI)
    assert "1.21.1" in linked(rule["id"]) and "1.21.1" in linked(on_index["id"])
    with pytest.raises(NotFoundError):
        graph.create_python_rule("urllib3", index_url="https://none.example.org/simple")
    assert graph.delete_python_rule(rule["id"]) == 1 and graph.delete_python_rule(on_index["id"]) == 1


def test_merge_specifiers() -> None:
    assert merge_specifiers(None, None) is None
    assert merge_specifiers(">=1", None) == ">=1"
    assert merge_specifiers("<2,>=1", ">=1") == "<2,>=1"


def test_cve_records_and_timestamp(graph: GraphDatabase) -> None:
    assert graph.create_python_cve_record("six", "1.16.0", PYPI, cve_id="CVE-2099-1", details="d", link="l")
    assert not graph.create_python_cve_record("six", "1.16.0", PYPI, cve_id="CVE-2099-1", details="d")
    assert [r["cve_id"] for r in graph.get_python_cve_records_all("six", "1.16.0")] == ["CVE-2099-1"]
    assert graph.get_python_cve_records_all("six", "1.15.0") == []
    first, second = datetime.datetime(2022, 1, 1), datetime.datetime(2022, 2, 1)
    graph.set_cve_timestamp(first)
    graph.set_cve_timestamp(second)
    assert graph.get_cve_timestamp() == second


def test_a_cve_record_creates_its_entity(graph: GraphDatabase) -> None:
    versions = "SELECT package_version FROM python_package_version_entity WHERE package_name = 'six'"
    assert "1.99.0" not in _scalars(graph, versions)
    assert graph.create_python_cve_record("Six", "1.99.0", PYPI, cve_id="CVE-2099-3", details="new")
    assert "1.99.0" in _scalars(graph, versions)
    assert [r["details"] for r in graph.get_python_cve_records_all("six", "1.99.0")] == ["new"]


def test_a_cve_record_on_an_unregistered_index_writes_nothing(graph: GraphDatabase) -> None:
    count = "SELECT (SELECT count(*) FROM python_package_version_entity) + (SELECT count(*) FROM cve)"
    before = _scalars(graph, count)
    with pytest.raises(
        NotFoundError, match=r"no package index 'https://none\.example\.org/simple' is registered"
    ):
        graph.create_python_cve_record(
            "six", "1.16.0", "https://none.example.org/simple", cve_id="CVE-2099-2", details="d"
        )
    assert _scalars(graph, count) == before


def test_the_cve_timestamp_is_one_row(graph: GraphDatabase) -> None:
    for day in (3, 1, 2):
        graph.set_cve_timestamp(datetime.datetime(2023, 1, day))
    assert _scalars(graph, "SELECT timestamp FROM cve_timestamp") == [datetime.datetime(2023, 1, 2)]


def test_version_flags(graph: GraphDatabase) -> None:
    before = _scalars(
        graph,
        "SELECT bool_or(provides_source_distro) FROM python_package_version WHERE package_name = 'click' "
        "AND package_version = '8.1.3'",
    )[0]
    assert graph.update_provides_source_distro_package_version("click", "8.1.3", PYPI, value=not before)
    assert not graph.update_provides_source_distro_package_version("click", "8.1.3", PYPI, value=not before)
    assert graph.update_provides_source_distro_package_version("click", "8.1.3", PYPI, value=bool(before))
    with graph.engine.connect() as connection:
        name, version, digest = connection.execute(
            text(
                "SELECT e.package_name, e.package_version, a.artifact_hash_sha256 FROM python_artifact a "
                "JOIN has_artifact h ON h.python_artifact_id = a.id JOIN python_package_version_entity e "
                "ON e.id = h.python_package_version_entity_id JOIN python_package_index i "
                "ON i.id = e.python_package_index_id WHERE i.url = :url AND a.present ORDER BY a.id LIMIT 1"
            ),
            {"url": PYPI},
        ).one()
    assert graph.update_python_package_hash_present_flag(name, version, PYPI, f"sha256:{digest}")
    assert _scalars(
        graph, "SELECT present FROM python_artifact WHERE artifact_hash_sha256 = :d", d=digest
    ) == [False]
    assert not graph.update_python_package_hash_present_flag(name, version, PYPI, digest)
    assert graph.update_python_package_hash_present_flag(name, version, PYPI, digest, present=True)
    assert not graph.update_python_package_hash_present_flag(
        name, version, "https://none.example.org/simple", digest
    )


@pytest.mark.parametrize("is_external", [False, True])
def test_hardware(graph: GraphDatabase, is_external: bool) -> None:
    before = graph.get_hardware_environments_all(is_external)
    other = graph.get_hardware_environments_all(not is_external)
    hardware: rows.HardwareInformationRow = {"cpu_vendor": 99, "cpu_model_name": "test CPU", "ram_size": 1}
    ident = graph.create_hardware_information(hardware, is_external)
    assert graph.create_hardware_information(hardware, is_external=is_external) == ident
    after = graph.get_hardware_environments_all(is_external)
    assert (
        after[:-1] == before and after[-1]["cpu_model_name"] == "test CPU" and after[-1]["gpu_vendor"] is None
    )
    assert "id" not in after[-1]
    with_ids = graph.get_hardware_environments_all(is_external, without_id=False)
    assert with_ids[-1]["id"] == ident and {k: v for k, v in with_ids[-1].items() if k != "id"} == after[-1]
    assert graph.get_hardware_environments_all(not is_external) == other  # the twin table is untouched
    assert graph.delete_hardware_information(ident, is_external) == 1
    assert graph.delete_hardware_information(ident, is_external) == 0
    assert graph.get_hardware_environments_all(is_external) == before


def test_hardware_is_external_by_default_as_in_the_original(graph: GraphDatabase) -> None:
    internal = graph.get_hardware_environments_all(count=None)
    external = graph.get_hardware_environments_all(True, count=None)
    ident = graph.create_hardware_information({"cpu_vendor": 7, "cpu_model_name": "user CPU"})
    rows = graph.get_hardware_environments_all(True, count=None)
    assert rows[:-1] == external and rows[-1]["cpu_model_name"] == "user CPU"
    assert graph.get_hardware_environments_all(count=None) == internal
    assert graph.delete_hardware_information(ident) == 1
