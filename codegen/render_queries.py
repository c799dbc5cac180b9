"""Render schema/queries/ into generated/queries/<domain>.py (typed query functions) and graph_methods.py.

Each query becomes one function taking a SQLAlchemy Connection with a precise return type; the
`GeneratedQueries` mixin gives GraphDatabase the original's method names, normalises the declared
parameters, opens a connection and calls the function.
"""

from __future__ import annotations

import keyword
from pathlib import Path

from . import ir
from .format import banner, format_python
from .queries_ir import WRITES, Param, Query, ResultColumn
from .queries_load import load_queries
from .render_insert import insert_body
from .render_queries_docs import render_queries_docs
from .render_query_sql import constant, has_external, sql_expression

DEFAULT_COUNT = 100


def render_queries(schema: ir.Schema, queries_dir: Path) -> dict[str, str]:
    """generated/queries/ files for the queries of `queries_dir` (empty when there are none)."""
    if not any(queries_dir.glob("*.yaml")):
        return {}
    queries = load_queries(queries_dir, schema)
    head = banner("schema/queries")
    files: dict[str, str] = {
        "generated/queries/__init__.py": head
        + '"""Typed query functions generated from schema/queries/."""\n'
    }
    domains = sorted({query.domain for query in queries})
    for domain in domains:
        path = f"generated/queries/{domain}.py"
        own = [query for query in queries if query.domain == domain]
        files[path] = format_python(head + _module(domain, own), path)
    path = "generated/queries/graph_methods.py"
    files[path] = format_python(head + _mixin(queries, domains), path)
    files["generated/queries/REFERENCE.md"] = render_queries_docs(queries, method_lines)
    return files


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _tuple_type(types: list[str]) -> str:
    return types[0] if len(types) == 1 else f"tuple[{', '.join(types)}]"


def _row_type(query: Query) -> str:
    if query.nest:
        types = {column.name: column.pytype for column in query.columns}
        return f"tuple[{', '.join(_tuple_type([types[name] for name in group]) for group in query.nest)}]"
    if query.row == "dict":
        return f"{_camel(query.name)}Row"
    return _tuple_type([column.pytype for column in _row_columns(query)])


def _row_columns(query: Query) -> list[ResultColumn]:
    """The columns of one row of the result (a `map` keys its rows by the group_by columns)."""
    if query.kind == "map":
        return [column for column in query.columns if column.name not in query.group_by]
    return list(query.columns)


def _convert(query: Query, names: list[str], offset: int = 0) -> str:
    """Python expression building one value from `row` for the result columns `names`."""
    index = {column.name: position for position, column in enumerate(query.columns)}
    items = [f"row[{index[name] + offset}]" for name in names]
    return items[0] if len(items) == 1 else f"({', '.join(items)},)"


def return_type(query: Query) -> str:
    """The declared return annotation of a query function."""
    names = [column.name for column in query.columns]
    types = {column.name: column.pytype for column in query.columns}
    if query.kind == "list":
        return f"list[{_row_type(query)}]"
    if query.kind == "one":
        return _row_type(query) if query.missing == "raise" else f"{_row_type(query)} | None"
    if query.kind == "count":
        return "int"
    if query.kind == "insert":
        return {"inserted": "bool", "id": "int"}.get(query.returns, "None")
    if query.kind == "exists" or (query.kind in WRITES and query.returns == "changed"):
        return "bool"
    if query.kind in WRITES:
        return "int"
    keys = list(query.group_by)
    key = _tuple_type([types[name] for name in keys])
    if query.kind == "map":
        return f"dict[{key}, {_row_type(query)}]"
    if query.kind == "group":
        rest = [types[name] for name in names if name not in keys]
        return f"dict[{key}, list[{_row_type(query) if query.nest else _tuple_type(rest)}]]"
    inner = f"dict[{key}, int]"
    return f"dict[{types[query.per]}, {inner}]" if query.per else inner


def _default(param: Param) -> str:
    if param.default is not None:
        return repr(param.default)
    return "None"


