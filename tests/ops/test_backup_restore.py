"""Backups with the real pg_dump into the real S3 server (moto over HTTP) or the local store, restores
with the real pg_restore into fresh databases, compared with the source on every table and column."""

from __future__ import annotations

import hashlib
import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from tests.conftest import head_template, new_database
from thoth_storages import GraphDatabase
from thoth_storages.cli import cli
from thoth_storages.config import DatabaseSettings
from thoth_storages.graph import migrate
from thoth_storages.graph.connection import make_engine
from thoth_storages.graph.contents import diff_contents, table_contents
from thoth_storages.ops.backup import BackupError, backup, list_backups, read_manifest, rotate
from thoth_storages.ops.manifest import MANIFEST_FOLDER, count_rows, manifest_key
from thoth_storages.ops.pgtools import ToolVersionError, find_tool
from thoth_storages.ops.restore import ChecksumMismatchError, TargetNotEmptyError, restore
from thoth_storages.s3 import GraphBackupStore

START = datetime(2026, 1, 31, 5, 9, 13, tzinfo=UTC)


def _counts(settings: DatabaseSettings) -> dict[str, int]:
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            return count_rows(connection)
    finally:
        engine.dispose()


def _same_contents(left: DatabaseSettings, right: DatabaseSettings) -> None:
    engines = [make_engine(left), make_engine(right)]
    try:
        source, copy = (table_contents(engine) for engine in engines)
    finally:
        for engine in engines:
            engine.dispose()
    assert len(source) > 80 and sum(sum(rows.values()) for rows in source.values()) > 5000
    assert diff_contents(source, copy) == []


def _database_exists(settings: DatabaseSettings) -> bool:
    engine = make_engine(settings, "postgres")
    try:
        with engine.connect() as connection:
            return bool(
                connection.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": settings.database}
                ).scalar()
            )
    finally:
        engine.dispose()


def test_backup_to_s3_and_restore_equal_on_every_column(
    synced: GraphDatabase, s3_store: GraphBackupStore, target: DatabaseSettings
) -> None:
    seen: list[tuple[int, int, int]] = []
    manifest = backup(synced.settings, s3_store, on_progress=lambda *progress: seen.append(progress))
    stored = s3_store.ceph.retrieve_blob(manifest.key)
    assert stored[:5] == b"PGDMP"  # pg_dump's custom format
    assert (manifest.size, manifest.sha256) == (len(stored), hashlib.sha256(stored).hexdigest())
    assert manifest.tables == _counts(synced.settings)
    assert manifest.schema_revision == synced.get_table_alembic_version_head()
    assert read_manifest(s3_store, manifest.key) == manifest
    assert seen[-1] == (sum(1 for rows in manifest.tables.values()), len(manifest.tables), manifest.size)
    assert [sizes for _, _, sizes in seen] == sorted(sizes for _, _, sizes in seen)

    report = restore(synced.settings, s3_store, "latest", target.database)
    assert report.manifest == manifest and not report.upgraded
    assert _counts(target) == manifest.tables
    _same_contents(synced.settings, target)


