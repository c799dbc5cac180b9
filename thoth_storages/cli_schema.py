"""Schema tools of the console script: `db check`, `db adopt`, `schema import` and `generate-schema`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import OperationalError

from .config import DatabaseSettings
from .exceptions import ConfigurationError, StorageConnectionError


def _fail(message: str) -> None:
    click.echo(click.style("error:", fg="red") + f" {message}", err=True)


def _engine(url: str | None) -> tuple[Engine, str]:
    """An engine for `--url`, or for the configured KNOWLEDGE_GRAPH_* database, and how to name it."""
    from .graph.adopt import describe
    from .graph.compare import engine_for_url
    from .graph.connection import make_engine, ping

    if url is None:
        settings = DatabaseSettings.from_env()
        engine = make_engine(settings)
        ping(engine, settings)
        return engine, describe(settings)
    engine = engine_for_url(url)
    where = make_url(url).render_as_string(hide_password=True)
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        engine.dispose()
        detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise StorageConnectionError(f"cannot connect to {where}: {detail}") from None
    return engine, where


@click.command("check")
@click.option(
    "--url", metavar="URL", help="SQLAlchemy URL of the database (default: the KNOWLEDGE_GRAPH_* settings)."
)
def db_check(url: str | None) -> None:
    """Compare a live database with the generated models; exit 1 listing every difference."""
    from .graph.adopt import drift, head_schema, revision_advice

    engine, where = _engine(url)
    try:
        with engine.connect() as connection:
            differences = drift(connection)
            advice = revision_advice(connection) if differences else ""
    finally:
        engine.dispose()
    head = head_schema()
    tables, enums = len(head.tables), len(head.enums)
    if not differences:
        click.echo(f"no drift: {where} matches the generated models ({tables} tables, {enums} enum types)")
        return
    click.echo(f"drift: {where} differs from the generated models (expected: models, got: database):")
    for line in differences:
        click.echo(f"  {line}")
    click.echo(f"{len(differences)} difference(s); {advice}")
    sys.exit(1)


@click.command("adopt")
def db_adopt() -> None:
    """Take over a database built by thoth-storages 0.74 (at its head bf9ea2a38b01) if it has no drift.

    The original's alembic_version row is replaced by our baseline revision, so that `db init` applies
    our later revisions. A database that differs is refused with the list of differences, unchanged.
    """
    from .graph.adopt import AdoptionRefusedError, Outcome, adopt_database, describe

    settings = DatabaseSettings.from_env()
    where = describe(settings)
    try:
        adoption = adopt_database(settings)
    except AdoptionRefusedError as error:
        _fail(f"not adopted: {error}")
        for line in error.differences:
            click.echo(f"  {line}", err=True)
        sys.exit(1)
    pending = (
        f"; run `thoth-storages db init` to apply {adoption.pending_revisions} later revision(s)"
        if adoption.pending_revisions
        else "; it is at our head revision"
    )
    if adoption.outcome is Outcome.ALREADY_OURS:
        click.echo(f"nothing to do: {where} is already at our revision {adoption.revision}{pending}")
        return
    click.echo(
        f"adopted {where}: no drift against our baseline revision {adoption.revision}; "
        f"alembic_version {adoption.previous_revision} -> {adoption.revision}{pending}"
    )


@click.group("schema")
def schema() -> None:
    """Schema YAML for existing databases."""


@schema.command("import")
@click.option("--url", required=True, metavar="URL", help="SQLAlchemy URL of the PostgreSQL database.")
@click.option(
    "--tables", metavar="REGEX", help="Only tables whose name fully matches REGEX (and their parents)."
)
@click.option(
    "--output",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write DIR/tables/imported.yaml (a schema folder) instead of printing the YAML.",
)
def schema_import(url: str, tables: str | None, output: Path | None) -> None:
    """Write schema YAML (docs/schema-language.md) describing an existing PostgreSQL database."""
    from .schema_import import import_schema, write_schema

    result = import_schema(url, tables)
    for warning in result.warnings:
        click.echo(click.style("warning:", fg="yellow") + f" {warning}", err=True)
    summary = f"{len(result.tables)} tables and {len(result.enums)} enum types"
    if output is None:
        click.echo(result.text, nl=False)
        click.echo(f"imported {summary}", err=True)
        return
    try:
        target = write_schema(result, output)
    except OSError as error:
        raise ConfigurationError(f"cannot write under {output}: {error.strerror}") from None
    click.echo(f"imported {summary} into {target}")


@click.command("generate-schema")
@click.argument(
    "schema_file", default="schema.png", type=click.Path(dir_okay=False, path_type=Path), required=False
)
@click.option(
    "-i",
    "--include",
    multiple=True,
    metavar="REGEX",
    help="Draw the models whose class name fully matches REGEX (repeatable); default: main and relation models.",
)
@click.option(
    "--performance-models/--no-performance-models",
    default=True,
    show_default=True,
    help="Draw the performance-indicator models too.",
)
def generate_schema(schema_file: Path, include: tuple[str, ...], performance_models: bool) -> None:
    """Draw the entity-relationship diagram of the models into SCHEMA_FILE (.png or .svg, default schema.png)."""
    from .er_diagram import render

    diagram = render(schema_file, include, performance_models)
    click.echo(f"wrote {diagram.path}: {len(diagram.models)} models, {diagram.edges} foreign keys")