def _signature(query: Query, *, method: bool) -> tuple[str, list[str]]:
    """The parameter list (after `connection` or `self`) and the argument list of the call."""
    positional: list[str] = []
    keyword: list[str] = []
    call: list[str] = []
    listed: dict[str, str] = {}
    variadic = query.variadic[1] if method and query.variadic else ()
    for param in query.params:
        if param.name in variadic:
            call.append(f"{param.name}={param.name}")
        if param.fixed or param.name in variadic or (param.expands and not method):
            continue
        pytype = param.pytype
        if method and param.normalize in _METHOD_TYPES:
            pytype = _METHOD_TYPES[param.normalize]
        annotation = f"{pytype} | None" if param.optional else pytype
        text = f"{param.name}: {annotation}" + (f" = {_default(param)}" if param.has_default else "")
        if param.name in query.positional:
            listed[param.name] = text
        else:
            (keyword if param.keyword else positional).append(text)
        if param.expands:  # the method's alone: it sets other parameters
            continue
        by_keyword = param.keyword or param.name in query.positional
        call.append(f"{param.name}={param.name}" if by_keyword else param.name)
    extras: list[tuple[str, str]] = []
    if query.paginate:
        extras += [
            ("start_offset: int = 0", "start_offset"),
            (f"count: int | None = {DEFAULT_COUNT}", "count"),
        ]
    if query.distinct == "flag":
        extras.append(("distinct: bool = False", "distinct"))
    if has_external(query):
        extras.append((f"is_external: bool = {query.external_default}", "is_external"))
    if query.randomize:
        extras.append(("randomize: bool = True", "randomize"))
    if query.convert_datetime:
        extras.append(("convert_datetime: bool = True", "convert_datetime"))
    extras += [(f"{flag}: bool = True", flag) for flag, _columns in query.omitted_by]
    by_name = {**listed, **{name: text for text, name in extras}}
    positional += [by_name[name] for name in query.positional]
    keyword += [text for text, name in extras if name not in query.positional]
    if method and query.unpaginated_by is not None:
        keyword.append(f"{query.unpaginated_by}: bool = True")
    if method and query.purge is not None:
        keyword.append(f"store: {query.purge.store} | None = None")
    call += [f"{name}={name}" for _text, name in extras]
    if variadic and query.variadic is not None:
        parts = [*positional, f"*{query.variadic[0]}: {_variadic_type(query)}", *keyword]
    else:
        parts = positional + (["*", *keyword] if keyword else [])
    return ", ".join(parts), call


def _variadic_type(query: Query) -> str:
    """`tuple[...]` of the element types of the arrays a variadic parameter's members fill."""
    types = {param.name: param.pytype for param in query.params}
    names = query.variadic[1] if query.variadic else ()
    return f"tuple[{', '.join(types[name].removeprefix('list[').removesuffix(']') for name in names)}]"


def _variadic_lines(query: Query) -> list[str]:
    """The arrays of a variadic parameter, each member's values normalised as its array declares."""
    assert query.variadic is not None
    name, arrays = query.variadic
    normalizers = {param.name: param.normalize for param in query.params}
    lines = []
    for position, array in enumerate(arrays):
        value = f"member[{position}]"
        normalizer = normalizers[array]
        if normalizer is not None:
            expression = _NORMALIZE[normalizer].format(name=value)
            value = f"{expression} or {value}" if normalizer == "package_version" else expression
        lines.append(f"        {array} = [{value} for member in {name}]")
    return lines


