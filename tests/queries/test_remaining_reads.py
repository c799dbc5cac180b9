"""The hand-written reads of graph/reads.py and the marker-evaluation lookup, on the real documents."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from generated.models import ExternalPythonSoftwareStack
from tests.queries.conftest import real_documents
from thoth_storages import GraphDatabase
from thoth_storages.config import DatabaseSettings
from thoth_storages.exceptions import NotFoundError

PYPI = "https://pypi.example.org/simple"
ANALYSIS = "package-extract-220106085041-a6e38c8593af545e"


def _analysed_image() -> str:
    """The image the package-extract document analysed (metadata.arguments.extract-image.image): its
    runtime environment's name."""
    path = next(p for p in real_documents() if p.endswith(f"/{ANALYSIS}.json"))
    image = json.loads(Path(path).read_text(encoding="utf-8"))["metadata"]["arguments"]["extract-image"][
        "image"
    ]
    assert isinstance(image, str) and image.endswith("/thoth-station/s2i-thoth-ubi8-py38:v0.14.1")
    return image


def test_software_environments_come_with_their_analysis(filled_graph: GraphDatabase) -> None:
    # The one package-extract document analysed the UBI 8 / Python 3.8 s2i image (os ubi -> rhel, 8).
    (environment,) = filled_graph.get_software_environments_all()
    assert environment["environment_name"] == _analysed_image()
    assert (environment["os_name"], environment["os_version"], environment["python_version"]) == (
        "rhel",
        "8",
        "3.8",
    )
    assert environment["package_extract_document_id"] == ANALYSIS
    assert isinstance(environment["datetime"], str)
    raw = filled_graph.get_software_environments_all(convert_datetime=False)
    assert isinstance(raw[0]["datetime"], datetime.datetime)
    assert raw[0]["datetime"].isoformat() == environment["datetime"]
    assert filled_graph.get_software_environments_all(os_name="ubi", os_version="8.3") == [environment]
    assert filled_graph.get_software_environments_all(python_version="3.6") == []
    assert filled_graph.get_software_environments_all(rpm_package_name="no-such-rpm") == []
    assert filled_graph.get_software_environments_all(library_name="no-such-library") == []
    assert filled_graph.get_software_environments_all(start_offset=1) == []


def test_environment_filters_agree_with_the_rows_they_name(filled_graph: GraphDatabase) -> None:
    with filled_graph.engine.connect() as connection:
        rpm = (
            connection.execute(
                text(
                    "SELECT p.package_name FROM found_rpm f JOIN rpm_package_version p ON p.id = f.rpm_package_version_id"
                )
            )
            .scalars()
            .first()
        )
        symbol = connection.execute(
            text(
                "SELECT s.library_name, s.symbol FROM has_symbol h JOIN versioned_symbol s ON s.id = h.versioned_symbol_id "
                "WHERE h.software_environment_id IS NOT NULL"
            )
        ).first()
        package = (
            connection.execute(
                text(
                    "SELECT e.package_name FROM identified i JOIN python_package_version_entity e "
                    "ON e.id = i.python_package_version_entity_id"
                )
            )
            .scalars()
            .first()
        )
    everything = filled_graph.get_software_environments_all()
    assert rpm is not None and filled_graph.get_software_environments_all(rpm_package_name=rpm) == everything
    assert (
        package is not None and filled_graph.get_software_environments_all(package_name=package) == everything
    )
    if symbol is not None:
        assert (
            filled_graph.get_software_environments_all(library_name=symbol[0], symbol=symbol[1]) == everything
        )


def test_environment_analyses(filled_graph: GraphDatabase) -> None:
    name = _analysed_image()
    (analysis,) = filled_graph.get_run_software_environment_analyses_all(name)
    assert analysis["analysis_document_id"] == ANALYSIS
    assert set(analysis) == {
        "analysis_datetime",
        "analysis_document_id",
        "package_extract_name",
        "package_extract_version",
    }
    assert filled_graph.get_build_software_environment_analyses_all(name) == []
    assert filled_graph.get_run_software_environment_analyses_all("no-such-image") == []
    assert filled_graph.get_run_software_environment_analyses_all(name, is_external=True) == []


