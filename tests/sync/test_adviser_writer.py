"""The adviser writer on a real PostgreSQL: real documents, hand-checked row counts, re-sync, failures.

Real documents come from `../shared/data/documents/adviser/` when that folder exists, else from the copies
in `tests/data/documents/adviser/` (THOTH_STORAGES_TEST_DOCUMENTS=copies forces the copies). Documents
made here for one behaviour derive from the one document that exists in both places.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.sync._support import counts
from thoth_storages import GraphDatabase
from thoth_storages.config import DatabaseSettings
from thoth_storages.exceptions import SchemaError
from thoth_storages.graph.row_checks import ColumnValueError
from thoth_storages.graph.writers.stacks import NO_LOCK, set_hash
from thoth_storages.sync import SyncEvent, sync_adviser_documents

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "documents"
COPIES = REPO / "tests" / "data" / "documents"
DOCUMENTS = (
    SHARED if SHARED.is_dir() and os.environ.get("THOTH_STORAGES_TEST_DOCUMENTS") != "copies" else COPIES
)
ADVISER_FILES = sorted((DOCUMENTS / "adviser").glob("*.json"))
BASE_ID = (
    "adviser-220131050913-b7c4ef0fc532ac45"  # in both places: no report (the resolver ran out of memory)
)

Document = dict[str, object]
# Requirement sets and locks: table, hash column, member-link table, its set column, its member column.
_REQUIREMENT = (
    "(SELECT json_build_array(r.name, r.version_range, r.develop, i.url) FROM python_package_requirement AS r "
    "LEFT JOIN python_package_index AS i ON i.id = r.python_package_index_id WHERE r.id = {member})"
)
_ENTITY = (
    "(SELECT json_build_array(e.package_name, e.package_version, i.url) FROM python_package_version_entity AS e "
    "LEFT JOIN python_package_index AS i ON i.id = e.python_package_index_id WHERE e.id = {member})"
)
_VERSION = (
    "(SELECT json_build_array(v.package_name, v.package_version, i.url, v.os_name, v.os_version, "
    "v.python_version) FROM python_package_version AS v "
    "LEFT JOIN python_package_index AS i ON i.id = v.python_package_index_id WHERE v.id = {member})"
)
HASHED_SETS = [
    # (set table, hash column, link table, set column, member column, member's natural key (index as URL))
    (
        "external_python_requirements",
        "requirements_hash",
        "has_external_python_requirement",
        "external_python_requirements_id",
        "python_package_requirement_id",
        _REQUIREMENT,
    ),
    (
        "external_python_requirements_lock",
        "requirements_lock_hash",
        "has_external_python_requirement_lock",
        "external_python_requirements_locked_id",
        "python_package_version_entity_id",
        _ENTITY,
    ),
    (
        "python_requirements",
        "requirements_hash",
        "has_python_requirements",
        "python_requirements_id",
        "python_package_requirement_id",
        _REQUIREMENT,
    ),
    (
        "python_requirements_lock",
        "requirements_lock_hash",
        "has_python_requirement_lock",
        "python_requirements_lock_id",
        "python_package_version_id",
        _VERSION,
    ),
]


def load(document_id: str) -> Document:
    path = DOCUMENTS / "adviser" / f"{document_id}.json"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    document: Document = json.loads(path.read_text())
    return document


def nonzero(table_counts: dict[str, int]) -> dict[str, int]:
    return {name: count for name, count in table_counts.items() if count}


def rows(graph: GraphDatabase, query: str, **parameters: object) -> list[dict[str, object]]:
    with graph.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(text(query), parameters)]


def derived(document_id: str, *, report: object = None, **run_metadata: object) -> Document:
    """The base document under another id, with the given report and run metadata."""
    document = copy.deepcopy(load(BASE_ID))
    metadata = document["metadata"]
    assert isinstance(metadata, dict)
    metadata["document_id"] = document_id
    metadata["arguments"]["thoth-adviser"]["metadata"].update(run_metadata)
    result = document["result"]
    assert isinstance(result, dict)
    result["report"] = report
    return document


def product(score: float, performance: float | None, packages: dict[str, str]) -> dict[str, object]:
    """A report product whose lock pins `packages` (name -> version) from the base document's index."""
    source = {"name": "pypi", "url": "https://pypi.example.org/simple", "verify_ssl": True}
    return {
        "score": score,
        "justification": [{"message": "m", "type": "INFO"}]
        + ([{"performance_score": performance}] if performance is not None else []),
        "project": {
            "requirements": {"packages": dict.fromkeys(packages, "*"), "source": [source]},
            "requirements_locked": {
                "_meta": {"sources": [source]},
                "default": {
                    name: {"version": f"=={version}", "hashes": ["sha256:00"], "index": "pypi"}
                    for name, version in packages.items()
                },
                "develop": {},
            },
        },
    }


