"""The per-adapter LRU caches, stats() and cache_clear(), and THOTH_STORAGES_LOG_STATS."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from thoth_storages import GraphDatabase
from thoth_storages.config import DatabaseSettings
from thoth_storages.exceptions import ConfigurationError
from thoth_storages.graph.cache import CACHED

# The original's 11 cached methods (reference §2.2) and the ones implemented so far.
ORIGINAL_CACHED = {
    "has_python_solver_error": ("THOTH_STORAGE_HAS_PYTHON_SOLVER_ERROR_CACHE_SIZE", 4096),
    "get_python_package_version_records": (
        "THOTH_STORAGE_GET_PYTHON_PACKAGE_VERSION_RECORDS_CACHE_SIZE",
        16384,
    ),
    "get_depends_on": ("THOTH_STORAGE_GET_DEPENDS_ON_CACHE_SIZE", 8192),
    "get_python_cve_records_all": ("THOTH_STORAGE_GET_PYTHON_CVE_RECORDS_ALL_CACHE_SIZE", 4096),
    "get_python_package_required_symbols": (
        "THOTH_STORAGE_GET_PYTHON_PACKAGE_REQUIRED_SYMBOLS_CACHE_SIZE",
        4096,
    ),
    "get_python_environment_marker": ("THOTH_GET_PYTHON_ENVIRONMENT_MARKER_CACHE_SIZE", 4096),
    "get_si_aggregated_python_package_version": ("THOTH_GET_PYTHON_ENVIRONMENT_MARKER_CACHE_SIZE", 4096),
    "get_thoth_s2i_analyzed_image_symbols_all": ("THOTH_S2I_ANALYZED_IMAGE_SYMBOLS_CACHE_SIZE", 1),
    "get_python_package_version_solver_rules_all": (
        "THOTH_GET_PYTHON_PYTHON_PACKAGE_VERSION_SOLVER_RULES_CACHE_SIZE",
        4096,
    ),
    "get_rpm_package_version_all": ("THOTH_GET_RPM_PACKAGE_VERSION_CACHE_SIZE", 1),
    "get_python_package_version_all": ("THOTH_GET_RPM_PACKAGE_VERSION_CACHE_SIZE", 1),
}


def test_cached_methods_use_the_original_variables_and_sizes() -> None:
    assert CACHED
    for name, declared in CACHED.items():
        assert ORIGINAL_CACHED[name] == declared


def test_hits_misses_and_clear(filled_graph: GraphDatabase) -> None:
    filled_graph.cache_clear()
    before = filled_graph.stats()["memory_cache_info"]["get_python_package_version_records"]
    first = filled_graph.get_python_package_version_records(
        "numpy", "1.26.0", "https://pypi.example.org/simple"
    )
    second = filled_graph.get_python_package_version_records(
        "numpy", "1.26.0", "https://pypi.example.org/simple"
    )
    assert first == second
    after = filled_graph.stats()["memory_cache_info"]["get_python_package_version_records"]
    assert after["hits"] == before["hits"] + 1 and after["misses"] == before["misses"] + 1
    assert after["maxsize"] == 16384 and after["currsize"] >= 1
    filled_graph.cache_clear()
    cleared = filled_graph.stats()["memory_cache_info"]["get_python_package_version_records"]
    assert cleared["currsize"] == 0 and cleared["hits"] == 0


def test_caches_are_per_adapter_and_sized_from_the_settings(filled_graph: GraphDatabase) -> None:
    variable = "THOTH_STORAGE_HAS_PYTHON_SOLVER_ERROR_CACHE_SIZE"
    other = GraphDatabase(replace(filled_graph.settings, cache_sizes=((variable, 3),)))
    other.connect()
    try:
        other.has_python_solver_error("numpy", "1.26.0", "https://pypi.example.org/simple")
        mine = other.stats()["memory_cache_info"]["has_python_solver_error"]
        assert mine["maxsize"] == 3 and mine["misses"] == 1
        filled_graph.cache_clear()
        assert filled_graph.stats()["memory_cache_info"]["has_python_solver_error"]["misses"] == 0
        assert filled_graph.stats()["memory_cache_info"]["has_python_solver_error"]["maxsize"] == 4096
    finally:
        other.disconnect()


def test_cache_sizes_come_from_the_original_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THOTH_STORAGE_HAS_PYTHON_SOLVER_ERROR_CACHE_SIZE", "3")
    monkeypatch.setenv("THOTH_GET_RPM_PACKAGE_VERSION_CACHE_SIZE", "0")
    settings = DatabaseSettings.from_env()
    assert settings.cache_size("THOTH_STORAGE_HAS_PYTHON_SOLVER_ERROR_CACHE_SIZE", 4096) == 3
    assert settings.cache_size("THOTH_GET_RPM_PACKAGE_VERSION_CACHE_SIZE", 1) == 0
    assert settings.cache_size("THOTH_STORAGE_GET_DEPENDS_ON_CACHE_SIZE", 8192) == 8192
    monkeypatch.setenv("THOTH_STORAGE_GET_DEPENDS_ON_CACHE_SIZE", "many")
    with pytest.raises(ConfigurationError, match="THOTH_STORAGE_GET_DEPENDS_ON_CACHE_SIZE"):
        DatabaseSettings.from_env()


@pytest.mark.parametrize(("value", "logged"), [("1", True), ("0", False), ("", False)])
def test_stats_logged_on_disconnect(
    filled_graph: GraphDatabase,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    value: str,
    logged: bool,
) -> None:
    monkeypatch.setenv("THOTH_STORAGES_LOG_STATS", value)
    assert DatabaseSettings.from_env().log_stats is logged
    other = GraphDatabase(replace(filled_graph.settings, log_stats=logged))
    other.connect()
    with caplog.at_level(logging.INFO, logger="thoth_storages.graph.queries_runtime"):
        other.disconnect()
    assert ("memory_cache_info" in caplog.text) is logged
    assert not other.is_connected()
