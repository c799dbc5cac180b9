"""Resolve a `kind: insert` declaration (rows written through the set-based writer) to the IR.

The rows are ensured in order by their table's natural key (`thoth_storages.graph.bulk.SetWriter`): a
row's values are its parameters (those whose `column:` is of its table), the `values:` given (a
parameter, the id of a lookup or of an earlier row, a constant) or one parameter holding the whole row.
`update:` sets columns of a row that is already there, `replace:` empties the (locked) table first;
`lookups:` find the ids of rows that must exist (NotFoundError otherwise).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import ir
from .load import did_you_mean
from .queries_ir import Insert, InsertRow, Lookup, Param, Query
from .queries_parse import LookupSpec, QueryFile, QuerySpec, RowSpec
from .yaml_lines import Path_

if TYPE_CHECKING:
    from .queries_load import _QueryLoader

_NOT_INSERT = ("from_", "joins", "select", "where", "set", "order_by", "group_by", "per", "tables", "cache")
LOCALS = {"connection", "writer", "rows", "text", "is_external", "found", "row_id"}
"""Names the generated function uses: no parameter, lookup or row id may take them."""


def required_columns(table: ir.Table) -> list[str]:
    """The columns every row must hold (NOT NULL without a default; the serial `id` is the database's)."""
    return [
        c.name
        for c in table.columns
        if not (c.autoincrement or c.name == "id") and not c.nullable and not c.has_default
    ]


def insert_query(loader: _QueryLoader, file: QueryFile, name: str, spec: QuerySpec) -> Query | None:
    """The IR of an insert query, or None after reporting its problems."""
    path: Path_ = ("queries", name)
    before = len(loader.problems)
    for key in _NOT_INSERT:
        if getattr(spec, key):
            loader.report(file, (*path, key.rstrip("_")), f"`{key.rstrip('_')}:` does not apply to an insert")
    if spec.sql is not None:
        loader.report(file, (*path, "sql"), "an insert is declared with `rows:`, not `sql:`")
    if not spec.rows:
        loader.report(file, path, "an insert query needs `rows:`")
    twins = _twins(loader, file, path, spec)
    written = {row.table: False for row in spec.rows if row.table in loader.tables}
    params: list[Param] = []
    for param_name, param in spec.params.items():
        where = (*path, "params", param_name)
        if param.row is not None:
            if param.row not in loader.tables:
                hint = did_you_mean(param.row, loader.tables)
                loader.report(file, (*where, "row"), f"unknown table {param.row!r}", hint)
                continue
            model = loader.tables[param.row].model
            params.append(Param(param_name, f"rows.{model}Row", False, param.keyword, None, False, None))
            continue
        resolved = loader.param(file, where, param_name, param, written, "insert")
        if resolved is not None:
            params.append(resolved[0])
    names = {param.name for param in params}
    for param_name in sorted(names & LOCALS):
        loader.report(
            file, (*path, "params", param_name), f"{param_name!r} cannot name a parameter of an insert"
        )
    lookups = [
        found
        for lookup_name, lookup in spec.lookups.items()
        if (
            found := _lookup(
                loader, file, (*path, "lookups", lookup_name), lookup_name, lookup, names, params
            )
        )
    ]
    known = names | {lookup.name for lookup in lookups}
    resolved_rows: list[InsertRow] = []
    for index, row in enumerate(spec.rows):
        where = (*path, "rows", index)
        if row.table in [earlier.table for earlier in spec.rows[:index]]:
            loader.report(
                file, (*where, "table"), f"table {row.table!r} is written twice", "one row per table"
            )
        found_row = _row(loader, file, where, row, spec, known, twins)
        if found_row is not None:
            resolved_rows.append(found_row)
        if row.as_ is not None:
            known.add(row.as_)
    returns = spec.returns or "none"
    if returns not in ("inserted", "id", "none"):
        loader.report(file, (*path, "returns"), f"an insert returns inserted, id or none, not {returns}")
    elif returns == "id" and resolved_rows and not resolved_rows[-1].has_id:
        loader.report(file, (*path, "returns"), f"table {resolved_rows[-1].table!r} has no id to return")
    implicit = {"is_external": bool(twins), **{param.name: True for param in params if not param.keyword}}
    positional = loader.positional(file, (*path, "positional"), spec.positional, implicit)
    if spec.external_default and not twins:
        loader.report(file, (*path, "external_default"), "`external_default:` needs `external:`")
    if len(loader.problems) > before:
        return None
    return Query(
        name=name,
        domain=Path(file.name).stem,
        doc=spec.doc,
        kind="insert",
        row="tuple",
        params=tuple(params),
        columns=(),
        body="",
        external_body=None,
        order="",
        external_order="",
        paginate=False,
        distinct="never",
        randomize=False,
        method=spec.method,
        enums=frozenset(loader.param_enums(params)),
        returns=returns,
        external_default=spec.external_default,
        insert=Insert(tuple(lookups), tuple(resolved_rows)),
        positional=positional,
    )


def _twins(loader: _QueryLoader, file: QueryFile, path: Path_, spec: QuerySpec) -> dict[str, str]:
    """`external:` table -> its twin, written instead with `is_external` (the same columns)."""
    twins: dict[str, str] = {}
    for table, twin in spec.external.items():
        where = (*path, "external", table)
        if table not in {row.table for row in spec.rows}:
            loader.report(file, where, f"table {table!r} is not written by this insert")
        elif twin not in loader.tables:
            loader.report(file, where, f"unknown table {twin!r}", did_you_mean(twin, loader.tables))
        elif _shape(loader.tables[twin]) != _shape(loader.tables[table]):
            loader.report(file, where, f"{twin!r} does not have the columns of {table!r}")
        else:
            twins[table] = twin
    return twins


def _shape(table: ir.Table) -> list[tuple[str, str, bool]]:
    return [(c.name, c.type, c.nullable) for c in table.columns]


def _lookup(
    loader: _QueryLoader,
    file: QueryFile,
    path: Path_,
    name: str,
    spec: LookupSpec,
    names: set[str],
    params: list[Param],
) -> Lookup | None:
    before = len(loader.problems)
    if name in names or name in LOCALS:
        loader.report(file, path, f"{name!r} is already a name of this query")
    table = loader.tables.get(spec.table)
    if table is None:
        loader.report(
            file, (*path, "table"), f"unknown table {spec.table!r}", did_you_mean(spec.table, loader.tables)
        )
        return None
    if "id" not in {c.name for c in table.columns}:
        loader.report(file, (*path, "table"), f"table {spec.table!r} has no id")
    optional = {param.name for param in params if param.optional}
    for column, param in spec.key.items():
        loader.column(file, (*path, "key", column), f"{spec.table}.{column}", {spec.table: False})
        if param not in names:
            loader.report(
                file, (*path, "key", column), f"unknown parameter {param!r}", did_you_mean(param, names)
            )
        elif param in optional:
            loader.report(
                file, (*path, "key", column), f"parameter {param!r} may be None: a lookup needs a value"
            )
    if not spec.key:
        loader.report(file, (*path, "key"), "a lookup needs `key:` (column: parameter)")
    if len(loader.problems) > before:
        return None
    described = ", ".join(f"{column}={{{param}!r}}" for column, param in spec.key.items())
    return Lookup(
        name=name,
        table=spec.table,
        sql=f"SELECT id FROM {spec.table} WHERE "
        + " AND ".join(f"{column} = :{param}" for column, param in spec.key.items()),
        params=tuple(spec.key.values()),
        message=spec.missing_message or f"no {spec.table} with {described}",
    )


def _row(
    loader: _QueryLoader,
    file: QueryFile,
    path: Path_,
    spec: RowSpec,
    query: QuerySpec,
    known: set[str],
    twins: dict[str, str],
) -> InsertRow | None:
    before = len(loader.problems)
    table = loader.tables.get(spec.table)
    if table is None:
        loader.report(
            file, (*path, "table"), f"unknown table {spec.table!r}", did_you_mean(spec.table, loader.tables)
        )
        return None
    columns = {c.name for c in table.columns} - {"id"}
    values: dict[str, str] = {}
    whole = None
    if isinstance(spec.values, str):
        whole = spec.values
        param = query.params.get(whole)
        if param is None or param.row != spec.table:
            loader.report(
                file, (*path, "values"), f"{whole!r} is not a parameter holding a row of {spec.table!r}"
            )
    else:
        for param_name, param in query.params.items():
            if param.column is not None and param.column.split(".")[0] == spec.table:
                values[param.column.split(".", 1)[1]] = param_name
        for column, value in spec.values.items():
            if column not in columns:
                loader.report(
                    file,
                    (*path, "values", column),
                    f"unknown column {column!r} of table {spec.table!r}",
                    did_you_mean(column, columns),
                )
            elif isinstance(value, str) and value not in known:
                loader.report(
                    file,
                    (*path, "values", column),
                    f"unknown parameter or id {value!r}",
                    did_you_mean(value, known),
                )
            elif value is None and not table.column(column).nullable:
                loader.report(file, (*path, "values", column), f"column {column!r} cannot be null")
            else:
                values[column] = value if isinstance(value, str) else repr(value)
        for column in required_columns(table):
            if column not in values and column not in spec.values:
                loader.report(
                    file,
                    path,
                    f"column {column!r} of table {spec.table!r} needs a value (NOT NULL, no default)",
                )
    for index, column in enumerate(spec.update):
        if column not in columns or column in table.natural_key:
            loader.report(
                file, (*path, "update", index), f"{column!r} is not a column outside the natural key"
            )
        elif whole is None and column not in values:
            loader.report(file, (*path, "update", index), f"column {column!r} is given no value")
    missing_key = [column for column in table.natural_key if column not in values]
    if spec.update and whole is None and missing_key:
        loader.report(file, (*path, "update"), f"`update:` needs the natural key's {', '.join(missing_key)}")
    if spec.update and whole is not None:
        loader.report(file, (*path, "update"), "`update:` needs `values:` by column")
    has_id = "id" in {c.name for c in table.columns}
    if spec.as_ is not None:
        if spec.as_ in known or spec.as_ in LOCALS:
            loader.report(file, (*path, "as"), f"{spec.as_!r} is already a name of this query")
        if not has_id:
            loader.report(file, (*path, "as"), f"table {spec.table!r} has no id to name")
    if len(loader.problems) > before:
        return None
    twin = twins.get(spec.table)
    return InsertRow(
        table=spec.table,
        model=table.model,
        twin=twin,
        twin_model=None if twin is None else loader.tables[twin].model,
        alias=spec.as_,
        values=tuple(sorted(values.items(), key=lambda item: [c.name for c in table.columns].index(item[0]))),
        whole=whole,
        key=table.natural_key,
        update=tuple(spec.update),
        replace=spec.replace,
        has_id=has_id,
    )
