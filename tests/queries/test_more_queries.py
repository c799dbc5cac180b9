"""The CVE, symbol, security-indicator, rule, analysis and solved/unsolved-twin queries: answers checked by
hand against the package-extract document, consistency properties for the rest, and rows inserted (and
removed again) where the real documents hold none (CVEs, rules, security indicators)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from thoth_storages import GraphDatabase
from thoth_storages.exceptions import NotFoundError

EXTRACT = "package-extract-220106085041-a6e38c8593af545e"
PYPI = "https://pypi.example.org/simple"


def test_the_image_analysis_follows_its_document(filled_graph: GraphDatabase) -> None:
    # The package-extract document (metadata.document_id EXTRACT, analyzer thoth-package-extract 1.3.0,
    # datetime 2022-01-06T11:21:26.759528) lists two RPMs (zlib and zlib-devel 1.2.11-13.el8.x86_64)
    # and one Python package found in the image (lxml 4.5.2, no index), on RHEL 8.2.
    metadata = filled_graph.get_analysis_metadata(EXTRACT)
    assert metadata["package_extract_name"] == "thoth-package-extract"
    assert metadata["package_extract_version"] == "1.3.0"
    assert metadata["analysis_datetime"] == datetime.datetime(2022, 1, 6, 11, 21, 26, 759528)
    assert metadata["analysis_document_id"] == EXTRACT and len(metadata) == 4  # the original's keys
    assert filled_graph.get_last_analysis_datetime() == metadata["analysis_datetime"]
    assert filled_graph.get_analyzer_documents_count_all() == 1
    rpms = filled_graph.get_rpm_package_version_all(EXTRACT)
    assert [r["package_identifier"] for r in rpms] == [
        "zlib-1.2.11-13.el8.x86_64",
        "zlib-devel-1.2.11-13.el8.x86_64",
    ]
    assert {(r["package_version"], r["release"], r["arch"]) for r in rpms} == {("1.2.11", "13.el8", "x86_64")}
    assert filled_graph.get_python_package_version_all(EXTRACT) == [
        {
            "package_name": "lxml",
            "package_version": "4.5.2",
            "location": "/usr/local/lib64/python3.8/site-packages",
        }
    ]
    assert filled_graph.get_rpm_package_version_all("no-such-document") == []
    with pytest.raises(NotFoundError):
        filled_graph.get_analysis_metadata("no-such-document")
    # No image is a Thoth s2i build: the software environments name no thoth image (this one only the
    # version of its label); each distinct pair is listed, as the original lists them, the name None.
    assert set(filled_graph.get_thoth_s2i_all()) == {(None, "0.14.1"), (None, None)}
    assert (
        filled_graph.get_thoth_s2i_package_extract_analysis_document_id_all("s2i-thoth-ubi8-py38", "0.1.0")
        == []
    )
    assert filled_graph.get_last_analysis_document_id("no-such-image", "v0") is None


def test_alembic_version_has_one_row(filled_graph: GraphDatabase) -> None:
    assert filled_graph.get_alembic_version_count_all() == 1


def test_solved_environments(filled_graph: GraphDatabase) -> None:
    # The solver documents are debian 12 / Python 3.8 and fedora 31 / Python 3.7; the adviser and
    # inspection stacks add rhel 8 (ubi 8 stored as rhel) with Python 3.6 and 3.8.
    environments = filled_graph.get_solved_python_package_versions_software_environment_all()
    assert [(e["os_name"], e["os_version"], e["python_version"]) for e in environments] == [
        ("debian", "12", "3.8"),
        ("fedora", "31", "3.7"),
        ("rhel", "8", "3.6"),
        ("rhel", "8", "3.8"),
    ]
    assert filled_graph.solved_software_environment_exists("UBI", "8.3", "3.8")
    assert not filled_graph.solved_software_environment_exists("fedora", "31", "3.9")
    assert filled_graph.get_solved_python_package_version_environments_all("NumPy", "1.26.0", PYPI) == [
        {"os_name": "debian", "os_version": "12", "python_version": "3.8"}
    ]
    assert filled_graph.is_python_package_version_is_missing("numpy", "1.26.0", PYPI) is False
    with pytest.raises(NotFoundError):
        filled_graph.is_python_package_version_is_missing("no-such-package", "1.0.0", PYPI)
    numpy_documents = filled_graph.get_solver_document_id_all("NumPy", "1.26.0", PYPI)
    assert numpy_documents and set(numpy_documents) <= set(
        filled_graph.get_solver_run_document_ids_all(count=None)
    )


def test_solved_count_maps_are_the_package_version_count_maps(filled_graph: GraphDatabase) -> None:
    assert (
        filled_graph.get_solved_python_package_versions_count()
        == filled_graph.get_python_package_versions_count()
    )
    for url in filled_graph.get_python_package_index_urls_all():
        assert filled_graph.get_solved_python_package_versions_count_per_index(
            url
        ) == filled_graph.get_python_package_versions_count_per_index(url)
    assert filled_graph.get_solved_python_package_versions_count_per_version("TensorFlow") == (
        filled_graph.get_python_package_versions_count_per_version("tensorflow")
    )


def test_unsolved_twins_agree_with_the_listing(filled_graph: GraphDatabase) -> None:
    # No index is enabled in the documents, so nothing is unsolved; the twins agree on that.
    listed = filled_graph.get_unsolved_python_package_versions_all(count=None, randomize=False)
    assert filled_graph.get_unsolved_python_package_versions_count() == {row: 1 for row in listed}
    assert filled_graph.get_unsolved_python_packages_all(count=None) == sorted(
        {(n, u) for n, _v, u in listed}
    )
    assert filled_graph.get_unsolved_python_packages_all_versions() == {}
    assert filled_graph.get_unsolved_python_package_versions_count_per_index(PYPI) == {PYPI: {}}
    assert filled_graph.get_unsolved_python_package_versions_count_per_version("numpy") == {}


@pytest.fixture
def enabled_pypi(filled_graph: GraphDatabase) -> Iterator[str]:
    """The example PyPI enabled for one test (the documents register it disabled)."""
    with filled_graph.engine.begin() as connection:
        connection.execute(text("UPDATE python_package_index SET enabled = true WHERE url = :u"), {"u": PYPI})
    try:
        yield PYPI
    finally:
        with filled_graph.engine.begin() as connection:
            connection.execute(
                text("UPDATE python_package_index SET enabled = false WHERE url = :u"), {"u": PYPI}
            )


def test_unsolved_twins_on_an_enabled_index(filled_graph: GraphDatabase, enabled_pypi: str) -> None:
    listed = filled_graph.get_unsolved_python_package_versions_all(count=None, randomize=False)
    assert listed and len(listed) == filled_graph.get_unsolved_python_package_versions_count_all()
    flat = filled_graph.get_unsolved_python_package_versions_count()
    assert flat == {row: 1 for row in listed}
    assert filled_graph.get_unsolved_python_packages_all(count=None) == sorted(
        {(n, u) for n, _v, u in listed}
    )
    grouped = filled_graph.get_unsolved_python_packages_all_versions()
    assert sorted((n, v, u) for n, pairs in grouped.items() for v, u in pairs) == sorted(listed)
    per_index = filled_graph.get_unsolved_python_package_versions_count_per_index(enabled_pypi)
    assert per_index == {enabled_pypi: {(n, v): c for (n, v, u), c in flat.items() if u == enabled_pypi}}
    name = listed[0][0]
    per_version = filled_graph.get_unsolved_python_package_versions_count_per_version(name.upper())
    assert per_version == {v: {u: 1} for n, v, u in listed if n == name}


def test_artifacts_and_metadata_lookups(filled_graph: GraphDatabase) -> None:
    # flask 2.2.2 is solved with two artifacts (a wheel and an sdist) in the solver documents.
    hashes = filled_graph.get_python_package_hashes_sha256("Flask", "2.2.2", PYPI)
    assert len(hashes) == 2 and all(len(digest) == 64 for digest in hashes)
    with filled_graph.engine.connect() as connection:
        total = connection.execute(text("SELECT count(*) FROM has_artifact")).scalar_one()
    entities = filled_graph.get_python_package_versions_all(count=None, distinct=True)
    assert (
        sum(len(filled_graph.get_python_package_hashes_sha256(*row)) for row in entities if row[1]) == total
    )
    classifiers = filled_graph.get_python_package_version_trove_classifiers_all("flask", "2.2.2", PYPI)
    assert classifiers and all("::" in classifier for classifier in classifiers)
    assert filled_graph.get_python_package_required_symbols("flask", "2.2.2", PYPI) == []
    assert filled_graph.get_analyzed_image_symbols_all("rhel", "8") == sorted(
        set(filled_graph.get_analyzed_image_symbols_all("rhel", "8.2"))
    )


def test_symbols_of_the_analysed_environment(filled_graph: GraphDatabase) -> None:
    with filled_graph.engine.connect() as connection:
        provided = connection.execute(
            text(
                "SELECT count(DISTINCT s.symbol) FROM has_symbol h "
                "JOIN versioned_symbol s ON h.versioned_symbol_id = s.id"
            )
        ).scalar_one()
        environment = connection.execute(
            text(
                "SELECT os_name, os_version FROM software_environment WHERE id IN (SELECT software_environment_id FROM has_symbol)"
            )
        ).first()
    assert environment is not None and provided > 0
    symbols = filled_graph.get_analyzed_image_symbols_all(str(environment[0]), str(environment[1]))
    assert len(symbols) == len(set(symbols)) == provided
    assert (
        filled_graph.get_analyzed_image_symbols_all(
            str(environment[0]), str(environment[1]), is_external=True
        )
        == []
    )


@pytest.fixture
def cve_rule_si_rows(filled_graph: GraphDatabase) -> Iterator[None]:
    """Two CVEs of flask 2.2.2, a rule on six and a security-indicator run of click (removed afterwards)."""
    statements = [
        "INSERT INTO cve (id, cve_id, details, link) VALUES (9001, 'CVE-2099-0001', 'one', NULL), "
        "(9002, 'CVE-2099-0002', 'two', 'https://example.org/2')",
        "INSERT INTO has_vulnerability SELECT e.id, c.id FROM python_package_version_entity e, cve c "
        "WHERE e.package_name = 'flask' AND e.package_version = '2.2.2' AND c.id IN (9001, 9002)",
        "INSERT INTO cve_timestamp (id, timestamp) VALUES (9001, '2099-01-02 03:04:05')",
        "INSERT INTO python_package_version_entity_rule (id, package_name, version_range, description) "
        "VALUES (9001, 'six', '<2', 'too old')",
        "INSERT INTO python_package_version_entity_rules_association SELECT e.id, 9001 "
        "FROM python_package_version_entity e WHERE e.package_name = 'six' AND e.package_version = '1.16.0'",
        "INSERT INTO si_aggregated_run SELECT 9001, 'si-test', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, "
        "15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, '2099-01-01', false",
        "INSERT INTO si_aggregated SELECT 9001, v.entity_id, v.id FROM python_package_version v "
        "WHERE v.package_name = 'click' AND v.package_version = '8.1.3' LIMIT 1",
    ]
    filled_graph.cache_clear()
    with filled_graph.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    try:
        yield
    finally:
        filled_graph.cache_clear()
        with filled_graph.engine.begin() as connection:
            connection.execute(text("DELETE FROM cve WHERE id IN (9001, 9002)"))
            connection.execute(text("DELETE FROM cve_timestamp WHERE id = 9001"))
            connection.execute(text("DELETE FROM python_package_version_entity_rule WHERE id = 9001"))
            connection.execute(text("DELETE FROM si_aggregated_run WHERE id = 9001"))


def test_cve_records(filled_graph: GraphDatabase, cve_rule_si_rows: None) -> None:
    records = filled_graph.get_python_cve_records_all("Flask", "2.2.2")
    assert [(r["cve_id"], r["details"], r["link"]) for r in records] == [
        ("CVE-2099-0001", "one", None),
        ("CVE-2099-0002", "two", "https://example.org/2"),
    ]
    assert filled_graph.get_python_cve_records_all("flask") == records
    assert filled_graph.get_python_cve_records_all("six") == []
    assert filled_graph.get_python_cve_records_count("flask") == len(records) == 2
    assert filled_graph.get_python_cve_records_count() == 2
    assert filled_graph.get_cve_timestamp() == datetime.datetime(2099, 1, 2, 3, 4, 5)


def test_rules(filled_graph: GraphDatabase, cve_rule_si_rows: None) -> None:
    rule = filled_graph.get_python_rule(9001)
    assert rule == {
        "id": 9001,
        "package_name": "six",
        "version_range": "<2",
        "description": "too old",
        "index_url": None,
    }
    assert filled_graph.get_python_rule_all() == [rule]
    assert filled_graph.get_python_rule_all(package_name="Six") == [rule]
    assert filled_graph.get_python_rule_all(package_name="flask") == []
    assert filled_graph.get_python_package_version_solver_rules_all("six", "1.16.0") == [rule]
    assert filled_graph.get_python_package_version_solver_rules_all("six", "1.15.0") == []
    with pytest.raises(NotFoundError):
        filled_graph.get_python_rule(9999)


def test_security_indicators(filled_graph: GraphDatabase, cve_rule_si_rows: None) -> None:
    record = filled_graph.get_si_aggregated_python_package_version("Click", "8.1.3", PYPI)
    assert record["error"] is False and record["severity_high_confidence_high"] == 1
    assert len(record) == 26  # the error flag and the 25 metrics
    assert filled_graph.si_aggregated_python_package_version_exists("click", "8.1.3", PYPI)
    assert not filled_graph.si_aggregated_python_package_version_exists("flask", "2.2.2", PYPI)
    with pytest.raises(NotFoundError):
        filled_graph.get_si_aggregated_python_package_version("flask", "2.2.2", PYPI)
    analyzed = filled_graph.get_si_analyzed_python_package_versions_all(count=None)
    assert analyzed == [("click", "8.1.3", PYPI)]
    assert filled_graph.get_si_analyzed_python_package_versions_count_all() == 1
    # as the original: solved versions on enabled indexes (the sync registers them disabled) only
    assert filled_graph.get_si_unanalyzed_python_package_versions_all(count=None) == []
    filled_graph.set_python_package_index_state(PYPI, enabled=True)
    try:
        _si_unanalyzed_on_an_enabled_index(filled_graph, analyzed)
    finally:
        filled_graph.set_python_package_index_state(PYPI, enabled=False)


def _si_unanalyzed_on_an_enabled_index(graph: GraphDatabase, analyzed: list[tuple[str, str, str]]) -> None:
    unanalyzed = graph.get_si_unanalyzed_python_package_versions_all(count=None, randomize=False)
    assert ("click", "8.1.3", PYPI) not in unanalyzed and len(unanalyzed) == len(set(unanalyzed))
    assert len(unanalyzed) == graph.get_si_unanalyzed_python_package_versions_count_all(distinct=True)
    assert sorted(graph.get_si_unanalyzed_python_package_versions_all(0, None)) == unanalyzed  # random order
    with graph.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT v.package_name, v.package_version, i.url, v.provides_source_distro FROM python_package_version v "
                "JOIN python_package_index i ON i.id = v.python_package_index_id WHERE i.url = :url"
            ),
            {"url": PYPI},
        ).all()
    with_sdist = [(n, v, u) for n, v, u, sdist in rows if sdist]
    assert set(unanalyzed) | set(analyzed) == set(with_sdist)
    every_row = graph.get_si_unanalyzed_python_package_versions_all(0, None, False, False)
    assert sorted(every_row) == sorted(
        row for row in with_sdist if row not in analyzed
    )  # one per environment
    assert graph.get_si_unanalyzed_python_package_versions_count_all(PYPI) == len(every_row)
    without_sdist = graph.get_si_unanalyzed_python_package_versions_all(0, None, True, False, False)
    assert set(without_sdist) == {(n, v, u) for n, v, u, sdist in rows if not sdist}
    assert (
        graph.get_si_unanalyzed_python_package_versions_all(count=None, si_error=True) == []
    )  # no errored run


def test_date_filters_are_dd_mm_yyyy(filled_graph: GraphDatabase) -> None:
    # The solver documents were produced in 2020-2026 (metadata.datetime); the adviser runs in 2020-2022.
    everything = filled_graph.get_solver_run_document_ids_all(count=None)
    assert filled_graph.get_solver_run_document_ids_all(initial_date="01-01-2000", count=None) == everything
    assert filled_graph.get_solver_run_document_ids_all(final_date="01-01-2000") == []
    assert filled_graph.get_adviser_run_document_ids_all(initial_date="01-01-2100") == []
    for method in (
        filled_graph.get_solver_run_document_ids_all,
        filled_graph.get_adviser_run_document_ids_all,
    ):
        with pytest.raises(ValueError, match="'2020-01-01' is not DD-MM-YYYY"):
            method(initial_date="2020-01-01")
