"""Resolve `purge:` (queries_parse.PurgeSpec) against schema/tables and the document kinds.

A purge query lists the ids of the documents to purge (one text column, unpaginated); `purge.kind` names
a kind of `schema/documents/kinds.yaml` with a `result_store` (its store and, from its first document
type, the purge folder), `purge.rows` the `table.column` whose rows are deleted by those ids.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Protocol

import yaml

from . import ir
from .load import did_you_mean
from .queries_ir import Purge, Query
from .queries_parse import PurgeSpec, QueryFile
from .yaml_lines import Path_

KINDS = Path("documents") / "kinds.yaml"
"""The document-kind declarations, relative to the schema directory (the parent of schema/queries)."""


class _Reporter(Protocol):
    tables: dict[str, ir.Table]

    def report(self, file: QueryFile, path: Path_, message: str, hint: str | None = None) -> None: ...


def _stores(schema_dir: Path) -> dict[str, tuple[str, str]]:
    """Kind prefix -> (result store class, first document type), for the kinds that have a store."""
    path = schema_dir / KINDS
    if not path.is_file():
        return {}
    declared = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        str(prefix): (str(kind["result_store"]), str(kind["types"][0]))
        for prefix, kind in declared.items()
        if isinstance(kind, dict) and kind.get("result_store") and kind.get("types")
    }


def resolve_purge(
    loader: _Reporter, file: QueryFile, spec: PurgeSpec, query: Query, queries_dir: Path
) -> Query | None:
    """The query with its resolved purge; None (and problems reported) when it does not fit."""
    path: Path_ = ("queries", query.name, "purge")
    messages: list[tuple[Path_, str, str | None]] = []
    if query.kind != "list" or query.paginate or len(query.columns) != 1 or query.columns[0].pytype != "str":
        messages.append((path, "a purge query lists document ids: one text column, `paginate: false`", None))
    stores = _stores(queries_dir.parent)
    if spec.kind not in stores:
        hint = did_you_mean(spec.kind, stores) or f"a kind of schema/{KINDS.as_posix()} with a result_store"
        messages.append(((*path, "kind"), f"no document kind {spec.kind!r} with a result store", hint))
    table_name, _, column_name = spec.rows.partition(".")
    table = loader.tables.get(table_name)
    if table is None:
        messages.append(
            ((*path, "rows"), f"unknown table {table_name!r}", did_you_mean(table_name, loader.tables))
        )
    elif column_name not in {column.name for column in table.columns}:
        names = [column.name for column in table.columns]
        messages.append(
            (
                (*path, "rows"),
                f"unknown column {column_name!r} of table {table_name!r}",
                did_you_mean(column_name, names),
            )
        )
    for where, message, advice in messages:
        loader.report(file, where, message, advice)
    if messages:
        return None
    store, folder = stores[spec.kind]
    return replace(query, purge=Purge(store, folder, table_name, column_name))
