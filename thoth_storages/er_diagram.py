"""`thoth-storages generate-schema`: an entity-relationship picture of the generated models, drawn by Graphviz.

One node per table (model class name, table name, every column with its type and key marks), one edge
per foreign key between selected tables. Input is sorted and the DOT text carries no timestamps or
ids, so the same models give the same bytes on every run (PNG, SVG; `.dot`/`.gv` writes the DOT text).
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import graphviz  # type: ignore[import-untyped]
from sqlalchemy import Table, inspect
from sqlalchemy.dialects import postgresql

from generated.models import (
    ALL_MAIN_MODELS,
    ALL_PERFORMANCE_MODELS,
    ALL_RELATION_MODELS,
    MODEL_BY_NAME,
    Base,
)

from .exceptions import ConfigurationError, ThothStorageExceptionError

FORMATS = {".png": "png", ".svg": "svg", ".dot": "dot", ".gv": "dot"}
_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


class GraphvizMissingError(ThothStorageExceptionError):
    """Graphviz's `dot` program is not installed."""


@dataclass(frozen=True)
class Diagram:
    """What was drawn."""

    path: Path
    models: tuple[str, ...]
    edges: int


def select_models(includes: Sequence[str] = (), performance_models: bool = True) -> list[type[Base]]:
    """The models to draw, sorted by class name.

    By default the main and relation models; with `includes`, every model whose class name fully
    matches one of the regular expressions. Performance models are added (or matched) unless
    `performance_models` is false.
    """
    performance = set(ALL_PERFORMANCE_MODELS)
    candidates: list[type[Base]] = [*ALL_MAIN_MODELS, *ALL_RELATION_MODELS]
    if includes:
        candidates = [model for model in MODEL_BY_NAME.values() if model not in performance]
    if performance_models:
        candidates += ALL_PERFORMANCE_MODELS
    patterns: list[re.Pattern[str]] = []
    for include in includes:
        try:
            patterns.append(re.compile(include))
        except re.error as error:
            raise ConfigurationError(f"--include {include!r} is not a regular expression: {error}") from None
    if patterns:
        candidates = [model for model in candidates if any(p.fullmatch(model.__name__) for p in patterns)]
    if not candidates:
        shown = ", ".join(repr(include) for include in includes)
        raise ConfigurationError(
            f"--include {shown} matches no model"
            + ("" if performance_models else " (performance models are left out)")
            + "; model names are class names such as PythonPackageVersion"
        )
    return sorted(candidates, key=lambda model: model.__name__)


def _label(model: type[Base], table: Table) -> str:
    foreign = {column.name for column in table.columns if column.foreign_keys}
    # The mapper's identity: the primary key, or the ORM-only key of a table without one.
    identity = {column.name for column in table.primary_key.columns}
    identity |= {column.name for column in inspect(model).primary_key}
    rows = [
        '<TR><TD BGCOLOR="#d9e7f5" ALIGN="CENTER">'
        f"<B>{html.escape(model.__name__)}</B><BR/>"
        f'<FONT POINT-SIZE="10">{html.escape(table.name)}</FONT></TD></TR>'
    ]
    for column in table.columns:
        marks = [mark for mark, on in (("PK", column.name in identity), ("FK", column.name in foreign)) if on]
        spelled = str(column.type.compile(dialect=_DIALECT)).lower()
        name = html.escape(column.name)
        text = f"<B>{name}</B>" if column.name in identity else name
        text += f" : {html.escape(spelled)}" + ("" if column.nullable else " not null")
        if marks:
            text += f" [{', '.join(marks)}]"
        rows.append(f'<TR><TD ALIGN="LEFT" PORT="{html.escape(column.name)}">{text}</TD></TR>')
    return '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">' + "".join(rows) + "</TABLE>>"


def build(models: Sequence[type[Base]]) -> tuple[str, int]:
    """The DOT text of the diagram of `models`, and its number of edges."""
    dot = graphviz.Digraph(name="thoth_knowledge_graph", format="png")
    dot.attr(rankdir="LR", fontname="Helvetica", concentrate="false", nodesep="0.3", ranksep="1.2")
    dot.attr("node", shape="plaintext", fontname="Helvetica", fontsize="11")
    dot.attr("edge", color="#5b6b7b", dir="both", arrowtail="crow", arrowhead="tee")  # many -> one
    tables: dict[str, tuple[type[Base], Table]] = {}
    for model in sorted(models, key=lambda m: m.__name__):
        table = model.__table__
        assert isinstance(table, Table)
        tables[table.name] = (model, table)
    for name in sorted(tables):
        model, table = tables[name]
        dot.node(name, label=_label(model, table))
    edges = 0
    for name in sorted(tables):
        _model, table = tables[name]
        for column in table.columns:
            for fk in sorted(column.foreign_keys, key=lambda f: f.target_fullname):
                parent = fk.column.table.name
                if parent not in tables:
                    continue
                dot.edge(f"{name}:{column.name}", f"{parent}:{fk.column.name}")
                edges += 1
    return dot.source, edges


def dot_available() -> bool:
    """True when Graphviz's `dot` program is on PATH."""
    return shutil.which("dot") is not None


_MISSING_DOT = (
    "Graphviz's `dot` program is not installed (or not on PATH); install the Graphviz package "
    "(Debian/Ubuntu: `apt-get install graphviz`, Fedora: `dnf install graphviz`, macOS: `brew install graphviz`)"
)


def render(path: Path, includes: Sequence[str] = (), performance_models: bool = True) -> Diagram:
    """Draw the selected models into `path`; the format follows its extension (.png, .svg, .dot, .gv)."""
    output_format = FORMATS.get(path.suffix.lower())
    if output_format is None:
        raise ConfigurationError(
            f"{path}: unknown picture format {path.suffix or '(no extension)'!r}; "
            f"use one of {', '.join(sorted(FORMATS))}"
        )
    models = select_models(includes, performance_models)
    source, edges = build(models)
    if output_format == "dot":
        data = source.encode("utf-8")
    else:
        if not dot_available():
            raise GraphvizMissingError(_MISSING_DOT)
        try:
            data = graphviz.Source(source).pipe(format=output_format)
        except graphviz.ExecutableNotFound:
            raise GraphvizMissingError(_MISSING_DOT) from None
        except graphviz.CalledProcessError as error:
            detail = (error.stderr or b"").decode("utf-8", "replace").strip().splitlines()
            raise ThothStorageExceptionError(
                f"dot failed to draw {path}: {detail[0] if detail else error}"
            ) from None
    if not isinstance(data, bytes):
        raise ThothStorageExceptionError(f"dot returned text, not bytes, for {path}")
    try:
        path.write_bytes(data)
    except OSError as error:
        raise ConfigurationError(f"cannot write {path}: {error.strerror}") from None
    return Diagram(path, tuple(model.__name__ for model in models), edges)
