"""Resolve `nest:` (result shaping) of a resolved query: its rows as a tuple of tuples of result columns."""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from .load import did_you_mean
from .queries_ir import Query
from .queries_parse import QueryFile
from .yaml_lines import Path_


class _Reporter(Protocol):
    def report(self, file: QueryFile, path: Path_, message: str, hint: str | None = None) -> None: ...


def resolve_nest(loader: _Reporter, file: QueryFile, nest: list[list[str]], query: Query) -> Query | None:
    """The query with its rows nested; None (and problems reported) when `nest:` does not fit."""
    path: Path_ = ("queries", query.name, "nest")
    names = [column.name for column in query.columns]
    found = False
    if query.kind not in ("list", "one") or query.row == "dict":
        loader.report(file, path, f"`nest:` shapes the tuple rows of a list or one query, not a {query.kind}")
        found = True
    seen: set[str] = set()
    for group_index, group in enumerate(nest):
        if not group:
            loader.report(file, (*path, group_index), "an empty group")
            found = True
        for index, name in enumerate(group):
            if name not in names:
                loader.report(
                    file,
                    (*path, group_index, index),
                    f"unknown result column {name!r}",
                    did_you_mean(name, names),
                )
                found = True
            elif name in seen:
                loader.report(file, (*path, group_index, index), f"{name!r} is nested twice")
                found = True
            seen.add(name)
    return None if found else replace(query, nest=tuple(tuple(group) for group in nest))
