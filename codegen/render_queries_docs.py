"""Render the IR of schema/queries/ as a reference: per domain, each GraphDatabase method's signature,
its doc and the SQL it sends (with its flags off)."""

from __future__ import annotations

from collections.abc import Callable

from .format import banner
from .queries_ir import Query
from .render_insert import describe
from .render_query_sql import statements


def render_queries_docs(queries: tuple[Query, ...], method_lines: Callable[[Query], list[str]]) -> str:
    """generated/queries/REFERENCE.md; `method_lines` renders a query's method (render_queries)."""
    lines = [
        banner("schema/queries").rstrip("\n"),
        "",
        "The GraphDatabase methods declared in schema/queries/, by domain (the file declaring them); the",
        "SQL is what the method sends with its `distinct` / `is_external` / `randomize` flags off",
        "(docs/queries.md explains the declarations).",
    ]
    for domain in sorted({query.domain for query in queries}):
        lines += ["", f"## {domain}"]
        for query in (query for query in queries if query.domain == domain):
            lines += [
                "",
                f"### `{query.name}`",
                "",
                "```python",
                _header(method_lines(query)),
                "```",
                "",
                query.doc.strip(),
            ]
            if not query.method:
                lines += ["", "(a function only: a hand-written method wraps it)"]
            if query.insert is not None:
                lines += ["", "Rows written (by natural key):", *describe(query.insert)]
            sql = statements(query)
            if sql:
                lines += ["", "```sql", sql[0] if query.insert is None else ";\n".join(sql), "```"]
    return "\n".join(lines) + "\n"


def _header(method: list[str]) -> str:
    """The method's `def` line (as one line), without `self` and the colon."""
    text = " ".join(line.strip() for line in method if not line.strip().startswith("@"))
    header = text.split('"""', 1)[0].strip().removesuffix(":")
    return header.removeprefix("def ").replace("(self, ", "(").replace("(self)", "()")
