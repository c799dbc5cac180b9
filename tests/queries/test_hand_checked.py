"""Answers checked by hand against the real documents (tests/data or /work/shared/data/documents).

The reasoning for each expectation is in the comments; the figures follow from the documents, not from
running the queries.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.queries.conftest import real_documents
from thoth_storages import GraphDatabase
from thoth_storages.exceptions import NotFoundError


def _documents(prefix: str) -> list[dict[str, object]]:
    return [
        json.loads(Path(path).read_text(encoding="utf-8"))
        for path in real_documents()
        if Path(path).name.startswith(prefix)
    ]


def test_ecosystem_solvers_are_the_solver_builds_of_the_documents(filled_graph: GraphDatabase) -> None:
    # Each solver document names its solver in metadata.analyzer + analyzer_version and its environment
    # in the document id: solver-<os>-<version>-py<python>. The documents hold two builds of the debian
    # 12 / Python 3.8 solver (1.10.2 and 1.15.0) and two of fedora 31 / Python 3.7 (1.4.1 and 1.5.1).
    # As the original, the listing names each solver once (DISTINCT ON solver_name), whatever its builds.
    assert filled_graph.get_ecosystem_solver_all() == ["solver-debian-12-py38", "solver-fedora-31-py37"]
    assert filled_graph.get_ecosystem_solver_all(os_name="fedora") == ["solver-fedora-31-py37"]
    assert filled_graph.get_ecosystem_solver_count_all() == 2
    assert filled_graph.get_ecosystem_solver_count_all(os_name="fedora") == 1


def test_solver_documents_counted_once_each(filled_graph: GraphDatabase) -> None:
    # Every solver document leaves solved rows with its document id, also the one whose only requirement
    # is unparsable (`flask[async===2.2.2`: an error_unparseable row under `flask[async`, as in 0.74.2).
    documents = _documents("solver-")
    assert filled_graph.get_solver_documents_count_all() == len(documents)
    ids = filled_graph.get_solver_run_document_ids_all(count=None)
    assert len(ids) == len(set(ids)) == len(documents)
    assert set(ids) <= {str(d["metadata"]["document_id"]) for d in documents}  # type: ignore[index]


def test_normalised_names_and_versions_find_the_same_records(filled_graph: GraphDatabase) -> None:
    # numpy 1.26.0 is the package of a failed solver run (an error entry of a debian solver document);
    # asking with a non-normalised name ("NumPy") and version ("v1.26.0") must find the same record (PEP 503
    # and PEP 440 normalisation), and the debian alias rules leave "debian"/"12" alone.
    records = filled_graph.get_python_package_version_records(
        "numpy", "1.26.0", "https://pypi.example.org/simple"
    )
    assert records == filled_graph.get_python_package_version_records("NumPy", "v1.26.0", None)
    assert {(r["os_name"], r["os_version"], r["python_version"]) for r in records} == {
        ("debian", "12", "3.8")
    }
    # its most recent solver run failed, so has_python_solver_error is True ...
    assert filled_graph.has_python_solver_error("NumPy", "1.26.0", "https://pypi.example.org/simple") is True
    # ... and a package never solved is NotFoundError, not False.
    with pytest.raises(NotFoundError):
        filled_graph.has_python_solver_error("no-such-package", "1.0.0", "https://pypi.example.org/simple")


def test_error_flags_cannot_be_combined(filled_graph: GraphDatabase) -> None:
    # The original raised ValueError when both flags were given; so do we.
    with pytest.raises(ValueError, match="together"):
        filled_graph.get_error_solved_python_package_versions_all(unsolvable=True, unparseable=True)
    errors = set(filled_graph.get_error_solved_python_package_versions_all(count=None))
    assert ("numpy", "1.26.0", "https://pypi.example.org/simple") in errors


def test_adviser_runs_per_source_type_follow_the_documents(filled_graph: GraphDatabase) -> None:
    # Each adviser document is one run; its source type is metadata.arguments.thoth-adviser.metadata
    # .source_type when the adviser was called with one (upper-cased), else the run has none.
    documents = _documents("adviser-")
    counts = filled_graph.get_adviser_run_count_per_source_type()
    assert sum(counts.values()) == len(documents)
    assert counts.get("GITHUB_APP") == 1 and counts.get("JUPYTER_NOTEBOOK") == 1
    # Origins: five runs have one, s2i-example twice; each origin has a single source type, so the
    # distinct-origin counts per source type add up to the four distinct origins, the plain ones to five.
    origins = filled_graph.get_adviser_run_origins_all(count=None)
    assert len(origins) == 5 and len(set(origins)) == 4
    assert sum(filled_graph.get_origin_count_per_source_type(distinct=True).values()) == 4
    assert sum(filled_graph.get_origin_count_per_source_type().values()) == 5


def test_index_lookups(filled_graph: GraphDatabase) -> None:
    # The solver documents name three indexes; none is enabled (the sync registers them disabled).
    urls = filled_graph.get_python_package_index_urls_all()
    assert urls == [
        "https://legacy-pypi.example.org/simple",
        "https://pypi.example.org/simple",
        "https://tensorflow.pypi.thoth-station.ninja/index/manylinux2010/AVX2/simple/",
    ]
    assert filled_graph.get_python_package_index_urls_all(enabled=True) == []
    assert filled_graph.is_python_package_index_enabled("https://pypi.example.org/simple") is False
    with pytest.raises(NotFoundError):
        filled_graph.is_python_package_index_enabled("https://nowhere.example.org/simple")
    # With no enabled index nothing is "unsolved" (the original's rule: only enabled indexes are solved).
    assert filled_graph.get_unsolved_python_package_versions_count_all() == 0


def test_tensorflow_versions_per_index(filled_graph: GraphDatabase) -> None:
    # tensorflow 2.2.0 was solved from the AVX2 tensorflow index, 1.7.0, 1.7.1 and 2.1.0 from the
    # example PyPI, each in one environment.
    assert filled_graph.get_python_package_versions_count_per_version("TensorFlow") == {
        "1.7.0": {"https://pypi.example.org/simple": 1},
        "1.7.1": {"https://pypi.example.org/simple": 1},
        "2.1.0": {"https://pypi.example.org/simple": 1},
        "2.2.0": {"https://tensorflow.pypi.thoth-station.ninja/index/manylinux2010/AVX2/simple/": 1},
    }


def test_external_tables_switch(filled_graph: GraphDatabase) -> None:
    # The adviser documents carry the user's runtime environments (external_software_environment); the
    # package-extract document the one Thoth observed (software_environment).
    with filled_graph.engine.connect() as connection:
        internal = connection.execute(text("SELECT count(*) FROM software_environment")).scalar_one()
        external = connection.execute(text("SELECT count(*) FROM external_software_environment")).scalar_one()
    assert filled_graph.get_software_environments_count_all() == internal
    assert filled_graph.get_software_environments_count_all(is_external=True) == external
    assert internal != external  # so the switch is observable
    # The image's registry host differs between the shared set and the copies (replaced there).
    assert any(
        name.endswith("/thoth-station/s2i-thoth-ubi8-py38:v0.14.1")
        for name in filled_graph.get_run_software_environment_all()
    )
    assert "ps-cv-tensorflow" in filled_graph.get_run_software_environment_all(is_external=True)