@pytest.fixture
def fresh_graph(head_database: DatabaseSettings) -> Iterator[GraphDatabase]:
    graph = GraphDatabase(head_database)
    graph.connect()
    yield graph
    graph.disconnect()


@pytest.mark.parametrize("path", ADVISER_FILES, ids=[path.stem for path in ADVISER_FILES])
def test_every_real_adviser_document_syncs(head_graph: GraphDatabase, path: Path) -> None:
    document = json.loads(path.read_text())
    head_graph.sync_adviser_result(document)
    assert head_graph.adviser_document_id_exist(document["metadata"]["document_id"])


def test_resync_changes_no_table(head_graph: GraphDatabase) -> None:
    documents = [json.loads(path.read_text()) for path in ADVISER_FILES]
    for document in documents:
        head_graph.sync_adviser_result(document)
    before = counts(head_graph)
    for document in documents:
        assert not head_graph.sync_adviser_result(document).inserted
    assert counts(head_graph) == before


def test_counts_of_a_document_without_report(fresh_graph: GraphDatabase) -> None:
    # adviser-220131050913-b7c4ef0fc532ac45, read by hand:
    # * runtime_environment: hardware all null -> 1 external_hardware_information; name ps-cv-tensorflow,
    #   ubi 8 (stored rhel 8), Python 3.8, RUNTIME -> 1 external_software_environment;
    # * Pipfile: 6 [packages] (jupyter-tensorboard, keras, opencv-python, pillow, tensorboard,
    #   tensorflow>=2.0.0), no [dev-packages], none names an index -> 6 python_package_requirement,
    #   1 external_python_requirements with 6 has_external_python_requirement, no python_package_index;
    # * requirements_locked null -> the "no lock" lock: 1 external_python_requirements_lock, no members;
    # * 1 external_python_software_stack and 1 adviser_run; report null -> nothing else.
    fresh_graph.sync_adviser_result(load(BASE_ID))
    assert nonzero(counts(fresh_graph)) == {
        "adviser_run": 1,
        "external_hardware_information": 1,
        "external_python_requirements": 1,
        "external_python_requirements_lock": 1,
        "external_python_software_stack": 1,
        "external_software_environment": 1,
        "has_external_python_requirement": 6,
        "python_package_requirement": 6,
    }
    (run,) = rows(fresh_graph, "SELECT * FROM adviser_run")
    assert (
        run
        | {
            "datetime": datetime.datetime(2022, 1, 31, 5, 15, 49, 969966),
            "adviser_name": "thoth-adviser",
            "adviser_version": "0.50.0",
            "count": 1,
            "limit": 1,
            "limit_latest_versions": -1,
            "recommendation_type": "LATEST",
            "requirements_format": "PIPENV",
            "origin": "https://github.com/thoth-station/ps-cv",
            "source_type": None,
            "is_s2i": None,
            "re_run_adviser_id": None,
            "adviser_error": True,
            "need_re_run": False,
            "debug": False,
            "duration": 376,
            "advised_configuration_changes": False,
            "additional_stack_info": False,
            "external_build_software_environment_id": None,
        }
        == run
    )
    (environment,) = rows(fresh_graph, "SELECT * FROM external_software_environment")
    assert (
        environment
        | {
            "os_name": "rhel",
            "os_version": "8",
            "python_version": "3.8",
            "environment_name": "ps-cv-tensorflow",
            "environment_type": "RUNTIME",
        }
        == environment
    )
    (lock,) = rows(fresh_graph, "SELECT requirements_lock_hash FROM external_python_requirements_lock")
    assert lock["requirements_lock_hash"] == set_hash(NO_LOCK)


