"""Resolve the parsed schema/queries/ (queries_parse) to the typed IR (queries_ir), checking every name.

Declared queries are checked against schema/tables; `.sql` queries by PostgreSQL's parser (queries_sql).
Errors use the table loader's style: `file:line: key: message (hint: ...)`, every mistake listed at once.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypedDict

from . import ir
from .load import Problem, SchemaLoadError, did_you_mean
from .pytypes import enum_alias
from .queries_insert import insert_query
from .queries_ir import WRITES, Kind, Param, Query, ResultColumn, Returns
from .queries_parse import (
    FilterSpec,
    JoinSpec,
    ParamSpec,
    QueryFile,
    QuerySpec,
    SelectSpec,
    parse_query_files,
)
from .queries_purge import resolve_purge
from .queries_shape import resolve_guards, resolve_nest, resolve_variadic
from .queries_sql import SqlError, Statement, parse_statement
from .render_query_sql import statements
from .yaml_lines import Path_

_OPS = {"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "like": "LIKE"}
_PYTHON = {
    "text": "str",
    "integer": "int",
    "bigint": "int",
    "smallint": "int",
    "boolean": "bool",
    "float": "float",
    "timestamp": "datetime.datetime",
    "date": "datetime.date",
}
TYPE_HINT = (
    "one of "
    + ", ".join(_PYTHON)
    + ", enum:<name>, with a trailing `?` when it may be null or `[]` for an array"
)
COLUMN_REF = re.compile(r"\b([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\b")
SQL_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")
NAME = re.compile(r"[a-z_][a-z0-9_]*")
FRAGMENT = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


class _WriteFields(TypedDict):
    returns: Returns
    require_any: tuple[str, ...]
    exclusive: tuple[str, ...]
    unpaginated_by: str | None
    external_default: bool
    missing_message: str | None


class _QueryLoader:
    def __init__(self, schema: ir.Schema) -> None:
        self.schema = schema
        self.tables = {table.name: table for table in schema.tables}
        self.problems: list[Problem] = []
        self.fragments: dict[str, tuple[Path | None, str | None]] = {}
        """Named filters by name: their fragment file, or their conditions."""

    def report(self, file: QueryFile, path: Path_, message: str, hint: str | None = None) -> None:
        key = ".".join(str(part) for part in path)
        self.problems.append(Problem(file.name, file.located.line(path), key, message, hint))

    # Types ---------------------------------------------------------------------------------------

    def pytype(self, file: QueryFile, path: Path_, spelling: str) -> str | None:
        nullable = spelling.endswith("?")
        base = spelling.removesuffix("?")
        if base.endswith("[]"):  # an ARRAY(...) column: a list, never null
            inner = self.pytype(file, path, base.removesuffix("[]"))
            return None if inner is None else f"list[{inner}]"
        if base.startswith("enum:"):
            name = base.removeprefix("enum:")
            if name not in {enum.name for enum in self.schema.enums}:
                hint = did_you_mean(name, [enum.name for enum in self.schema.enums])
                self.report(file, path, f"unknown enum {name!r}", hint)
                return None
            python = enum_alias(name)
        elif ir.VARCHAR.fullmatch(base):
            python = "str"
        elif base in _PYTHON:
            python = _PYTHON[base]
        else:
            self.report(file, path, f"unknown type {spelling!r}", TYPE_HINT)
            return None
        return f"{python} | None" if nullable else python

    def param_pytype(self, file: QueryFile, path: Path_, spelling: str) -> str | None:
        """A parameter's type: a result type, or `set[<type>]` (a frozenset, sent as an array)."""
        if spelling.startswith("set[") and spelling.endswith("]"):
            inner = self.pytype(file, path, spelling.removeprefix("set[").removesuffix("]"))
            return None if inner is None else f"frozenset[{inner}]"
        return self.pytype(file, path, spelling)

    def column(
        self, file: QueryFile, path: Path_, reference: str, tables: dict[str, bool]
    ) -> tuple[ir.Column, bool] | None:
        """`table.column` among the query's tables -> (column, reached by an outer join)."""
        match = COLUMN_REF.fullmatch(reference)
        if not match:
            self.report(file, path, f"{reference!r} is not a column reference", "write it as table.column")
            return None
        table_name, column_name = match.groups()
        if table_name not in tables:
            hint = did_you_mean(table_name, tables) or f"the query reads {', '.join(sorted(tables))}"
            self.report(file, path, f"table {table_name!r} is not in this query", hint)
            return None
        table = self.tables[table_name]
        names = [column.name for column in table.columns]
        if column_name not in names:
            self.report(
                file,
                path,
                f"unknown column {column_name!r} of table {table_name!r}",
                did_you_mean(column_name, names),
            )
            return None
        return table.column(column_name), tables[table_name]

    def check_refs(self, file: QueryFile, path: Path_, sql: str, tables: dict[str, bool]) -> None:
        for match in COLUMN_REF.finditer(sql):
            if match.group(1) in tables:
                self.column(file, path, match.group(0), tables)
            elif match.group(1) in self.tables:
                self.report(file, path, f"table {match.group(1)!r} is not joined in this query")

    # Queries -------------------------------------------------------------------------------------

    def query(self, file: QueryFile, name: str, spec: QuerySpec, base: Path) -> Query | None:
        path: Path_ = ("queries", name)
        before = len(self.problems)
        if not NAME.fullmatch(name):
            self.report(file, path, f"{name!r} is not a valid query name", "lower case letters, digits and _")
        if spec.kind == "insert":
            return insert_query(self, file, name, spec)
        if spec.sql is not None:
            return self.raw_query(file, name, spec, base)
        if spec.tables is not None:
            return self.tables_query(file, name, spec)
        if spec.from_ is None:
            self.report(file, path, "a query needs `from:` (or `sql:`)")
            return None
        if spec.from_ not in self.tables:
            self.report(
                file, (*path, "from"), f"unknown table {spec.from_!r}", did_you_mean(spec.from_, self.tables)
            )
            return None
        tables: dict[str, bool] = {spec.from_: False}
        joins: list[str] = []
        for index, join in enumerate(spec.joins):
            join_spec = JoinSpec(table=join) if isinstance(join, str) else join
            clause = self.join(file, (*path, "joins", index), join_spec, tables)
            if clause is not None:
                joins.append(clause)
        columns: list[ResultColumn] = []
        select: list[str] = []
        enums: set[str] = set()
        for alias, expression in spec.select.items():
            where = (*path, "select", alias)
            if isinstance(expression, SelectSpec):
                self.check_refs(file, where, expression.sql, tables)
                python = self.pytype(file, where, expression.type)
                sql = expression.sql
                if expression.type.removesuffix("?").startswith("enum:"):
                    enums.add(enum_alias(expression.type.removesuffix("?").removeprefix("enum:")))
            else:
                found = self.column(file, where, expression, tables)
                if found is None:
                    continue
                column, outer = found
                python = _column_pytype(column, outer)
                if column.enum_name:
                    enums.add(enum_alias(column.enum_name))
                sql = expression
            if python is not None:
                columns.append(ResultColumn(alias, python))
                select.append(sql if sql.rsplit(".", 1)[-1] == alias else f"{sql} AS {alias}")
        if spec.kind in ("list", "one", "group", "map") and not spec.select:
            self.report(file, path, f"a {spec.kind} query needs `select:`")
        params: list[Param] = []
        conditions: list[str] = []
        for param_name, param in spec.params.items():
            for index, expanded in enumerate(param.expands):
                if expanded not in spec.params or spec.params[expanded].expands:
                    self.report(
                        file,
                        (*path, "params", param_name, "expands", index),
                        f"{expanded!r} is not a parameter it can set",
                        None if expanded in spec.params else did_you_mean(expanded, spec.params),
                    )
            resolved = self.param(file, (*path, "params", param_name), param_name, param, tables, spec.kind)
            if resolved is None:
                continue
            params.append(resolved[0])
            if resolved[1]:
                conditions.append(resolved[1])
        for index, condition in enumerate(spec.where):
            self.check_refs(file, (*path, "where", index), condition, tables)
            self.check_params(file, (*path, "where", index), condition, spec.params)
            conditions.append(f"({condition})" if " OR " in condition.upper() else condition)
        aliases = [column.name for column in columns]
        columns_all = list(columns)
        for index, key in enumerate([*spec.group_by, *([spec.per] if spec.per else [])]):
            if key not in aliases:
                self.report(
                    file,
                    (*path, "group_by", index),
                    f"unknown result column {key!r}",
                    did_you_mean(key, aliases),
                )
        if spec.kind in ("group", "map", "count_map") and not spec.group_by:
            self.report(file, path, f"a {spec.kind} query needs `group_by:`")
        order: list[str] = []
        for index, item in enumerate(spec.order_by):
            word, _, direction = item.partition(" ")
            if direction.strip().upper() not in ("", "ASC", "DESC", "DESC NULLS LAST", "ASC NULLS FIRST"):
                self.report(file, (*path, "order_by", index), f"bad direction {direction!r}", "ASC or DESC")
            if word in aliases:
                order.append(item)
            elif COLUMN_REF.fullmatch(word):
                self.column(file, (*path, "order_by", index), word, tables)
                order.append(item)
            else:
                self.report(
                    file,
                    (*path, "order_by", index),
                    f"unknown result column {word!r}",
                    did_you_mean(word, aliases),
                )
        if spec.kind == "count_map":
            keys = [*([spec.per] if spec.per else []), *spec.group_by]
            columns = [column for key in keys for column in columns if column.name == key]
            select = [
                item
                for key in keys
                for item, column in zip(select, columns_all, strict=True)
                if column.name == key
            ]
        if spec.kind == "update":
            body = self.update(file, path, spec, tables, conditions, params)
        elif spec.kind == "delete":
            body = f"DELETE FROM {spec.from_}" + (" WHERE " + " AND ".join(conditions) if conditions else "")
        if spec.kind in WRITES:
            if spec.joins:
                self.report(file, (*path, "joins"), f"a {spec.kind} query cannot join")
            if spec.select:
                self.report(file, (*path, "select"), f"a {spec.kind} query selects nothing")
        else:
            body = self.body(spec, select, joins, conditions, columns)
        self.writes(file, path, spec)
        external_body = None
        order_sql = " ORDER BY " + ", ".join(order) if order else ""
        external_order = order_sql
        if spec.external:
            external_body = body
            renames = sorted(spec.external.items(), key=lambda item: "." not in item[0])
            for index, (table, twin) in enumerate(renames):
                where = (*path, "external", table)
                if "." in table:  # table.column: twin_column, the column that refers to the twin
                    if self.column(file, where, table, tables) and self.column(
                        file, where, f"{table.split('.')[0]}.{twin}", tables
                    ):
                        external_body = re.sub(
                            rf"\b{re.escape(table)}\b", f"{table.split('.')[0]}.{twin}", external_body
                        )
                    continue
                if table not in tables:
                    self.report(
                        file, where, f"table {table!r} is not in this query", did_you_mean(table, tables)
                    )
                    continue
                if twin not in self.tables:
                    self.report(file, where, f"unknown table {twin!r}", did_you_mean(twin, self.tables))
                    continue
                twin_columns = {column.name for column in self.tables[twin].columns}
                for match in COLUMN_REF.finditer(body):
                    if match.group(1) == table and match.group(2) not in twin_columns:
                        self.report(file, where, f"{twin!r} has no column {match.group(2)!r}")
                external_body = re.sub(rf"\b{table}\b", twin, external_body)
                external_order = re.sub(rf"\b{table}\b", twin, external_order)
                del index
        cache = self.cache(file, (*path, "cache"), spec.cache)
        if len(self.problems) > before:
            return None
        paginate = spec.paginate if spec.paginate is not None else spec.kind in ("list", "group")
        distinct = spec.distinct or (
            "flag" if spec.kind in ("list", "group") or (spec.kind == "count" and columns) else "never"
        )
        if spec.kind == "count_map":
            distinct = spec.distinct or "never"
        implicit = {
            "start_offset": paginate,
            "count": paginate,
            "distinct": distinct == "flag",
            "is_external": bool(spec.external),
            "randomize": spec.randomize,
            "convert_datetime": spec.convert_datetime,
        }
        declared = {param.name: True for param in params if not param.keyword}
        positional = self.positional(file, (*path, "positional"), spec.positional, {**implicit, **declared})
        if len(self.problems) > before:
            return None
        return Query(
            name=name,
            domain=Path(file.name).stem,
            doc=spec.doc,
            kind=spec.kind,
            row=spec.row if len(columns) != 1 or spec.row != "tuple" else "scalar",
            params=tuple(params),
            columns=tuple(_converted(columns) if spec.convert_datetime else columns),
            convert_datetime=spec.convert_datetime,
            body=body,
            external_body=external_body,
            order=order_sql,
            external_order=external_order,
            paginate=paginate,
            distinct=distinct,
            randomize=spec.randomize,
            group_by=tuple(spec.group_by),
            per=spec.per,
            cache=cache,
            missing=spec.missing,
            method=spec.method,
            enums=frozenset(enums | self.param_enums(params)),
            positional=positional,
            omitted_by=self.omitted_by(file, (*path, "omitted_by"), spec, aliases),
            **self.write_fields(spec),
        )

    def omitted_by(
        self, file: QueryFile, path: Path_, spec: QuerySpec, aliases: list[str]
    ) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """`omitted_by:` flag -> the result columns it leaves out of a list's `dict` rows."""
        if spec.omitted_by and (spec.kind != "list" or spec.row != "dict"):
            self.report(file, path, "`omitted_by:` applies to a list of `row: dict`")
        for flag, names in spec.omitted_by.items():
            if not NAME.fullmatch(flag) or flag in spec.params or flag in _RESERVED:
                self.report(file, (*path, flag), f"{flag!r} cannot name a new flag of this query")
            for name in names:
                if name not in aliases:
                    self.report(
                        file, (*path, flag), f"unknown result column {name!r}", did_you_mean(name, aliases)
                    )
        return tuple((flag, tuple(names)) for flag, names in spec.omitted_by.items())

    def param_enums(self, params: list[Param]) -> set[str]:
        """The enum aliases the parameters are typed with (the generated modules import them)."""
        aliases = {enum_alias(enum.name) for enum in self.schema.enums}
        return {param.pytype for param in params if param.pytype in aliases}

    def check_statements(self, file: QueryFile, query: Query) -> None:
        """Parse every SQL text a declared query's function can send with PostgreSQL's parser."""
        declared = {param.name for param in query.params} | (
            {"start_offset", "count"} if query.paginate else set()
        )
        for sql in statements(query):
            try:
                statement = parse_statement(sql)
            except SqlError as error:
                self.report(file, ("queries", query.name), f"the rendered SQL does not parse: {error}: {sql}")
                return  # the other variants share the mistake
            for name in sorted(statement.params - declared):
                self.report(
                    file, ("queries", query.name), f"the rendered SQL uses :{name}, which is not declared"
                )

    def place_filters(self, file: QueryFile, path: Path_, spec: QuerySpec, sql: str) -> str:
        """Replace each `{{name}}` of a `.sql` query by its named filter (each declared filter used)."""
        used = set(FRAGMENT.findall(sql))
        for index, name in enumerate(spec.filters):
            if name not in used:
                self.report(file, (*path, "filters", index), f"{spec.sql} does not place {{{{{name}}}}}")
        for name in sorted(used - set(spec.filters)):
            self.report(
                file, (*path, "sql"), f"{spec.sql} places {{{{{name}}}}}, which `filters:` does not list"
            )

        def fragment(match: re.Match[str]) -> str:
            fragment_file, conditions = self.fragments.get(match.group(1), (None, ""))
            if fragment_file is None:
                return conditions or ""
            if not fragment_file.is_file():
                self.report(file, (*path, "filters"), f"no such fragment file {fragment_file.name!r}")
                return ""
            return _strip_comments(fragment_file.read_text(encoding="utf-8")).strip()

        return FRAGMENT.sub(fragment, sql)

    def raw_external(self, file: QueryFile, path: Path_, spec: QuerySpec, sql: str) -> str | None:
        """The `.sql` text of the external twins: each `table: twin` and `table.column: twin_column` of
        `external:` renamed wherever the word appears (columns first), checked by PostgreSQL's parser."""
        external = sql
        renames = sorted(spec.external.items(), key=lambda item: "." not in item[0])
        for key, twin in renames:
            where = (*path, "external", key)
            table, _, column = key.partition(".")
            if table not in self.tables:
                self.report(file, where, f"unknown table {table!r}", did_you_mean(table, self.tables))
                continue
            names = {found.name for found in self.tables[table].columns}
            if column and (column not in names or twin not in names):
                missing = column if column not in names else twin
                self.report(
                    file, where, f"table {table!r} has no column {missing!r}", did_you_mean(missing, names)
                )
                continue
            if not column and twin not in self.tables:
                self.report(file, where, f"unknown table {twin!r}", did_you_mean(twin, self.tables))
                continue
            word = column or table
            if not re.search(rf"\b{word}\b", sql):
                self.report(file, where, f"{spec.sql} does not name {word!r}")
                continue
            external = re.sub(rf"\b{word}\b", twin, external)
        try:
            parse_statement(external)
        except SqlError as error:
            self.report(file, (*path, "external"), f"the external twin of {spec.sql} does not parse: {error}")
            return None
        return external

    def writes(self, file: QueryFile, path: Path_, spec: QuerySpec) -> None:
        """Check the keys that only apply to some kinds: `returns`, `require_any`, `missing_message`."""
        if spec.returns is not None and spec.kind not in WRITES:
            self.report(file, (*path, "returns"), f"`returns:` applies to update and delete, not {spec.kind}")
        for index, name in enumerate(spec.require_any):
            param = spec.params.get(name)
            if param is None or not (param.optional or (param.type and param.type.endswith("?"))):
                self.report(
                    file,
                    (*path, "require_any", index),
                    f"{name!r} is not an optional parameter of this query",
                    None if param else did_you_mean(name, spec.params),
                )
        for index, name in enumerate(spec.exclusive):
            param = spec.params.get(name)
            if param is None or not (param.type == "boolean" or param.optional):
                self.report(
                    file,
                    (*path, "exclusive", index),
                    f"{name!r} is not a boolean or optional parameter of this query",
                    None if param else did_you_mean(name, spec.params),
                )
        if spec.unpaginated_by is not None and (spec.paginate is False or spec.unpaginated_by in spec.params):
            self.report(
                file, (*path, "unpaginated_by"), "`unpaginated_by:` names a new flag of a paginated query"
            )
        if spec.missing_message is not None and spec.missing != "raise":
            self.report(file, (*path, "missing_message"), "`missing_message:` needs `missing: raise`")
        if spec.missing == "raise" and spec.kind not in ("one", "list", *WRITES):
            self.report(file, (*path, "missing"), f"`missing: raise` does not apply to a {spec.kind} query")
        if spec.external_default and not spec.external:
            self.report(file, (*path, "external_default"), "`external_default:` needs `external:`")

    @staticmethod
    def write_fields(spec: QuerySpec) -> _WriteFields:
        """The Query fields of the write constructs."""
        return _WriteFields(
            returns=spec.returns or ("rowcount" if spec.kind == "delete" else "changed"),
            require_any=tuple(spec.require_any),
            exclusive=tuple(spec.exclusive),
            unpaginated_by=spec.unpaginated_by,
            external_default=spec.external_default,
            missing_message=spec.missing_message,
        )

    def positional(
        self, file: QueryFile, path: Path_, names: list[str], implicit: dict[str, bool]
    ) -> tuple[str, ...]:
        """The parameters a query takes positionally in this order (each one it has, once)."""
        for name in names:
            if not implicit.get(name):
                present = [key for key, has in implicit.items() if has]
                self.report(
                    file,
                    path,
                    f"{name!r} is not a positional or implicit parameter of this query",
                    did_you_mean(name, present),
                )
        if len(set(names)) != len(names):
            self.report(file, path, "a parameter is listed twice")
        return tuple(names)

    def check_defaults(self, file: QueryFile, query: Query) -> None:
        """No positional parameter without a default after one with a default (a Python syntax error)."""
        declared = {param.name: param for param in query.params if not param.fixed}
        unlisted = [p.name for p in declared.values() if not p.keyword and p.name not in query.positional]
        defaulted: str | None = None
        for name in [*unlisted, *query.positional]:
            param = declared.get(name)
            if param is None or param.has_default:  # the implicit parameters all have defaults
                defaulted = defaulted or name
                continue
            if defaulted is not None:
                where: Path_ = ("queries", query.name, "params", name)
                if name in query.positional:
                    where = ("queries", query.name, "positional", query.positional.index(name))
                self.report(
                    file,
                    where,
                    f"positional parameter {name!r} has no default but follows {defaulted!r}, which has one",
                    f"declare {name!r} with `keyword: true`, give it a default or place it before {defaulted!r}",
                )

    def body(
        self,
        spec: QuerySpec,
        select: list[str],
        joins: list[str],
        conditions: list[str],
        columns: list[ResultColumn],
    ) -> str:
        assert spec.from_ is not None
        parts = [" ".join([spec.from_, *joins])]
        where = " WHERE " + " AND ".join(conditions) if conditions else ""
        if spec.kind == "count_map":
            keys = [*([spec.per] if spec.per else []), *spec.group_by]
            by_name = {column.name: item for item, column in zip(select, columns, strict=True)}
            targets = [by_name[key] for key in keys if key in by_name]
            return f"{', '.join(targets)}, count(*) AS count FROM {parts[0]}{where} GROUP BY {', '.join(targets_expr(targets))}"
        if spec.kind == "exists" or (spec.kind == "count" and not select):
            return f"FROM {parts[0]}{where}"
        return f"{', '.join(select)} FROM {parts[0]}{where}"

    def update(
        self,
        file: QueryFile,
        path: Path_,
        spec: QuerySpec,
        tables: dict[str, bool],
        conditions: list[str],
        params: list[Param],
    ) -> str:
        assert spec.from_ is not None
        names = {param.name for param in params}
        assignments: list[str] = []
        for column, param in spec.set.items():
            self.column(file, (*path, "set", column), f"{spec.from_}.{column}", tables)
            if param not in names:
                self.report(
                    file, (*path, "set", column), f"unknown parameter {param!r}", did_you_mean(param, names)
                )
            assignments.append(f"{column} = :{param}")
        if not assignments:
            self.report(file, path, "an update query needs `set:`")
        where = " WHERE " + " AND ".join(conditions) if conditions else ""
        return f"UPDATE {spec.from_} SET {', '.join(assignments)}{where}"

    def join(self, file: QueryFile, path: Path_, spec: JoinSpec, tables: dict[str, bool]) -> str | None:
        if spec.table not in self.tables:
            self.report(file, path, f"unknown table {spec.table!r}", did_you_mean(spec.table, self.tables))
            return None
        if spec.table in tables:
            self.report(file, path, f"table {spec.table!r} is already in this query")
            return None
        if spec.via is not None:
            tables[spec.table] = spec.outer
            self.check_refs(file, path, spec.via, tables)
            on = spec.via
        else:
            links: list[str] = []
            for other in tables:
                for column in self.tables[spec.table].columns:
                    if column.foreign_key and column.foreign_key.table == other:
                        links.append(f"{spec.table}.{column.name} = {other}.{column.foreign_key.column}")
                for column in self.tables[other].columns:
                    if column.foreign_key and column.foreign_key.table == spec.table:
                        links.append(f"{other}.{column.name} = {spec.table}.{column.foreign_key.column}")
            if len(links) != 1:
                message = "no foreign key relates it" if not links else "several foreign keys relate it"
                self.report(
                    file,
                    path,
                    f"cannot join {spec.table!r}: {message} to {', '.join(tables)}",
                    "give the join an explicit `via:` condition"
                    if links
                    else "join an intermediate table first",
                )
                return None
            tables[spec.table] = spec.outer
            on = links[0]
        kind = "LEFT OUTER JOIN" if spec.outer else "JOIN"
        return f"{kind} {spec.table} ON {on}"

    def param(
        self, file: QueryFile, path: Path_, name: str, spec: ParamSpec, tables: dict[str, bool], kind: Kind
    ) -> tuple[Param, str] | None:
        if not NAME.fullmatch(name) or name in _RESERVED:
            self.report(
                file, path, f"{name!r} cannot name a parameter", f"reserved: {', '.join(sorted(_RESERVED))}"
            )
            return None
        condition = ""
        if spec.fixed:
            self.report(file, (*path, "fixed"), "`fixed:` applies to the parameters of an sql query")
        if spec.column is not None:
            found = self.column(file, (*path, "column"), spec.column, tables)
            if found is None:
                return None
            column = found[0]
            base = _column_pytype(column, False).removesuffix(" | None")
            python = self.param_pytype(file, (*path, "type"), spec.type) if spec.type else base
            if python is None:
                return None
            if spec.op == "like_prefix":
                test = f"{spec.column} LIKE :{name} || '%'"
            elif spec.op == "glob":  # a trailing * matches any rest, the other characters themselves
                escaped = (
                    f"replace(replace(replace(left(:{name}, -1), '\\', '\\\\'), '%', '\\%'), '_', '\\_')"
                )
                test = (
                    f"(CASE WHEN right(:{name}, 1) = '*' THEN {spec.column} LIKE {escaped} || '%' ESCAPE '\\' "
                    f"ELSE {spec.column} = :{name} END)"
                )
            else:
                test = f"{spec.column} {_OPS[spec.op]} :{name}"
            condition = f"(:{name} IS NULL OR {test})" if spec.optional else test
            if kind in WRITES and spec.column.split(".")[0] != next(iter(tables)):
                self.report(file, (*path, "column"), f"a {kind} filters on its own table only")
        elif spec.type is not None:
            found_type = self.param_pytype(file, (*path, "type"), spec.type)
            if found_type is None:
                return None
            python = found_type
        else:
            self.report(file, path, "a parameter needs `column:` or `type:`")
            return None
        optional = spec.optional or python.endswith("| None")
        python = python.removesuffix(" | None")
        has_default = spec.optional or spec.default is not None
        choices = tuple(
            (spelling.lower(), value)
            for value, others in spec.choices.items()
            for spelling in dict.fromkeys([value, *others])
        )
        if spec.choices and (python != "str" or spec.normalize is not None):
            self.report(
                file, (*path, "choices"), "`choices:` applies to a text parameter without `normalize:`"
            )
        if len({spelling for spelling, _value in choices}) != len(choices):
            self.report(file, (*path, "choices"), "a spelling is accepted for two values")
        if spec.expands and (spec.column is not None or spec.normalize is None):
            self.report(file, (*path, "expands"), "`expands:` needs a `type:` parameter with `normalize:`")
        return Param(
            name,
            python,
            optional,
            spec.keyword,
            spec.default,
            has_default,
            spec.normalize,
            choices=choices,
            expands=tuple(spec.expands),
        ), condition

    def check_params(self, file: QueryFile, path: Path_, sql: str, params: dict[str, ParamSpec]) -> None:
        for used in SQL_PARAM.findall(sql):
            if used not in params:
                self.report(file, path, f"unknown parameter :{used}", did_you_mean(used, params))

    def cache(self, file: QueryFile, path: Path_, spelling: str | None) -> tuple[str, int] | None:
        if spelling is None:
            return None
        variable, _, size = spelling.partition("=")
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", variable) or not size.isdigit():
            self.report(file, path, f"bad cache {spelling!r}", "write ENVIRONMENT_VARIABLE=default-size")
            return None
        return variable, int(size)

    def tables_query(self, file: QueryFile, name: str, spec: QuerySpec) -> Query | None:
        """The same statement over each table of a group (or list): `count_map` counts the rows per table,
        `list` the distinct values of the `result` columns across them; `where` filters each table."""
        path: Path_ = ("queries", name)
        before = len(self.problems)
        if isinstance(spec.tables, str):
            names = [table.name for table in self.schema.tables if table.group == spec.tables]
        else:
            names = list(spec.tables or [])
        for index, table in enumerate(names):
            if table not in self.tables:
                self.report(
                    file,
                    (*path, "tables", index),
                    f"unknown table {table!r}",
                    did_you_mean(table, self.tables),
                )
        if not names:
            self.report(file, (*path, "tables"), "no table to read")
        if spec.kind not in ("count_map", "list"):
            self.report(file, (*path, "kind"), "a `tables:` query is a count_map or a list")
        for key in ("from_", "joins", "select", "per", "external", "set", "order_by", "group_by"):
            if getattr(spec, key):
                self.report(
                    file,
                    (*path, key.rstrip("_")),
                    f"`{key.rstrip('_')}:` does not apply to a `tables:` query",
                )
        params = self.typed_params(file, path, spec)
        columns: list[ResultColumn] = []
        for alias, spelling in spec.result.items():
            python = self.pytype(file, (*path, "result", alias), spelling)
            if python is not None:
                columns.append(ResultColumn(alias, python))
        if spec.kind == "list" and not columns:
            self.report(file, (*path, "result"), "a list over tables needs `result:` columns")
        if len(self.problems) > before:
            return None
        for index, condition in enumerate(spec.where):
            self.check_params(file, (*path, "where", index), condition, spec.params)
            for table in names:
                self.check_refs(file, (*path, "where", index), condition, {table: False})
        where = " WHERE " + " AND ".join(spec.where) if spec.where else ""
        if spec.kind == "count_map":
            columns = [ResultColumn("table_name", "str")]
            parts = [
                f"SELECT '{table}' AS table_name, count(*) AS count FROM {table}{where}"
                for table in sorted(names)
            ]
            body = " UNION ALL ".join(parts) + " ORDER BY table_name"
        else:
            selected = ", ".join(column.name for column in columns)
            parts = [f"SELECT {selected} FROM {table}{where}" for table in sorted(names)]
            body = " UNION ".join(parts) + f" ORDER BY {selected}"
        return Query(
            name=name,
            domain=Path(file.name).stem,
            doc=spec.doc,
            kind=spec.kind,
            row="scalar" if len(columns) == 1 else "tuple",
            params=tuple(params),
            columns=tuple(columns),
            body=body,
            external_body=None,
            order="",
            external_order="",
            paginate=False,
            distinct="never",
            randomize=False,
            group_by=("table_name",) if spec.kind == "count_map" else (),
            cache=self.cache(file, (*path, "cache"), spec.cache),
            raw=True,
            method=spec.method,
            positional=self.positional(
                file, (*path, "positional"), spec.positional, {p.name: True for p in params if not p.keyword}
            ),
        )

    def typed_params(self, file: QueryFile, path: Path_, spec: QuerySpec) -> list[Param]:
        """The `type:` parameters of a query written in (or generated as) SQL."""
        params: list[Param] = []
        for param_name, param in spec.params.items():
            where = (*path, "params", param_name)
            if param.column is not None or param.type is None:
                self.report(file, where, "a parameter of an sql query needs `type:` (and no `column:`)")
                continue
            python = self.param_pytype(file, (*path, "params", param_name, "type"), param.type)
            if python is None:
                continue
            optional = param.optional or python.endswith("| None")
            has_default = param.optional or param.default is not None
            params.append(
                Param(
                    param_name,
                    python.removesuffix(" | None"),
                    optional,
                    param.keyword,
                    param.default,
                    has_default,
                    param.normalize,
                    param.fixed,
                )
            )
        return params

    def raw_query(self, file: QueryFile, name: str, spec: QuerySpec, base: Path) -> Query | None:
        """A query written in SQL: its parameters and result columns are declared and checked."""
        path: Path_ = ("queries", name)
        assert spec.sql is not None
        sql_file = base / spec.sql
        if not sql_file.is_file():
            self.report(
                file, (*path, "sql"), f"no such file {spec.sql!r}", "a path relative to schema/queries/"
            )
            return None
        before = len(self.problems)
        placed = self.place_filters(file, path, spec, sql_file.read_text(encoding="utf-8"))
        sql = _strip_comments(placed).strip().rstrip(";").strip()
        try:
            statement: Statement | None = parse_statement(placed)
        except SqlError as error:
            self.report(file, (*path, "sql"), f"sql query {name!r}: {spec.sql}:{error.line}: {error}")
            statement = None
        for key in ("from_", "joins", "select", "where", "set", "order_by", "tables"):
            if getattr(spec, key):
                self.report(
                    file, (*path, key.rstrip("_")), f"`{key.rstrip('_')}:` does not apply to an sql query"
                )
        external_sql = self.raw_external(file, path, spec, sql) if spec.external else None
        params = self.typed_params(file, path, spec)
        paginate = bool(spec.paginate) and spec.kind in ("list", "group", "map", "count_map")
        declared = set(spec.params) | ({"start_offset", "count"} if paginate else set())
        used = set(statement.params) if statement else declared
        for missing in sorted(declared - used):
            self.report(
                file,
                (*path, "params"),
                f"sql query {name!r}: parameter :{missing} is declared but not used in {spec.sql}",
            )
        for extra in sorted(used - declared):
            self.report(
                file,
                (*path, "params"),
                f"sql query {name!r}: {spec.sql} uses :{extra}, which is not declared",
                did_you_mean(extra, declared),
            )
        for literal in sorted(statement.outside if statement else ()):
            self.report(
                file,
                (*path, "sql"),
                f"sql query {name!r}: {spec.sql} has :{literal} inside a literal, where SQLAlchemy would bind it",
                "write \\:" + literal,
            )
        columns: list[ResultColumn] = []
        enums: set[str] = set()
        for alias, spelling in spec.result.items():
            python = self.pytype(file, (*path, "result", alias), spelling)
            if python is not None:
                columns.append(ResultColumn(alias, python))
                if spelling.removesuffix("?").startswith("enum:"):
                    enums.add(enum_alias(spelling.removesuffix("?").removeprefix("enum:")))
        for index, key in enumerate(spec.group_by):
            if key not in spec.result:
                self.report(file, (*path, "group_by", index), f"unknown result column {key!r}")
        if spec.per is not None and (spec.kind != "count_map" or spec.per not in spec.result):
            self.report(
                file, (*path, "per"), f"`per:` names a result column of a count_map, not {spec.per!r}"
            )
        if spec.kind in ("group", "map", "count_map") and not spec.group_by:
            self.report(file, path, f"a {spec.kind} query needs `group_by:`")
        self.writes(file, path, spec)
        if statement is not None and spec.kind in WRITES and statement.kind != "write":
            self.report(
                file, (*path, "sql"), f"sql query {name!r}: {spec.sql} is not an UPDATE, DELETE or INSERT"
            )
        elif statement is not None and spec.kind not in WRITES:
            wanted = list(spec.result) + (["count"] if spec.kind == "count_map" else [])
            if spec.kind in ("count", "exists"):
                wanted = wanted or [spec.kind]
            if statement.columns is None:
                self.report(file, (*path, "sql"), f"sql query {name!r}: {spec.sql} is not a SELECT")
            elif list(statement.columns) != wanted:
                self.report(
                    file,
                    (*path, "result"),
                    f"sql query {name!r}: {spec.sql} selects {', '.join(statement.columns)} but declares {', '.join(wanted)}",
                )
        if len(self.problems) > before:
            return None
        return Query(
            name=name,
            domain=Path(file.name).stem,
            doc=spec.doc,
            kind=spec.kind,
            row=spec.row if len(columns) != 1 or spec.row != "tuple" else "scalar",
            params=tuple(params),
            columns=tuple(_converted(columns) if spec.convert_datetime else columns),
            body=sql,
            external_body=external_sql,
            order="",
            external_order="",
            paginate=paginate,
            distinct="never",
            randomize=False,
            group_by=tuple(spec.group_by),
            per=spec.per,
            convert_datetime=spec.convert_datetime,
            cache=self.cache(file, (*path, "cache"), spec.cache),
            missing=spec.missing,
            raw=True,
            method=spec.method,
            **self.write_fields(spec),
            enums=frozenset(enums | self.param_enums(params)),
            positional=self.positional(
                file,
                (*path, "positional"),
                spec.positional,
                {
                    "start_offset": paginate,
                    "count": paginate,
                    "is_external": bool(spec.external),
                    "convert_datetime": spec.convert_datetime,
                    **{p.name: True for p in params if not p.keyword},
                },
            ),
        )


