"""Resolve the keys that shape a resolved query's method: `nest:` (its rows as a tuple of tuples of result
columns), `variadic:`, `extension:` and `on_error:`."""

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
    if query.kind not in ("list", "one", "group") or query.row == "dict":
        loader.report(
            file, path, f"`nest:` shapes the tuple rows of a list, one or group query, not a {query.kind}"
        )
        found = True
    seen: set[str] = set()
    for group_index, group in enumerate(nest):
        if not group:
            loader.report(file, (*path, group_index), "an empty group")
            found = True
        for index, name in enumerate(group):
            if name not in names or name in query.group_by:
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
NAME = re.compile(r"[a-z_][a-z0-9_]*")


def resolve_guards(loader: _Reporter, file: QueryFile, spec: QuerySpec, query: Query) -> Query | None:
    """The query with `extension:` (created first) and `on_error:` (SQLSTATE -> the method's answer)."""
    path: Path_ = ("queries", query.name)
    found = False
    if spec.extension is not None and not NAME.fullmatch(spec.extension):
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


def resolve_variadic(
    loader: _Reporter, file: QueryFile, variadic: dict[str, list[str]], query: Query
) -> Query | None:
    """The query with its `*name` parameter: one entry, naming keyword array parameters its members fill,
    on a group keyed by one integer column (the member's number, from 0)."""
    path: Path_ = ("queries", query.name, "variadic")
    params = {param.name: param for param in query.params}
    types = {column.name: column.pytype for column in query.columns}
    found = False
    if len(variadic) != 1:
        loader.report(file, path, "one variadic parameter: `{name: [array parameters]}`")
        return None
    ((name, arrays),) = variadic.items()
    taken = {*params, query.domain, "self", "connection", "grouped", "member", "number"}
    if name in taken or not NAME.fullmatch(name) or not arrays:
        loader.report(
            file,
            (*path, name),
            f"{name!r} must be a new name (not a parameter, the module {query.domain!r} or a local of the method) filling array parameters",
        )
        found = True
    for index, array in enumerate(arrays):
        param = params.get(array)
        if (
            param is None
            or param.optional
            or param.fixed
            or not param.keyword
            or not param.pytype.startswith("list[")
        ):
            loader.report(
                file,
                (*path, name, index),
                f"{array!r} is not a required keyword array parameter of this query",
                did_you_mean(array, params) if param is None else None,
            )
            found = True
    if query.kind != "group" or len(query.group_by) != 1 or types.get(query.group_by[0]) != "int":
        loader.report(
            file, path, "a variadic query is a group keyed by one integer column (the member's number)"
        )
        found = True
    return None if found else replace(query, variadic=(name, tuple(arrays)))
