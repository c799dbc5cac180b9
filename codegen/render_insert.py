"""Render a `kind: insert` query (queries_insert) as the body of its typed function.

The function finds its lookups' ids (NotFoundError when one is missing), then ensures each row through
`SetWriter` in order (one set statement per row, natural keys and advisory locks as the sync's), inside
the caller's transaction.
"""

from __future__ import annotations

from .queries_ir import Insert, InsertRow, Query

ROW_ID = "row_id"
"""The local holding the last row's id when `returns: id` and the row is not named by `as:`."""


def replace_statements(table: str) -> list[str]:
    """What `replace:` sends before writing the table's one row."""
    return [f"LOCK TABLE {table} IN EXCLUSIVE MODE", f"DELETE FROM {table}"]


def insert_statements(query: Query) -> list[str]:
    """Every SQL text the function sends itself (the rows go through SetWriter's statements)."""
    assert query.insert is not None
    found = [lookup.sql for lookup in query.insert.lookups]
    for row in query.insert.rows:
        if row.replace:
            found += replace_statements(row.table)
            if row.twin is not None:
                found += replace_statements(row.twin)
    return found


def describe(insert: Insert) -> list[str]:
    """A line per row for the reference: the table, its natural key and what an existing row gets."""
    lines = []
    for row in insert.rows:
        table = row.table if row.twin is None else f"{row.table} (or {row.twin} with is_external)"
        existing = f"; an existing row gets {', '.join(row.update)}" if row.update else ""
        emptied = "; the table is emptied first" if row.replace else ""
        lines.append(f"* {table} by ({', '.join(row.key)}){existing}{emptied}")
    return lines


def insert_body(query: Query) -> list[str]:
    """The lines of the function after its docstring."""
    assert query.insert is not None
    lines: list[str] = []
    for lookup in query.insert.lookups:
        arguments = ", ".join(f'"{param}": {param}' for param in lookup.params)
        lines += [
            f"    found = connection.execute(text({lookup.sql!r}), {{{arguments}}}).scalar_one_or_none()",
            "    if found is None:",
            f"        raise NotFoundError(f{lookup.message!r})",
            f"    {lookup.name} = int(found)",
        ]
    lines.append("    writer = SetWriter(connection)")
    rows = query.insert.rows
    for position, row in enumerate(rows):
        last = position == len(rows) - 1
        alias = row.alias or (ROW_ID if last and query.returns == "id" else None)
        if row.twin is None:
            lines += _row_lines(row, row.table, row.model, alias, "    ")
        else:
            assert row.twin_model is not None
            lines += ["    if is_external:", *_row_lines(row, row.twin, row.twin_model, alias, "        ")]
            lines += ["    else:", *_row_lines(row, row.table, row.model, alias, "        ")]
    last_row = rows[-1]
    if query.returns == "inserted":
        table = repr(last_row.table)
        if last_row.twin is not None:
            table = f"{last_row.twin!r} if is_external else {table}"
        lines.append(f"    return writer.inserted[{table}] > 0")
    elif query.returns == "id":
        lines.append(f"    return {last_row.alias or ROW_ID}")
    return lines


def _row_lines(row: InsertRow, table: str, model: str, alias: str | None, indent: str) -> list[str]:
    handle = f"rows.{table.upper()}"
    lines = [
        f"{indent}connection.execute(text({sql!r}))"
        for sql in (replace_statements(table) if row.replace else [])
    ]
    if row.whole is not None:
        built = row.whole
    else:
        fields = ", ".join(f'"{column}": {value}' for column, value in row.values)
        lines.append(f"{indent}{table}_row: rows.{model}Row = {{{fields}}}")
        built = f"{table}_row"
    if alias is not None:
        lines.append(f"{indent}{alias} = writer.ensure_one({handle}([{built}]))")
    else:
        lines.append(f"{indent}writer.ensure({handle}([{built}]))")
    if row.update:
        given = dict(row.values)
        key = ", ".join(f'"{column}": {given[column]}' for column in row.key)
        values = ", ".join(f'"{column}": {given[column]}' for column in row.update)
        lines += [
            f"{indent}if not writer.inserted[{table!r}]:",
            f"{indent}    writer.update({handle}, {{{key}}}, {{{values}}})",
        ]
    return lines