_RESERVED = {
    "connection",
    "start_offset",
    "count",
    "distinct",
    "is_external",
    "randomize",
    "convert_datetime",
    "self",
}
DATETIME = "datetime.datetime"


def _converted(columns: list[ResultColumn]) -> list[ResultColumn]:
    """`convert_datetime`: timestamp columns are ISO strings unless the caller asks for datetimes."""
    return [
        ResultColumn(column.name, column.pytype.replace(DATETIME, f"{DATETIME} | str"))
        if column.pytype.startswith(DATETIME)
        else column
        for column in columns
    ]


def targets_expr(targets: list[str]) -> list[str]:
    """GROUP BY the expressions, not their aliases."""
    return [target.split(" AS ", 1)[0] for target in targets]


def _column_pytype(column: ir.Column, outer: bool) -> str:
    if ir.VARCHAR.fullmatch(column.type):
        base = "str"
    elif column.enum_name:
        base = enum_alias(column.enum_name)
    else:
        base = _PYTHON[column.type]
    return f"{base} | None" if column.nullable or outer else base


def _strip_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


def load_queries(queries_dir: Path, schema: ir.Schema) -> tuple[Query, ...]:
    """Every query of `queries_dir/*.yaml`, sorted by domain then name; SchemaLoadError lists all mistakes."""
    loader = _QueryLoader(schema)
    queries: list[Query] = []
    seen: dict[str, str] = {}
    parsed, loader.problems = parse_query_files(queries_dir)
    filters: dict[str, tuple[QueryFile, FilterSpec]] = {}
    for file, spec in parsed:
        for filter_name, filter_spec in spec.filters.items():
            if filter_name in filters:
                loader.report(
                    file,
                    ("filters", filter_name),
                    "duplicate filter name",
                    f"also declared in {filters[filter_name][0].name}",
                )
            filters[filter_name] = (file, filter_spec)
    for file, spec in parsed:
        for query_name, query_spec in spec.queries.items():
            query_spec = _with_filters(loader, file, query_name, query_spec, filters)
            if query_name in seen:
                loader.report(
                    file,
                    ("queries", query_name),
                    "duplicate query name",
                    f"also declared in {seen[query_name]}",
                )
            seen[query_name] = file.name
            query = loader.query(file, query_name, query_spec, queries_dir)
            if query is not None and query_spec.nest:
                query = resolve_nest(loader, file, query_spec.nest, query)
            if query is not None and query_spec.variadic:
                query = resolve_variadic(loader, file, query_spec.variadic, query)
            if query is not None and (query_spec.extension or query_spec.on_error):
                query = resolve_guards(loader, file, query_spec, query)
            if query is not None and query_spec.purge is not None:
                query = resolve_purge(loader, file, query_spec.purge, query, queries_dir)
            if query is not None:
                loader.check_defaults(file, query)
            if query is not None and not query.raw:
                loader.check_statements(file, query)
            if query is not None:
                queries.append(query)
    if loader.problems:
        raise SchemaLoadError(loader.problems)
    return tuple(sorted(queries, key=lambda query: (query.domain, query.name)))


