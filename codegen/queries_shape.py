"""Resolve the keys that shape a resolved query's method: `nest:` (its rows as a tuple of tuples of result
columns), `extension:` and `on_error:`."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Protocol

from .load import did_you_mean
from .queries_ir import Query
from .queries_parse import QueryFile, QuerySpec
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


_SQLSTATE = re.compile(r"[0-9A-Z]{5}")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def resolve_guards(loader: _Reporter, file: QueryFile, spec: QuerySpec, query: Query) -> Query | None:
    """The query with `extension:` (created first) and `on_error:` (SQLSTATE -> the method's answer)."""
    path: Path_ = ("queries", query.name)
    found = False
    if spec.extension is not None and not _NAME.fullmatch(spec.extension):
        loader.report(file, (*path, "extension"), f"{spec.extension!r} is not an extension name")
        found = True
    returns = _scalar_return(query)
    for state, value in spec.on_error.items():
        if not _SQLSTATE.fullmatch(state):
            loader.report(
                file, (*path, "on_error", state), f"{state!r} is not a SQLSTATE (five characters, 0-9A-Z)"
            )
            found = True
        if returns is None or type(value).__name__ != returns:
            loader.report(
                file,
                (*path, "on_error", state),
                f"{value!r} is not what the method returns ({returns or 'rows'})",
                "on_error answers for a count, exists or one-value (`missing: raise`) query",
            )
            found = True
    if found:
        return None
    return replace(query, extension=spec.extension, on_error=tuple(spec.on_error.items()))


def _scalar_return(query: Query) -> str | None:
    """The type of the one value the query function returns (None when it returns rows or a write)."""
    if query.kind in ("exists", "count"):
        return {"exists": "bool", "count": "int"}[query.kind]
    if query.kind == "one" and query.missing == "raise" and len(query.columns) == 1 and not query.nest:
        return query.columns[0].pytype
    return None
