"""GraphBackupStore: dump upload and rotation that deletes whole dump keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from s3_helpers import Backend

from thoth_storages.exceptions import ConfigurationError
from thoth_storages.s3 import GraphBackupStore

START = datetime(2022, 1, 31, 5, 9, 13, tzinfo=UTC)


def test_dump_upload_and_rotation(backend: Backend, tmp_path: Path) -> None:
    dump = tmp_path / "pg_dump.sql"
    dump.write_bytes(b"-- PostgreSQL database dump\n" * 100)
    store = GraphBackupStore()
    store.connect()
    store.ceph.store_blob(b"keep me", "README")
    keys = [store.store_dump(dump, now=START + timedelta(days=day)) for day in range(25)]
    assert keys[0] == "pg_dump-22-01-31-05-09-13"
    assert store.ceph.retrieve_blob(keys[-1]) == dump.read_bytes()
    # The default keeps the 21 newest dumps; the original deleted one-character keys instead.
    assert store.get_dump_listing() == keys[4:]
    assert sorted(store.ceph.get_document_listing()) == sorted([*keys[4:], "README"])


def test_rotation_setting(backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dump = tmp_path / "dump"
    dump.write_bytes(b"dump")
    store = GraphBackupStore()
    store.connect()
    monkeypatch.setenv("GRAPH_BACKUP_STORE_ROTATE", "3")
    keys = [store.store_dump(dump, now=START + timedelta(hours=hour)) for hour in range(5)]
    assert store.get_dump_listing() == keys[2:]
    assert store.rotate(keep=1) == keys[2:4]
    assert store.get_dump_listing() == keys[4:]
    with pytest.raises(ValueError):
        store.rotate(keep=0)
    monkeypatch.setenv("GRAPH_BACKUP_STORE_ROTATE", "0")
    with pytest.raises(ConfigurationError, match="GRAPH_BACKUP_STORE_ROTATE"):
        store.rotate()
