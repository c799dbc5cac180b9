"""`thoth-storages backup`, `backup list`, `restore`: operating the knowledge graph from the shell."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .config import DatabaseSettings
from .ops.backup import backup as run_backup
from .ops.backup import list_backups
from .ops.restore import restore as run_restore
from .s3 import GraphBackupStore

_CONSOLE = Console()
_ERR = Console(stderr=True)
_LOGGER = logging.getLogger(__name__)
_LOG_EVERY = 10.0
"""Seconds between progress lines when the output is not a terminal."""


@contextmanager
def _progress(what: str) -> Iterator[Callable[[int, int, str], None]]:
    """A callback (done, total, detail): a live bar on a terminal, a log line every few seconds otherwise."""
    if not _ERR.is_terminal:
        last = [time.monotonic()]

        def log(done: int, total: int, detail: str) -> None:
            if time.monotonic() - last[0] >= _LOG_EVERY:
                last[0] = time.monotonic()
                _LOGGER.info("%s: %d of %d tables%s", what, done, total, f", {detail}" if detail else "")

        yield log
        return
    columns = (
        TextColumn(f"{what:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("tables {task.fields[detail]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=_ERR, transient=True) as progress:
        task = progress.add_task(what, total=None, detail="")

        def update(done: int, total: int, detail: str) -> None:
            progress.update(task, completed=done, total=total, detail=detail)

        yield update


def _store() -> GraphBackupStore:
    store = GraphBackupStore()
    store.connect()
    return store


def _mib(size: int) -> str:
    return f"{size / 1024**2:,.2f} MiB"


@click.group("backup", invoke_without_command=True)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    help="Dumps to keep (default: GRAPH_BACKUP_STORE_ROTATE, else 21); older ones and their manifests are deleted.",
)
@click.pass_context
def backup(ctx: click.Context, keep: int | None) -> None:
    """Dump the graph database with pg_dump into the graph-backup store, with a manifest, and rotate."""
    if ctx.invoked_subcommand is not None:
        return
    settings = DatabaseSettings.from_env()
    store = _store()
    started = time.perf_counter()
    with _progress("pg_dump") as report:
        manifest = run_backup(
            settings, store, keep=keep, on_progress=lambda done, total, size: report(done, total, _mib(size))
        )
    elapsed = time.perf_counter() - started
    _CONSOLE.print(
        f"stored {store.prefix}{manifest.key}: {manifest.size:,} bytes ({_mib(manifest.size)}), "
        f"{manifest.rows:,} rows in {len(manifest.tables)} tables, revision {manifest.schema_revision}, "
        f"sha256 {manifest.sha256[:16]}..., in {elapsed:.2f} s; {len(store.get_dump_listing())} dumps kept",
        highlight=False,
        soft_wrap=True,
    )


@backup.command("list")
def backup_list() -> None:
    """The stored dumps, oldest first: when, size, schema revision and rows."""
    store = _store()
    table = Table(title=f"graph dumps in {store.prefix}")
    for column in ("key", "taken (UTC)", "size", "revision", "rows", "sha256"):
        table.add_column(column, justify="right" if column in ("size", "rows") else "left", no_wrap=True)
    for entry in list_backups(store):
        manifest = entry.manifest
        table.add_row(
            entry.key,
            entry.created.strftime("%Y-%m-%d %H:%M:%S"),
            f"{entry.size:,}",
            manifest.schema_revision or "-" if manifest else "no manifest",
            f"{manifest.rows:,}" if manifest else "",
            manifest.sha256[:16] if manifest else "",
        )
    (_CONSOLE if _CONSOLE.is_terminal else Console(width=160)).print(table)


@click.command("restore")
@click.argument("key", default="latest")
@click.option("--into", "into", required=True, metavar="DATABASE", help="Database to restore into.")
@click.option("--replace", "replace_existing", is_flag=True, help="Drop DATABASE first when it is not empty.")
@click.option("--no-upgrade", is_flag=True, help="Leave a dump of an older schema revision at that revision.")
def restore(key: str, into: str, replace_existing: bool, no_upgrade: bool) -> None:
    """Restore dump KEY (default: latest) into a new or empty DATABASE and verify it against its manifest."""
    settings = DatabaseSettings.from_env()
    store = _store()
    with _progress("pg_restore") as report:
        result = run_restore(
            settings,
            store,
            key,
            into,
            replace_existing=replace_existing,
            upgrade=not no_upgrade,
            on_progress=lambda done, total: report(done, total, ""),
        )
    manifest = result.manifest
    revision = (
        f"revision {result.revision_before} upgraded to {result.revision_after}"
        if result.upgraded
        else f"revision {result.revision_after}"
    )
    _CONSOLE.print(
        f"restored {store.prefix}{manifest.key} ({manifest.size:,} bytes, checksum verified) into {into}: "
        f"{manifest.rows:,} rows in {len(manifest.tables)} tables equal to the manifest, {revision}; "
        f"download {result.download_seconds:.2f} s, pg_restore {result.restore_seconds:.2f} s, "
        f"verification {result.verify_seconds:.2f} s",
        highlight=False,
        soft_wrap=True,
    )
