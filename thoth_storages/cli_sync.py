"""`thoth-storages sync` and `thoth-storages demo`: the sync with a progress bar and a stats table."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .graph import GraphDatabase
from .sync import SyncEvent, sync_documents
from .sync.api import EventCallback, Stats
from .sync.sources import PREFIXES

_CONSOLE = Console(stderr=True)


def expand_local(paths: tuple[Path, ...]) -> list[str]:
    """Document files and inspection directories under `paths` (a folder is searched recursively)."""
    found: list[str] = []
    for path in paths:
        if not path.exists():
            raise click.BadParameter(f"{path} does not exist", param_hint="--local")
        if path.is_file() or (path / "build" / "specification").is_file():
            found.append(str(path))
            continue
        for child in sorted(path.rglob("*")):
            if (child / "build" / "specification").is_file() or (
                child.is_file() and child.suffix == ".json" and "inspection" not in child.parts
            ):
                found.append(str(child))
    return found


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
        console.print(
            f"[red]failed[/red] {failure.document_id}: {failure.error}", highlight=False, soft_wrap=True
        )


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
@click.option("--graceful", is_flag=True, help="Report failing documents and go on.")
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    envvar="THOTH_STORAGES_SYNC_BATCH",
    default=1,
    show_default=True,
    help="Write up to this many solver documents per transaction (a failed batch is written again "
    "one document at a time).",
)
def sync(
    document_ids: tuple[str, ...], local: tuple[Path, ...], force: bool, graceful: bool, batch: int
) -> None:
    """Sync workflow documents (all stores when no id or --local path is given) into the graph."""
    if document_ids and local:
        raise click.UsageError("give document ids or --local paths, not both")
    graph = GraphDatabase()
    graph.connect()
    ids = expand_local(local) if local else (list(document_ids) or None)
    stats, report = run_sync(
        ids, force=force, graceful=graceful, is_local=bool(local), graph=graph, batch=batch
    )
    graph.disconnect()
    print_stats(stats, report)
    if any(stats[prefix][3] for prefix in stats):
        sys.exit(1)