def _query_function(query: Query) -> list[str]:
    signature, _call = _signature(query, method=False)
    doc = query.doc.strip() if query.purge is None else f"The ids of the documents `{query.name}` purges."
    lines = [
        f"def {query.name}(connection: Connection{', ' if signature else ''}{signature}) -> {return_type(query)}:",
        f'    """{doc}"""',
    ]
    if query.insert is not None:
        return lines + insert_body(query)
    sql = sql_expression(query)
    parameters = [f'"{param.name}": {_sent(param)}' for param in query.params if not param.expands]
    if query.paginate:
        parameters += ['"start_offset": start_offset', '"count": count']
    lines.append(f"    result = connection.execute(text({sql}), {{{', '.join(parameters)}}})")
    names = [column.name for column in query.columns]
    if query.kind == "list" and (query.omitted_by or query.missing == "raise"):
        lines.append(f"    found: {return_type(query)} = [{_build(query)} for row in result]")
        for flag, columns in query.omitted_by:
            lines += [f"    if {flag}:", "        for item in found:"]
            lines += [f"            del item[{column!r}]" for column in columns]
        if query.missing == "raise":
            lines += ["    if not found:", f"        raise NotFoundError({_missing_message(query)})"]
        lines.append("    return found")
    elif query.kind == "list":
        lines.append(f"    return [{_build(query)} for row in result]")
    elif query.kind == "map":
        key = _convert(query, list(query.group_by))
        lines.append(f"    return {{{key}: {_build(query)} for row in result}}")
    elif query.kind == "one" and query.missing == "raise":
        lines += [
            "    row = result.first()",
            "    if row is None:",
            f"        raise NotFoundError({_missing_message(query)})",
            f"    found: {_row_type(query)} = {_build(query)}",
            "    return found",
        ]
    elif query.kind == "one":
        lines += ["    row = result.first()", f"    return None if row is None else {_build(query)}"]
    elif query.kind == "count":
        lines.append("    return int(result.scalar_one())")
    elif query.kind == "exists":
        lines.append("    return bool(result.scalar_one())")
    elif query.kind in WRITES and query.returns == "changed":
        lines.append("    return result.rowcount > 0")
    elif query.kind in WRITES:
        lines.append("    return int(result.rowcount)")
    elif query.kind == "group":
        rest = [name for name in names if name not in query.group_by]
        # Grouped by one parameter's value (an index URL): that value is a key even with no rows.
        keyed = len(query.group_by) == 1 and query.group_by[0] in {
            p.name for p in query.params if not p.optional
        }
        lines += [
            f"    grouped: {return_type(query)} = {{{query.group_by[0]}: []}}"
            if keyed
            else f"    grouped: {return_type(query)} = {{}}",
            "    for row in result:",
            f"        grouped.setdefault({_convert(query, list(query.group_by))}, []).append({_build(query) if query.nest else _convert(query, rest)})",
            "    return grouped",
        ]
    else:
        group = list(query.group_by)
        counted = len(names)
        # Counted per a parameter's value (an index URL): that value is a key even with nothing counted.
        seeded = (
            f"{{{query.per}: {{}}}}"
            if query.per in {p.name for p in query.params if not p.optional}
            else "{}"
        )
        lines.append(f"    counts: {return_type(query)} = {seeded}")
        lines.append("    for row in result:")
        if query.per:
            lines.append(
                f"        counts.setdefault({_convert(query, [query.per])}, {{}})[{_convert(query, group)}] = int(row[{counted}])"
            )
        else:
            lines.append(f"        counts[{_convert(query, group)}] = int(row[{counted}])")
        lines.append("    return counts")
    return lines


def _sent(param: Param) -> str:
    """What the function sends for a parameter: its default when fixed; a frozenset as a list (an array)."""
    if param.fixed:
        return _default(param)
    if param.pytype.startswith("frozenset["):
        return (
            f"None if {param.name} is None else list({param.name})"
            if param.optional
            else f"list({param.name})"
        )
    return param.name


def _missing_message(query: Query) -> str:
    """The NotFoundError message of a `missing: raise` query (an f-string over its parameters)."""
    if query.missing_message is not None:
        return f"f{query.missing_message!r}"
    described = ", ".join(f"{param.name}={{{param.name}!r}}" for param in query.params)
    return (
        f'f"{query.name}: nothing found for {described}"' if described else f'"{query.name}: nothing found"'
    )


def _value(query: Query, index: int) -> str:
    """`row[index]`, a timestamp as an ISO string when the caller asks for `convert_datetime`."""
    if query.convert_datetime and query.columns[index].pytype.startswith("datetime.datetime"):
        return f"(row[{index}].isoformat() if convert_datetime else row[{index}])"
    return f"row[{index}]"


