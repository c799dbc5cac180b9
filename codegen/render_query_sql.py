"""Render a query of the IR as SQL text: the Python expression the generated function sends, and the
statements it can send (one per combination of its `distinct` / `is_external` / `randomize` flags).

render_queries puts the expression in the generated function; queries_load parses every statement with
PostgreSQL's parser (queries_sql), so what is checked is exactly what runs.
"""

from __future__ import annotations

import itertools

from .queries_ir import Query
from .render_insert import insert_statements


def constant(query: Query, suffix: str = "") -> str:
    """The module constant holding a query's body (`_EXTERNAL`: its external twin's)."""
    return f"_{query.name.upper()}{suffix}"


def has_external(query: Query) -> bool:
    """Whether the query takes `is_external` (a read of the external twin, or an insert into it)."""
    return query.external_body is not None or (
        query.insert is not None and any(row.twin for row in query.insert.rows)
    )


def flags(query: Query) -> list[str]:
    """The flag parameters that choose the query's SQL text."""
    return [
        flag
        for flag, has in (
            ("distinct", query.distinct == "flag" and not query.raw),
            ("is_external", has_external(query)),
            ("randomize", query.randomize),
        )
        if has
    ]


def sql_expression(query: Query) -> str:
    """The Python expression (over the body constants and the flags) of the SQL text the function sends."""
    body = constant(query)
    if query.external_body is not None:
        body = f"({constant(query, '_EXTERNAL')} if is_external else {constant(query)})"
    head = '"SELECT "'
    if query.distinct == "flag":
        head = '("SELECT DISTINCT " if distinct else "SELECT ")'
    elif query.distinct == "always":
        head = '"SELECT DISTINCT "'
    order = repr(query.order)
    if query.kind in ("group", "map"):
        keys = ", ".join(query.group_by)
        order = repr(
            f" ORDER BY {keys}" + (", " + query.order.removeprefix(" ORDER BY ") if query.order else "")
        )
    if query.external_order != query.order:
        order = f"({query.external_order!r} if is_external else {order})"
    if query.randomize:
        order = f'(" ORDER BY random()" if randomize else {order})'
    limit = '" LIMIT :count OFFSET :start_offset"' if query.paginate and not query.raw else '""'
    if query.raw:
        sql = body
    elif query.kind in ("list", "group", "map"):
        sql = f"{head} + {body} + {order} + {limit}"
    elif query.kind == "one":
        sql = f'"SELECT " + {body} + {order} + " LIMIT 1"'
    elif query.kind == "count":
        if query.columns:
            sql = f'"SELECT count(*) AS count FROM (" + {head} + {body} + ") AS counted"'
        else:
            sql = f'"SELECT count(*) AS count " + {body}'
    elif query.kind == "exists":
        sql = f'"SELECT EXISTS (SELECT 1 " + {body} + ") AS exists"'
    elif query.kind == "count_map":
        sql = f"{head} + {body} + {order} + {limit}"
    else:
        sql = body
    return sql


def statements(query: Query) -> list[str]:
    """Every SQL text the generated function can send, in flag order (all False first)."""
    if query.insert is not None:
        return insert_statements(query)
    names = {constant(query): query.body}
    if query.external_body is not None:
        names[constant(query, "_EXTERNAL")] = query.external_body
    expression = compile(sql_expression(query), f"<{query.name}>", "eval")
    found: list[str] = []
    for values in itertools.product((False, True), repeat=len(flags(query))):
        text = eval(
            expression, {"__builtins__": {}}, {**names, **dict(zip(flags(query), values, strict=True))}
        )
        if text not in found:
            found.append(text)
    return found
