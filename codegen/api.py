"""The one public entry point: `generate()` renders every generated file; `write()` and `check()` apply it."""

from __future__ import annotations

import difflib
from pathlib import Path

from . import ir
from .format import BANNER, banner, format_python
from .load import load_schema
from .render_constraints import render_constraints
from .render_models import render_models
from .render_queries import render_queries
from .render_rows import render_rows
from .render_strategies import render_strategies
from .revisions import SNAPSHOTS, VERSIONS, plan, read_history, render_history

OWNED_DIRS = ("generated", VERSIONS, SNAPSHOTS)
_BANNER_START = BANNER.split("{", 1)[0]


def _python(text: str, path: str) -> str:
    return format_python(text, path)


def render_tables(schema: ir.Schema) -> dict[str, str]:
    """generated/ files that come from schema/tables/."""
    head = banner("schema/tables")
    return {
        "generated/__init__.py": head
        + '"""Code generated from schema/ by `thoth-storages codegen`; never edit."""\n',
        "generated/constraints.py": _python(head + render_constraints(schema), "generated/constraints.py"),
        "generated/models.py": _python(head + render_models(schema), "generated/models.py"),
        "generated/rows.py": _python(head + render_rows(schema), "generated/rows.py"),
        "generated/strategies.py": _python(head + render_strategies(schema), "generated/strategies.py"),
    }


def generate(schema_dir: Path, project_dir: Path | None = None, message: str | None = None) -> dict[str, str]:
    """Every file codegen owns, path relative to `project_dir` -> text; deterministic.

    `project_dir` (default: the parent of `schema_dir`) holds the revision history; a new revision is
    planned when the schema differs from the last snapshot, with `message` as its title.
    """
    project_dir = project_dir or schema_dir.parent
    schema = load_schema(schema_dir)
    files = render_tables(schema)
    documents_dir = schema_dir / "documents"
    if any(documents_dir.glob("*.json")):
        from .render_documents import render_documents

        files.update(render_documents(documents_dir))
        if (documents_dir / "kinds.yaml").is_file():
            from .render_kinds import render_kinds

            files.update(render_kinds(documents_dir))
    files.update(render_queries(schema, schema_dir / "queries"))
    history = plan(read_history(project_dir / SNAPSHOTS), schema, message)
    for path, text in render_history(history).items():
        files[path] = _python(text, path) if path.endswith(".py") else text
    return dict(sorted(files.items()))


def _owned_on_disk(project_dir: Path) -> set[str]:
    """Files under the owned folders that carry the generated banner (hand-written files are left alone)."""
    found: set[str] = set()
    for folder in OWNED_DIRS:
        for file in (project_dir / folder).rglob("*"):
            if not file.is_file() or "__pycache__" in file.parts:
                continue
            relative = file.relative_to(project_dir).as_posix()
            if relative.startswith(SNAPSHOTS) or file.read_text(
                encoding="utf-8", errors="replace"
            ).startswith(_BANNER_START):
                found.add(relative)
    return found


def write(files: dict[str, str], project_dir: Path) -> list[str]:
    """Write `files` under `project_dir`, delete stale generated files; return the paths that changed."""
    changed: list[str] = []
    for path, text in files.items():
        target = project_dir / path
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            changed.append(path)
    for stale in sorted(_owned_on_disk(project_dir) - set(files)):
        (project_dir / stale).unlink()
        changed.append(stale)
    return changed


def check(files: dict[str, str], project_dir: Path) -> str:
    """A unified diff between `files` and what is on disk; empty when nothing is stale."""
    diffs: list[str] = []
    for path in sorted(set(files) | _owned_on_disk(project_dir)):
        target = project_dir / path
        on_disk = target.read_text(encoding="utf-8") if target.exists() else ""
        wanted = files.get(path, "")
        if on_disk != wanted:
            diffs.extend(
                difflib.unified_diff(
                    on_disk.splitlines(keepends=True),
                    wanted.splitlines(keepends=True),
                    fromfile=f"a/{path}" if target.exists() else "/dev/null",
                    tofile=f"b/{path}" if path in files else "/dev/null",
                )
            )
    return "".join(diffs)