def _build(query: Query) -> str:
    if query.nest:
        return f"({', '.join(_convert(query, list(group)) for group in query.nest)},)"
    if query.row == "dict":
        index = {column.name: position for position, column in enumerate(query.columns)}
        fields = ", ".join(
            f"{column.name}={_value(query, index[column.name])}" for column in _row_columns(query)
        )
        if any(keyword.iskeyword(column.name) for column in query.columns):  # not an argument name
            items = ", ".join(
                f"{column.name!r}: {_value(query, index[column.name])}" for column in _row_columns(query)
            )
            return f"{{{items}}}"
        return f"{_row_type(query)}({fields})"
    return _convert(query, [column.name for column in _row_columns(query)])


def _row_class(query: Query) -> list[str]:
    """The TypedDict of a `dict` row: columns an `omitted_by` flag leaves out are NotRequired; a column
    named by a Python keyword (`import`) needs the functional form."""
    omitted = {column for _flag, columns in query.omitted_by for column in columns}
    fields = [
        (column.name, f"NotRequired[{column.pytype}]" if column.name in omitted else column.pytype)
        for column in _row_columns(query)
    ]
    name = _row_type(query)
    if any(keyword.iskeyword(field) for field, _type in fields):
        items = ", ".join(f"{field!r}: {pytype}" for field, pytype in fields)
        return ["", f"{name} = TypedDict({name!r}, {{{items}}})", f'"""A row of `{query.name}`."""', ""]
    lines = ["", f"class {name}(TypedDict):", f'    """A row of `{query.name}`."""', ""]
    return [*lines, *(f"    {field}: {pytype}" for field, pytype in fields), ""]


def _module(domain: str, queries: list[Query]) -> str:
    enums = sorted(set().union(*(query.enums for query in queries)))
    lines = [
        f'"""Queries declared in schema/queries/{domain}.yaml."""',
        "",
        "from __future__ import annotations",
        "",
        "import datetime",
        "from typing import NotRequired, TypedDict"
        if any(query.omitted_by for query in queries)
        else "from typing import TypedDict",
        "",
        "from sqlalchemy import Connection, text",
        "",
    ]
    if any(query.insert for query in queries):
        lines += ["from generated import rows", "from thoth_storages.graph.bulk import SetWriter"]
    if any(
        (query.kind in ("one", "list") and query.missing == "raise")
        or (query.insert and query.insert.lookups)
        for query in queries
    ):
        lines += ["from thoth_storages.exceptions import NotFoundError", ""]
    if enums:
        lines.append(f"from generated.models import {', '.join(enums)}")
    lines.append("")
    for query in queries:
        lines.append("")
        if query.row == "dict" and query.kind in ("list", "one", "map"):
            lines += _row_class(query)
        if query.insert is None:
            lines.append(f"{constant(query)} = {query.body!r}")
        if query.external_body is not None:
            lines.append(f"{constant(query, '_EXTERNAL')} = {query.external_body!r}")
        lines += ["", "", *_query_function(query)]
        if query.purge is not None:
            lines += ["", "", *_purge_rows_function(query)]
    return "\n".join(lines) + "\n"


def _purge_rows_function(query: Query) -> list[str]:
    """`<query>_rows(connection, ids)`: the DELETE of a purge, by the document ids it moved."""
    assert query.purge is not None
    table, column = query.purge.table, query.purge.column
    sql = f"DELETE FROM {table} WHERE {column} = ANY(:ids)"
    return [
        f"def {query.name}_rows(connection: Connection, ids: list[str]) -> int:",
        f'    """Delete the rows of {table} whose {column} is one of `ids`; their number."""',
        f'    return int(connection.execute(text("{sql}"), {{"ids": ids}}).rowcount)',
    ]