def test_click_metadata(filled_graph: GraphDatabase) -> None:
    # The solver report of click 8.1.3 carries its wheel's METADATA: author Armin Ronacher, 7 project
    # URLs, 2 Requires-Dist lines (colorama on Windows, importlib-metadata before 3.8), no extras.
    metadata = filled_graph.get_python_package_version_metadata("Click", "8.1.3", PYPI)
    assert metadata["name"] == "click" and metadata["version"] == "8.1.3"
    assert metadata["author"] == "Armin Ronacher"
    assert metadata["summary"] == "Composable command line interface toolkit"
    assert len(metadata["project_url"]) == 7
    assert "Source Code,https://github.com/pallets/click/" in metadata["project_url"]
    assert metadata["requires_dist"] == [
        'colorama ; platform_system == "Windows"',
        'importlib-metadata ; python_version < "3.8"',
    ]
    assert metadata["provides_extra"] == [] and metadata["obsolete_dist"] == []
    assert "Programming Language :: Python" in metadata["classifier"]
    with pytest.raises(NotFoundError):
        filled_graph.get_python_package_version_metadata("click", "0.0.1", PYPI)


def test_import_packages(filled_graph: GraphDatabase) -> None:
    # python-dateutil 2.8.2 provides dateutil and its parser, tz and zoneinfo subpackages.
    exact = filled_graph.get_python_package_version_import_packages_all("dateutil")
    assert [(r["package_name"], r["package_version"], r["import"]) for r in exact] == [
        ("python-dateutil", "2.8.2", "dateutil")
    ]
    # A trailing `*` is a prefix match, as in the original: `dateutil.*` the subpackages, `dateutil*` all.
    prefixed = filled_graph.get_python_package_version_import_packages_all("dateutil.*")
    assert [r["import"] for r in prefixed] == ["dateutil.parser", "dateutil.tz", "dateutil.zoneinfo"]
    everything = filled_graph.get_python_package_version_import_packages_all("dateutil*")
    assert [r["import"] for r in everything] == ["dateutil", *[r["import"] for r in prefixed]]
    assert all(r["index_url"] == PYPI for r in prefixed)
    with pytest.raises(NotFoundError):
        filled_graph.get_python_package_version_import_packages_all("date")
    with pytest.raises(NotFoundError):
        filled_graph.get_python_package_version_import_packages_all("dateutil_.*")
    for pattern in ("%*", "_*", "dateutil%", "\\*"):  # LIKE's wildcards and escape match themselves only
        with pytest.raises(NotFoundError, match="no package version provides"):
            filled_graph.get_python_package_version_import_packages_all(pattern)
    everything = filled_graph.get_python_package_version_import_packages_all("*")  # every import name
    assert {r["import"] for r in everything} >= {"dateutil", "dateutil.tz"}
    distinct = filled_graph.get_python_package_version_import_packages_all("*", True)
    assert distinct == [dict(items) for items in dict.fromkeys(tuple(r.items()) for r in everything)]


def test_versions_all_count_matches_the_listing(filled_graph: GraphDatabase) -> None:
    versions = filled_graph.get_python_package_versions_all(count=None)
    full = filled_graph.get_python_package_versions_all_count(count=None)
    assert full.count == len(full.result) == len({name for name, _, _ in versions})
    assert sum(full.result.values()) == len(versions)
    page = filled_graph.get_python_package_versions_all_count(start_offset=2, count=3)
    assert page.count == full.count and list(page.result) == sorted(full.result)[2:5]
    distinct = filled_graph.get_python_package_versions_all_count(count=None, distinct=True)
    assert distinct.result == {
        name: len({(v, u) for n, v, u in versions if n == name}) for name in full.result
    }
    assert filled_graph.get_python_package_versions_all_count(python_version="1.0", start_offset=5).count == 0