def _with_filters(
    loader: _QueryLoader,
    file: QueryFile,
    name: str,
    spec: QuerySpec,
    filters: dict[str, tuple[QueryFile, FilterSpec]],
) -> QuerySpec:
    """The query with the parameters and conditions of its named filters (theirs first, in order)."""
    params: dict[str, ParamSpec] = {}
    where: list[str] = []
    for index, filter_name in enumerate(spec.filters):
        if filter_name not in filters:
            loader.report(
                file,
                ("queries", name, "filters", index),
                f"unknown filter {filter_name!r}",
                did_you_mean(filter_name, filters)
                or "declare it under `filters:` in a file of schema/queries/",
            )
            continue
        named = filters[filter_name][1]
        if named.sql is not None:
            loader.fragments[filter_name] = (filters[filter_name][0].path.parent / named.sql, None)
        else:
            loader.fragments[filter_name] = (None, " AND ".join(f"({c})" for c in named.where) or "TRUE")
        for param_name in named.params:
            if param_name in params or param_name in spec.params:
                loader.report(
                    file,
                    ("queries", name, "filters", index),
                    f"parameter {param_name!r} of filter {filter_name!r} is declared twice",
                )
        params.update(named.params)
        where += named.where
    if not spec.filters:
        return spec
    if spec.sql is not None:  # a `.sql` query places the filters itself, as `{{name}}`
        return spec.model_copy(update={"params": {**params, **spec.params}})
    return spec.model_copy(update={"params": {**params, **spec.params}, "where": [*where, *spec.where]})
