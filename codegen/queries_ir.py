"""The typed IR of schema/queries/: what the parser's declarations resolve to and the renderers read.

Every name, type and SQL text here has been checked (queries_load); the renderers (render_queries: the
typed Python functions and GraphDatabase methods) check nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["list", "one", "count", "exists", "group", "map", "count_map", "update", "delete", "insert"]
Returns = Literal["changed", "rowcount", "none", "inserted", "id"]
WRITES = ("update", "delete")
Row = Literal["tuple", "dict", "scalar"]


@dataclass(frozen=True)
class Param:
    """A resolved parameter."""

    name: str
    pytype: str
    optional: bool
    keyword: bool
    default: str | int | bool | None
    has_default: bool
    normalize: str | None
    fixed: bool = False
    """Left out of the signatures: the query always receives the default."""
    choices: tuple[tuple[str, str], ...] = ()
    """Accepted spelling (lower case) -> the value sent; ValueError for any other (the method checks)."""
    expands: tuple[str, ...] = ()
    """A method-only parameter: when given, its normaliser's result sets these parameters (by attribute)."""


@dataclass(frozen=True)
class ResultColumn:
    """A resolved result column."""

    name: str
    pytype: str


@dataclass(frozen=True)
class Purge:
    """`purge:`: the documents a query lists are moved out of their kind's result store, then the rows
    naming them are deleted."""

    store: str
    """The result store class (thoth_storages.s3) of the document kind."""
    folder: str
    """The purge folder's prefix (`{folder}-purge-{timestamp}/`): the kind's first document type."""
    table: str
    column: str
    """The rows deleted: those of `table` whose `column` is one of the document ids."""


@dataclass(frozen=True)
class Lookup:
    """`kind: insert`: a local holding the id of an existing row found by its natural key."""

    name: str
    table: str
    sql: str
    """`SELECT id FROM table WHERE column = :param AND ...`."""
    params: tuple[str, ...]
    message: str
    """The NotFoundError message, an f-string body over the parameters."""


@dataclass(frozen=True)
class InsertRow:
    """`kind: insert`: one row written through `SetWriter` (inserted unless its natural key is there)."""

    table: str
    model: str
    """The generated names: `rows.<TABLE>` and `rows.<model>Row`."""
    twin: str | None
    """The external twin's table (with `is_external`), which has the same columns."""
    twin_model: str | None
    alias: str | None
    """The local holding the row's id (tables with `id`)."""
    values: tuple[tuple[str, str], ...]
    """Column -> Python expression (a parameter, an id, a constant)."""
    whole: str | None
    """A parameter holding the whole row (instead of `values`)."""
    key: tuple[str, ...]
    update: tuple[str, ...]
    """Columns set from `values` when the row already exists."""
    replace: bool
    has_id: bool


@dataclass(frozen=True)
class Insert:
    """What a `kind: insert` query writes, in order: lookups first, then the rows."""

    lookups: tuple[Lookup, ...]
    rows: tuple[InsertRow, ...]


@dataclass(frozen=True)
class Query:
    """A resolved query, ready to render."""

    name: str
    domain: str
    doc: str
    kind: Kind
    row: Row
    params: tuple[Param, ...]
    columns: tuple[ResultColumn, ...]
    body: str
    external_body: str | None
    order: str
    external_order: str
    paginate: bool
    distinct: Literal["flag", "always", "never"]
    randomize: bool
    group_by: tuple[str, ...] = ()
    per: str | None = None
    cache: tuple[str, int] | None = None
    missing: Literal["none", "raise"] = "none"
    raw: bool = False
    method: bool = True
    enums: frozenset[str] = field(default_factory=frozenset)
    returns: Returns = "changed"
    """update/delete: True when a row changed, the number of rows, or nothing (the method returns None)."""
    require_any: tuple[str, ...] = ()
    """Parameters of which at least one must not be None (ValueError otherwise)."""
    exclusive: tuple[str, ...] = ()
    """Boolean parameters of which at most one may be true (ValueError otherwise)."""
    convert_datetime: bool = False
    """Adds `convert_datetime: bool = True`: timestamp columns as ISO strings (the datetime with False)."""
    unpaginated_by: str | None = None
    """A method flag (`name: bool = True`, keyword-only): False lists everything, whatever the page says."""
    external_default: bool = False
    missing_message: str | None = None
    """`missing: raise`: the NotFoundError message, an f-string over the parameters."""
    purge: Purge | None = None
    nest: tuple[tuple[str, ...], ...] = ()
    """`list`/`one` rows as a tuple of tuples of these result columns (the others are left out)."""
    variadic: tuple[str, tuple[str, ...]] | None = None
    """`*name` of the method: its members' values fill these array parameters (a `group` keyed by the
    member's number answers `{member as given: rows}`)."""
    extension: str | None = None
    """A PostgreSQL extension the method creates first if missing (ExtensionUnavailableError when it cannot)."""
    on_error: tuple[tuple[str, bool | int | str], ...] = ()
    """SQLSTATE -> what the method returns when the statement fails with that state."""
    omitted_by: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Keyword flags (default True) that leave these columns out of the `dict` rows."""
    insert: Insert | None = None
    """`kind: insert`: the rows it writes."""
    positional: tuple[str, ...] = ()
    """Parameters placed positionally in this order (the original's signature): implicit ones (start_offset,
    count, distinct, is_external, randomize; the others are keyword-only) or declared positional ones, after
    the declared positional parameters not listed."""