def test_software_stack_counts(filled_graph: GraphDatabase) -> None:
    total = filled_graph.get_python_software_stack_count_all()
    by_type = [
        filled_graph.get_python_software_stack_count_all(software_stack_type=t)
        for t in ("USER", "INSPECTION", "ADVISED")
    ]
    assert total == sum(by_type) > 0
    assert filled_graph.get_python_software_stack_count_all(True) == filled_graph.get_entity_count(
        ExternalPythonSoftwareStack
    )
    with pytest.raises(ValueError):
        filled_graph.get_python_software_stack_count_all(True, software_stack_type="USER")


def test_marker_evaluation_result_agrees_with_the_edges(filled_graph: GraphDatabase) -> None:
    with filled_graph.engine.connect() as connection:
        edges = connection.execute(
            text(
                "SELECT v.package_name, v.package_version, i.url, e.package_name, e.package_version, v.os_name, "
                "v.os_version, v.python_version, bool_and(d.marker_evaluation_result), bool_or(d.marker_evaluation_result) "
                "FROM depends_on d JOIN python_package_version v ON v.id = d.version_id "
                "JOIN python_package_index i ON i.id = v.python_package_index_id "
                "JOIN python_package_version_entity e ON e.id = d.entity_id "
                "WHERE e.package_version IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
            )
        ).all()
    assert edges
    for *key, env_name, env_version, python, all_true, any_true in edges[:40]:
        found = filled_graph.get_python_environment_marker_evaluation_result(
            *key, os_name=env_name, os_version=env_version, python_version=python
        )
        assert found in (all_true, any_true)
    with pytest.raises(NotFoundError):
        filled_graph.get_python_environment_marker_evaluation_result(
            "click",
            "8.1.3",
            PYPI,
            "no-such-dependency",
            "1.0",
            os_name="fedora",
            os_version="31",
            python_version="3.7",
        )


def test_unsolved_per_adviser_run(filled_graph: GraphDatabase) -> None:
    # adviser-04ab56d6 is the only report asking for a re-run; it could not resolve black and
    # thoth-common. Its source type is not set, so a source-type filter drops it.
    assert filled_graph.get_unsolved_python_packages_all_per_adviser_run() == {
        "adviser-04ab56d6": ["black", "thoth-common"]
    }
    assert filled_graph.get_unsolved_python_packages_all_per_adviser_run("kebechet") == {}


def test_document_records_exist(filled_graph: GraphDatabase) -> None:
    assert filled_graph.analysis_records_exist({"metadata": {"document_id": ANALYSIS}})
    assert not filled_graph.analysis_records_exist({"metadata": {"document_id": "package-extract-nope"}})
    solver = filled_graph.get_solver_run_document_ids_all(count=1)[0]
    assert filled_graph.solver_records_exist({"metadata": {"document_id": solver}})
    assert not filled_graph.solver_records_exist({"metadata": {"document_id": "solver-nope"}})
    with pytest.raises(KeyError):
        filled_graph.solver_records_exist({"result": {}})


def test_connection_string(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "KNOWLEDGE_GRAPH_USER": "thoth",
        "KNOWLEDGE_GRAPH_PASSWORD": "secret",
        "KNOWLEDGE_GRAPH_HOST": "db.example.org",
        "KNOWLEDGE_GRAPH_PORT": "5433",
        "KNOWLEDGE_GRAPH_DATABASE": "graph",
        "KNOWLEDGE_GRAPH_SSL_DISABLED": "1",
    }.items():
        monkeypatch.setenv(name, value)
    assert GraphDatabase.construct_connection_string() == (
        "postgresql+psycopg2://thoth:secret@db.example.org:5433/graph?sslmode=disable"
    )
    monkeypatch.setenv("KNOWLEDGE_GRAPH_SSL_DISABLED", "0")
    assert GraphDatabase.construct_connection_string().endswith("/graph")
    assert DatabaseSettings.from_env().database == "graph"