_NORMALIZE = {
    "package_name": "normalize.package_name({name})",
    "package_version": "normalize.package_version({name})",
    "index_url": "normalize.index_url({name}, self.settings.index_aliases)",
    "os_name": "normalize.os_name({name})",
    "os_version": "normalize.os_version(os_name or '', {name})",
    "date": "normalize.date({name})",
    "upper": "{name}.upper()",
    "sha256": "{name}.removeprefix('sha256:')",
    "document_id": "normalize.document_id({name})",
    "solver_environment": "normalize.solver_environment({name})",
}
_METHOD_TYPES = {"document_id": "Mapping[str, object]"}
"""Normalisers whose method takes another type than the query function (a document for its id)."""


def _inline(argument: str, name: str, expression: str) -> str:
    """A call's argument (`name` or `name=name`) with the parameter's value replaced by `expression`."""
    if argument == name:
        return expression
    return f"{name}={expression}" if argument == f"{name}={name}" else argument


def method_lines(query: Query) -> list[str]:
    """The GraphDatabase method of a query (its lines, indented in the class)."""
    signature, call = _signature(query, method=True)
    returns = "int" if query.purge is not None else return_type(query)
    if query.variadic is not None:
        returns = f"dict[{_variadic_type(query)}, {returns.split(', ', 1)[1]}"
    lines: list[str] = []
    if query.cache is not None:
        lines.append(f"    @cached({query.cache[0]!r}, {query.cache[1]})")
    writes = query.kind in (*WRITES, "insert")
    if writes and query.returns == "none":
        returns = "None"
    lines += [
        f"    def {query.name}(self{', ' if signature else ''}{signature}) -> {returns}:",
        f'        """{query.doc.strip()}"""',
    ]
    if query.variadic is not None:  # no member: the answer is empty, no statement (as the original)
        lines += [f"        if not {query.variadic[0]}:", "            return {}"]
    if query.exclusive:
        booleans = {param.name for param in query.params if param.pytype == "bool" and not param.optional}
        together = " + ".join(
            name if name in booleans else f"({name} is not None)" for name in query.exclusive
        )
        message = f"{' and '.join(query.exclusive)} cannot be asked for together"
        lines += [f"        if {together} > 1:", f"            raise ValueError({message!r})"]
    if query.unpaginated_by is not None:
        lines += [f"        if not {query.unpaginated_by}:", "            start_offset, count = 0, None"]
    if query.require_any:
        unset = " and ".join(f"{name} is None" for name in query.require_any)
        needs = f"{query.name} needs {' or '.join(query.require_any)}"
        lines += [f"        if {unset}:", f"            raise ValueError({needs!r})"]
    for param in query.params:
        if param.choices:
            known = ", ".join(dict.fromkeys(value for _spelling, value in param.choices))
            lines += [
                f"        chosen = {dict(param.choices)!r}.get({param.name}.lower())",
                "        if chosen is None:",
                f'            raise ValueError(f"unknown {param.name} {{{param.name}!r}}; known: {known}")',
                f"        {param.name} = chosen",
            ]
        if param.normalize is None or param.fixed or param.name in (query.variadic or ("", ()))[1]:
            continue
        expression = _NORMALIZE[param.normalize].format(name=param.name)
        if param.expands:
            targets = ", ".join(param.expands)
            values = ", ".join(f"expanded.{name}" for name in param.expands)
            lines += [
                f"        if {param.name} is not None:",
                f"            expanded = {expression}",
                f"            {targets} = {values}",
            ]
            continue
        if param.normalize in _METHOD_TYPES:  # another type: converted in the call, not reassigned
            call = [_inline(item, param.name, expression) for item in call]
            continue
        if param.normalize == "package_version" and not param.optional:
            expression = f"{expression} or {param.name}"
        elif param.optional and param.normalize != "package_version":
            expression = f"None if {param.name} is None else {expression}"
        lines.append(f"        {param.name} = {expression}")
    invocation = f"{query.domain}.{query.name}(connection{', ' if call else ''}{', '.join(call)})"
    if query.purge is not None:
        return [
            *lines,
            "        return purge_documents(",
            "            self,",
            f"            lambda connection: {invocation},",
            f"            {query.domain}.{query.name}_rows,",
            f"            store or {query.purge.store}(),",
            f"            {query.purge.folder!r},",
            "        )",
        ]
    if query.variadic is not None:
        return [
            *lines,
            *_variadic_lines(query),
            "        with self._connection() as connection:",
            f"            grouped = {invocation}",
            f"        return {{member: grouped.get(number, []) for number, member in enumerate({query.variadic[0]})}}",
        ]
    if query.extension is not None:
        lines.append(f"        require_extension(self, {query.extension!r})")
    if query.on_error:
        return [*lines, *_guarded(invocation, query.on_error)]
    begin = "begin=True" if writes else ""
    lines.append(f"        with self._connection({begin}) as connection:")
    message = _missing_message(query)
    if writes:
        lines.append(
            f"            {'found = ' if query.returns != 'none' or query.missing == 'raise' else ''}{invocation}"
        )
        lines.append("        self.cache_clear()")
        if query.missing == "raise":
            lines += ["        if not found:", f"            raise NotFoundError({message})"]
        if query.returns != "none":
            lines.append("        return found")
    else:
        lines.append(f"            return {invocation}")
    return lines