def test_cli_on_the_local_store_backs_up_lists_and_restores(
    synced: GraphDatabase, local_store: GraphBackupStore, target: DatabaseSettings
) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["backup"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    (key,) = local_store.get_dump_listing()
    manifest = read_manifest(local_store, key)
    assert f"{manifest.size:,} bytes" in done.output and f"{manifest.rows:,} rows" in done.output
    listed = runner.invoke(cli, ["backup", "list"], catch_exceptions=False, terminal_width=200)
    assert key in listed.output and f"{manifest.size:,}" in listed.output

    done = runner.invoke(cli, ["restore", "--into", target.database], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert "checksum verified" in done.output
    _same_contents(synced.settings, target)

    # The copy is not empty now: refused without --replace, restored again with it.
    again = runner.invoke(cli, ["restore", key, "--into", target.database])
    assert again.exit_code == 1 and "is not empty" in again.output and "--replace" in again.output
    with pytest.raises(TargetNotEmptyError):
        restore(synced.settings, local_store, key, target.database)
    again = runner.invoke(cli, ["restore", key, "--into", target.database, "--replace"])
    assert again.exit_code == 0, again.output
    _same_contents(synced.settings, target)

    # `db diff` says so too, and names a table once the copy changes.
    same = runner.invoke(cli, ["db", "diff", target.database], catch_exceptions=False)
    rows = manifest.rows - manifest.tables["alembic_version"]  # graph.contents compares the model's tables
    assert (
        same.exit_code == 0 and f"are equal: {len(manifest.tables) - 1} tables, {rows:,} rows" in same.output
    )
    engine = make_engine(target)
    with engine.begin() as connection:
        connection.execute(text("UPDATE python_package_index SET verify_ssl = NOT verify_ssl"))
    engine.dispose()
    changed = runner.invoke(cli, ["db", "diff", target.database], catch_exceptions=False)
    assert changed.exit_code == 1 and "python_package_index: 3 row(s) only on the left" in changed.output


def test_rotation_keeps_exactly_the_newest_dumps_and_their_manifests(
    synced: GraphDatabase, s3_store: GraphBackupStore, tmp_path: Path
) -> None:
    keys = [backup(synced.settings, s3_store, keep=2, now=START + timedelta(hours=h)).key for h in range(4)]
    assert s3_store.get_dump_listing() == keys[2:]
    assert sorted(s3_store.ceph.get_document_listing(MANIFEST_FOLDER)) == [manifest_key(k) for k in keys[2:]]
    assert [entry.key for entry in list_backups(s3_store)] == keys[2:]
    # A dump stored the original's way (no manifest) counts as a dump; a manifest without its dump goes.
    old_job_dump = tmp_path / "dump"
    old_job_dump.write_bytes(b"PGDMP old job")
    s3_store.store_dump(old_job_dump, now=START + timedelta(hours=9))
    s3_store.ceph.store_document({"orphan": True}, manifest_key("pg_dump-20-01-01-00-00-00"))
    assert rotate(s3_store, keep=2) == [keys[2]]
    assert s3_store.get_dump_listing() == [keys[3], s3_store.dump_key(START + timedelta(hours=9))]
    assert list(s3_store.ceph.get_document_listing(MANIFEST_FOLDER)) == [manifest_key(keys[3])]
    entries = list_backups(s3_store)
    assert entries[1].manifest is None and entries[1].size == len(b"PGDMP old job")


@pytest.mark.parametrize("damage", ["truncated", "corrupted"])
def test_a_damaged_dump_is_refused_by_its_checksum(
    synced: GraphDatabase, s3_store: GraphBackupStore, target: DatabaseSettings, damage: str
) -> None:
    manifest = backup(synced.settings, s3_store)
    stored = s3_store.ceph.retrieve_blob(manifest.key)
    middle = len(stored) // 2
    damaged = (
        stored[:middle]
        if damage == "truncated"
        else stored[:middle] + bytes([stored[middle] ^ 1]) + stored[middle + 1 :]
    )
    s3_store.ceph.store_blob(damaged, manifest.key)
    with pytest.raises(
        ChecksumMismatchError, match=rf"{manifest.key}.*{len(damaged)} bytes.*{manifest.sha256}"
    ):
        restore(synced.settings, s3_store, manifest.key, target.database)
    assert not _database_exists(target)


def _script(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_missing_or_old_pg_dump_is_named_with_both_versions(
    synced: GraphDatabase, local_store: GraphBackupStore, tmp_path: Path
) -> None:
    server = synced.engine.dialect.server_version_info
    assert server is not None
    settings = replace(synced.settings, pg_bindir=str(tmp_path))
    with pytest.raises(ToolVersionError, match=rf"pg_dump not found in {tmp_path}.*PostgreSQL {server[0]}"):
        backup(settings, local_store)
    _script(tmp_path, "pg_dump", 'echo "pg_dump (PostgreSQL) 11.22"\n')
    with pytest.raises(ToolVersionError, match=rf"pg_dump 11\.22 .* of PostgreSQL {server[0]}"):
        backup(settings, local_store)
    assert local_store.get_dump_listing() == []


def test_a_failing_pg_dump_stores_nothing(
    synced: GraphDatabase, s3_store: GraphBackupStore, tmp_path: Path
) -> None:
    real = synced.engine.dialect.server_version_info
    assert real is not None
    pg_dump = find_tool("pg_dump", real[0]).path
    # The real pg_dump, cut off after 64 KiB and failing, as when the server goes away mid-dump.
    _script(
        tmp_path,
        "pg_dump",
        f'[ "$1" = --version ] && exec {pg_dump} --version\n{pg_dump} "$@" | head -c 65536\n'
        "echo 'pg_dump: error: connection lost' >&2\nexit 3\n",
    )
    with pytest.raises(BackupError, match=r"status 3.*connection lost"):
        backup(replace(synced.settings, pg_bindir=str(tmp_path)), s3_store)
    assert list(s3_store.ceph.get_document_listing()) == []


def test_a_dump_of_an_older_revision_is_restored_and_upgraded(
    synced: GraphDatabase, local_store: GraphBackupStore, target: DatabaseSettings
) -> None:
    with new_database(head_template()) as older:
        engine = make_engine(older)
        with engine.begin() as connection:
            migrate.downgrade(connection, "-1")
            previous = migrate.table_head(connection)
        engine.dispose()
        assert previous != migrate.script_head()
        manifest = backup(older, local_store)
        assert manifest.schema_revision == previous
        report = restore(synced.settings, local_store, manifest.key, target.database)
        assert (report.revision_before, report.revision_after, report.upgraded) == (
            previous,
            migrate.script_head(),
            True,
        )
