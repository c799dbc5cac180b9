"""`thoth-storages backup`, `backup list`, `restore`, `metrics`, `db health`, `db diff`: operating the knowledge graph."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from urllib.error import URLError

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .config import DatabaseSettings
from .graph import GraphDatabase
from .graph.connection import make_engine
from .graph.contents import diff_contents, table_contents
from .ops.backup import backup as run_backup
from .ops.backup import list_backups
from .ops.health import health
from .ops.metrics import GRAPH_JOB, graph_metrics, push
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


def _wide() -> Console:
    """The console for tables: the terminal, else 160 columns (not rich's 80) for logs and pipes."""
    return _CONSOLE if _CONSOLE.is_terminal else Console(width=160)


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
    _wide().print(table)


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


def _connected() -> GraphDatabase:
    graph = GraphDatabase()
    graph.connect()
    return graph


@click.command("metrics")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON instead of a table.")
@click.option("--push", "push_url", metavar="URL", help="Push them to the Prometheus Pushgateway at URL.")
def metrics(as_json: bool, push_url: str | None) -> None:
    """The knowledge graph's metrics: rows, documents, unsolved packages, size, bloat, corruption, schema."""
    graph = _connected()
    try:
        collected = graph_metrics(graph)
    finally:
        graph.disconnect()
    if as_json:
        click.echo(
            json.dumps(
                {
                    metric.name: [
                        {**dict(zip(metric.labels, labels, strict=True)), "value": value}
                        for labels, value in metric.values.items()
                    ]
                    for metric in collected
                },
                indent=2,
            )
        )
    else:
        table = Table(title=f"knowledge graph metrics of {graph.settings.database}")
        for column in ("metric", "labels", "value"):
            table.add_column(column, justify="right" if column == "value" else "left")
        for metric in collected:
            for labels, value in metric.values.items():
                described = ", ".join(f"{n}={v}" for n, v in zip(metric.labels, labels, strict=True))
                table.add_row(
                    metric.name, described, f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
                )
        _wide().print(table)
    if push_url:
        try:
            push(push_url, GRAPH_JOB, collected, {"database": graph.settings.database})
        except (URLError, OSError, ValueError) as error:
            raise click.ClickException(
                f"cannot push the metrics to the Pushgateway {push_url}: {error}"
            ) from None
        _ERR.print(f"pushed {len(collected)} metrics to {push_url} (job {GRAPH_JOB})", highlight=False)


@click.command("health")
@click.option(
    "--bloat-threshold",
    default=50.0,
    show_default=True,
    help="Report relations bloated above this percentage.",
)
@click.option("--bloat-min-mib", default=1.0, show_default=True, help="...and by at least this many MiB.")
@click.option(
    "--long-transaction",
    default=300.0,
    show_default=True,
    help="Report transactions open longer than this (seconds).",
)
@click.option("--quick", is_flag=True, help="Check index structure only (skip amcheck's heap pass).")
def db_health(bloat_threshold: float, bloat_min_mib: float, long_transaction: float, quick: bool) -> None:
    """Corruption (amcheck), bloat, size, schema revision, long transactions; exit 1 on corruption or a stale schema."""
    graph = _connected()
    try:
        report = health(
            graph,
            bloat_percent=bloat_threshold,
            bloat_min_mib=bloat_min_mib,
            transaction_seconds=long_transaction,
            heapallindexed=not quick,
        )
    finally:
        graph.disconnect()
    amcheck = (
        "not run"
        if report.amcheck_note
        else f"{report.indexes_checked} btree indexes checked, {len(report.corrupt_indexes)} corrupt"
    )
    _CONSOLE.print(
        f"database {report.database}: {report.size_bytes:,} bytes ({_mib(report.size_bytes)}), schema revision "
        f"{report.revision or 'none'} (library head {report.head}), amcheck: {amcheck}",
        highlight=False,
        soft_wrap=True,
    )
    for line in report.warnings:
        _CONSOLE.print(f"warning: {line}", highlight=False, soft_wrap=True, markup=False)
    for line in report.problems:
        _CONSOLE.print(f"unhealthy: {line}", highlight=False, soft_wrap=True, markup=False)
    if report.problems:
        sys.exit(1)
    _CONSOLE.print("healthy", highlight=False)


@click.command("diff")
@click.argument("other")
def db_diff(other: str) -> None:
    """Compare the graph database with database OTHER on the same server, every table on all columns
    (serial ids replaced by the rows they name, so renumbered copies are equal); exit 1 when they differ."""
    settings = DatabaseSettings.from_env()
    engines = [make_engine(settings), make_engine(replace(settings, database=other))]
    try:
        left, right = (table_contents(engine) for engine in engines)
    finally:
        for engine in engines:
            engine.dispose()
    differences = diff_contents(left, right)
    rows = sum(table.total() for table in left.values())
    for difference in differences:
        _CONSOLE.print(difference.describe(), highlight=False, markup=False, soft_wrap=True)
    if differences:
        _CONSOLE.print(
            f"{settings.database} and {other} differ in {len(differences)} of {len(left)} tables",
            soft_wrap=True,
        )
        sys.exit(1)
    _CONSOLE.print(
        f"{settings.database} and {other} are equal: {len(left)} tables, {rows:,} rows, all columns",
        highlight=False,
        soft_wrap=True,
    )