def _guarded(invocation: str, on_error: tuple[tuple[str, bool | int | str], ...]) -> list[str]:
    """The call of a read whose failure with one of the SQLSTATEs of `on_error:` is an answer."""
    lines = [
        "        try:",
        "            with self._connection() as connection:",
        f"                return {invocation}",
        "        except DBAPIError as error:",
        '            state = getattr(error.orig, "pgcode", None)',
    ]
    answers: dict[bool | int | str, list[str]] = {}
    for state, value in on_error:
        answers.setdefault(value, []).append(state)
    for value, states in answers.items():
        lines += [f"            if state in {tuple(states)!r}:", f"                return {value!r}"]
    return [*lines, "            raise"]


def _mixin(queries: tuple[Query, ...], domains: list[str]) -> str:
    lines = [
        '"""`GeneratedQueries`: the GraphDatabase methods of schema/queries/, with the original names."""',
        "",
        "from __future__ import annotations",
        "",
        "import datetime",
        *(
            ["from collections.abc import Mapping"]
            if any(p.normalize in _METHOD_TYPES for q in queries for p in q.params)
            else []
        ),
        "",
        f"from generated.models import {', '.join(sorted(set().union(*(q.enums for q in queries))) or ['Base'])}",
        f"from generated.queries import {', '.join(domains)}",
        *(
            ["from thoth_storages.exceptions import NotFoundError"]
            if any(q.kind in WRITES and q.missing == "raise" for q in queries)
            else []
        ),
        *(
            ["from generated import rows"]
            if any(p.pytype.startswith("rows.") for q in queries for p in q.params)
            else []
        ),
        "from thoth_storages.graph import normalize",
        "from thoth_storages.graph.adapter import AdapterBase",
        "from thoth_storages.graph.cache import cached",
    ]
    if any(q.on_error for q in queries if q.method):
        lines.append("from sqlalchemy.exc import DBAPIError")
    if any(q.extension for q in queries if q.method):
        lines.append("from thoth_storages.graph.maintenance import require_extension")
    stores = sorted({q.purge.store for q in queries if q.purge is not None and q.method})
    if stores:
        lines += [
            "from thoth_storages.graph.purge import purge_documents",
            f"from thoth_storages.s3.results import {', '.join(stores)}",
        ]
    for domain in domains:
        rows = [
            f"{_row_type(query)}"
            for query in queries
            if query.domain == domain and query.row == "dict" and query.kind in ("list", "one", "map")
        ]
        if rows:
            lines.append(f"from generated.queries.{domain} import {', '.join(rows)}")
    lines += [
        "",
        "",
        "class GeneratedQueries(AdapterBase):",
        '    """Methods generated from schema/queries/; GraphDatabase provides `_connection()`."""',
        "",
    ]
    for query in sorted((query for query in queries if query.method), key=lambda query: query.name):
        lines += ["", *method_lines(query)]
    return "\n".join(lines) + "\n"
