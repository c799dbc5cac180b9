"""The writers' whole-column shortcuts against their value-by-value references.

`bulk._array_literal` joins columns of integers, booleans and texts in one go: PostgreSQL must read
every literal back as the values given (quotes, backslashes, the word NULL, non-ASCII text, NULLs).
`row_checks._passes` accepts a column without looking at each value: it must never accept one that
`row_checks._problem` refuses, and the check built on it must refuse a column exactly when one of
its values has a problem.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generated.constraints import COLUMN_CHECKS, ColumnCheck
from thoth_storages import GraphDatabase
from thoth_storages.graph.bulk import _array_literal, raw_cursor
from thoth_storages.graph.row_checks import ColumnValueError, _passes, _problem, check_values

TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
TRICKY = st.sampled_from(['"', "\\", '","', "NULL", "\\x00", "{a,b}", "", " ", "é", "None"])
COLUMNS = {
    "text[]": st.lists(st.one_of(TEXT, TRICKY, st.none()), max_size=8),
    "bigint[]": st.lists(st.one_of(st.integers(-(2**63), 2**63 - 1), st.none()), max_size=8),
    "boolean[]": st.lists(st.one_of(st.booleans(), st.none()), max_size=8),
}


@pytest.mark.parametrize("sql_type", sorted(COLUMNS))
def test_postgresql_reads_every_joined_column_back_as_the_values(
    head_graph: GraphDatabase, sql_type: str
) -> None:
    with head_graph.engine.connect() as connection, raw_cursor(connection) as cursor:

        @settings(
            max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
        )
        @given(values=COLUMNS[sql_type])
        def read_back(values: list[object]) -> None:
            cursor.execute(
                f"SELECT %s::{sql_type}", [_array_literal(values, set(map(type, values)), "t", "c")]
            )
            assert cursor.fetchone() == (values,)

        read_back()


CHECKS = sorted({check for columns in COLUMN_CHECKS.values() for check in columns.values()}, key=repr)
VALUES = st.one_of(
    st.none(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, True, False]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=300),
    st.sampled_from(["\x00", "a\udc80", "é", "REQUIRED", "CLI", "x" * 256, "2024-01-02T03:04:05"]),
    st.datetimes(),
    st.dates(),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=1500, deadline=None)
@given(check=st.sampled_from(CHECKS), values=st.lists(VALUES, max_size=6))
def test_a_column_passes_whole_only_when_every_value_passes(
    check: ColumnCheck, values: Sequence[object]
) -> None:
    problems = [_problem(check, value) for value in values]
    if _passes(check, values, set(map(type, values))):
        assert problems == [None] * len(values)


@settings(max_examples=600, deadline=None)
@given(data=st.data(), values=st.lists(VALUES, max_size=6))
def test_a_column_is_refused_exactly_when_one_of_its_values_has_a_problem(
    data: st.DataObject, values: Sequence[object]
) -> None:
    table = data.draw(st.sampled_from(sorted(COLUMN_CHECKS)))
    column = data.draw(st.sampled_from(sorted(COLUMN_CHECKS[table])))
    check = COLUMN_CHECKS[table][column]
    first = next((v for v in values if _problem(check, v) is not None), None)
    if all(_problem(check, v) is None for v in values):
        check_values(table, column, values)
        return
    with pytest.raises(ColumnValueError) as refused:
        check_values(table, column, values)
    assert (refused.value.table, refused.value.column) == (table, column)
    assert refused.value.value is first or refused.value.value == first