def test_counts_of_a_document_with_an_advised_stack(fresh_graph: GraphDatabase) -> None:
    # adviser-22a89155 (only in ../shared), read by hand:
    # * runtime_environment: cpu_family 6, cpu_model 142 -> 1 external_hardware_information; ubi:8,
    #   ubi 8 (rhel 8), Python 3.6 -> 1 external_software_environment;
    # * Pipfile: tensorflow "<1.9" from index "pypi-org" = https://pypi.example.org/simple ->
    #   1 python_package_index, 1 python_package_requirement, 1 external_python_requirements (+1 edge);
    # * Pipfile.lock: 14 `default` entries (absl-py ... wheel), all from pypi-org, `develop` empty ->
    #   14 python_package_version_entity, 1 external_python_requirements_lock (+14 edges to entities);
    # * 1 external_python_software_stack, 1 adviser_run (report without _ERROR_DETAILS: need_re_run false);
    # * report.products: 1 product, score -0.2, no performance_score, same Pipfile (same requirement row:
    #   1 python_requirements +1 edge) and the same 14 pins -> 14 python_package_version in rhel 8 / 3.6
    #   for the same 14 entities, 1 python_requirements_lock (+14 edges), 1 ADVISED python_software_stack,
    #   1 advised edge; no unresolved packages, source type absent -> no Kebechet update.
    fresh_graph.sync_adviser_result(load("adviser-22a89155"))
    assert nonzero(counts(fresh_graph)) == {
        "adviser_run": 1,
        "advised": 1,
        "external_hardware_information": 1,
        "external_python_requirements": 1,
        "external_python_requirements_lock": 1,
        "external_python_software_stack": 1,
        "external_software_environment": 1,
        "has_external_python_requirement": 1,
        "has_external_python_requirement_lock": 14,
        "has_python_requirement_lock": 14,
        "has_python_requirements": 1,
        "python_package_index": 1,
        "python_package_requirement": 1,
        "python_package_version": 14,
        "python_package_version_entity": 14,
        "python_requirements": 1,
        "python_requirements_lock": 1,
        "python_software_stack": 1,
    }
    (stack,) = rows(fresh_graph, "SELECT * FROM python_software_stack")
    assert (
        stack | {"software_stack_type": "ADVISED", "performance_score": None, "overall_score": -0.2} == stack
    )
    (run,) = rows(fresh_graph, "SELECT * FROM adviser_run")
    expected_run = {
        "recommendation_type": "STABLE",
        "is_s2i": False,
        "limit": 1000,
        "limit_latest_versions": 9999999,
    }
    assert run | expected_run == run
    assert rows(
        fresh_graph,
        "SELECT DISTINCT os_name, os_version, python_version, is_missing FROM python_package_version",
    ) == [{"os_name": "rhel", "os_version": "8", "python_version": "3.6", "is_missing": False}]
    (requirement,) = rows(fresh_graph, "SELECT * FROM python_package_requirement")
    assert requirement | {"name": "tensorflow", "version_range": "<1.9", "develop": False} == requirement
    (index,) = rows(fresh_graph, "SELECT * FROM python_package_index")
    assert index["url"] == "https://pypi.example.org/simple" and index["enabled"] is False


def test_requirement_and_lock_hashes_are_sha256_of_member_natural_keys(head_graph: GraphDatabase) -> None:
    # Natural keys, not ids: the same set gets the same hash in every database, whatever the order in
    # which documents arrived (ids depend on it).
    for document_id in ("adviser-22a89155", BASE_ID):
        if (DOCUMENTS / "adviser" / f"{document_id}.json").exists():
            head_graph.sync_adviser_result(load(document_id))
    for table, hash_column, link_table, set_column, member_column, member_key in HASHED_SETS:
        members: dict[object, list[tuple[object, ...]]] = {}
        key = member_key.format(member=f"l.{member_column}")
        for link in rows(head_graph, f"SELECT l.{set_column} AS s, {key} AS m FROM {link_table} AS l"):
            assert isinstance(link["m"], list), (table, link)
            members.setdefault(link["s"], []).append(tuple(link["m"]))
        hashed = rows(head_graph, f"SELECT id, {hash_column} AS hash FROM {table}")
        assert hashed, table
        for row in hashed:
            found = members.get(row["id"], [])
            no_lock = table == "external_python_requirements_lock" and not found
            assert row["hash"] == set_hash(NO_LOCK if no_lock else found), table


