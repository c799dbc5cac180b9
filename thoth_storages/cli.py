"""The `thoth-storages` console script."""

from __future__ import annotations

import logging
import sys

import click
from rich.console import Console
from rich.table import Table

from codegen.__main__ import main as codegen_command

from . import __version__
from .cli_sync import sync
from .demo import demo
from .exceptions import ThothStorageExceptionError
from .graph import GraphDatabase

_CONSOLE = Console()


class _Group(click.Group):
    """Turns the library's errors into one red line and exit code 1, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ThothStorageExceptionError as error:
            _CONSOLE.print(f"[red]error:[/red] {error}", markup=True, highlight=False, soft_wrap=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.option("-v", "--verbose", is_flag=True, envvar="THOTH_STORAGES_VERBOSE", help="Log at DEBUG level.")
@click.version_option(__version__, prog_name="thoth-storages")
def cli(verbose: bool) -> None:
    """Storage layer of the Thoth knowledge graph: schema, codegen, database and documents."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )


cli.add_command(sync)
cli.add_command(demo)


cli.add_command(codegen_command, name="codegen")


@cli.group()
def db() -> None:
    """Create, migrate and inspect the knowledge-graph database."""


def _connected() -> GraphDatabase:
    graph = GraphDatabase()
    graph.connect()
    return graph


@db.command("init")
def db_init() -> None:
    """Create the database if missing and upgrade it to the head revision."""
    graph = _connected()
    graph.initialize_schema()
    _print_status(graph)
    graph.disconnect()


@db.command("status")
def db_status() -> None:
    """Print the database, its schema revision and its tables."""
    graph = _connected()
    _print_status(graph)
    graph.disconnect()


def _print_status(graph: GraphDatabase) -> None:
    settings = graph.settings
    tables = graph.table_names()
    table = Table(title="knowledge graph", show_header=False)
    table.add_row(
        "database", f"postgresql://{settings.user}@{settings.host}:{settings.port}/{settings.database}"
    )
    table.add_row("schema revision", graph.get_table_alembic_version_head())
    table.add_row("library head", graph.get_script_alembic_version_head())
    table.add_row("up to date", "yes" if graph.is_schema_up2date() else "no")
    table.add_row("tables", f"{len(tables)}: {', '.join(tables)}")
    _CONSOLE.print(table)


@db.command("drop")
@click.confirmation_option(prompt="Drop every knowledge-graph table and type?")
def db_drop() -> None:
    """Drop every table of the model, its enum types and alembic_version."""
    graph = _connected()
    graph.drop_all()
    graph.disconnect()
    click.echo("dropped")


from .cli_schema import db_adopt, db_check, generate_schema, schema  # noqa: E402

db.add_command(db_check)
db.add_command(db_adopt)
cli.add_command(schema)
cli.add_command(generate_schema)

from .cli_ops import backup, db_diff, db_health, metrics, restore  # noqa: E402

cli.add_command(backup)
cli.add_command(restore)
cli.add_command(metrics)
db.add_command(db_health)
db.add_command(db_diff)
