"""Check a `.sql` query with PostgreSQL's own parser (pglast: libpg_query), not regular expressions.

The `:name` parameters are bound as the runtime binds them (SQLAlchemy's `text()`, numbered `$n`), then
the statement is parsed: one statement, of the kind the declaration says, whose `$n` references are the
parameters actually used (a `:name` inside a string literal is not one), and whose top-level SELECT list
names the result columns as PostgreSQL names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pglast
from pglast import ast, enums
from pglast.parser import ParseError
from pglast.visitors import Visitor
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

_DIALECT = PGDialect_psycopg(paramstyle="numeric_dollar")  # type: ignore[no-untyped-call] # `$n` placeholders, as PostgreSQL reads them
_WRITES = (ast.UpdateStmt, ast.DeleteStmt, ast.InsertStmt)


@dataclass(frozen=True)
class Statement:
    """What the parser says about one `.sql` statement."""

    kind: str
    """`select`, `write` (UPDATE/DELETE/INSERT) or `other`."""
    params: frozenset[str]
    """The `:name` parameters PostgreSQL sees as parameters."""
    outside: frozenset[str]
    """`:name` spellings SQLAlchemy binds that are not parameters for PostgreSQL (inside a literal)."""
    columns: tuple[str, ...] | None
    """The names of the top-level SELECT list (None for a write)."""


class SqlError(ValueError):
    """The statement does not parse, or is not one statement: the message and its 1-based line."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class _ParamRefs(Visitor):
    def __init__(self) -> None:
        self.numbers: set[int] = set()

    def visit_ParamRef(self, ancestors: Any, node: ast.ParamRef) -> None:
        if node.number is not None:
            self.numbers.add(node.number)


def parse_statement(sql: str) -> Statement:
    """Parse `sql` (SQLAlchemy `:name` parameters); SqlError when PostgreSQL would reject its syntax."""
    compiled = text(sql).compile(dialect=_DIALECT)
    names: list[str] = list(compiled.positiontup or [])
    try:
        statements = pglast.parse_sql(compiled.string)
    except ParseError as error:
        message, index = error.args[0], error.args[1] if len(error.args) > 1 else 0
        raise SqlError(str(message), compiled.string.count("\n", 0, int(index)) + 1) from None
    if len(statements) != 1:
        raise SqlError(f"{len(statements)} statements, one expected", 1)
    statement = statements[0].stmt
    if statement is None:
        raise SqlError("no statement", 1)
    visitor = _ParamRefs()
    visitor(statement)
    used = {names[number - 1] for number in visitor.numbers if 0 < number <= len(names)}
    if isinstance(statement, ast.SelectStmt):
        return Statement("select", frozenset(used), frozenset(set(names) - used), _result_names(statement))
    kind = "write" if isinstance(statement, _WRITES) else "other"
    return Statement(kind, frozenset(used), frozenset(set(names) - used), None)


def _result_names(select: ast.SelectStmt) -> tuple[str, ...]:
    """The column names of a SELECT's result (the left arm of a UNION/INTERSECT/EXCEPT)."""
    while select.op != enums.SetOperation.SETOP_NONE and select.larg is not None:
        select = select.larg
    return tuple(_name(target) for target in select.targetList or ())


def _name(target: ast.ResTarget) -> str:
    """The name PostgreSQL gives a result column (its FigureColname, for the common expressions)."""
    if target.name:
        return str(target.name)
    value = target.val
    while isinstance(value, ast.TypeCast):
        value = value.arg
    if isinstance(value, ast.ColumnRef) and value.fields and isinstance(value.fields[-1], ast.String):
        return str(value.fields[-1].sval)
    if isinstance(value, ast.FuncCall) and value.funcname:
        return str(value.funcname[-1].sval)
    return "?column?"