def test_unresolved_packages_and_a_re_run_that_resolves_them(head_graph: GraphDatabase) -> None:
    head_graph.sync_adviser_result(
        derived(
            "adviser-test-unresolved",
            report={"ERROR": "x", "_ERROR_DETAILS": {"unresolved": ["Black", "thoth_common"]}},
        )
    )
    query = "SELECT need_re_run, re_run_adviser_id FROM adviser_run WHERE adviser_document_id = :i"
    assert rows(head_graph, query, i="adviser-test-unresolved") == [
        {"need_re_run": True, "re_run_adviser_id": None}
    ]
    unresolved = rows(
        head_graph,
        "SELECT e.package_name, e.package_version, e.python_package_index_id FROM has_unresolved AS u "
        "JOIN adviser_run AS r ON r.id = u.adviser_run_id "
        "JOIN python_package_version_entity AS e ON e.id = u.python_package_version_entity_id "
        "WHERE r.adviser_document_id = 'adviser-test-unresolved' ORDER BY 1",
    )
    assert unresolved == [
        {"package_name": "black", "package_version": None, "python_package_index_id": None},
        {"package_name": "thoth-common", "package_version": None, "python_package_index_id": None},
    ]
    # A re-run that still fails to resolve keeps the flag on both runs.
    head_graph.sync_adviser_result(
        derived(
            "adviser-test-rerun-1",
            report={"_ERROR_DETAILS": {"unresolved": ["black"]}},
            re_run_adviser_id="adviser-test-unresolved",
        )
    )
    assert rows(head_graph, query, i="adviser-test-unresolved")[0]["need_re_run"] is True
    assert rows(head_graph, query, i="adviser-test-rerun-1") == [
        {"need_re_run": True, "re_run_adviser_id": "adviser-test-unresolved"}
    ]
    # A re-run that resolves everything clears the flag of the run it re-ran.
    head_graph.sync_adviser_result(
        derived("adviser-test-rerun-2", report={"products": []}, re_run_adviser_id="adviser-test-unresolved")
    )
    assert rows(head_graph, query, i="adviser-test-unresolved")[0]["need_re_run"] is False
    assert rows(head_graph, query, i="adviser-test-rerun-2")[0]["need_re_run"] is False


def test_source_type_outside_the_enum_is_stored_as_null(head_graph: GraphDatabase) -> None:
    head_graph.sync_adviser_result(derived("adviser-test-source-1", source_type="thamos-cli"))
    head_graph.sync_adviser_result(derived("adviser-test-source-2", source_type="github_app"))
    query = "SELECT adviser_document_id, source_type FROM adviser_run WHERE adviser_document_id LIKE 'adviser-test-source-%' ORDER BY 1"
    assert [row["source_type"] for row in rows(head_graph, query)] == [None, "GITHUB_APP"]


def test_kebechet_installation_records_the_newest_advise(head_graph: GraphDatabase) -> None:
    with head_graph.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO kebechet_github_installations (slug, repo_name, private, installation_id, is_active, "
                "runtime_environment_name) VALUES ('thoth-station/ps-cv', 'ps-cv', false, '42', true, 'ps-cv-tensorflow'), "
                "('thoth-station/ps-cv', 'ps-cv', false, '42', true, 'other-environment')"
            )
        )
    newer = derived(
        "adviser-test-kebechet-new",
        report={"products": [product(0.5, 0.25, {"six": "1.16.0", "Flask": "2.0.1"})]},
        source_type="KEBECHET",
    )
    head_graph.sync_adviser_result(newer)
    older = derived(
        "adviser-test-kebechet-old",
        report={"products": [product(0.1, None, {"six": "1.15.0"})]},
        source_type="KEBECHET",
    )
    older["metadata"]["datetime"] = "2022-01-30T00:00:00"  # type: ignore[index]
    head_graph.sync_adviser_result(older)
    installations = rows(
        head_graph,
        "SELECT runtime_environment_name, last_run, thoth_advise_manager, advised_python_software_stack_id "
        "FROM kebechet_github_installations ORDER BY 1",
    )
    advised = rows(
        head_graph,
        "SELECT a.python_software_stack_id, s.performance_score, s.overall_score FROM advised AS a "
        "JOIN adviser_run AS r ON r.id = a.adviser_run_id JOIN python_software_stack AS s ON s.id = a.python_software_stack_id "
        "WHERE r.adviser_document_id = 'adviser-test-kebechet-new'",
    )
    assert [(row["performance_score"], row["overall_score"]) for row in advised] == [(0.25, 0.5)]
    assert installations == [
        {
            "runtime_environment_name": "other-environment",
            "last_run": None,
            "thoth_advise_manager": False,
            "advised_python_software_stack_id": None,
        },
        {
            "runtime_environment_name": "ps-cv-tensorflow",
            "last_run": datetime.datetime(2022, 1, 31, 5, 15, 49, 969966),
            "thoth_advise_manager": True,
            "advised_python_software_stack_id": advised[0]["python_software_stack_id"],
        },
    ]
    versions = rows(
        head_graph,
        "SELECT package_name, package_version, os_name, os_version, python_version FROM python_package_version "
        "WHERE package_name IN ('six', 'flask') AND os_version = '8' AND python_version = '3.8' ORDER BY 1, 2",
    )
    assert [(v["package_name"], v["package_version"]) for v in versions] == [
        ("flask", "2.0.1"),
        ("six", "1.15.0"),
        ("six", "1.16.0"),
    ]


