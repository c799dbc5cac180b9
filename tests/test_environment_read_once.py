"""The environment is read in one module, thoth_storages/config.py: every other module receives settings."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from thoth_storages import GraphDatabase
from thoth_storages.config import PG_BINDIR, DatabaseSettings, SyncSettings
from thoth_storages.exceptions import ConfigurationError
from thoth_storages.graph import normalize

REPO = Path(__file__).resolve().parents[1]
ALLOWED = REPO / "thoth_storages" / "config.py"
NAMES = {"environ", "environb", "getenv", "getenvb"}


def environment_reads(source: str) -> list[int]:
    """Lines of `source` that touch os.environ / os.getenv (as attributes or imported from os)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in NAMES:
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            lines.extend(node.lineno for alias in node.names if alias.name in NAMES)
    return lines


def test_the_scan_finds_each_way_of_reading_the_environment() -> None:
    assert environment_reads("import os\nos.environ.get('X')\n") == [2]
    assert environment_reads("import os\nos.getenv('X')\n") == [2]
    assert environment_reads("from os import environ\n") == [1]
    assert environment_reads("import os as o\nvalue = {**o.environ}\n") == [2]
    assert environment_reads("import os\nos.path.join('a')\n") == []


def test_only_config_reads_the_environment() -> None:
    found = {
        f"{path.relative_to(REPO)}:{line}"
        for folder in ("thoth_storages", "thoth", "generated", "codegen")
        for path in sorted((REPO / folder).rglob("*.py"))
        if path != ALLOWED
        for line in environment_reads(path.read_text(encoding="utf-8"))
    }
    assert not found, f"read the environment in thoth_storages/config.py and pass settings: {sorted(found)}"
    assert environment_reads(ALLOWED.read_text(encoding="utf-8"))


def test_index_aliases_are_a_database_setting_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "THOTH_STORAGES_INDEX_ALIASES", "https://old.example.org/simple/=https://new.example.org/simple, a=b"
    )
    settings = DatabaseSettings.from_env()
    assert settings.index_aliases == (
        ("https://old.example.org/simple", "https://new.example.org/simple"),
        ("a", "b"),
    )
    assert (
        settings.environment()["THOTH_STORAGES_INDEX_ALIASES"]
        == "https://old.example.org/simple=https://new.example.org/simple,a=b"
    )
    graph = GraphDatabase(settings)
    assert (
        graph.normalize_python_index_url("https://old.example.org/simple") == "https://new.example.org/simple"
    )
    assert GraphDatabase.normalize_python_index_url(
        "https://old.example.org/simple"
    ) == (  # the original's static form
        "https://new.example.org/simple"
    )
    assert (
        graph.normalize_python_index_url("https://old.example.org/simple/")
        == "https://new.example.org/simple"
    )
    assert (
        graph.normalize_python_index_url("https://other.example.org/simple")
        == "https://other.example.org/simple"
    )
    assert graph.normalize_python_index_url(None) is None
    monkeypatch.delenv("THOTH_STORAGES_INDEX_ALIASES")
    assert (
        graph.normalize_python_index_url("https://old.example.org/simple") == "https://new.example.org/simple"
    )
    assert GraphDatabase().normalize_python_index_url("https://old.example.org/simple") == (
        "https://old.example.org/simple"
    )
    assert "THOTH_STORAGES_INDEX_ALIASES" not in DatabaseSettings.from_env().environment()
    assert normalize.index_url("https://old.example.org/simple/", settings.index_aliases) == (
        "https://new.example.org/simple"
    )


def test_sync_settings_are_read_from_the_environment_when_the_adapter_is_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    variables = {
        "THOTH_STORAGES_SYNC_BATCH": "8",
        "THOTH_STORAGES_SYNC_RECONNECT_TIMEOUT": "60",
        "THOTH_STORAGES_SYNC_ASYNC_COMMIT": "1",
        "THOTH_STORAGES_STREAM_THRESHOLD": "0",
        "THOTH_STORAGES_RANDOMIZE_LISTING": "1",
    }
    for name in variables:
        monkeypatch.delenv(name, raising=False)
    assert GraphDatabase().sync_settings == SyncSettings()
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    expected = SyncSettings(
        batch=8, reconnect_timeout=60, asynchronous_commit=True, stream_threshold=0, randomize_listing=True
    )
    assert SyncSettings.from_env() == expected
    assert GraphDatabase().sync_settings == expected
    given = SyncSettings(slice_rows=20)
    assert GraphDatabase(sync=given).sync_settings is given
    monkeypatch.setenv("THOTH_STORAGES_SYNC_BATCH", "0")
    monkeypatch.setenv("THOTH_STORAGES_SYNC_RECONNECT_TIMEOUT", "-5")
    assert (SyncSettings.from_env().batch, SyncSettings.from_env().reconnect_timeout) == (1, 0)
    monkeypatch.setenv("THOTH_STORAGES_STREAM_THRESHOLD", "4MB")
    with pytest.raises(ConfigurationError, match="THOTH_STORAGES_STREAM_THRESHOLD"):
        SyncSettings.from_env()


def test_the_pg_bindir_is_a_database_setting_a_child_process_receives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(PG_BINDIR, raising=False)
    assert DatabaseSettings.from_env().pg_bindir is None
    assert PG_BINDIR not in DatabaseSettings.from_env().environment()
    monkeypatch.setenv(PG_BINDIR, "/opt/pg/bin")
    settings = DatabaseSettings.from_env()
    assert settings.pg_bindir == "/opt/pg/bin" and settings.environment()[PG_BINDIR] == "/opt/pg/bin"
