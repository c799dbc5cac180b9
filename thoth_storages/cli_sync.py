"""`thoth-storages sync` and `thoth-storages demo`: the sync with a progress bar and a stats table."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from generated.kinds import PREFIXES

from .config import pushgateway_url
from .exceptions import ListingError
from .graph import GraphDatabase
from .ops.metrics import push_sync_metrics
from .reasons import reason, short_id
from .sync import SyncEvent, sync_documents
from .sync.api import EventCallback, Stats

_CONSOLE = Console(stderr=True)


def _is_inspection(path: Path) -> bool:
    """An inspection directory: build/specification and results/<n>/result (either part may be
    missing; the sync then reports the inspection as failed, naming the missing part)."""
    return (path / "build" / "specification").is_file() or (path / "results").is_dir()


def expand_local(paths: tuple[Path, ...], failures: list[ListingError] | None = None) -> list[str]:
    """Document files and inspection directories under `paths` (a folder is searched recursively).

    A folder that cannot be read is appended to `failures` as a ListingError naming it, or, without
    `failures`, raised as one."""
    found: list[str] = []
    for path in paths:
        if not path.exists():
            raise click.BadParameter(f"{path} does not exist", param_hint="--local")
        if path.is_file() or _is_inspection(path):
            found.append(str(path))
            continue
        for folder, folders, files in os.walk(path, onerror=partial(_unreadable, failures)):
            here = Path(folder)
            inspections: list[str] = []
            descend: list[str] = []
            for name in sorted(folders):
                try:
                    (inspections if _is_inspection(here / name) else descend).append(name)
                except OSError as error:  # a path the kernel will not take, say
                    _unreadable(failures, error)
            folders[:] = descend
            in_inspections = "inspection" in here.relative_to(path).parts or here.name == "inspection"
            found.extend(str(here / name) for name in inspections)
            if not in_inspections:
                found.extend(str(here / name) for name in files if name.endswith(".json"))
    return sorted(found)


def _unreadable(failures: list[ListingError] | None, error: OSError) -> None:
    failure = ListingError(short_id(str(error.filename)), reason(error))
    if failures is None:
        raise failure from error
    failures.append(failure)


class _Report:
    """Counts rows and failures while the sync runs, and drives the progress bar."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.task = progress.add_task("syncing", total=None, rows="") if progress else None
        self.rows = 0
        self.failures: list[SyncEvent] = []
        self.started = time.perf_counter()

    def __call__(self, event: SyncEvent) -> None:
        self.rows += event.rows
        if event.outcome == "failed":
            self.failures.append(event)
        if self.progress is not None and self.task is not None:
            rate = self.rows / max(time.perf_counter() - self.started, 1e-9)
            self.progress.update(
                self.task, advance=1, description=event.document_id[-40:], rows=f"{rate:,.0f} rows/s"
            )


@contextmanager
def reporting() -> Iterator[_Report]:
    """A report with a live progress bar on a terminal, plain counting otherwise."""
    if not _CONSOLE.is_terminal:
        yield _Report(None)
        return
    columns = (
        TextColumn("{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rows]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=_CONSOLE, transient=True) as progress:
        yield _Report(progress)


def print_stats(stats: dict[str, Stats], report: _Report) -> None:
    """The per-handler table, the failures with their reasons, and the overall rate."""
    table = Table(title="sync")
    for column in ("handler", "processed", "synced", "skipped", "failed"):
        table.add_column(column, justify="left" if column == "handler" else "right")
    for prefix in PREFIXES:
        table.add_row(prefix, *(str(value) for value in stats[prefix]))
    console = Console()
    console.print(table)
    elapsed = time.perf_counter() - report.started
    console.print(f"{report.rows:,} rows in {elapsed:.2f} s ({report.rows / max(elapsed, 1e-9):,.0f} rows/s)")
    for failure in report.failures:
        console.print(failure_line(failure), highlight=False, soft_wrap=True, markup=False)


def failure_line(failure: SyncEvent) -> str:
    """How the CLI prints a failure: one line naming the document (or listing) and the reason."""
    return f"failed {short_id(failure.document_id)}: {failure.error}"


def run_sync(
    document_ids: list[str] | None,
    *,
    force: bool,
    graceful: bool,
    is_local: bool,
    graph: GraphDatabase,
    batch: int | None = None,
) -> tuple[dict[str, Stats], _Report]:
    """Run sync_documents with progress reporting."""
    with reporting() as report:
        callback: EventCallback = report
        stats = sync_documents(document_ids, force, graceful, graph, is_local, on_event=callback, batch=batch)
    return stats, report


@click.command("sync")
@click.argument("document_ids", nargs=-1)
@click.option(
    "--local",
    "local",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Sync documents from local files or folders instead of the stores (repeatable).",
)
@click.option("--force", is_flag=True, help="Sync documents the graph already has.")
@click.option(
    "--graceful",
    is_flag=True,
    help="Report failing documents and listings and go on (waiting for the database when it goes away); "
    "the exit status is 1 when anything failed.",
)
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    envvar="THOTH_STORAGES_SYNC_BATCH",
    default=1,
    show_default=True,
    help="Write up to this many documents per transaction (a failed batch is written again "
    "one document at a time).",
)
def sync(
    document_ids: tuple[str, ...], local: tuple[Path, ...], force: bool, graceful: bool, batch: int
) -> None:
    """Sync workflow documents (all stores when no id or --local path is given) into the graph."""
    if document_ids and local:
        raise click.UsageError("give document ids or --local paths, not both")
    unlisted: list[ListingError] = []
    ids = expand_local(local, unlisted if graceful else None) if local else (list(document_ids) or None)
    graph = GraphDatabase()
    graph.connect()
    try:
        with reporting() as report:
            for failure in unlisted:
                report(SyncEvent("listing", failure.where, "failed", error=reason(failure)))
            try:
                stats = (
                    sync_documents(ids, force, graceful, graph, bool(local), on_event=report, batch=batch)
                    if ids or not local  # no ids means every stored document, but no local path means none
                    else dict.fromkeys(PREFIXES, (0, 0, 0, 0))
                )
            except Exception:  # not graceful: the first failure stops the sync; it was reported
                if not report.failures:
                    raise
                _CONSOLE.print(
                    f"error: {failure_line(report.failures[-1])}",
                    highlight=False,
                    soft_wrap=True,
                    markup=False,
                )
                sys.exit(1)
    finally:
        graph.disconnect()
    print_stats(stats, report)
    push_sync_metrics(stats, report.rows, time.perf_counter() - report.started, pushgateway_url())
    if report.failures or any(stats[prefix][3] for prefix in stats):
        sys.exit(1)
