"""`python -m codegen`: generate, or `--check` that generated files are up to date."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .api import check, generate, write
from .load import SchemaLoadError
from .migration_diff import DestructiveChangeError
from .revisions import HistoryError


def run(schema_dir: Path, *, check_only: bool, message: str | None) -> int:
    """Generate (or check) from `schema_dir`; print what happened; return the exit code."""
    project_dir = schema_dir.resolve().parent
    try:
        files = generate(schema_dir.resolve(), project_dir, message)
    except (SchemaLoadError, DestructiveChangeError, HistoryError) as error:
        click.echo(f"codegen: {error}", err=True)
        return 2
    if check_only:
        diff = check(files, project_dir)
        if diff:
            click.echo(diff, nl=False)
            click.echo(
                "codegen --check: generated files are stale or hand-edited; run `thoth-storages codegen`.",
                err=True,
            )
            return 1
        click.echo(f"codegen --check: {len(files)} generated files are up to date.")
        return 0
    changed = write(files, project_dir)
    for path in changed:
        click.echo(f"wrote {path}")
    click.echo(f"codegen: {len(changed)} files changed, {len(files)} generated.")
    return 0


@click.command(name="codegen")
@click.option(
    "--check", "check_only", is_flag=True, help="Exit 1 with a diff when generated files are stale."
)
@click.option("-m", "--message", help="Title of the new revision, when the schema changed.")
@click.option(
    "--schema",
    "schema_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schema"),
    show_default=True,
    help="The schema folder (its parent is the project folder).",
)
def main(check_only: bool, message: str | None, schema_dir: Path) -> None:
    """Generate models, validators, strategies and Alembic revisions from schema/."""
    sys.exit(run(schema_dir, check_only=check_only, message=message))


if __name__ == "__main__":
    main()