def test_a_document_missing_a_required_key_writes_nothing(head_graph: GraphDatabase) -> None:
    document = derived("adviser-test-broken-key")
    del document["result"]["parameters"]["count"]  # type: ignore[index]
    before = counts(head_graph)
    with pytest.raises(SchemaError, match=r"\$\.result\.parameters\.count"):
        head_graph.sync_adviser_result(document)
    assert counts(head_graph) == before


def test_a_constraint_violation_rolls_the_whole_document_back(head_graph: GraphDatabase) -> None:
    # New requirement rows, entities and versions are written before adviser_run, whose enum column's
    # check (generated/constraints.py) refuses the value before its statement is sent.
    document = derived(
        "adviser-test-broken-enum", report={"products": [product(1.0, None, {"never-seen-package": "1.0"})]}
    )
    document["result"]["parameters"]["recommendation_type"] = "fastest"  # type: ignore[index]
    document["result"]["parameters"]["project"]["requirements"]["packages"] = {"never-seen-requirement": "*"}  # type: ignore[index]
    before = counts(head_graph)
    with pytest.raises(ColumnValueError, match=r"^adviser_run\.recommendation_type: 'FASTEST' is not one of"):
        head_graph.sync_adviser_result(document)
    assert counts(head_graph) == before
    assert not head_graph.adviser_document_id_exist("adviser-test-broken-enum")


def test_a_graceful_sync_reports_a_constraint_violation_and_goes_on(
    head_graph: GraphDatabase, tmp_path: Path
) -> None:
    document = derived("adviser-test-broken-enum-2", report=None)
    document["result"]["parameters"]["recommendation_type"] = "fastest"  # type: ignore[index]
    path = tmp_path / "adviser-test-broken-enum-2.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    events: list[SyncEvent] = []
    stats = sync_adviser_documents(
        [str(path)], graceful=True, graph=head_graph, is_local=True, on_event=events.append
    )
    assert stats == (1, 0, 0, 1)
    assert events[0].outcome == "failed" and "recommendation_type" in (events[0].error or "")
    assert not head_graph.adviser_document_id_exist("adviser-test-broken-enum-2")


def test_an_unpinned_lock_entry_is_refused(head_graph: GraphDatabase) -> None:
    broken = product(1.0, None, {"never-seen-package": "1.0"})
    broken["project"]["requirements_locked"]["default"]["never-seen-package"]["version"] = ">=1.0"  # type: ignore[index]
    before = counts(head_graph)
    with pytest.raises(
        SchemaError, match=r"products\[0\]\.project\.requirements_locked\.default\['never-seen-package'\]"
    ):
        head_graph.sync_adviser_result(derived("adviser-test-broken-lock", report={"products": [broken]}))
    assert counts(head_graph) == before


def test_advised_stacks_need_a_known_environment(head_graph: GraphDatabase) -> None:
    document = derived("adviser-test-no-os", report={"products": [product(1.0, None, {"six": "1.16.0"})]})
    document["result"]["parameters"]["project"]["runtime_environment"]["operating_system"] = None  # type: ignore[index]
    before = counts(head_graph)
    with pytest.raises(SchemaError, match="runtime_environment"):
        head_graph.sync_adviser_result(document)
    assert counts(head_graph) == before
