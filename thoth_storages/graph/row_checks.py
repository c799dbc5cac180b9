"""The writers' row check: every value is checked against what its column accepts before the statement
that writes it is sent, so a value PostgreSQL would refuse is refused naming `table.column`.

What a column accepts comes from generated/constraints.py (codegen derives it from schema/tables/):
integers within the column type's range (smallint, integer, bigint), text without NUL characters and
lone surrogates and within a varchar's length, finite floats, booleans, dates and timestamps as date
objects, enum labels, and no NULL in a NOT NULL column without a default. A row that leaves such a
column out, or holds a column its table does not have, is refused naming the document too
(`MissingValueError`, `UnknownColumnError`, raised by `bulk`). A document is one transaction, so a
refused value leaves nothing of the document behind.
"""

from __future__ import annotations

import datetime
import decimal
import math
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from functools import cache, partial
from operator import is_not
from typing import cast

from generated.constraints import COLUMN_CHECKS, ColumnCheck

from ..exceptions import SchemaError
from ..reasons import cut, escape

Check = Callable[[Sequence[object], AbstractSet[type]], None]
"""A column's check of its values, given the set of their types."""


class ColumnValueError(SchemaError, ValueError):
    """A value its column cannot hold; `table`, `column` and `value` say which."""

    def __init__(self, table: str, column: str, value: object, problem: str) -> None:
        self.table, self.column, self.value = table, column, value
        shown = cut(escape(repr(value)), 80)
        super().__init__(f"{table}.{column}: {shown} {problem}")


class MissingValueError(SchemaError, ValueError):
    """A row lacks a NOT NULL column without a default (it would be written as NULL, or refused late)."""

    def __init__(self, document: str, table: str, column: str) -> None:
        self.document, self.table, self.column = document, table, column
        where = f"{document}: " if document else ""
        super().__init__(f"{where}{table}.{column}: missing; the column is NOT NULL without a default")


class UnknownColumnError(SchemaError, ValueError):
    """A row holds a column its table does not have (a misspelt column would otherwise be dropped)."""

    def __init__(self, document: str, table: str, column: str) -> None:
        self.document, self.table, self.column = document, table, column
        where = f"{document}: " if document else ""
        super().__init__(f"{where}{table}.{column}: the table has no such column")


def _text_problem(value: str, max_length: int | None) -> str | None:
    if "\x00" in value:
        return "contains a NUL character (U+0000), which text columns cannot hold"
    if not (value.isascii() or _encodes(value)):
        return "contains a lone surrogate: not Unicode text"
    if max_length is not None and len(value) > max_length:
        return f"is {len(value)} characters long (the column takes at most {max_length})"
    return None


def _float_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal | str):
        return f"is a {type(value).__name__}, not a number"
    try:
        finite = math.isfinite(float(value))
    except (OverflowError, ValueError):
        finite = False
    return None if finite else "is not a finite number"


def _date_problem(kind: str, value: object) -> str | None:
    if isinstance(value, datetime.date):
        return None
    if isinstance(value, str):
        try:
            datetime.datetime.fromisoformat(value)
        except ValueError:
            return f"is not an ISO 8601 {kind}"
        return None
    return f"is a {type(value).__name__}, not a {kind}"


def _problem(check: ColumnCheck, value: object) -> str | None:
    """What is wrong with one value for the column, or None."""
    if value is None:
        return None if check.nullable else "is NULL in a NOT NULL column"
    kind = check.kind
    if kind == "integer":
        if type(value) is not int:
            return f"is a {type(value).__name__}, not an integer"
        assert check.low is not None and check.high is not None
        if not check.low <= value <= check.high:
            return f"is out of the column's range [{check.low}, {check.high}]"
    elif kind == "text":
        if isinstance(value, str):
            return _text_problem(value, check.max_length)
    elif kind == "float":
        return _float_problem(value)
    elif kind == "boolean":
        if not isinstance(value, bool) and value not in (0, 1):
            return f"is a {type(value).__name__}, not a boolean"
    elif kind in ("timestamp", "date"):
        return _date_problem(kind, value)
    elif kind == "enum" and value not in check.labels:
        return f"is not one of {', '.join(check.labels)}"
    return None


def _first_problem(table: str, column: str, check: ColumnCheck, values: Sequence[object]) -> None:
    for value in values:
        problem = _problem(check, value)
        if problem is not None:
            raise ColumnValueError(table, column, value, problem)


_NONE = type(None)
_TYPES: dict[str, frozenset[type]] = {
    "integer": frozenset({int}),
    "text": frozenset({str}),
    "float": frozenset({float, int}),
    "boolean": frozenset({bool}),
    "timestamp": frozenset({datetime.datetime, datetime.date}),
    "date": frozenset({datetime.datetime, datetime.date}),
    "enum": frozenset({str}),
}
"""The value types a column kind takes without a closer look (`bool` is not `int` here: type() is
exact); other values, such as 0 and 1 for a boolean or ISO strings for a timestamp, go one by one."""


def _passes(check: ColumnCheck, values: Sequence[object], kinds: AbstractSet[type]) -> bool:
    """Whether every value surely passes `_problem`, found with whole-column operations (C loops
    instead of a call per value; `kinds` is the set of their types); False sends the column through
    `_problem` value by value."""
    allowed = _TYPES[check.kind] | {_NONE} if check.nullable else _TYPES[check.kind]
    if not kinds <= allowed:
        return False
    present = list(filter(partial(is_not, None), values)) if _NONE in kinds else values
    if not present:
        return True
    kind = check.kind
    if kind == "integer":
        assert check.low is not None and check.high is not None
        integers = cast(Sequence[int], present)
        return check.low <= min(integers) and max(integers) <= check.high
    if kind == "text":
        texts = cast(Sequence[str], present)
        joined = "".join(texts)
        return (
            "\x00" not in joined
            and (joined.isascii() or _encodes(joined))
            and (check.max_length is None or max(map(len, texts)) <= check.max_length)
        )
    if kind == "float":
        try:
            return all(map(math.isfinite, cast(Sequence[float], present)))
        except OverflowError:  # an int too large for a float
            return False
    if kind == "enum":
        return set(present).issubset(check.labels)
    return True


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@cache
def column_check(table: str, column: str) -> Check:
    """The check of the values of one column (cached per column)."""
    check = COLUMN_CHECKS[table][column]

    def run(values: Sequence[object], kinds: AbstractSet[type]) -> None:
        if not _passes(check, values, kinds):
            _first_problem(table, column, check, values)

    return run


def check_values(table: str, column: str, values: Sequence[object]) -> None:
    """Raise ColumnValueError naming `table.column` unless the column can hold every value."""
    column_check(table, column)(values, set(map(type, values)))
