"""Parse schema/queries/*.yaml into syntax trees (pydantic specs) that remember each key's file and line.

Only the shape is checked here (keys, types, YAML); what the names mean is checked when the specs are
resolved to the IR (queries_load). Errors are `file:line: key: message (hint: ...)`, all listed at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import ir
from .load import Problem, did_you_mean
from .queries_ir import Kind, Returns
from .yaml_lines import Located, Path_, parse

Normalizer = Literal[
    "package_name",
    "package_version",
    "index_url",
    "os_name",
    "os_version",
    "date",
    "upper",
    "sha256",
    "document_id",
    "solver_environment",
]
Op = Literal["eq", "ne", "lt", "le", "gt", "ge", "like", "like_prefix", "glob"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


class ParamSpec(_Spec):
    """A parameter: an (optionally None-disabled) filter on a column, or a typed value for `where`/`sql`."""

    column: str | None = None
    type: str | None = None
    op: Op = "eq"
    optional: bool = False
    keyword: bool = False
    default: str | int | bool | None = None
    normalize: Normalizer | None = None
    fixed: bool = False  # not a parameter of the signature: always its default (an .sql query shared)
    expands: list[str] = []  # method only: when given, parsed (normalize:) into these parameters
    choices: dict[str, list[str]] = {}  # value sent -> the other spellings accepted (any case)
    doc: str | None = None
    row: str | None = None  # `kind: insert`: a whole row of this table (its generated TypedDict)


class JoinSpec(_Spec):
    """A join through a declared foreign key (or an explicit `via` condition)."""

    table: str
    outer: bool = False
    via: str | None = None  # an explicit join condition (YAML reads a bare `on` key as true)


class SelectSpec(_Spec):
    """A computed result column."""

    sql: str
    type: str


class PurgeSpec(_Spec):
    """`purge:` of a query listing document ids: the document kind whose result store holds them and the
    rows deleted once they are moved (`table.column` naming the document id)."""

    kind: str
    rows: str


class RowSpec(_Spec):
    """`kind: insert`: one row written (ensured by its natural key) through the set-based writer."""

    table: str
    as_: str | None = Field(default=None, alias="as")  # a name for the row's id (later values use it)
    values: dict[str, str | bool | int | None] | str = {}  # column -> parameter / id name / constant
    update: list[str] = []  # columns set from the values when the row already exists
    replace: bool = False  # the table keeps only this row (locked, emptied, then written)


class LookupSpec(_Spec):
    """`kind: insert`: the id of an existing row, found by its natural key (NotFoundError otherwise)."""

    table: str
    key: dict[str, str]  # column -> parameter
    missing_message: str | None = None


class QuerySpec(_Spec):
    """One query (`queries.<name>`)."""

    doc: str
    kind: Kind = "list"
    from_: str | None = Field(default=None, alias="from")
    joins: list[str | JoinSpec] = []
    select: dict[str, str | SelectSpec] = {}
    row: Literal["tuple", "dict", "scalar"] = "tuple"
    params: dict[str, ParamSpec] = {}
    where: list[str] = []
    order_by: list[str] = []
    randomize: bool = False
    paginate: bool | None = None
    distinct: Literal["flag", "always", "never"] | None = None
    external: dict[str, str] = {}
    group_by: list[str] = []
    per: str | None = None
    set: dict[str, str] = {}
    sql: str | None = None
    result: dict[str, str] = {}
    tables: ir.Group | list[str] | None = None
    cache: str | None = None
    missing: Literal["none", "raise"] = "none"
    method: bool = True
    positional: list[str] = []
    filters: list[str] = []
    returns: Returns | None = None
    require_any: list[str] = []
    exclusive: list[str] = []
    unpaginated_by: str | None = None
    convert_datetime: bool = False
    external_default: bool = False
    missing_message: str | None = None
    purge: PurgeSpec | None = None
    nest: list[list[str]] = []
    variadic: dict[str, list[str]] = {}
    extension: str | None = None
    on_error: dict[str, bool | int | str] = {}
    omitted_by: dict[str, list[str]] = {}
    rows: list[RowSpec] = []
    lookups: dict[str, LookupSpec] = {}


class FilterSpec(_Spec):
    """A named filter (`filters.<name>`): parameters and conditions several queries share."""

    doc: str
    params: dict[str, ParamSpec] = {}
    where: list[str] = []
    sql: str | None = None  # a fragment file: what `{{name}}` stands for in a `.sql` query


class QueryFileSpec(_Spec):
    """A file of schema/queries/."""

    queries: dict[str, QuerySpec] = {}
    filters: dict[str, FilterSpec] = {}


@dataclass
class QueryFile:
    name: str
    path: Path
    located: Located

    def problem(self, path: Path_, message: str, hint: str | None = None) -> Problem:
        """A problem at the line of `path` in this file."""
        return Problem(
            self.name, self.located.line(path), ".".join(str(part) for part in path), message, hint
        )


_UNION_TAGS = {"str", "int", "bool", "none", "JoinSpec", "SelectSpec", "PurgeSpec"}


def parse_query_files(queries_dir: Path) -> tuple[list[tuple[QueryFile, QueryFileSpec]], list[Problem]]:
    """Every `queries_dir/*.yaml` that parses, in name order, and the problems of those that do not."""
    parsed: list[tuple[QueryFile, QueryFileSpec]] = []
    problems: list[Problem] = []
    for path in sorted(queries_dir.glob("*.yaml")):
        name = f"{queries_dir.parent.name}/{queries_dir.name}/{path.name}"
        try:
            located = parse(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            problems.append(
                Problem(name, line, "<yaml>", f"not valid YAML: {getattr(error, 'problem', None) or error}")
            )
            continue
        file = QueryFile(name, path, located)
        for duplicate, _line in located.duplicates:
            problems.append(file.problem(duplicate, f"duplicate key {duplicate[-1]!r}"))
        try:
            spec = QueryFileSpec.model_validate(located.data if located.data is not None else {})
        except ValidationError as error:
            for item in error.errors():
                if item["loc"][-1] == "str" and len(item["loc"]) > 1:
                    continue  # the other member of a `str | Spec` union explains the problem
                where = tuple(
                    {"from_": "from", "as_": "as"}.get(str(part), part)
                    for part in item["loc"]
                    if part not in _UNION_TAGS
                )
                if item["type"] == "extra_forbidden":
                    allowed = _allowed(where)
                    problems.append(file.problem(where, "unknown key", did_you_mean(str(where[-1]), allowed)))
                else:
                    problems.append(file.problem(where, item["msg"]))
            continue
        parsed.append((file, spec))
    return parsed, problems


def _allowed(path: Path_) -> list[str]:
    models: dict[int, type[BaseModel]] = {1: QueryFileSpec, 3: QuerySpec, 5: ParamSpec}
    if len(path) >= 2 and path[0] == "filters":
        models = {3: FilterSpec, 5: ParamSpec}
    if len(path) == 5 and path[2] == "joins":
        return list(JoinSpec.model_fields)
    if len(path) == 4 and path[2] == "purge":
        return list(PurgeSpec.model_fields)
    if len(path) == 5 and path[2] in ("rows", "lookups"):
        model_ = RowSpec if path[2] == "rows" else LookupSpec
        return [name.rstrip("_") for name in model_.model_fields]
    model = models.get(len(path))
    return ["from" if name == "from_" else name for name in (model.model_fields if model else {})]
