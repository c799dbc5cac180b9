"""Every migration operation: its rendered upgrade and downgrade text against a golden, and both executed
on a real PostgreSQL database, which is then read back and compared with the schema it should hold.

Set UPDATE_GOLDEN=1 to rewrite tests/golden/migrations/ after an intended renderer change (review the diff).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import get_args

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.dialects import postgresql

from codegen import ir
from codegen import migration_ops as ops
from codegen.migration_diff import DestructiveChangeError, compare
from codegen.reflect import reflect, shape
from codegen.render_migration import downgrade, upgrade
from codegen.revisions import read_history
from tests.conftest import new_database
from thoth_storages.graph import migrate
from thoth_storages.graph.connection import make_engine

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "migrations"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
EMPTY = ir.Schema(enums=(), tables=())

STATUS = ir.Enum("run_status", ("NEW", "DONE"))
INDEX = ir.Table(
    name="package_index",
    model="PackageIndex",
    group="main",
    columns=(
        ir.Column("id", "integer", nullable=False, primary_key=True, autoincrement=True),
        ir.Column("url", "text", nullable=False),
    ),
    primary_key_name="package_index_pkey",
)
RUN = ir.Table(
    name="run",
    model="Run",
    group="main",
    columns=(
        ir.Column("id", "integer", nullable=False, primary_key=True, autoincrement=True),
        ir.Column("name", "varchar(20)", nullable=True),
        ir.Column("size", "integer", nullable=True),
        ir.Column("status", "enum:run_status", nullable=False, server_default="'NEW'"),
        ir.Column("index_id", "integer", nullable=True),
    ),
    primary_key_name="run_pkey",
    comment="A run.",
)
BASE = ir.Schema(enums=(STATUS,), tables=(INDEX, RUN))
FK = ir.ForeignKey("run_index_id_fkey", "package_index", "id", "CASCADE")


def _column(table: ir.Table, name: str, **changes: object) -> ir.Table:
    columns = tuple(replace(c, **changes) if c.name == name else c for c in table.columns)  # type: ignore[arg-type]
    return replace(table, columns=columns)


def _schema(*tables: ir.Table, enums: tuple[ir.Enum, ...] = (STATUS,), **intent: frozenset[str]) -> ir.Schema:
    return ir.Schema(enums=enums, tables=tables, destructive=ir.Destructive(**intent))


# case name -> (schema before, schema after, the operation kinds the change must produce)
CASES: dict[str, tuple[ir.Schema, ir.Schema, list[type]]] = {
    "create_table": (
        _schema(INDEX),
        BASE,
        [ops.CreateTable],
    ),
    "drop_table": (
        BASE,
        _schema(INDEX, drop_tables=frozenset({"run"})),
        [ops.DropTable],
    ),
    "create_enum": (_schema(INDEX, enums=()), _schema(INDEX), [ops.CreateEnum]),
    "drop_enum": (_schema(INDEX), _schema(INDEX, enums=()), [ops.DropEnum]),
    "add_column": (
        _schema(INDEX, replace(RUN, columns=RUN.columns[:-1])),
        BASE,
        [ops.AddColumn],
    ),
    "drop_column": (
        BASE,
        _schema(INDEX, replace(RUN, columns=RUN.columns[:-1]), drop_columns=frozenset({"run.index_id"})),
        [ops.DropColumn],
    ),
    "alter_column_type": (
        BASE,
        _schema(INDEX, _column(RUN, "size", type="bigint")),
        [ops.AlterColumn],
    ),
    "alter_column_nullability": (
        BASE,
        _schema(INDEX, _column(RUN, "name", nullable=False)),
        [ops.AlterColumn],
    ),
    "alter_column_server_default": (
        BASE,
        _schema(INDEX, _column(RUN, "size", server_default="0")),
        [ops.AlterColumn],
    ),
    "alter_column_comment": (
        BASE,
        _schema(INDEX, _column(RUN, "size", comment="Bytes.")),
        [ops.AlterColumn],
    ),
    "change_table_comment": (
        BASE,
        _schema(INDEX, replace(RUN, comment="A run of a job.")),
        [ops.ChangeTableComment],
    ),
    "enum_value_added": (
        BASE,
        _schema(INDEX, RUN, enums=(ir.Enum("run_status", ("QUEUED", "NEW", "RUNNING", "DONE")),)),
        [ops.AddEnumValues],
    ),
    "enum_value_removed": (
        BASE,
        _schema(
            INDEX,
            RUN,
            enums=(ir.Enum("run_status", ("NEW",)),),
            drop_enum_values=frozenset({"run_status.DONE"}),
        ),
        [ops.ReplaceEnum],
    ),
    "replace_primary_key": (
        BASE,
        _schema(
            INDEX, replace(_column(RUN, "name", nullable=False, primary_key=True), primary_key_name="run_key")
        ),
        [ops.DropPrimaryKey, ops.AlterColumn, ops.CreatePrimaryKey],
    ),
    "create_index": (
        BASE,
        _schema(
            INDEX,
            replace(
                RUN, indexes=(ir.Index("run_name_idx", ("name", "size"), unique=True, where="size > 0"),)
            ),
        ),
        [ops.CreateIndex],
    ),
    "drop_index": (
        _schema(INDEX, replace(RUN, indexes=(ir.Index("ix_run_name", ("name",)),))),
        BASE,
        [ops.DropIndex],
    ),
    "create_unique_constraint": (
        BASE,
        _schema(INDEX, replace(RUN, unique_constraints=(ir.UniqueConstraint("run_name_key", ("name",)),))),
        [ops.CreateUnique],
    ),
    "drop_unique_constraint": (
        _schema(INDEX, replace(RUN, unique_constraints=(ir.UniqueConstraint("run_name_key", ("name",)),))),
        BASE,
        [ops.DropUnique],
    ),
    "add_foreign_key": (
        BASE,
        _schema(INDEX, _column(RUN, "index_id", foreign_key=FK)),
        [ops.CreateForeignKey],
    ),
    "drop_foreign_key": (
        _schema(INDEX, _column(RUN, "index_id", foreign_key=FK)),
        BASE,
        [ops.DropForeignKey],
    ),
}


def _code(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def _rendered(operations: list[ops.Op]) -> tuple[str, str]:
    up = [line for operation in operations for line in upgrade(operation)]
    down = [line for operation in reversed(operations) for line in downgrade(operation)]
    return _code(up), _code(down)


def test_every_operation_kind_has_a_case() -> None:
    kinds = {kind for _before, _after, expected in CASES.values() for kind in expected}
    assert kinds == set(get_args(ops.Op))


@pytest.mark.parametrize("case", sorted(CASES))
def test_rendered_text_matches_golden(case: str) -> None:
    before, after, kinds = CASES[case]
    operations = compare(before, after)
    assert [type(operation) for operation in operations] == kinds
    up, down = _rendered(operations)
    text = f"# upgrade\n{up}\n# downgrade\n{down}"
    golden = GOLDEN / f"{case}.txt"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def engine() -> Iterator[sa.Engine]:
    with new_database() as settings:
        engine = make_engine(settings)
        yield engine
        engine.dispose()


def _run(engine: sa.Engine, lines: list[str]) -> None:
    with engine.begin() as connection:
        operations = Operations(MigrationContext.configure(connection))
        exec(_code(lines), {"op": operations, "sa": sa, "postgresql": postgresql})


def _held(engine: sa.Engine) -> ir.Schema:
    with engine.connect() as connection:
        return reflect(connection)


@pytest.mark.parametrize("case", sorted(CASES))
def test_upgrade_and_downgrade_on_postgresql(case: str, engine: sa.Engine) -> None:
    before, after, _kinds = CASES[case]
    assert shape(before) != shape(after), "the case must change what the database holds"
    build = compare(EMPTY, before)
    _run(engine, [line for operation in build for line in upgrade(operation)])
    try:
        with engine.begin() as connection:  # a row that every change must carry along
            connection.execute(sa.text("INSERT INTO package_index (url) VALUES ('https://example.org')"))
            if any(table.name == "run" for table in before.tables):
                connection.execute(sa.text("INSERT INTO run (name, status) VALUES ('a', 'NEW')"))
        assert _held(engine) == shape(before)
        operations = compare(before, after)
        _run(engine, [line for operation in operations for line in upgrade(operation)])
        assert _held(engine) == shape(after)
        _run(engine, [line for operation in reversed(operations) for line in downgrade(operation)])
        assert _held(engine) == shape(before)
    finally:
        _run(engine, [line for operation in reversed(build) for line in downgrade(operation)])
    assert _held(engine) == EMPTY


def test_enum_value_removal_is_refused_without_intent() -> None:
    before, after, _kinds = CASES["enum_value_removed"]
    with pytest.raises(DestructiveChangeError, match=r"run_status\.DONE"):
        compare(before, replace(after, destructive=ir.Destructive()))


def test_the_head_database_reads_back_as_the_head_snapshot(engine: sa.Engine) -> None:
    """Both producers of the schema model agree on the real schema: all tables, columns, keys and enums."""
    head = read_history(migrate.MIGRATIONS_DIR / "snapshots")[-1].schema
    with engine.begin() as connection:
        command.upgrade(migrate.alembic_config(connection), "head")
    try:
        held = _held(engine)
        assert len(held.tables) == len(head.tables) > 80
        assert held == shape(head)
    finally:
        with engine.begin() as connection:
            command.downgrade(migrate.alembic_config(connection), "base")
