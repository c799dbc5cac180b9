"""The provenance-checker writer on a real PostgreSQL, with hand-made documents.

There is no real provenance-checker document, so the documents here are built from what the original
sync reads (reference §3.1): the checked Pipfile and Pipfile.lock, the run metadata, and the
`MISSING-PACKAGE` report entries (package_name, package_version, source.url).
"""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.sync._support import counts
from thoth_storages import GraphDatabase
from thoth_storages.config import DatabaseSettings
from thoth_storages.exceptions import SchemaError

PYPI = "https://pypi.example.org/simple"
INTERNAL = "https://internal.example.com/simple"
REPO = Path(__file__).resolve().parents[2]
ADVISER_COPY = (
    REPO / "tests" / "data" / "documents" / "adviser" / "adviser-220131050913-b7c4ef0fc532ac45.json"
)


def envelope(document_id: str, arguments: dict[str, object]) -> dict[str, object]:
    """The metadata every workflow document carries."""
    return {
        "analyzer": "thoth-adviser",
        "analyzer_version": "0.21.1",
        "arguments": arguments,
        "datetime": "2021-03-02T10:15:00.123456",
        "distribution": {
            "codename": "Ootpa",
            "id": "rhel",
            "like": "fedora",
            "version": "8.3",
            "version_parts": {"build_number": "", "major": "8", "minor": "3"},
        },
        "document_id": document_id,
        "duration": 12,
        "hostname": f"{document_id}-pod",
        "os_release": {
            "id": "rhel",
            "name": "Red Hat Enterprise Linux",
            "version": "8.3 (Ootpa)",
            "version_id": "8.3",
        },
        "python": {
            "api_version": 1013,
            "implementation_name": "cpython",
            "major": 3,
            "micro": 3,
            "minor": 8,
            "releaselevel": "final",
            "serial": 0,
        },
        "thoth_deployment_name": "ocp4-stage",
        "timestamp": 1614680100,
    }


def document(document_id: str = "provenance-checker-5a3f2c1d") -> dict[str, object]:
    sources = [
        {"name": "pypi", "url": PYPI, "verify_ssl": True},
        {"name": "internal", "url": INTERNAL, "verify_ssl": True},
    ]

    def pin(version: str, index: str | None = "pypi") -> dict[str, object]:
        entry: dict[str, object] = {"version": f"=={version}", "hashes": [f"sha256:{version}"]}
        if index:
            entry["index"] = index
        return entry

    return {
        "metadata": envelope(
            document_id,
            {
                "thoth-adviser": {
                    "verbose": True,
                    "metadata": {"origin": "https://github.com/thoth-station/example"},
                }
            },
        ),
        "result": {
            "error": True,
            "error_msg": "Provenance check failed",
            "parameters": {
                "project": {
                    "requirements": {
                        "packages": {"flask": "*", "Requests": {"version": ">=2.0", "index": "pypi"}},
                        "dev-packages": {"pytest": "*"},
                        "source": sources,
                    },
                    "requirements_locked": {
                        "_meta": {"sources": sources, "requires": {"python_version": "3.8"}},
                        "default": {
                            "flask": pin("2.0.1"),
                            "requests": pin("2.25.1"),
                            "werkzeug": pin("2.0.1", None),
                            "click": pin("8.0.1"),
                        },
                        "develop": {"pytest": pin("6.2.4")},
                    },
                }
            },
            "report": [
                {
                    "id": "MISSING-PACKAGE",
                    "package_name": "Werkzeug",
                    "package_version": "==2.0.1",
                    "source": {"name": "internal", "url": INTERNAL, "verify_ssl": True},
                },
                {
                    "id": "ARTIFACT-DIFFERENT",
                    "package_name": "click",
                    "package_version": "==8.0.1",
                    "source": sources[0],
                },
                {
                    "id": "MISSING-PACKAGE",
                    "package_name": "itsdangerous",
                    "package_version": "==2.0.1",
                    "source": {"url": PYPI},
                },
            ],
        },
    }


def rows(graph: GraphDatabase, query: str) -> list[dict[str, object]]:
    with graph.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(text(query))]


@pytest.fixture
def fresh_graph(head_database: DatabaseSettings) -> Iterator[GraphDatabase]:
    graph = GraphDatabase(head_database)
    graph.connect()
    yield graph
    graph.disconnect()


def test_counts_of_the_hand_made_document(fresh_graph: GraphDatabase) -> None:
    # Read off `document()`:
    # * Pipfile: flask "*", Requests ">=2.0" from index pypi, [dev-packages] pytest "*" ->
    #   3 python_package_requirement, 1 external_python_requirements (+3 edges);
    # * Pipfile.lock: default flask, requests, click (pypi) and werkzeug (no index), develop pytest (pypi)
    #   -> 5 python_package_version_entity, 1 external_python_requirements_lock (+5 edges to entities);
    # * 1 external_python_software_stack, 1 provenance_checker_run;
    # * report: 2 MISSING-PACKAGE entries -> werkzeug 2.0.1 from the internal index (a new entity: the
    #   locked one has no index) and itsdangerous 2.0.1 from pypi -> 7 entities; the ARTIFACT-DIFFERENT
    #   entry is not synced;
    # * indexes: pypi (Pipfile and lock) and internal (report) -> 2 python_package_index.
    fresh_graph.sync_provenance_checker_result(document())
    assert {name: count for name, count in counts(fresh_graph).items() if count} == {
        "external_python_requirements": 1,
        "external_python_requirements_lock": 1,
        "external_python_software_stack": 1,
        "has_external_python_requirement": 3,
        "has_external_python_requirement_lock": 5,
        "provenance_checker_run": 1,
        "python_package_index": 2,
        "python_package_requirement": 3,
        "python_package_version_entity": 7,
    }
    (run,) = rows(fresh_graph, "SELECT * FROM provenance_checker_run")
    assert run["provenance_checker_document_id"] == "provenance-checker-5a3f2c1d"
    assert run["datetime"] == datetime.datetime(2021, 3, 2, 10, 15, 0, 123456)
    assert (run["provenance_checker_name"], run["provenance_checker_version"]) == ("thoth-adviser", "0.21.1")
    assert (run["origin"], run["debug"], run["provenance_checker_error"], run["duration"]) == (
        "https://github.com/thoth-station/example",
        True,
        True,
        12,
    )
    assert rows(
        fresh_graph,
        "SELECT r.name, r.version_range, r.develop, i.url FROM python_package_requirement AS r "
        "LEFT JOIN python_package_index AS i ON i.id = r.python_package_index_id ORDER BY 1",
    ) == [
        {"name": "flask", "version_range": "*", "develop": False, "url": None},
        {"name": "pytest", "version_range": "*", "develop": True, "url": None},
        {"name": "requests", "version_range": ">=2.0", "develop": False, "url": PYPI},
    ]
    assert rows(
        fresh_graph,
        "SELECT e.package_name, e.package_version, i.url FROM python_package_version_entity AS e "
        "LEFT JOIN python_package_index AS i ON i.id = e.python_package_index_id "
        "WHERE e.package_name IN ('werkzeug', 'itsdangerous') ORDER BY 1, 3",
    ) == [
        {"package_name": "itsdangerous", "package_version": "2.0.1", "url": PYPI},
        {"package_name": "werkzeug", "package_version": "2.0.1", "url": INTERNAL},
        {"package_name": "werkzeug", "package_version": "2.0.1", "url": None},
    ]
    assert {row["enabled"] for row in rows(fresh_graph, "SELECT enabled FROM python_package_index")} == {
        False
    }


def test_resync_changes_no_table(head_graph: GraphDatabase) -> None:
    head_graph.sync_provenance_checker_result(document())
    before = counts(head_graph)
    assert not head_graph.sync_provenance_checker_result(document()).inserted
    assert counts(head_graph) == before
    assert head_graph.provenance_checker_document_id_exist("provenance-checker-5a3f2c1d")


def test_a_user_stack_is_shared_with_the_adviser(head_graph: GraphDatabase) -> None:
    # A provenance check of the stack an adviser document was given lands on the same user stack.
    adviser = json.loads(ADVISER_COPY.read_text())
    checked = document("provenance-checker-same-stack")
    checked["result"]["parameters"]["project"] = copy.deepcopy(adviser["result"]["parameters"]["project"])  # type: ignore[index]
    head_graph.sync_provenance_checker_result(checked)
    stacks = counts(head_graph)["external_python_software_stack"]
    head_graph.sync_adviser_result(adviser)
    assert counts(head_graph)["external_python_software_stack"] == stacks
    assert rows(
        head_graph,
        "SELECT count(DISTINCT s) AS n FROM (SELECT user_software_stack_id AS s FROM provenance_checker_run "
        "WHERE provenance_checker_document_id = 'provenance-checker-same-stack' UNION ALL "
        "SELECT user_software_stack_id FROM adviser_run WHERE adviser_document_id = "
        "'adviser-220131050913-b7c4ef0fc532ac45') AS both_runs",
    ) == [{"n": 1}]


def test_a_document_missing_a_required_key_writes_nothing(head_graph: GraphDatabase) -> None:
    broken = document("provenance-checker-broken-key")
    del broken["result"]["error"]  # type: ignore[attr-defined]
    before = counts(head_graph)
    with pytest.raises(SchemaError, match=r"\$\.result\.error"):
        head_graph.sync_provenance_checker_result(broken)
    assert counts(head_graph) == before


def test_a_missing_package_without_a_name_rolls_the_document_back(head_graph: GraphDatabase) -> None:
    broken = document("provenance-checker-broken-entry")
    broken["result"]["parameters"]["project"]["requirements"]["packages"] = {"never-seen": "*"}  # type: ignore[index]
    broken["result"]["report"].append({"id": "MISSING-PACKAGE", "package_version": "==1.0"})  # type: ignore[index]
    before = counts(head_graph)
    with pytest.raises(SchemaError, match=r"\$\.result\.report\[3\]\.package_name"):
        head_graph.sync_provenance_checker_result(broken)
    assert counts(head_graph) == before
    assert not head_graph.provenance_checker_document_id_exist("provenance-checker-broken-entry")
